// Package ingest measures the whole ingest (poll → fetch → extract → store)
// against a farm of news sites on loopback: N hosts, each on its own
// 127.0.x.y address so the fetcher paces each as a host of its own, serving
// RSS feeds whose items link to article pages. The pages are the article
// extraction benchmark's real ones when its data is at hand, generated ones
// otherwise, so tests never need the data.
//
// It runs the ingest as `spektrum fetch` does (app.New, one pass until the
// queue is idle) and reports pages per second and the CPU time the process
// spent per page (getrusage: robust on a shared machine, where wall-clock
// figures move with the neighbours' load). It must not be imported by
// anything but the bench command and its own tests.
package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FarmOptions shape a farm. Zero values mean the defaults.
type FarmOptions struct {
	Hosts        int // default 20
	FeedsPerHost int // default 10
	ItemsPerFeed int // default 20
	// Pages are the article pages served, in turn; nil generates them.
	Pages [][]byte
	// MaxItemsPerFeed is how many items a feed can grow to with AddItems
	// (default ItemsPerFeed: a farm that does not grow).
	MaxItemsPerFeed int
	// FirstIP numbers the hosts' addresses: host i listens on the loopback
	// address FirstIP+i within 127.0.0.0/8 (default 127.0.1.0, clear of
	// 127.0.0.1 where other servers of this machine listen).
	FirstIP int
}

// Farm is the running sites.
type Farm struct {
	opts   FarmOptions
	hosts  []*host
	feeds  []string
	Pages  atomic.Int64 // article pages served
	Feeds  atomic.Int64 // feeds served in full
	NotMod atomic.Int64 // feed requests answered 304
	// Empty makes every feed list no items while set (its ETag changes
	// with it): subscribing a reader that fetches a feed as it subscribes
	// (Miniflux) stores nothing, and the pages come in the measured pass.
	Empty   atomic.Bool
	started time.Time

	mu sync.RWMutex
	// added holds when each item index past ItemsPerFeed appeared (the
	// same for every feed): its pubDate, and how many items feeds list.
	added []time.Time
}

type host struct {
	farm *Farm
	idx  int
	base string
	srv  *http.Server
	ln   net.Listener
}

// StartFarm starts the farm's hosts. Close stops them.
func StartFarm(opts FarmOptions) (*Farm, error) {
	if opts.Hosts <= 0 {
		opts.Hosts = 20
	}
	if opts.FeedsPerHost <= 0 {
		opts.FeedsPerHost = 10
	}
	if opts.ItemsPerFeed < 0 {
		return nil, fmt.Errorf("ingest farm: %d items a feed", opts.ItemsPerFeed)
	}
	if opts.MaxItemsPerFeed < opts.ItemsPerFeed {
		opts.MaxItemsPerFeed = opts.ItemsPerFeed
	}
	if opts.FirstIP == 0 {
		opts.FirstIP = 1 << 8
	}
	if opts.Hosts+opts.FirstIP >= 1<<24-1 {
		return nil, fmt.Errorf("ingest farm: %d hosts do not fit in 127.0.0.0/8", opts.Hosts)
	}
	f := &Farm{opts: opts, started: time.Now()}
	for i := range opts.Hosts {
		n := opts.FirstIP + i
		addr := fmt.Sprintf("127.%d.%d.%d:0", n>>16&255, n>>8&255, n&255)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("ingest farm: listen on %s (the farm needs the whole 127/8 on loopback, as Linux has it): %w", addr, err)
		}
		h := &host{farm: f, idx: i, base: "http://" + ln.Addr().String(), ln: ln}
		h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = h.srv.Serve(ln) }()
		f.hosts = append(f.hosts, h)
		for k := range opts.FeedsPerHost {
			f.feeds = append(f.feeds, fmt.Sprintf("%s/feed/%d.xml", h.base, k))
		}
	}
	return f, nil
}

// FeedURLs lists every feed of the farm, host by host.
func (f *Farm) FeedURLs() []string { return append([]string(nil), f.feeds...) }

// Articles is how many article pages the feeds link to.
func (f *Farm) Articles() int { return len(f.feeds) * f.items() }

// items is how many items each feed lists now.
func (f *Farm) items() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.opts.ItemsPerFeed + len(f.added)
}

// AddItems publishes n more items in every feed, dated now, up to
// MaxItemsPerFeed; it returns how many each feed lists afterwards. This is
// how a farm keeps news arriving while a benchmark runs.
func (f *Farm) AddItems(n int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	for range n {
		if f.opts.ItemsPerFeed+len(f.added) >= f.opts.MaxItemsPerFeed {
			break
		}
		f.added = append(f.added, now)
	}
	return f.opts.ItemsPerFeed + len(f.added)
}

