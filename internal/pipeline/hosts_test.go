package pipeline

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newsSite is a news site on its own loopback address (so the fetcher paces
// it as a host of its own): a feed of n items at /feed.xml, and the items'
// pages at /a/{i}, each answered after pageDelay, once pages is closed.
type newsSite struct {
	*httptest.Server
	name      string
	pageHits  atomic.Int32
	feedHits  atomic.Int32
	pageDelay time.Duration
	// pages holds every page request until it is closed: a held site
	// (startHeldSite) answers no page until its test says so.
	pages chan struct{}
	n     int
	// shown is how many items the feed shows; growing sites publish one
	// more on every feed request, up to n.
	shown   atomic.Int32
	growing atomic.Bool
}

// serveOn serves h on 127.0.0.{ip}, a host of its own to the fetcher
// (every 127/8 address is the loopback interface on Linux), until the test
// ends; it skips the test where that address cannot be had.
// Each conf is applied to the server before it starts.
func serveOn(t testing.TB, ip int, h http.Handler, conf ...func(*http.Server)) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", ip))
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.%d (this test needs the whole 127/8 on loopback): %v", ip, err)
	}
	srv := httptest.NewUnstartedServer(h)
	for _, c := range conf {
		c(srv.Config)
	}
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// startSite serves a site on 127.0.0.{ip} (serveOn).
func startSite(t testing.TB, ip int, name string, n int, pageDelay time.Duration) *newsSite {
	t.Helper()
	s := startHeldSite(t, ip, name, n, pageDelay)
	close(s.pages)
	return s
}

// startHeldSite is startSite for a site whose pages wait until the test
// closes s.pages, so that a test orders events without guessing at times.
func startHeldSite(t testing.TB, ip int, name string, n int, pageDelay time.Duration) *newsSite {
	t.Helper()
	s := &newsSite{name: name, n: n, pageDelay: pageDelay, pages: make(chan struct{})}
	s.shown.Store(int32(n))
	s.Server = serveOn(t, ip, http.HandlerFunc(s.serve))
	return s
}

func (s *newsSite) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/feed.xml":
		s.feedHits.Add(1)
		if s.growing.Load() && int(s.shown.Load()) < s.n {
			s.shown.Add(1)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, s.feed())
	case strings.HasPrefix(r.URL.Path, "/a/"):
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/a/"))
		if err != nil || i < 0 || i >= s.n {
			http.NotFound(w, r)
			return
		}
		select {
		case <-s.pages:
		case <-r.Context().Done():
			return
		}
		select {
		case <-time.After(s.pageDelay):
		case <-r.Context().Done():
			return
		}
		s.pageHits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s.page(i))
	default:
		http.NotFound(w, r) // robots.txt included: no rules
	}
}

func (s *newsSite) feed() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s/</link><language>en</language>`,
		html.EscapeString(s.name), s.URL)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range int(s.shown.Load()) {
		fmt.Fprintf(&b, `<item><title>%s report %d</title><link>%s/a/%d</link><guid>%s/a/%d</guid><pubDate>%s</pubDate><description>Report %d of %s.</description></item>`,
			html.EscapeString(s.name), i, s.URL, i, s.URL, i, day.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i, html.EscapeString(s.name))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// page is an article whose every paragraph differs from other pages', so
// the site's template memory takes none of it for boilerplate.
func (s *newsSite) page(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><title>%s report %d</title></head><body><article><h1>%s report %d</h1>`,
		html.EscapeString(s.name), i, html.EscapeString(s.name), i)
	for p := range 5 {
		fmt.Fprintf(&b, `<p>In report %d, paragraph %d, the %s council of district %d voted %d to %d on plan %d after a debate of %d hours, and %d residents who came to the hall on day %d asked for a second reading of the budget.</p>`,
			i, p, html.EscapeString(s.name), i*7+p, 10+p, i%9, i*13+p*3, p+2, 40+i*3+p, i+p)
	}
	b.WriteString(`</article></body></html>`)
	return b.String()
}
