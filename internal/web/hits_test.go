package web

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/front"
	"spektrum/internal/pagecache"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// frontFor serves s's handler through the front (internal/front), as
// serve does, and returns its address and a count of the connections its
// net/http saw (a hit answered by the front adds none).
func frontFor(t *testing.T, s *cachedSite) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int64
	fs := &front.Server{Hits: s.cache, HTTP: &http.Server{Handler: s.srv.Config.Handler, ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		}}}
	go func() { _ = fs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = fs.Shutdown(ctx)
	})
	return ln.Addr().String(), &conns
}

// rawGet sends one request on a new connection and returns the answer's
// bytes as sent, the Date line blanked.
func rawGet(t *testing.T, addr, method, path string, hdr ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := method + " " + path + " HTTP/1.1\r\nHost: news.example\r\n"
	ua := browserUA
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "User-Agent" {
			ua = hdr[i+1]
			continue
		}
		req += hdr[i] + ": " + hdr[i+1] + "\r\n"
	}
	req += "User-Agent: " + ua + "\r\n"
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(c, &raw)), &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^Date: [^\r]*\r$`).ReplaceAllString(raw.String(), "Date: -\r")
}

// TestFrontServesTheSitesHits: the site's cached pages, feeds, sitemaps
// and API answers come from the front byte for byte as net/http sends
// them (security headers, ETag, Cache-Control, Vary, gzip, 304, HEAD), and
// without net/http; the front's hits count Trending views as before.
func TestFrontServesTheSitesHits(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	if err := s.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	addr, conns := frontFor(t, s)
	ref := strings.TrimPrefix(s.srv.URL, "http://")
	a := s.visible[3]
	paths := []string{"/en/", "/de/", enArticle(&a), "/en/feed.xml", "/en/atom.xml", "/en/feed.json", "/sitemap.xml",
		"/robots.txt", "/api/v1/articles", "/api/v1/articles?limit=3"}
	for _, p := range paths {
		rawGet(t, ref, "GET", p) // rendered and kept
	}
	before, hits := conns.Load(), s.hits()
	n := 0
	for _, p := range paths {
		plain := rawGet(t, ref, "GET", p)
		etag := regexp.MustCompile(`(?m)^Etag: (\S+)\r$`).FindStringSubmatch(plain)
		for _, h := range [][]string{
			{}, {"Accept-Encoding", "gzip, deflate, br"}, {"Accept-Encoding", "gzip;q=0"},
			{"Accept-Encoding", "gzip", "If-None-Match", `"nope"`},
		} {
			for _, method := range []string{"GET", "HEAD"} {
				want := rawGet(t, ref, method, p, h...)
				if got := rawGet(t, addr, method, p, h...); got != want {
					t.Fatalf("%s %s %v: the front sent\n%.800q\nnet/http sent\n%.800q", method, p, h, got, want)
				}
				n++
			}
		}
		if etag != nil {
			want := rawGet(t, ref, "GET", p, "If-None-Match", etag[1])
			if got := rawGet(t, addr, "GET", p, "If-None-Match", etag[1]); got != want || !strings.HasPrefix(got, "HTTP/1.1 304 ") {
				t.Fatalf("%s revalidated: the front sent\n%.800q\nnet/http sent\n%.800q", p, got, want)
			}
			n++
		}
		if p == "/en/" && (!strings.Contains(plain, "Content-Security-Policy: ") || !strings.Contains(plain, "Cache-Control: public")) {
			t.Fatalf("the front page lacks its headers: %.800q", plain)
		}
	}
	if got := conns.Load() - before; got != 0 {
		t.Fatalf("%d requests reached the front's net/http; all were hits", got)
	}
	if got := s.hits() - hits; got != uint64(2*n+len(paths)) { // both servers, and the plain copy of each
		t.Fatalf("%d answers came from the cache, want %d", got, 2*n+len(paths))
	}

	// Views: readers counted once each, not a revalidation, not a script.
	b := s.visible[6]
	rawGet(t, ref, "GET", enArticle(&b), "User-Agent", "curl/8.0") // rendered by a script: not a view
	var etag string
	for _, ua := range []string{browserUA, browserUA + " one", browserUA + " two", browserUA} {
		out := rawGet(t, addr, "GET", enArticle(&b), "User-Agent", ua, "Sec-Fetch-Mode", "navigate")
		etag = regexp.MustCompile(`(?m)^Etag: (\S+)\r$`).FindStringSubmatch(out)[1]
	}
	rawGet(t, addr, "GET", enArticle(&b), "User-Agent", browserUA+" three", "If-None-Match", etag)
	s.views.mu.Lock()
	counted := 0
	for k, c := range s.views.pending {
		if k.article == b.ID {
			counted += c
		}
	}
	s.views.mu.Unlock()
	if counted != 3 {
		t.Fatalf("views counted through the front = %d, want 3", counted)
	}

	// Not cached: a missing page and the admin, through net/http.
	if got, want := rawGet(t, addr, "GET", "/en/no-such-page"), rawGet(t, ref, "GET", "/en/no-such-page"); got != want ||
		!strings.HasPrefix(got, "HTTP/1.1 404 ") {
		t.Fatalf("a missing page: the front sent\n%.800q\nnet/http sent\n%.800q", got, want)
	}
	before = conns.Load()
	for range 2 {
		if out := rawGet(t, addr, "GET", "/admin/"); !strings.Contains(out, "per-reader-token") {
			t.Fatalf("admin through the front: %.300q", out)
		}
	}
	if s.admin.Load() != 2 || conns.Load() == before {
		t.Fatalf("the admin was reached %d times, net/http saw %d new connections", s.admin.Load(), conns.Load()-before)
	}
}
