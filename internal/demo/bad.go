package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sizes and pacing of the hostile endpoints.
const (
	hugeSize      = 1 << 30 // what /bad/huge claims and, if let, sends
	hugeChunk     = 64 << 10
	trickleEvery  = 200 * time.Millisecond
	maxHangWindow = 10 * time.Minute // a bare Handler has no Close to stop /bad/hang
)

func (h *handler) routeBad() {
	h.mux.HandleFunc("GET /bad/hang", h.hang)
	h.mux.HandleFunc("GET /bad/trickle", h.trickle)
	h.mux.HandleFunc("GET /bad/huge", h.huge)
	h.mux.HandleFunc("GET /bad/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "Too Many Requests: slow down", http.StatusTooManyRequests)
	})
	h.mux.HandleFunc("GET /bad/410", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Gone: this feed has been retired", http.StatusGone)
	})
	h.mux.HandleFunc("GET /bad/404", http.NotFound)
	h.mux.HandleFunc("GET /bad/not-a-feed.txt", func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, "text/plain; charset=utf-8", []byte(notAFeedText))
	})
	h.mux.HandleFunc("GET /bad/invalid-utf8.xml", h.invalidUTF8)
	h.mux.HandleFunc("GET /bad/duplicates.xml", h.duplicates)
	h.mux.HandleFunc("GET /bad/robots-blocked.xml", h.robotsBlocked)
	h.mux.HandleFunc("GET /bad/redirect-permanent", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.baseURL(r)+"/site/harbor-gazette/rss.xml", http.StatusMovedPermanently)
	})
}

const notAFeedText = `Minutes of the allotment society, spring meeting.

The chair opened the meeting at seven. Twelve members were present. The
treasurer reported that the water bill had risen again and proposed that
plot fees go up by five per cent from next year; the motion was carried.

Under any other business, members were reminded that bonfires are not
allowed between April and October.
`

// stopped reports whether the request should end: the client went away, the
// server is closing, or the timer fired.
func (h *handler) stopped(ctx context.Context, t <-chan time.Time) bool {
	select {
	case <-ctx.Done():
		return true
	case <-h.done:
		return true
	case <-t:
		return false
	}
}

// hang accepts the request and never answers until the client gives up.
func (h *handler) hang(w http.ResponseWriter, r *http.Request) {
	h.stopped(r.Context(), time.After(maxHangWindow))
}

// trickle sends a valid RSS feed one byte every 200 ms, so only a client with
// an overall deadline (not just a per-read one) gets out in reasonable time.
func (h *handler) trickle(w http.ResponseWriter, r *http.Request) {
	body := rss2(h.byName["harbor-gazette"], h.baseURL(r)+"/site/harbor-gazette/")
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	tick := time.NewTicker(trickleEvery)
	defer tick.Stop()
	for i := 0; i < len(body); i++ {
		if _, err := w.Write([]byte{body[i]}); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		if h.stopped(r.Context(), tick.C) {
			return
		}
	}
}

// huge claims a 1 GB feed and generates it on the fly, stopping as soon as
// the client disconnects, so a fetcher without a size limit is caught without
// the server holding a gigabyte anywhere.
func (h *handler) huge(w http.ResponseWriter, r *http.Request) {
	h.hugeActive.Add(1)
	defer h.hugeActive.Add(-1)
	head := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Huge</title><link>" +
		h.baseURL(r) + "/bad/huge</link><description>")
	tail := []byte("</description></channel></rss>\n")
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(hugeSize))
	w.WriteHeader(http.StatusOK)
	phrase := []byte("All work and no play makes a very long feed. ")
	filler := bytes.Repeat(phrase, hugeChunk/len(phrase)+1)[:hugeChunk]
	remaining := int64(hugeSize - len(head) - len(tail))
	write := func(b []byte) bool {
		n, err := w.Write(b)
		h.hugeSent.Add(int64(n))
		return err == nil && r.Context().Err() == nil
	}
	if !write(head) {
		return
	}
	for remaining > 0 {
		select {
		case <-h.done:
			return
		default:
		}
		chunk := filler
		if remaining < int64(len(chunk)) {
			chunk = chunk[:remaining]
		}
		if !write(chunk) {
			return
		}
		remaining -= int64(len(chunk))
	}
	write(tail)
}

