package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/fetch"
	"spektrum/internal/media"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

const (
	hostileTitle = `<script>alert(1)</script> & "Quotes" </script><!--`
	unicodeTitle = "Путин и Байден: Gespräche über „rote Linien“ — 日本語 ✓"
	browserUA    = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)

// site is a running Spektrum site over real HTTP on a real SQLite file.
type site struct {
	srv     *httptest.Server
	st      store.Store
	now     time.Time
	visible []store.Article // every visible article as stored, newest first
	hidden  store.Article
	sources []store.Source
	views   *Views // flushed by the tests (Flush) when they look at Trending
	media   *media.Proxy
}

// newSite opens a store in a temp dir, fills it through the Store API and
// serves the site on loopback. imageBase is where article images live.
func newSite(t *testing.T, imageBase string) *site {
	t.Helper()
	return newSiteEditions(t, imageBase, nil)
}

// newSiteEditions is newSite serving the given editions (nil: only the
// site language's).
func newSiteEditions(t *testing.T, imageBase string, editions []string) *site {
	t.Helper()
	st := sqlitetest.Open(t)
	var err error
	s := &site{st: st, now: time.Now().UTC().Truncate(time.Second)}
	s.fill(t, imageBase)

	// The handler needs its own public URL for absolute links, which is only
	// known once the listener exists: start unstarted, then build.
	s.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + s.srv.Listener.Addr().String()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if s.views, err = NewViews(st, ViewsOptions{Logger: logger, Now: func() time.Time { return s.now }}); err != nil {
		t.Fatal(err)
	}
	// Images come through a real media proxy, allowed to fetch the test's
	// image servers on loopback.
	sign, err := media.NewSigner([]byte("web test media secret"))
	if err != nil {
		t.Fatal(err)
	}
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1, PerHostConcurrency: 8})
	if s.media, err = media.New(sign, fc, media.Options{CacheDir: t.TempDir(), Logger: logger}); err != nil {
		t.Fatal(err)
	}
	h, err := New(st, Config{
		SiteName: "Spektrum Test", Tagline: "News from every side", Language: "en", Editions: editions, PageSize: 7,
		Logger: logger, Now: func() time.Time { return s.now },
		BaseURL: base, Views: s.views, Images: s.media,
		Mounts: map[string]http.Handler{media.Pattern: s.media},
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	s.srv.Config.Handler = h
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) fill(t testing.TB, imageBase string) {
	t.Helper()
	ctx := context.Background()
	for _, sec := range []store.Section{{Slug: "russia", Name: "Russia"}, {Slug: "economy", Name: "Economy"}, {Slug: "culture", Name: "Culture & Arts"}, {Slug: "empty", Name: "Empty"}} {
		if err := s.st.EnsureSection(ctx, sec); err != nil {
			t.Fatalf("ensure section: %v", err)
		}
	}
	for i, name := range []string{"EU Reporter", "Deutsche Welle"} {
		src := store.Source{
			URL: fmt.Sprintf("https://src%d.example.org/feed.xml", i), SiteURL: fmt.Sprintf("https://src%d.example.org/", i),
			Kind: store.KindFeed, Name: name, Language: "en", PollInterval: time.Hour, Enabled: true,
			NextPollAt: s.now.Add(time.Hour),
		}
		if err := s.st.CreateSource(ctx, &src); err != nil {
			t.Fatalf("create source: %v", err)
		}
		s.sources = append(s.sources, src)
	}
	secs := []string{"russia", "economy", "culture", ""}
	for i := 0; i < 30; i++ {
		a := store.Article{
			SourceID: s.sources[i%2].ID,
			URL:      fmt.Sprintf("https://src%d.example.org/news/%d?x=1&y=2", i%2, i),
			GUID:     fmt.Sprintf("guid-%d", i),
			Title:    fmt.Sprintf("Headline number %d about the world", i),
			Author:   fmt.Sprintf("Reporter %d", i),
			// Spread over ~4 days, so only the newest fall inside the
			// 48-hour news sitemap window.
			PublishedAt: s.now.Add(-time.Duration(i)*3*time.Hour - 30*time.Minute),
			Language:    "en",
			Section:     secs[i%4],
			Summary:     fmt.Sprintf("Summary of story %d.", i),
			HTML:        fmt.Sprintf("<p>Body paragraph of story %d with <em>emphasis</em>.</p><p>Second paragraph.</p>", i),
			Text:        fmt.Sprintf("Body paragraph of story %d with emphasis. Second paragraph.", i),
		}
		switch i {
		case 0:
			a.Title = unicodeTitle
			a.Image = imageBase + "/lead-0.png"
		case 1:
			a.Title = hostileTitle
			a.Author = `Eve <img src=x onerror=alert(2)>`
		case 2:
			// The body already shows the lead image: the page must not repeat it.
			a.Image = imageBase + "/inline-2.png"
			a.HTML = `<figure><img src="` + imageBase + `/inline-2.png" alt="A chart"><figcaption>Chart</figcaption></figure><p>Story two.</p>`
		case 3:
			a.PublishedAt = time.Time{}         // unknown date: API says null, pages use first-seen
			a.Image = imageBase + "/lead-3.jpg" // the front page's lead (newest by first-seen)
		case 5:
			a.Image = imageBase + "/photo-5.jpg"
		}
		if _, err := s.st.UpsertArticle(ctx, &a); err != nil {
			t.Fatalf("upsert article %d: %v", i, err)
		}
	}
	hidden := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/hidden", GUID: "hidden",
		Title: "Hidden article never shown", PublishedAt: s.now.Add(-time.Hour), Section: "russia", Hidden: true,
		HTML: "<p>secret</p>", Text: "secret"}
	if _, err := s.st.UpsertArticle(ctx, &hidden); err != nil {
		t.Fatalf("upsert hidden article: %v", err)
	}
	s.hidden = hidden
	// Read them back through the store so tests compare against what it keeps.
	q := store.ArticleQuery{Limit: 200}
	page, err := s.st.Articles(ctx, q)
	if err != nil {
		t.Fatalf("list articles: %v", err)
	}
	s.visible = page.Articles
	if len(s.visible) != 30 {
		t.Fatalf("fixture: want 30 visible articles in the store, got %d", len(s.visible))
	}
}