// ArticleURLs lists the address of every article the feeds link to now,
// feed by feed: what a reader of all of them would have to find stored.
func (f *Farm) ArticleURLs() []string {
	n := f.items()
	out := make([]string, 0, len(f.feeds)*n)
	for _, h := range f.hosts {
		for k := range f.opts.FeedsPerHost {
			for i := range n {
				out = append(out, h.articleURL(k, i))
			}
		}
	}
	return out
}

// Hosts is the number of hosts.
func (f *Farm) Hosts() int { return len(f.hosts) }

// Close stops every host.
func (f *Farm) Close() {
	for _, h := range f.hosts {
		_ = h.srv.Close()
	}
}

func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/feed/") && strings.HasSuffix(p, ".xml"):
		k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/feed/"), ".xml"))
		if err != nil || k < 0 || k >= h.farm.opts.FeedsPerHost {
			http.NotFound(w, r)
			return
		}
		body := h.feed(k)
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			h.farm.NotMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.farm.Feeds.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write(body)
	case strings.HasPrefix(p, "/a/"):
		var k, i int
		if _, err := fmt.Sscanf(p, "/a/%d/%d", &k, &i); err != nil || k < 0 || k >= h.farm.opts.FeedsPerHost || i < 0 || i >= h.farm.items() {
			http.NotFound(w, r)
			return
		}
		h.farm.Pages.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(h.page(k, i))
	default:
		http.NotFound(w, r) // robots.txt included: no rules
	}
}

// seq numbers an article across the farm, so every page of the set is
// served in turn and neighbouring hosts serve different ones; items a feed
// grows to later get numbers of their own.
func (h *host) seq(k, i int) int {
	o := h.farm.opts
	return (h.idx*o.FeedsPerHost+k)*o.MaxItemsPerFeed + i
}

func (h *host) articleURL(k, i int) string { return fmt.Sprintf("%s/a/%d/%d", h.base, k, i) }

func (h *host) feed(k int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Farm host %d feed %d</title><link>%s/</link><language>en</language>`,
		h.idx, k, h.base)
	day := h.farm.started.Add(-48 * time.Hour).UTC()
	h.farm.mu.RLock()
	added := h.farm.added
	h.farm.mu.RUnlock()
	first := h.farm.opts.ItemsPerFeed
	if h.farm.Empty.Load() {
		first, added = 0, nil
	}
	for i := range first + len(added) {
		u := h.articleURL(k, i)
		at := day.Add(time.Duration(i) * time.Minute)
		if i >= first {
			at = added[i-first]
		}
		fmt.Fprintf(&b, `<item><title>Story %d of feed %d on host %d</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>Story %d.</description></item>`,
			i, k, h.idx, u, u, at.UTC().Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func (h *host) page(k, i int) []byte {
	n := h.seq(k, i)
	if pp := h.farm.opts.Pages; len(pp) > 0 {
		return pp[n%len(pp)]
	}
	return GeneratedPage(n)
}

// GeneratedPage is a plausible article page: a site's chrome (navigation,
// a sidebar, a footer) around an article of a dozen paragraphs that no
// other page shares, about the size of a real news page's text.
func GeneratedPage(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Report %d | Farm News</title>
<meta name="description" content="The council's vote on plan %d.">
<meta property="og:title" content="Report %d"><meta property="article:published_time" content="2026-11-01T10:00:00Z">
<link rel="stylesheet" href="/s.css"><script>var analytics = {page: %d};</script></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav></header>
<main><article><h1>Report %d</h1><p class="byline">By <a href="/people/ann">Ann Writer</a></p>`, n, n, n, n, n)
	for p := range 12 {
		fmt.Fprintf(&b, `<p>In report %d, paragraph %d, the council of district %d voted %d to %d on plan %d after a debate of %d hours, and %d residents who came to the hall asked for a second reading of the budget, which the mayor, %s, refused.</p>`,
			n, p, n*7+p, 10+p, n%9, n*13+p*3, p+2, 40+n%50+p, html.EscapeString("O'Neill & Sons"))
	}
	b.WriteString(`</article><aside><h2>Most read</h2><ul>`)
	for r := range 8 {
		fmt.Fprintf(&b, `<li><a href="/a/%d">Headline of another story number %d</a></li>`, r, r)
	}
	b.WriteString(`</ul><p>Subscribe to our newsletter for the day's news every morning.</p></aside></main>
<footer><p>© Farm News. All rights reserved.</p><ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy</a></li></ul></footer></body></html>`)
	return []byte(b.String())
}
