package pagecache

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/store"
)

// scopedPage is page registering scopes (none: it stays unscoped).
type scopedPage struct {
	page
	scopes []string
}

func (p *scopedPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(p.scopes) > 0 {
		Scope(w, p.scopes...)
	}
	p.page.ServeHTTP(w, r)
}

// TestScopedEntriesOutliveMovesThatMissThem walks a page that registered
// "article:<a>" and store.SectionScope("world"), and one that registered nothing,
// through real writes to a real SQLite store (migration 0032's triggers):
// a write elsewhere leaves the scoped page current (not rendered anew, no
// deadline), a write to anything it shows, an unscoped write and a gap in
// the moves read (more writes elsewhere than a node remembers) end it as
// before.
func TestScopedEntriesOutliveMovesThatMissThem(t *testing.T) {
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxAge: time.Minute}, &page{})
	ctx := context.Background()
	src := &store.Source{URL: "https://scope.example/feed", Name: "Scope", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := f.st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	n := 0
	put := func(section string) *store.Article {
		t.Helper()
		n++
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://scope.example/%d", n), GUID: fmt.Sprint(n),
			Title: fmt.Sprintf("Story %d", n), Text: "Body.", HTML: "<p>Body.</p>", Language: "en", Section: section,
			PublishedAt: time.Date(2026, 1, 1, 0, n, 0, 0, time.UTC)}
		if _, err := f.st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	world := put("world")
	put("sport") // both sections have a visible article: no count crosses zero below
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	scoped := &scopedPage{scopes: []string{store.ArticleScope(world.ID), store.SectionScope("world")}}
	unscoped := &scopedPage{}
	mux := http.NewServeMux()
	mux.Handle("GET /scoped", f.cache.Route(scoped))
	mux.Handle("GET /unscoped", f.cache.Route(unscoped))
	srv := httptest.NewServer(f.cache.Front(mux))
	t.Cleanup(srv.Close)
	f.srv = srv
	renders := func(what string, wantScoped, wantUnscoped int64) {
		t.Helper()
		// Past any ended generation's deadline: only a current entry answers.
		f.advance(2 * time.Second)
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		f.get(t, "GET", "/scoped")
		f.get(t, "GET", "/unscoped")
		if s, u := scoped.renders.Load(), unscoped.renders.Load(); s != wantScoped || u != wantUnscoped {
			t.Fatalf("%s: scoped page rendered %d times, unscoped %d; want %d and %d", what, s, u, wantScoped, wantUnscoped)
		}
	}
	renders("first", 1, 1)
	renders("nothing moved", 1, 1)

	sport := put("sport")
	renders("a new article in another section", 1, 2)
	if k := f.cache.Stats().Kept; k == 0 {
		t.Fatal("Stats().Kept = 0 after a move that touched no scope of a kept entry")
	}
	put("world")
	renders("a new article in its section", 2, 3)
	sport.Title, sport.Text, sport.HTML, sport.ContentHash = "Story corrected", "Corrected.", "<p>Corrected.</p>", ""
	if _, err := f.st.UpsertArticle(ctx, sport); err != nil {
		t.Fatal(err)
	}
	renders("a correction elsewhere", 2, 4)
	world.Title, world.Text, world.HTML, world.ContentHash = "Its story corrected", "Corrected.", "<p>Corrected.</p>", ""
	if _, err := f.st.UpsertArticle(ctx, world); err != nil {
		t.Fatal(err)
	}
	renders("a correction of its article", 3, 5)
	if err := f.st.PutTranslation(ctx, &store.Translation{ArticleID: sport.ID, Language: "de", SourceLanguage: "en",
		Status: store.TranslationDone, Title: "Sport", HTML: "<p>x</p>", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	renders("a translation of an article elsewhere", 3, 6)
	if err := f.st.PutTranslation(ctx, &store.Translation{ArticleID: world.ID, Language: "de", SourceLanguage: "en",
		Status: store.TranslationDone, Title: "Welt", HTML: "<p>x</p>", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	renders("a translation of its article", 4, 7)
	if _, err := f.st.BumpPageGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	renders("a purge (no scopes: everything)", 5, 8)
	// Moves this node never read the scopes of: more than it remembers and
	// the store returns, all of them scoped elsewhere (unscoped ones would
	// end the entry whatever the cache made of the gap).
	for range maxMoves + 1 {
		put("sport")
	}
	renders("a gap in the moves read", 6, 9)

	// A move while the scoped page renders: stored as current when the
	// move touched none of its scopes, as an ended copy when it did.
	scoped.scopes = append(scoped.scopes, "story:1")
	renders("scopes changed", 6, 9) // still the old entry
	blocking := &scopedPage{scopes: []string{store.ArticleScope(world.ID)}}
	started, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	mux.Handle("GET /slow", f.cache.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release
		}
		blocking.ServeHTTP(w, r)
	})))
	done := make(chan struct{})
	go func() { f.get(t, "GET", "/slow"); close(done) }()
	<-started
	put("sport")
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	f.advance(2 * time.Second)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.get(t, "GET", "/slow")
	if n := blocking.renders.Load(); n != 1 {
		t.Fatalf("a page rendered while an unrelated move was read: %d renderings, want 1 (stored as current)", n)
	}
}