// byTitle finds a fixture article.
func (s *site) byTitle(t *testing.T, title string) store.Article {
	t.Helper()
	for _, a := range s.visible {
		if a.Title == title {
			return a
		}
	}
	t.Fatalf("no fixture article titled %q", title)
	return store.Article{}
}

func (s *site) url(path string) string { return s.srv.URL + path }

type resp struct {
	*http.Response
	body []byte
}

// get fetches path with a browser User-Agent, not following redirects.
func (s *site) get(t *testing.T, path string, hdr ...string) resp {
	t.Helper()
	return s.do(t, http.MethodGet, path, hdr...)
}

func (s *site) do(t *testing.T, method, path string, hdr ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, s.url(path), nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("User-Agent", browserUA)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp{r, b}
}

func (s *site) mustGet(t *testing.T, path string, wantStatus int) resp {
	t.Helper()
	r := s.get(t, path)
	if r.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d; body: %.300s", path, r.StatusCode, wantStatus, r.body)
	}
	return r
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// findAll returns the nodes under n for which match is true, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func elem(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// byID returns the element with id, or nil.
func byID(doc *html.Node, id string) *html.Node {
	ns := findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, "id") == id })
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

// links returns the hrefs of <a> under n.
func links(n *html.Node) []string {
	var out []string
	for _, a := range findAll(n, elem("a")) {
		out = append(out, attr(a, "href"))
	}
	return out
}

// metaProp returns the content of <meta property=prop>.
func metaProp(doc *html.Node, prop string) string {
	for _, m := range findAll(doc, elem("meta")) {
		if attr(m, "property") == prop || attr(m, "name") == prop {
			return attr(m, "content")
		}
	}
	return ""
}

// enArticle is an article's address in the English (default) edition.
func enArticle(a *store.Article) string { return "/en" + a.Path() }
