package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp, b
}

var (
	scriptRE = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
	tagRE    = regexp.MustCompile(`<[^>]+>`)
)

// visibleText is a crude HTML-to-text good enough to check that the ground
// truth really is on the page.
func visibleText(page string) string {
	page = scriptRE.ReplaceAllString(page, " ")
	page = tagRE.ReplaceAllString(page, " ")
	return collapse(html.UnescapeString(page))
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestSitesInventory(t *testing.T) {
	sites := Sites("http://example.test")
	if len(sites) != 9 {
		t.Fatalf("want 9 sites, got %d", len(sites))
	}
	formats := map[string]bool{}
	good, pages := 0, 0
	for _, s := range sites {
		formats[s.Format] = true
		if !strings.HasPrefix(s.Home, "http://example.test/site/"+s.Name+"/") {
			t.Errorf("%s: home %q not under its site root", s.Name, s.Home)
		}
		if s.Broken {
			if s.WantError == "" || len(s.Articles) != 0 {
				t.Errorf("%s: broken site needs WantError and no articles", s.Name)
			}
			continue
		}
		good++
		// Three to six: enough for a section page, few enough that the
		// fetch tests stay quick (more where a site also covers the demo's
		// shared story, TestSharedStory).
		if n := len(s.Articles); n < 3 || n > 6 {
			t.Errorf("%s: %d articles, want 3–6", s.Name, n)
		}
		for _, a := range s.Articles {
			pages++
			if a.Title == "" || a.Published.IsZero() || a.GUID == "" || a.Lang == "" {
				t.Errorf("%s: incomplete article %+v", s.Name, a.URL)
			}
			if len(a.Text) < 400 || !strings.Contains(a.Text, "\n\n") {
				t.Errorf("%s: ground truth of %s too short or not in paragraphs", s.Name, a.URL)
			}
		}
	}
	if good != 6 {
		t.Errorf("want 6 good sites, got %d", good)
	}
	for _, f := range []string{"rss2", "atom", "jsonfeed", "rdf", "newssitemap", "discover", "not-a-feed", "http-500", "truncated"} {
		if !formats[f] {
			t.Errorf("no site of format %s", f)
		}
	}
	if pages < 20 {
		t.Errorf("only %d article pages", pages)
	}
	if d := sites[5]; d.SourceURL != d.Home || d.FeedURL == d.Home {
		t.Errorf("discovery site: source %q must be the home page, feed elsewhere (%q)", d.SourceURL, d.FeedURL)
	}
}

// TestArticlePagesCarryGroundTruth fetches every page and checks that the
// first, a middle and the last paragraph of the true text appear on it.
func TestArticlePagesCarryGroundTruth(t *testing.T) {
	srv := startServer(t)
	for _, s := range srv.Sites {
		for _, a := range s.Articles {
			resp, body := get(t, a.URL)
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d", a.URL, resp.StatusCode)
				continue
			}
			ct := resp.Header.Get("Content-Type")
			if !strings.HasPrefix(ct, "text/html") {
				t.Errorf("%s: content type %q", a.URL, ct)
			}
			page := string(body)
			if s.Encoding == "windows-1252" {
				if strings.Contains(ct, "charset") {
					t.Errorf("%s: charset must only be declared in the page, got %q", a.URL, ct)
				}
				if utf8.Valid(body) {
					t.Errorf("%s: windows-1252 page is valid UTF-8; umlauts not encoded?", a.URL)
				}
				if !bytes.Contains(body, []byte(`<meta charset="windows-1252">`)) {
					t.Errorf("%s: no <meta charset>", a.URL)
				}
				dec, err := charmap.Windows1252.NewDecoder().Bytes(body)
				if err != nil {
					t.Fatal(err)
				}
				page = string(dec)
			} else if !utf8.Valid(body) {
				t.Errorf("%s: UTF-8 page is not valid UTF-8", a.URL)
			}
			text := visibleText(page)
			paras := strings.Split(a.Text, "\n\n")
			for _, p := range []string{paras[0], paras[len(paras)/2], paras[len(paras)-1]} {
				if !strings.Contains(text, collapse(p)) {
					t.Errorf("%s: ground-truth paragraph not on page: %.80q", a.URL, p)
				}
			}
			if strings.Contains(page, "{{base}}") {
				t.Errorf("%s: unfilled base URL placeholder", a.URL)
			}
		}
	}
}