// TestKeptEntryEndedLaterIsNotFresh: an entry kept across one move (its
// generation re-stamped to the newer one) and ended by the next is no
// longer fresh for a request that loaded the generation before both
// reads landed (lookup's "newer" branch must not skip its deadline).
func TestKeptEntryEndedLaterIsNotFresh(t *testing.T) {
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxAge: time.Minute}, &page{})
	ctx := context.Background()
	src := &store.Source{URL: "https://late.example/feed", Name: "Late", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := f.st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	n := 0
	put := func(section string) *store.Article {
		t.Helper()
		n++
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://late.example/%d", n), GUID: fmt.Sprint(n),
			Title: fmt.Sprintf("Story %d", n), Text: "Body.", HTML: "<p>Body.</p>", Language: "en", Section: section,
			PublishedAt: time.Date(2026, 1, 1, 0, n, 0, 0, time.UTC)}
		if _, err := f.st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	put("world")
	put("sport")
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /scoped", f.cache.Route(&scopedPage{scopes: []string{store.SectionScope("world")}}))
	f.srv = httptest.NewServer(f.cache.Front(mux))
	t.Cleanup(f.srv.Close)
	f.get(t, "GET", "/scoped")
	before := f.cache.gen.Load() // what a request loaded before both reads below
	put("sport")
	if err := f.cache.Refresh(ctx); err != nil { // kept: re-stamped
		t.Fatal(err)
	}
	if f.cache.Stats().Kept == 0 {
		t.Fatal("the entry was not kept across a move elsewhere")
	}
	put("world")
	if err := f.cache.Refresh(ctx); err != nil { // ended: deadline Stale on
		t.Fatal(err)
	}
	f.advance(1500 * time.Millisecond) // past the deadline, within MaxStale
	if e, fresh := f.cache.lookup(key{"/scoped", ""}, before, f.cache.clock()); e != nil && fresh {
		t.Fatal("an entry ended past its deadline answered as fresh to a request of an older generation")
	}
}

// lossy is a real store whose database can be made to have lost commits:
// a new epoch (a PostgreSQL crash under asynchronous commit), and a
// generation read lower than the real one (the lost numbers, before new
// writes reuse them).
type lossy struct {
	store.Store
	mu    sync.Mutex
	epoch string
	back  int64 // subtracted from the generation read
}

func (l *lossy) PageChanges(ctx context.Context, after int64) (int64, string, map[int64][]string, error) {
	g, _, sc, err := l.Store.PageChanges(ctx, after)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.back != 0 {
		g, sc = g-l.back, nil
	}
	return g, l.epoch, sc, err
}

func (l *lossy) set(epoch string, back int64) {
	l.mu.Lock()
	l.epoch, l.back = epoch, back
	l.mu.Unlock()
}

// lossyFixture is newFixture over a lossy store, with a scoped page at
// /page/ whose scopes no write of the test touches.
func lossyFixture(t *testing.T) (*fixture, *lossy, *scopedPage) {
	t.Helper()
	p := &scopedPage{scopes: []string{"section:nowhere"}}
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxAge: time.Minute}, &page{})
	l := &lossy{Store: f.st, epoch: "1"}
	c, err := New(l, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxAge: time.Minute, Now: f.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.cache = c
	f.srv.Config.Handler = c.Front(c.Route(p))
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.get(t, "GET", "/x")
	return f, l, p
}

// TestNewEpochEndsEveryEntry: a database that lost commits (a new epoch)
// and was written to again may answer the very generation this node knew,
// with other writes behind it: the entries end all the same, scoped or
// not, and a rendering begun before is not kept as current.
func TestNewEpochEndsEveryEntry(t *testing.T) {
	ctx := context.Background()
	f, l, p := lossyFixture(t)
	f.advance(2 * time.Second)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.get(t, "GET", "/x")
	if n := p.renders.Load(); n != 1 {
		t.Fatalf("nothing moved: %d renderings, want 1", n)
	}
	l.set("2", 0) // the same generation, another epoch
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(2 * time.Second)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.get(t, "GET", "/x")
	if n := p.renders.Load(); n != 2 {
		t.Fatalf("after a new epoch at the generation known: %d renderings, want 2 (the entry ended)", n)
	}

	// A rendering begun before the read that found a new epoch, stored
	// after it: an ended copy, not current.
	f.advance(2 * time.Second)
	started, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release
		}
		p.ServeHTTP(w, r)
	})))
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { f.get(t, "GET", "/y"); close(done) }()
	<-started
	f.advance(10 * time.Millisecond)
	l.set("3", 0)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	f.advance(2 * time.Second)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	before := p.renders.Load()
	f.get(t, "GET", "/y")
	if n := p.renders.Load(); n != before+1 {
		t.Fatalf("a page rendered across a new epoch answered as current: %d renderings, want %d", n, before+1)
	}
}

// TestGenerationBackThenForward: the generation going back ends every
// entry, and once new writes bring it to the number an ended entry has,
// that entry is still ended: served only until its deadline, not fresh.
func TestGenerationBackThenForward(t *testing.T) {
	ctx := context.Background()
	f, l, p := lossyFixture(t) // rendered at t0, read at t0
	f.advance(100 * time.Millisecond)
	l.set("1", 2) // two generations lost
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(100 * time.Millisecond)
	l.set("1", 0) // new writes reuse them
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(900 * time.Millisecond) // past the deadline (t0 + Stale), within Stale of the last read
	f.get(t, "GET", "/x")
	if n := p.renders.Load(); n != 2 {
		t.Fatalf("an entry the generation going back ended answered as fresh at its old number past its deadline: %d renderings, want 2", n)
	}
}
