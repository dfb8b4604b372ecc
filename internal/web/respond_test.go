package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.byTitle(t, hostileTitle)
	home := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	var css string
	for _, l := range findAll(home, elem("link")) {
		if attr(l, "rel") == "stylesheet" {
			css = attr(l, "href")
		}
	}
	if !regexp.MustCompile(`^/static/style\.[0-9a-f]{12}\.css$`).MatchString(css) {
		t.Fatalf("stylesheet %q should be a same-origin, content-hashed /static path", css)
	}
	paths := []string{"/en/", "/en/?cursor=bad", "/en/section/russia", enArticle(&a), "/en/1999/01/01/" + a.Slug, "/nope",
		"/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/news-sitemap.xml", "/robots.txt",
		"/api/v1/articles", "/api/v1/articles/0", "/api/v1/sources", "/healthz", css}
	wantHeaders := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
		"X-Frame-Options":        "DENY",
	}
	for _, p := range paths {
		r := s.get(t, p)
		policy := r.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "https://www.youtube-nocookie.com"} {
			if !strings.Contains(policy, d) {
				t.Errorf("%s: CSP %q lacks %s", p, policy, d)
			}
		}
		if strings.Contains(policy, "unsafe-inline") {
			t.Errorf("%s: CSP allows unsafe-inline", p)
		}
		for k, v := range wantHeaders {
			if r.Header.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", p, k, r.Header.Get(k), v)
			}
		}
		if r.Header.Get("Permissions-Policy") == "" {
			t.Errorf("%s: no Permissions-Policy", p)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.StatusCode == http.StatusMovedPermanently {
			continue // net/http's redirect note is not one of our pages
		}
		doc := parseHTML(t, r.body)
		for _, n := range findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
			if hasAttr(n, "style") {
				t.Errorf("%s: <%s style=…> inline style", p, n.Data)
			}
			for _, at := range n.Attr {
				if strings.HasPrefix(at.Key, "on") {
					t.Errorf("%s: <%s %s=…> inline handler", p, n.Data, at.Key)
				}
			}
			if n.Data == "style" {
				t.Errorf("%s: <style> element", p)
			}
			// Scripts come from our origin; JSON-LD is data, not code, and CSP does not run it.
			if n.Data == "script" && attr(n, "src") == "" && attr(n, "type") != "application/ld+json" {
				t.Errorf("%s: inline <script> without src", p)
			}
			if n.Data == "script" && attr(n, "src") != "" && !strings.HasPrefix(attr(n, "src"), "/static/") {
				t.Errorf("%s: script from %s", p, attr(n, "src"))
			}
		}
		// Skip link, landmarks.
		for _, id := range []string{"main"} {
			if byID(doc, id) == nil {
				t.Errorf("%s: no #%s landmark for the skip link", p, id)
			}
		}
		if len(findAll(doc, elem("nav"))) == 0 || len(findAll(doc, elem("header"))) == 0 || len(findAll(doc, elem("footer"))) == 0 {
			t.Errorf("%s: missing header/nav/footer landmarks", p)
		}
		for _, img := range findAll(doc, elem("img")) {
			if !hasAttr(img, "alt") {
				t.Errorf("%s: <img src=%s> without alt", p, attr(img, "src"))
			}
		}
	}
}

func TestCachingAndCompression(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	for _, p := range []string{"/en/", "/en/section/russia", "/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/api/v1/articles"} {
		r := s.mustGet(t, p, http.StatusOK)
		etag := r.Header.Get("ETag")
		if etag == "" || !strings.Contains(r.Header.Get("Cache-Control"), "max-age=") {
			t.Errorf("%s: ETag %q, Cache-Control %q; want both", p, etag, r.Header.Get("Cache-Control"))
			continue
		}
		nm := s.get(t, p, "If-None-Match", etag)
		if nm.StatusCode != http.StatusNotModified || len(nm.body) != 0 {
			t.Errorf("%s: If-None-Match with the current ETag gave %d with %d bytes, want 304 and no body", p, nm.StatusCode, len(nm.body))
		}
		if other := s.get(t, p, "If-None-Match", `"stale"`); other.StatusCode != http.StatusOK {
			t.Errorf("%s: stale ETag gave %d, want 200", p, other.StatusCode)
		}
		// Setting Accept-Encoding ourselves turns off the client's transparent decoding.
		gz := s.get(t, p, "Accept-Encoding", "gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: not gzipped (Content-Encoding %q, Vary %q)", p, gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz.body))
		if err != nil {
			t.Fatalf("%s: gzip body: %v", p, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, r.body) {
			t.Errorf("%s: gunzipped body differs from the plain one (err %v)", p, err)
		}
		if len(gz.body) >= len(r.body) {
			t.Errorf("%s: gzip did not shrink %d bytes (got %d)", p, len(r.body), len(gz.body))
		}
		if s.get(t, p, "Accept-Encoding", "gzip;q=0").Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzipped although the client refused it with q=0", p)
		}
	}

	// Static files: long, immutable caching under a hashed name.
	doc := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	var css string
	for _, l := range findAll(doc, elem("link")) {
		if attr(l, "rel") == "stylesheet" {
			css = attr(l, "href")
		}
	}
	r := s.mustGet(t, css, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("static Cache-Control %q, want a year and immutable", cc)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("static content type %q", ct)
	}
	if !bytes.Contains(r.body, []byte("prefers-color-scheme: dark")) {
		t.Error("stylesheet lacks the dark mode")
	}
	if s.get(t, css, "If-None-Match", r.Header.Get("ETag")).StatusCode != http.StatusNotModified {
		t.Error("static file ignores If-None-Match")
	}
}

func TestHealthz(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	r := s.mustGet(t, "/healthz", http.StatusOK)
	if string(r.body) != "ok" {
		t.Errorf("healthz body %q, want ok", r.body)
	}
	// After the store is closed the round trip fails, and so must the check.
	_ = s.st.Close()
	if r := s.get(t, "/healthz"); r.StatusCode == http.StatusOK {
		t.Error("healthz says ok with the store closed")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	for _, base := range []string{"", "not a url", "ftp://x.org", "/relative"} {
		if _, err := New(s.st, Config{BaseURL: base}); err == nil {
			t.Errorf("New accepted BaseURL %q", base)
		}
	}
	if _, err := New(nil, Config{BaseURL: "https://x.org"}); err == nil {
		t.Error("New accepted a nil store")
	}
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A reader who leaves while a page is rendered cancels its queries; that
// is not a failure of ours and is not logged as an error (the load test
// ending with readers mid-request logged one), while a real failure still is.
func TestReaderLeftIsNoError(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	var logs lockedBuffer
	h, err := New(s.st, Config{SiteName: "Spektrum Test", Language: "en", BaseURL: "http://127.0.0.1",
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/en/", "/api/v1/articles"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx))
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s with the reader gone: %d, want the 500 nobody reads", path, rec.Code)
		}
	}
	if out := logs.String(); strings.Contains(out, "level=ERROR") || !strings.Contains(out, "the reader left") {
		t.Errorf("logs for readers who left:\n%s", out)
	}

	// The same failure while the reader waits is an error.
	if err := s.st.Close(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/en/", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a closed database: %d, logs:\n%s", rec.Code, logs.String())
	}
}