func TestGzipPassThrough(t *testing.T) {
	srv := startServer(t)
	var a Article
	for _, x := range srv.Sites[0].Articles {
		if x.Origin != "" { // a benchmark page, stored gzipped
			a = x
			break
		}
	}
	req, _ := http.NewRequest("GET", a.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("want gzip body for a client that asks, got %q", resp.Header.Get("Content-Encoding"))
	}
	b, _ := io.ReadAll(resp.Body)
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("body is not gzip")
	}
}

// TestFeedsListEveryArticle parses each feed in its own format and checks it
// names every article with an absolute URL on this server.
func TestFeedsListEveryArticle(t *testing.T) {
	srv := startServer(t)
	wantType := map[string]string{
		"rss2": "application/rss+xml", "discover": "application/rss+xml", "atom": "application/atom+xml",
		"jsonfeed": "application/feed+json", "rdf": "application/rdf+xml", "newssitemap": "application/xml",
	}
	for _, s := range srv.Sites {
		if s.Broken {
			continue
		}
		resp, body := get(t, s.FeedURL)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", s.FeedURL, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType[s.Format]) {
			t.Errorf("%s: content type %q, want %s", s.FeedURL, ct, wantType[s.Format])
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("%s: missing validators", s.FeedURL)
		}
		var links []string
		if s.Format == "jsonfeed" {
			var f struct {
				Version string
				Items   []struct{ URL string }
			}
			if err := json.Unmarshal(body, &f); err != nil {
				t.Fatalf("%s: %v", s.FeedURL, err)
			}
			if f.Version != "https://jsonfeed.org/version/1.1" {
				t.Errorf("json feed version %q", f.Version)
			}
			for _, it := range f.Items {
				links = append(links, it.URL)
			}
		} else {
			links = xmlLinks(t, s, body)
		}
		for _, a := range s.Articles {
			found := false
			for _, l := range links {
				found = found || l == a.URL
			}
			if !found {
				t.Errorf("%s: article %s missing from feed (links %v)", s.Name, a.URL, links)
			}
		}
		for _, a := range s.Articles {
			if strings.Contains(string(body), collapse(a.Text)[:300]) {
				t.Errorf("%s: feed carries the full text; it should only summarise", s.Name)
			}
		}
	}
}

// xmlLinks decodes the feed with encoding/xml (the windows-1252 one through a
// charset reader) and returns the text of every <link>/<loc> and Atom href.
func xmlLinks(t *testing.T, s Site, body []byte) []string {
	t.Helper()
	if s.Encoding == "windows-1252" {
		if utf8.Valid(body) {
			t.Errorf("%s: feed should contain raw windows-1252 bytes", s.Name)
		}
		if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="windows-1252"?>`)) {
			t.Errorf("%s: XML declaration does not name windows-1252", s.Name)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "windows-1252") {
			return charmap.Windows1252.NewDecoder().Reader(in), nil
		}
		return nil, errors.New("unexpected charset " + label)
	}
	var links []string
	var cur string
	sawUmlaut := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: feed does not parse: %v", s.Name, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			cur = tk.Name.Local
			if cur == "link" {
				for _, a := range tk.Attr {
					if a.Name.Local == "href" {
						links = append(links, a.Value)
					}
				}
			}
		case xml.CharData:
			if cur == "link" || cur == "loc" {
				if v := strings.TrimSpace(string(tk)); v != "" {
					links = append(links, v)
				}
			}
			sawUmlaut = sawUmlaut || strings.ContainsAny(string(tk), "äöüß")
		case xml.EndElement:
			cur = ""
		}
	}
	if s.Encoding == "windows-1252" && !sawUmlaut {
		t.Errorf("%s: decoded feed has no umlauts", s.Name)
	}
	return links
}

func TestConditionalGet(t *testing.T) {
	srv := startServer(t)
	for _, s := range srv.Sites {
		if s.Broken {
			continue
		}
		resp, _ := get(t, s.FeedURL)
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if resp, body := get(t, s.FeedURL, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s: If-None-Match: status %d, %d bytes; want 304, empty", s.Name, resp.StatusCode, len(body))
		}
		if resp, _ := get(t, s.FeedURL, "If-None-Match", `"stale"`); resp.StatusCode != 200 {
			t.Errorf("%s: stale ETag answered %d, want 200", s.Name, resp.StatusCode)
		}
		if resp, _ := get(t, s.FeedURL, "If-Modified-Since", lm); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-Modified-Since: status %d, want 304", s.Name, resp.StatusCode)
		}
	}
}

func TestDiscoveryHomeLinksFeed(t *testing.T) {
	srv := startServer(t)
	d := srv.Sites[5]
	_, body := get(t, d.SourceURL)
	m := regexp.MustCompile(`<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("discovery home has no alternate link")
	}
	if srv.URL+string(m[1]) != d.FeedURL {
		t.Errorf("alternate href %q does not resolve to %s", m[1], d.FeedURL)
	}
}

