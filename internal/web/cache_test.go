package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// cachedSite is a site with the page cache in front, as serve runs it.
type cachedSite struct {
	site
	cache *pagecache.Cache
	admin atomic.Int64 // requests that reached the /admin/ mount
	clock *manualClock // the cache's, when the test reads the generation by hand
	stale time.Duration
}

// manualClock is the cache's clock in tests that read the generation by
// hand: it moves only in renew.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// newCachedSite serves st (filled with the usual fixture when fill) with a
// page cache; the caller decides how the cache reads the generation
// (Refresh by hand, or Run). With a Poll of an hour (by hand), the cache
// runs on a clock of the test's (see renew), and pages live for as long as
// the test, so only a new generation renders them again.
func newCachedSite(t *testing.T, st store.Store, fill bool, o pagecache.Options) *cachedSite {
	t.Helper()
	s := &cachedSite{site: site{st: st, now: time.Now().UTC().Truncate(time.Second)}, stale: o.Stale}
	if fill {
		s.fill(t, "https://img.example.org")
	}
	if o.Poll >= time.Hour && o.Now == nil {
		s.clock = &manualClock{t: time.Now()}
		o.Now = s.clock.now
		o.MaxAge = 1000 * time.Hour
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	o.Logger = logger
	var err error
	if s.cache, err = pagecache.New(st, o); err != nil {
		t.Fatal(err)
	}
	if s.views, err = NewViews(st, ViewsOptions{Logger: logger}); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(nil)
	h, err := New(st, Config{
		SiteName: "Spektrum Test", Language: "en", Editions: []string{"en", "de"}, PageSize: 7, Logger: logger,
		BaseURL: "http://" + s.srv.Listener.Addr().String(), Views: s.views, Cache: s.cache,
		Mounts: map[string]http.Handler{"/admin/{$}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.admin.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, `<form><input name="csrf" value="per-reader-token"></form>`)
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = h
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// renew reads the generation as the cache's poll would, once the copies
// of an ended generation may no longer answer: the cache's clock moves on
// by Stale first. (Within Stale, the cache may answer from the copy of the
// generation a change ended, and renders the page anew only near the end:
// pagecache's TestRenderedOncePerStaleWhileTheGenerationMoves.)
func (s *cachedSite) renew(t *testing.T) {
	t.Helper()
	s.clock.mu.Lock()
	s.clock.t = s.clock.t.Add(s.stale)
	s.clock.mu.Unlock()
	if err := s.cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// hits is how many answers came from memory so far.
func (s *cachedSite) hits() uint64 { return s.cache.Stats().Hits }

// cachedPage fetches path twice and checks the second answer came from the
// cache and equals the first; it returns the body.
func (s *cachedSite) cachedPage(t *testing.T, path string) string {
	t.Helper()
	first := s.mustGet(t, path, http.StatusOK)
	before := s.hits()
	second := s.mustGet(t, path, http.StatusOK)
	if s.hits() != before+1 {
		t.Fatalf("%s: the second request was rendered again, not served from the cache", path)
	}
	if string(first.body) != string(second.body) {
		t.Fatalf("%s: the cached copy differs from the page", path)
	}
	return string(second.body)
}

// TestCacheInvalidation: each kind of change that shows on a page makes
// the page new at the next read of the generation, and not before.
func TestCacheInvalidation(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	refresh := func() { t.Helper(); s.renew(t) }
	refresh()
	a := s.visible[4] // in section "russia", 12 hours old
	page := enArticle(&a)

	// A new article: on the front page, its section's feed and the API.
	fresh := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/news/fresh", Title: "Fresh headline just in",
		PublishedAt: s.now.Add(-time.Minute), Language: "en", Section: "russia", HTML: "<p>Fresh.</p>", Text: "Fresh."}
	for _, path := range []string{"/en/", "/en/section/russia/feed.xml", "/api/v1/articles", "/sitemap.xml"} {
		if strings.Contains(s.cachedPage(t, path), "Fresh headline") || strings.Contains(s.cachedPage(t, path), "/fresh-headline") {
			t.Fatalf("%s shows the article before it exists", path)
		}
	}
	if _, err := s.st.UpsertArticle(ctx, &fresh); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/en/", "/en/section/russia/feed.xml", "/api/v1/articles"} {
		if strings.Contains(string(s.mustGet(t, path, 200).body), "Fresh headline") {
			t.Fatalf("%s changed before the generation was read (the test's bound is an hour)", path)
		}
	}
	refresh()
	for _, path := range []string{"/en/", "/en/section/russia/feed.xml", "/api/v1/articles", "/sitemap.xml"} {
		body := s.cachedPage(t, path)
		if !strings.Contains(body, "Fresh headline") && !strings.Contains(body, "fresh-headline") {
			t.Fatalf("%s does not show the new article after the generation moved", path)
		}
	}

	// A correction: the article page shows the new text.
	if body := s.cachedPage(t, page); strings.Contains(body, "Corrected paragraph") {
		t.Fatal("the correction shows before it was made")
	}
	fixed := a
	fixed.HTML, fixed.Text = "<p>Corrected paragraph.</p>", "Corrected paragraph."
	fixed.ContentHash = ""
	if res, err := s.st.UpsertArticle(ctx, &fixed); err != nil || res != store.Updated {
		t.Fatalf("correction: %v %v", res, err)
	}
	refresh()
	if body := s.cachedPage(t, page); !strings.Contains(body, "Corrected paragraph") {
		t.Fatal("the article page does not show the correction")
	}

	// A translation arriving: the German edition's article page shows it.
	dePage := "/de" + a.Path()
	if body := s.cachedPage(t, dePage); strings.Contains(body, "Korrigierte Schlagzeile") {
		t.Fatal("the translation shows before it arrived")
	}
	if err := s.st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Korrigierte Schlagzeile", HTML: "<p>Korrigierter Absatz.</p>", Text: "Korrigierter Absatz.", Provider: "apertium",
		ContentHash: fixed.ContentHash}); err != nil {
		t.Fatal(err)
	}
	refresh()
	if body := s.cachedPage(t, dePage); !strings.Contains(body, "Korrigierte Schlagzeile") {
		t.Fatal("the German page does not show the translation")
	}
	// ...and the English page now names the German one as an alternate.
	if body := s.cachedPage(t, page); !strings.Contains(body, `hreflang="de"`) {
		t.Fatal("the English page does not link the new translation")
	}

	// A source renamed: its name on the article page.
	src := s.sources[a.SourceID-s.sources[0].ID]
	src.Name = "Renamed Reporter"
	if err := s.st.UpdateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	refresh()
	if body := s.cachedPage(t, page); !strings.Contains(body, "Renamed Reporter") {
		t.Fatal("the article page does not show the source's new name")
	}

	// A copy found: the copy leaves the front page's lists.
	newest := s.visible[0]
	if body := s.cachedPage(t, "/en/"); !strings.Contains(body, newest.Path()) {
		t.Fatalf("the front page does not list %s", newest.Path())
	}
	if err := s.st.SetDuplicateOf(ctx, newest.ID, s.visible[1].ID); err != nil {
		t.Fatal(err)
	}
	refresh()
	if body := s.cachedPage(t, "/en/"); strings.Contains(body, newest.Path()) {
		t.Fatal("the front page still lists an article found to be a copy")
	}

	// An article hidden (no store method hides one yet; the trigger
	// covers any write): its page is a 404, and a 404 is not kept.
	db := s.st.(interface{ DB() *sql.DB }).DB()
	if _, err := db.ExecContext(ctx, `UPDATE articles SET hidden = TRUE WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	refresh()
	before := s.hits()
	s.mustGet(t, page, http.StatusNotFound)
	s.mustGet(t, page, http.StatusNotFound)
	if s.hits() != before {
		t.Fatal("a 404 page was served from the cache")
	}
}

// TestCacheHeadersAndBypass: what a CDN and a browser see, and what is
// never cached.
func TestCacheHeadersAndBypass(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	if err := s.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	a := s.visible[2]
	r := s.mustGet(t, enArticle(&a), 200)
	cc := r.Header.Get("Cache-Control")
	for _, want := range []string{"public", "max-age=60", "s-maxage=60", "stale-while-revalidate=300"} {
		if !strings.Contains(cc, want) {
			t.Fatalf("Cache-Control %q lacks %s", cc, want)
		}
	}
	if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("security headers missing on a cached page: %v", r.Header)
	}
	// Served from memory, conditional: 304 without a body.
	etag := r.Header.Get("ETag")
	nm := s.get(t, enArticle(&a), "If-None-Match", etag)
	if nm.StatusCode != http.StatusNotModified || len(nm.body) != 0 {
		t.Fatalf("If-None-Match: %d, %d bytes", nm.StatusCode, len(nm.body))
	}
	// A client without gzip gets the same page, plain.
	plain := s.get(t, enArticle(&a), "Accept-Encoding", "identity")
	if plain.Header.Get("Content-Encoding") != "" || string(plain.body) != string(r.body) {
		t.Fatalf("identity client: encoding %q", plain.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(strings.Join(plain.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatal("no Vary: Accept-Encoding")
	}
	head := s.do(t, http.MethodHead, enArticle(&a))
	if head.StatusCode != 200 || len(head.body) != 0 {
		t.Fatalf("HEAD: %d, %d bytes", head.StatusCode, len(head.body))
	}

	// Pages with per-reader content (the admin, with its CSRF tokens) do
	// not opt in: every request reaches them.
	for range 3 {
		s.mustGet(t, "/admin/", 200)
	}
	if n := s.admin.Load(); n != 3 {
		t.Fatalf("the admin was reached %d times of 3", n)
	}
	// Neither is the root, which answers by Accept-Language.
	if got := s.get(t, "/", "Accept-Language", "de").Header.Get("Location"); got != "/de/" {
		t.Fatalf("root for German: %q", got)
	}
	if got := s.get(t, "/", "Accept-Language", "en").Header.Get("Location"); got != "/en/" {
		t.Fatalf("root for English after German: %q", got)
	}
}

// TestCachedHitsCountViews: a page served from memory still counts its
// reader for Trending, in memory, once per reader, and never for a 304.
func TestCachedHitsCountViews(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	if err := s.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	a := s.visible[6]
	var etag string
	for i, ua := range []string{browserUA, browserUA + " one", browserUA + " two", browserUA} {
		r := s.get(t, enArticle(&a), "User-Agent", ua)
		if r.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, r.StatusCode)
		}
		etag = r.Header.Get("ETag")
	}
	s.get(t, enArticle(&a), "User-Agent", browserUA+" three", "If-None-Match", etag) // revalidation: not a view
	s.get(t, enArticle(&a), "User-Agent", "curl/8.0")                                // a script: not a view
	if s.hits() < 5 {
		t.Fatalf("only %d answers came from the cache", s.hits())
	}
	s.views.mu.Lock()
	n := 0
	for k, c := range s.views.pending {
		if k.article == a.ID {
			n += c
		}
	}
	s.views.mu.Unlock()
	if n != 3 {
		t.Fatalf("views counted = %d, want 3 (three readers; a repeat, a 304 and a script do not count)", n)
	}
}

// TestTwoNodesOnePostgres: a change written through the store is visible
// on two web nodes, each with its own cache polling one PostgreSQL, within
// the stated bound (Stale, 1 s by default).
func TestTwoNodesOnePostgres(t *testing.T) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o := pagecache.Options{Poll: 100 * time.Millisecond, Stale: time.Second}
	one := newCachedSite(t, st, true, o)
	two := newCachedSite(t, st, false, o)
	two.visible, two.sources = one.visible, one.sources
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	for _, n := range []*cachedSite{one, two} {
		go func() { _ = n.cache.Run(runCtx) }()
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("%s: not within 5 s", what)
			}
		}
	}
	waitFor("first generation read", func() bool { return one.cache.Stats().Generation > 0 && two.cache.Stats().Generation > 0 })
	for _, n := range []*cachedSite{one, two} {
		n.cachedPage(t, "/en/")
		n.cachedPage(t, "/en/feed.json")
	}

	for round := range 3 {
		title := []string{"Breaking one", "Breaking two", "Breaking three"}[round]
		a := store.Article{SourceID: one.sources[0].ID, URL: "https://src0.example.org/breaking/" + title, Title: title,
			PublishedAt: time.Now().UTC(), Language: "en", HTML: "<p>Now.</p>", Text: "Now."}
		if _, err := st.UpsertArticle(ctx, &a); err != nil {
			t.Fatal(err)
		}
		committed := time.Now()
		for _, n := range []*cachedSite{one, two} {
			for _, path := range []string{"/en/", "/en/feed.json"} {
				for {
					asked := time.Now()
					if strings.Contains(string(n.mustGet(t, path, 200).body), title) {
						break
					}
					// The bound is on when the request was made: one
					// asked Stale after the commit must see it.
					if late := asked.Sub(committed); late > o.Stale {
						t.Fatalf("round %d: %s asked %s after the commit still lacks the new article (bound %s)", round, path, late, o.Stale)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
		t.Logf("round %d: visible on both nodes %s after the commit", round, time.Since(committed).Round(time.Millisecond))
	}
	// Between changes both serve from memory.
	for _, n := range []*cachedSite{one, two} {
		n.cachedPage(t, "/en/")
	}
}

// discardWriter is the cheapest ResponseWriter: the benchmark measures the
// site's work, not a network.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkPages serves the front page and an article page through the
// site's whole handler, rendered per request (uncached) and from the page
// cache (cached), gzip accepted.
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.Open(b)
	s := &site{st: st, now: time.Now().UTC().Truncate(time.Second)}
	s.fill(b, "https://img.example.org")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache, err := pagecache.New(st, pagecache.Options{Stale: time.Hour, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	if err := cache.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"uncached", "cached"} {
		cfg := Config{SiteName: "Spektrum", Language: "en", Editions: []string{"en", "de"}, BaseURL: "http://127.0.0.1", Logger: logger}
		if mode == "cached" {
			cfg.Cache = cache
		}
		h, err := New(st, cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, path := range []string{"/en/", enArticle(&s.visible[4])} {
			name := "front"
			if path != "/en/" {
				name = "article"
			}
			b.Run(mode+"/"+name, func(b *testing.B) {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}