// invalidUTF8 is an RSS feed that declares UTF-8 but has windows-1252 bytes
// in its titles (é as 0xE9, curly quotes as 0x93/0x94): a common CMS bug.
// Its items point at real demo pages so the articles themselves can be had.
func (h *handler) invalidUTF8(w http.ResponseWriter, r *http.Request) {
	s := h.byName["harbor-gazette"]
	root := h.baseURL(r) + "/site/harbor-gazette/"
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\">\n<channel>\n<title>Caf\xe9 Society \x96 World</title>\n<link>" + root + "</link>\n<description>Mis-encoded titles.</description>\n")
	bad := []string{"Caf\xe9 owners \x93relieved\x94 \x96 ", "R\xe9sum\xe9: ", "Na\xefve hopes: "}
	for i, a := range s.articles[:3] {
		fmt.Fprintf(&b, "<item>\n<title>%s%s</title>\n<link>%s%s</link>\n<guid isPermaLink=\"false\">invalid-utf8-%d</guid>\n<pubDate>%s</pubDate>\n<description>%s</description>\n</item>\n",
			bad[i], x(a.ma.Title), root, a.ma.Path, i, a.published.Format(time.RFC1123Z), x(summary(a)))
	}
	b.WriteString("</channel>\n</rss>\n")
	writeBody(w, "application/rss+xml; charset=utf-8", b.Bytes())
}

// duplicates is an RSS feed with the sloppiness real feeds have: the same item
// twice, the same link under a second guid, an item with no link (only a
// non-permalink guid), items with no date, and an item with only a title.
// Every link points at a real demo page.
func (h *handler) duplicates(w http.ResponseWriter, r *http.Request) {
	s := h.byName["prairie-courier"]
	root := h.baseURL(r) + "/site/prairie-courier/"
	a, b2, c := s.articles[0], s.articles[1], s.articles[2]
	item := func(title, link, guid, date string) string {
		var sb strings.Builder
		sb.WriteString("<item>\n<title>" + x(title) + "</title>\n")
		if link != "" {
			sb.WriteString("<link>" + link + "</link>\n")
		}
		if guid != "" {
			sb.WriteString("<guid isPermaLink=\"false\">" + x(guid) + "</guid>\n")
		}
		if date != "" {
			sb.WriteString("<pubDate>" + date + "</pubDate>\n")
		}
		sb.WriteString("</item>\n")
		return sb.String()
	}
	date := func(a *article) string { return a.published.Format(time.RFC1123Z) }
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\">\n<channel>\n<title>Duplicates Daily</title>\n<link>" + root + "</link>\n<description>The same news, again.</description>\n")
	sb.WriteString(item(a.ma.Title, root+a.ma.Path, a.ma.GUID, date(a)))
	sb.WriteString(item(a.ma.Title, root+a.ma.Path, a.ma.GUID, date(a)))           // exact duplicate
	sb.WriteString(item(a.ma.Title, root+a.ma.Path, a.ma.GUID+"-repost", date(a))) // same link, new guid
	sb.WriteString(item(b2.ma.Title, "", b2.ma.GUID, date(b2)))                    // no link
	sb.WriteString(item(c.ma.Title, root+c.ma.Path, c.ma.GUID, ""))                // no date
	sb.WriteString(item(c.ma.Title, root+c.ma.Path, "", ""))                       // no guid, no date
	sb.WriteString(item("Untitled briefing", "", "", ""))                          // nothing but a title
	sb.WriteString("</channel>\n</rss>\n")
	writeBody(w, "application/rss+xml; charset=utf-8", []byte(sb.String()))
}

// robotsBlocked is a feed whose items live under a path robots.txt
// disallows; a polite pipeline stores none of them.
func (h *handler) robotsBlocked(w http.ResponseWriter, r *http.Request) {
	root := h.baseURL(r) + "/site/harbor-gazette/private/"
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\">\n<channel>\n<title>Drafts</title>\n<link>" + root + "</link>\n<description>Not for crawlers.</description>\n")
	for i, t := range []string{"Embargoed: budget leaks", "Draft obituary"} {
		fmt.Fprintf(&sb, "<item>\n<title>%s</title>\n<link>%sdraft-%d.html</link>\n<guid isPermaLink=\"false\">draft-%d</guid>\n<pubDate>Mon, 10 Mar 2025 08:00:00 +0000</pubDate>\n</item>\n", t, root, i, i)
	}
	sb.WriteString("</channel>\n</rss>\n")
	writeBody(w, "application/rss+xml; charset=utf-8", []byte(sb.String()))
}
