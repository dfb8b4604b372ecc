package web

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// TestScopedArticlePages walks a cached article page through every write
// that changes it, on both databases, with the generation read by hand:
// each must show after the next read (a wrong scope would keep the old
// page until MaxAge, here the test's length), and a write to another
// section's article must leave it in memory, not rendered anew.
func TestScopedArticlePages(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testScopedArticlePages(t, sqlitetest.Open(t)) })
	t.Run("postgres", func(t *testing.T) {
		ctx := context.Background()
		st, err := postgres.Open(ctx, pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		testScopedArticlePages(t, st)
	})
}

func testScopedArticlePages(t *testing.T, st store.Store) {
	ctx := context.Background()
	s := newCachedSite(t, st, true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	s.renew(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	put := func(section, title string, src int) store.Article {
		t.Helper()
		n++
		a := store.Article{SourceID: s.sources[src].ID, URL: "https://src0.example.org/scoped/" + strings.ReplaceAll(title, " ", "-"),
			Title: title, PublishedAt: s.now.Add(-time.Duration(n) * time.Second), Language: "en", Section: section,
			HTML: "<p>New.</p>", Text: "New."}
		if _, err := st.UpsertArticle(ctx, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := s.visible[4] // in section "russia", with more than relatedSize others
	if a.Section != "russia" {
		t.Fatalf("fixture: article 4 is in %q", a.Section)
	}
	page, dePage := enArticle(&a), "/de"+a.Path()
	// kept: after the writes since the last read, the page comes from
	// memory; shows: it was rendered anew and shows want.
	kept := func(what, path string) {
		t.Helper()
		s.renew(t)
		before := s.hits()
		s.mustGet(t, path, http.StatusOK)
		if s.hits() != before+1 {
			t.Fatalf("%s: %s was rendered anew; no scope of it moved", what, path)
		}
	}
	shows := func(what, path, want string) {
		t.Helper()
		s.renew(t)
		before := s.hits()
		body := string(s.mustGet(t, path, http.StatusOK).body)
		if s.hits() != before {
			t.Fatalf("%s: %s came from memory", what, path)
		}
		if !strings.Contains(body, want) {
			i := strings.Index(body, "<main")
			t.Fatalf("%s: %s does not show %q: %s", what, path, want, body[i:])
		}
	}
	lacks := func(what, path, unwanted string) {
		t.Helper()
		s.renew(t)
		if body := string(s.mustGet(t, path, http.StatusOK).body); strings.Contains(body, unwanted) {
			t.Fatalf("%s: %s still shows %q", what, path, unwanted)
		}
	}
	s.cachedPage(t, page)
	s.cachedPage(t, dePage)

	put("economy", "Economy news elsewhere", 0)
	kept("a new article in another section", page)
	// (The German page stays unscoped: no article of the section is in German
	// yet, so its related list comes from the site's newest.)
	if s.cache.Stats().Kept == 0 {
		t.Fatal("Stats().Kept = 0")
	}
	fresh := put("russia", "Fresh russia headline", 1)
	shows("a new article in its section (the related list)", page, "Fresh russia headline")

	fixed := a
	fixed.HTML, fixed.Text, fixed.ContentHash = "<p>Corrected paragraph.</p>", "Corrected paragraph.", ""
	if res, err := st.UpsertArticle(ctx, &fixed); err != nil || res != store.Updated {
		t.Fatalf("correction: %v %v", res, err)
	}
	shows("a correction", page, "Corrected paragraph")
	must(st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Korrigierte Schlagzeile", HTML: "<p>Korrigierter Absatz.</p>", Text: "Korrigierter Absatz.", Provider: "apertium",
		ContentHash: fixed.ContentHash}))
	shows("a translation arriving", dePage, "Korrigierte Schlagzeile")
	shows("a translation arriving (hreflang)", page, `hreflang="de"`)
	must(st.PutTranslation(ctx, &store.Translation{ArticleID: fresh.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Frische Russland-Schlagzeile", HTML: "<p>Neu.</p>", Text: "Neu.", Provider: "apertium", ContentHash: fresh.ContentHash}))
	shows("a translation of a related article", dePage, "Frische Russland-Schlagzeile")

	must(st.SetDuplicateOf(ctx, fresh.ID, a.ID))
	shows("a copy found (also by)", page, "Deutsche Welle")
	must(st.SetDuplicateOf(ctx, fresh.ID, 0))
	shows("a copy released (back in the related list)", page, "Fresh russia headline")

	must(st.SetArticleHidden(ctx, fresh.ID, true))
	lacks("a related article hidden", page, "Fresh russia headline")

	// A story: the article page links it once two sources ran it.
	other := s.visible[5] // the other source
	if other.SourceID == a.SourceID {
		t.Fatal("fixture: articles 4 and 5 share a source")
	}
	var storyID int64
	must(st.InStoryTx(ctx, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: 1, Last: s.now}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		storyID = c.ID
		return tx.SetArticleStory(ctx, a.ID, c.ID)
	}))
	lacks("a story of one source", page, storyPath(storyID))
	s.mustGet(t, page, http.StatusOK)
	must(st.InStoryTx(ctx, func(tx store.StoryTx) error { return tx.SetArticleStory(ctx, other.ID, storyID) }))
	shows("a story's second source", page, storyPath(storyID))

	// The menu: a section's count crossing zero shows on every page.
	if body := s.cachedPage(t, page); strings.Contains(body, `/section/empty"`) {
		t.Fatal("the menu lists the empty section")
	}
	lone := put("empty", "Lone article of a small section", 0)
	shows("a section's count crossing zero", page, `/section/empty"`)

	// The fallback: a section with fewer than relatedSize others fills
	// the related list from the site's newest, so any new article shows.
	lonePage := enArticle(&lone)
	s.cachedPage(t, lonePage)
	put("culture", "Newest culture piece", 1)
	shows("a new article elsewhere in a fallback related list", lonePage, "Newest culture piece")

	// The article hidden: its page is a 404 at once.
	db := st.(interface{ DB() *sql.DB }).DB()
	if _, err := db.ExecContext(ctx, `UPDATE articles SET hidden = TRUE WHERE id = $1`, a.ID); err != nil {
		if _, err := db.ExecContext(ctx, `UPDATE articles SET hidden = TRUE WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.renew(t)
	s.mustGet(t, page, http.StatusNotFound)
}

// TestTwoNodesScopedOnePostgres: two web nodes, each with its own cache
// reading one PostgreSQL. A write to another section's article leaves a
// cached article page in memory on both (read as a move that touched none
// of its scopes); a correction of the article and its translation written
// through the store show on both at their next read of the generation.
// Each node's reads are driven by hand on its own clock, as its poll
// would make them: the bound in time (Stale) is pagecache's to test, and
// real poll loops against a wall clock made this flaky on a loaded machine.
func TestTwoNodesScopedOnePostgres(t *testing.T) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o := pagecache.Options{Poll: time.Hour, Stale: time.Hour} // read by hand (renew)
	one := newCachedSite(t, st, true, o)
	two := newCachedSite(t, st, false, o)
	two.visible, two.sources = one.visible, one.sources
	nodes := []*cachedSite{one, two}
	renew := func() {
		t.Helper()
		for _, n := range nodes {
			n.renew(t)
		}
	}
	renew()
	a := one.visible[4] // section "russia"
	page := enArticle(&a)
	for _, n := range nodes {
		n.cachedPage(t, page)
	}

	other := store.Article{SourceID: one.sources[0].ID, URL: "https://src0.example.org/two-nodes/economy", Title: "Economy elsewhere",
		PublishedAt: time.Now().UTC(), Language: "en", Section: "economy", HTML: "<p>Elsewhere.</p>", Text: "Elsewhere."}
	if _, err := st.UpsertArticle(ctx, &other); err != nil {
		t.Fatal(err)
	}
	gen, err := st.PageGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// renew moves each clock past Stale first: a copy of an ended
	// generation no longer answers, so a hit now is an entry kept current
	// by its scopes.
	renew()
	for i, n := range nodes {
		if g := n.cache.Stats().Generation; g < gen {
			t.Fatalf("node %d read generation %d, want at least %d", i+1, g, gen)
		}
		before := n.hits()
		n.mustGet(t, page, http.StatusOK)
		if n.hits() != before+1 || n.cache.Stats().Kept == 0 {
			t.Fatalf("node %d rendered %s anew after a write to another section", i+1, page)
		}
	}

	visible := func(what, path, want string) {
		t.Helper()
		renew()
		for i, n := range nodes {
			before := n.hits()
			body := string(n.mustGet(t, path, http.StatusOK).body)
			if n.hits() != before {
				t.Fatalf("%s: node %d answered %s from memory after the write was read", what, i+1, path)
			}
			if !strings.Contains(body, want) {
				t.Fatalf("%s: node %d's %s lacks %q after the write was read", what, i+1, path, want)
			}
		}
	}
	fixed := a
	fixed.HTML, fixed.Text, fixed.ContentHash = "<p>Corrected on one node.</p>", "Corrected on one node.", ""
	if _, err := st.UpsertArticle(ctx, &fixed); err != nil {
		t.Fatal(err)
	}
	visible("a correction", page, "Corrected on one node.")
	if err := st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Auf beiden Knoten", HTML: "<p>Beide.</p>", Text: "Beide.", Provider: "apertium", ContentHash: fixed.ContentHash}); err != nil {
		t.Fatal(err)
	}
	visible("a translation", page, `hreflang="de"`)
}