func TestBrokenSites(t *testing.T) {
	srv := startServer(t)
	byName := map[string]Site{}
	for _, s := range srv.Sites {
		byName[s.Name] = s
	}
	resp, body := get(t, byName["static-brochure"].SourceURL)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || bytes.Contains(body, []byte("alternate")) {
		t.Errorf("static-brochure: want a 200 HTML page without alternate links, got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(t, byName["overloaded-daily"].SourceURL); resp.StatusCode != 500 {
		t.Errorf("overloaded-daily: status %d, want 500", resp.StatusCode)
	}
	resp, body = get(t, byName["truncated-times"].SourceURL)
	if resp.StatusCode != 200 {
		t.Errorf("truncated-times: status %d", resp.StatusCode)
	}
	var v any
	if err := xml.Unmarshal(body, &v); err == nil {
		t.Errorf("truncated-times: feed parses; it must be malformed")
	}
	for _, s := range []string{"static-brochure", "overloaded-daily", "truncated-times"} {
		if resp, _ := get(t, byName[s].Home); resp.StatusCode != 200 {
			t.Errorf("%s: home page status %d", s, resp.StatusCode)
		}
	}
}

func TestRobots(t *testing.T) {
	srv := startServer(t)
	resp, body := get(t, srv.URL+"/robots.txt")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, s := range srv.Sites {
		if !bytes.Contains(body, []byte("Disallow: /site/"+s.Name+"/private/\n")) {
			t.Errorf("robots.txt does not disallow %s's private folder", s.Name)
		}
	}
	if !bytes.Contains(body, []byte("Sitemap: "+srv.URL+"/site/lakeside-sentinel/sitemap-news.xml")) {
		t.Errorf("robots.txt lacks the news sitemap:\n%s", body)
	}
	if bytes.Contains(body, []byte("Disallow: /\n")) {
		t.Errorf("robots.txt disallows everything")
	}
}

func TestSimpleBadEndpoints(t *testing.T) {
	srv := startServer(t)
	cases := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/bad/429", 429, "text/plain"},
		{"/bad/410", 410, "text/plain"},
		{"/bad/404", 404, "text/plain"},
		{"/bad/not-a-feed.txt", 200, "text/plain"},
		{"/bad/invalid-utf8.xml", 200, "application/rss+xml"},
		{"/bad/duplicates.xml", 200, "application/rss+xml"},
		{"/bad/robots-blocked.xml", 200, "application/rss+xml"},
	}
	for _, c := range cases {
		resp, _ := get(t, srv.URL+c.path)
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %q, want %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), c.status, c.ctype)
		}
	}
	if resp, _ := get(t, srv.URL+"/bad/429"); resp.Header.Get("Retry-After") != "120" {
		t.Errorf("429 without Retry-After: 120")
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(srv.URL + "/bad/redirect-permanent")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != srv.Sites[0].FeedURL {
		t.Errorf("redirect: %d to %q, want 301 to %s", resp.StatusCode, resp.Header.Get("Location"), srv.Sites[0].FeedURL)
	}

	_, body := get(t, srv.URL+"/bad/invalid-utf8.xml")
	if utf8.Valid(body) || !bytes.Contains(body, []byte(`encoding="UTF-8"`)) {
		t.Errorf("invalid-utf8.xml must declare UTF-8 and contain invalid bytes")
	}
	checkLinksServed(t, srv, body)

	_, body = get(t, srv.URL+"/bad/duplicates.xml")
	var feed struct {
		Items []struct {
			Link    string `xml:"link"`
			GUID    string `xml:"guid"`
			PubDate string `xml:"pubDate"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(body, &feed); err != nil {
		t.Fatal(err)
	}
	seen, dup, noLink, noDate := map[string]int{}, 0, 0, 0
	for _, it := range feed.Items {
		seen[it.Link]++
		if it.Link != "" && seen[it.Link] == 2 {
			dup++
		}
		if it.Link == "" {
			noLink++
		}
		if it.PubDate == "" {
			noDate++
		}
	}
	if dup == 0 || noLink == 0 || noDate == 0 {
		t.Errorf("duplicates.xml: dup=%d noLink=%d noDate=%d, want all > 0", dup, noLink, noDate)
	}
	checkLinksServed(t, srv, body)
}

// checkLinksServed makes sure every <link> in a bad feed is a real demo page.
func checkLinksServed(t *testing.T, srv *Server, feed []byte) {
	t.Helper()
	ms := regexp.MustCompile(`<link>([^<]+)</link>`).FindAllSubmatch(feed, -1)
	for _, m := range ms[1:] { // the first is the channel's own link
		if resp, _ := get(t, string(m[1])); resp.StatusCode != 200 {
			t.Errorf("feed item link %s answers %d", m[1], resp.StatusCode)
		}
	}
}

func TestHangAndTrickleNeedAClientTimeout(t *testing.T) {
	srv := startServer(t)
	client := &http.Client{Timeout: 700 * time.Millisecond}
	for _, p := range []string{"/bad/hang", "/bad/trickle"} {
		start := time.Now()
		resp, err := client.Get(srv.URL + p)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		var ne interface{ Timeout() bool }
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%s: want a client timeout, got %v", p, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: took %v to time out", p, d)
		}
	}
}

func TestTrickleIsSlow(t *testing.T) {
	srv := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/bad/trickle", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(b) == 0 || len(b) > 10 {
		t.Errorf("trickle sent %d bytes in ~1 s, want a handful", len(b))
	}
}

func TestHugeStopsWhenClientLeaves(t *testing.T) {
	srv := startServer(t)
	resp, err := http.Get(srv.URL + "/bad/huge")
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != 1<<30 {
		t.Errorf("Content-Length %d, want 1 GiB", resp.ContentLength)
	}
	n, err := io.CopyN(io.Discard, resp.Body, 2<<20)
	if err != nil || n != 2<<20 {
		t.Fatalf("read %d: %v", n, err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for srv.h.hugeActive.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("/bad/huge still streaming 5 s after the client left")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if sent := srv.h.hugeSent.Load(); sent > 128<<20 {
		t.Errorf("/bad/huge sent %d bytes after the client stopped at 2 MiB", sent)
	}
}

func TestCloseDoesNotWaitForHang(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.Get(s.URL + "/bad/hang")
		if err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(200 * time.Millisecond) // let the request reach the handler
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("Close took %v with a hanging request", d)
	}
}

func TestHandlerUsesFixedBase(t *testing.T) {
	h := Handler("https://news.example.org")
	req, _ := http.NewRequest("GET", "http://127.0.0.1/site/harbor-gazette/rss.xml", nil)
	rec := &recorder{header: http.Header{}}
	h.ServeHTTP(rec, req)
	if !bytes.Contains(rec.body.Bytes(), []byte("<link>https://news.example.org/site/harbor-gazette/")) {
		t.Errorf("feed links not built from the fixed base URL:\n%.400s", rec.body.String())
	}
}

// recorder is a minimal ResponseWriter so the test does not need httptest's
// server for a single call.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(c int)           { r.code = c }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// TestStartFresh: the fresh demo dates its articles within the last two
// days (as a news sitemap wants them), in the order the pages' own dates
// give, and serves those dates in its feeds.
func TestStartFresh(t *testing.T) {
	old, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	now := time.Now().UTC()
	srv, err := StartFresh(now)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	type dated struct {
		path string
		old  time.Time
		now  time.Time
	}
	byPath := map[string]*dated{}
	for _, s := range old.Sites {
		for _, a := range s.Articles {
			byPath[strings.TrimPrefix(a.URL, old.URL)] = &dated{path: a.URL, old: a.Published}
		}
	}
	var all []*dated
	for _, s := range srv.Sites {
		for _, a := range s.Articles {
			d := byPath[strings.TrimPrefix(a.URL, srv.URL)]
			if d == nil {
				t.Fatalf("%s is not in the plain demo", a.URL)
			}
			d.now = a.Published
			all = append(all, d)
			if age := now.Sub(a.Published); age < time.Hour || age > 48*time.Hour {
				t.Errorf("%s is dated %s, %s ago; want within the last two days", a.URL, a.Published, age)
			}
		}
	}
	if len(all) < 10 {
		t.Fatalf("only %d articles", len(all))
	}
	for _, a := range all {
		for _, b := range all {
			if a.old.After(b.old) && !a.now.After(b.now) {
				t.Errorf("%s was newer than %s and is not any more", a.path, b.path)
			}
		}
	}
	// The feeds say the new dates.
	for _, s := range srv.Sites {
		if s.Format != "rss2" {
			continue
		}
		_, body := get(t, s.FeedURL)
		if want := s.Articles[0].Published.Format(time.RFC1123Z); !strings.Contains(string(body), want) {
			t.Errorf("%s lacks the fresh date %s", s.FeedURL, want)
		}
	}
}
