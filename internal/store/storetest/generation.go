package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testPageGeneration: every write that changes what readers see advances
// the page generation (in its own transaction, by the schema's triggers),
// and writes readers never see (polling state, view counts, jobs, an
// unchanged re-fetch, a section that exists already, a write that leaves
// its rows as they were, the search index, a story's clustering state)
// leave it alone.
func testPageGeneration(t *testing.T, s store.Store) {
	ctx := context.Background()
	gen := func() int64 {
		t.Helper()
		g, err := s.PageGeneration(ctx)
		if err != nil {
			t.Fatalf("PageGeneration: %v", err)
		}
		return g
	}
	changes := func(what string, fn func()) {
		t.Helper()
		before := gen()
		fn()
		if after := gen(); after <= before {
			t.Fatalf("%s: generation %d → %d, want it to grow", what, before, after)
		}
	}
	keeps := func(what string, fn func()) {
		t.Helper()
		before := gen()
		fn()
		if after := gen(); after != before {
			t.Fatalf("%s: generation %d → %d, want it unchanged", what, before, after)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	var src *store.Source
	changes("a source added", func() { src = newSource(t, s, "https://gen.example/feed") })
	a := article(src.ID, 1)
	changes("an article stored", func() { upsert(t, s, a, store.Created) })
	keeps("the same article fetched again", func() { upsert(t, s, article(src.ID, 1), store.Unchanged) })
	changes("a correction", func() {
		c := article(src.ID, 1)
		c.Text, c.HTML = "Corrected body.", "<p>Corrected body.</p>"
		upsert(t, s, c, store.Updated)
	})
	changes("a translation arriving", func() {
		must(s.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en",
			Status: store.TranslationDone, Title: "Geschichte", HTML: "<p>Text</p>", Text: "Text", ContentHash: a.ContentHash}))
	})
	tr := &store.Translation{ArticleID: a.ID, Language: "fr", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Histoire", HTML: "<p>Texte</p>", Text: "Texte", ContentHash: a.ContentHash, CreatedAt: base}
	changes("a translation into another edition", func() { must(s.PutTranslation(ctx, tr)) })
	keeps("the same translation stored again", func() { must(s.PutTranslation(ctx, tr)) })
	changes("a translation redone", func() {
		tr.Title = "Une histoire"
		must(s.PutTranslation(ctx, tr))
	})
	b := article(src.ID, 2)
	upsert(t, s, b, store.Created)
	// The dedupe stage records "a copy of none" for every new article: in a
	// transaction of its own, it changed nothing and must move nothing.
	keeps("no copy recorded for an article that is none", func() { must(s.SetDuplicateOf(ctx, b.ID, 0)) })
	changes("a copy found", func() { must(s.SetDuplicateOf(ctx, b.ID, a.ID)) })
	keeps("the same copy found again", func() { must(s.SetDuplicateOf(ctx, b.ID, a.ID)) })
	keeps("search entries written", func() {
		must(s.PutSearchDocs(ctx, a.ID, []store.SearchDoc{{Lang: "en", Title: []string{"story"}, Body: []string{"text"}}}))
	})
	changes("a section created", func() { must(s.EnsureSection(ctx, store.Section{Slug: "gen-world", Name: "World"})) })
	keeps("a known section ensured", func() { must(s.EnsureSection(ctx, store.Section{Slug: "gen-world", Name: "Other"})) })

	keeps("a poll recorded", func() {
		src.LastPolledAt, src.NextPollAt, src.ETag, src.LastError, src.ErrorCount = base, base.Add(time.Hour), `"v2"`, "timeout", 1
		must(s.RecordPoll(ctx, src))
	})
	changes("a source renamed", func() {
		src.Name = "Renamed source"
		must(s.UpdateSource(ctx, src))
	})
	changes("a source's viewpoint described", func() {
		src.Country, src.Type, src.Position = "DE", "agency", "centre"
		must(s.UpdateSource(ctx, src))
	})
	var storyID int64
	changes("a story opened", func() {
		must(s.InStoryTx(ctx, func(tx store.StoryTx) error {
			c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: 1, Last: base}
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			storyID = c.ID
			return tx.SetArticleStory(ctx, a.ID, c.ID)
		}))
	})
	changes("a story's counts", func() {
		must(s.InStoryTx(ctx, func(tx store.StoryTx) error { return tx.SetArticleStory(ctx, b.ID, storyID) }))
	})
	keeps("an article filed again under its story, and the story's clustering state", func() {
		must(s.InStoryTx(ctx, func(tx store.StoryTx) error {
			c := &store.StoryCentroid{ID: storyID, Vector: map[uint64]float64{1: 0.5, 2: 0.5}, Size: 2, Last: base.Add(time.Hour)}
			if err := tx.SaveStory(ctx, c, []uint64{2}); err != nil {
				return err
			}
			return tx.SetArticleStory(ctx, b.ID, storyID)
		}))
	})
	changes("a copy released", func() { must(s.SetDuplicateOf(ctx, b.ID, 0)) })
	keeps("views counted", func() {
		must(s.AddViews(ctx, []store.ViewCount{{ArticleID: a.ID, Hour: base, Count: 3}}))
	})
	keeps("a job queued", func() {
		_, err := s.Enqueue(ctx, &store.Job{Kind: "gen-test", RunAt: base})
		must(err)
	})

	var bumped int64
	changes("a purge", func() {
		var err error
		bumped, err = s.BumpPageGeneration(ctx)
		must(err)
	})
	if g := gen(); g != bumped {
		t.Fatalf("BumpPageGeneration returned %d, PageGeneration says %d", bumped, g)
	}
	changes("a source removed", func() { must(s.DeleteSource(ctx, src.ID)) })
}

// testPageChanges: the writes of articles, translations and stories name
// the scopes they touch beside the generation they make (migration 0032),
// read in one statement with it; every other write, and a count of visible
// articles crossing zero (the menu of every page), touches everything. A
// page cache keeps a page whose scopes no move touched, so a scope missing
// here is a stale page with no bound. The scopes are those the Go side
// builds (store.ArticleScope, SectionScope, StoryScope): the triggers
// must write the very strings a page registers.
func testPageChanges(t *testing.T, s store.Store) {
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// moved runs fn and returns what the generations it made touched: all,
	// or the union of their scopes.
	// The epoch stays while the database runs (the postgres package's
	// tests check that it changes on a reset of what crash recovery resets).
	_, epoch, _, err := s.PageChanges(ctx, 0)
	must(err)
	moved := func(what string, fn func()) (all bool, touched map[string]bool) {
		t.Helper()
		before, err := s.PageGeneration(ctx)
		must(err)
		fn()
		gen, ep, scopes, err := s.PageChanges(ctx, before)
		must(err)
		if ep != epoch {
			t.Fatalf("%s: epoch %q → %q without a restart of the database", what, epoch, ep)
		}
		if gen <= before {
			t.Fatalf("%s: generation %d → %d, want it to grow", what, before, gen)
		}
		touched = map[string]bool{}
		for g := before + 1; g <= gen; g++ {
			sc, ok := scopes[g]
			if !ok {
				all = true
			}
			for _, x := range sc {
				touched[x] = true
			}
		}
		for g := range scopes {
			if g <= before || g > gen {
				t.Errorf("%s: scopes of generation %d read for (%d, %d]", what, g, before, gen)
			}
		}
		return all, touched
	}
	scoped := func(what string, fn func(), want ...string) {
		t.Helper()
		all, touched := moved(what, fn)
		if all {
			t.Fatalf("%s touched everything, want only %v (and no more generations than the write's)", what, want)
		}
		for _, w := range want {
			if !touched[w] {
				t.Errorf("%s touched %v, want %s among them", what, touched, w)
			}
		}
	}
	everything := func(what string, fn func()) {
		t.Helper()
		if all, touched := moved(what, fn); !all {
			t.Fatalf("%s touched only %v, want everything", what, touched)
		}
	}

	if g, ep, sc, err := s.PageChanges(ctx, 0); err != nil || g <= 0 || sc != nil || ep != epoch {
		t.Fatalf("PageChanges(0) = %d, %q, %v, %v; want the generation alone, epoch %q", g, ep, sc, err, epoch)
	}
	src := newSource(t, s, "https://scopes.example/feed")
	must(s.EnsureSection(ctx, store.Section{Slug: "scopes-world", Name: "World"}))
	a := article(src.ID, 1)
	a.Section = "scopes-world"
	// The section's first visible article: its count crosses zero, and the
	// menu of every page gains it.
	everything("the first article of a section", func() { upsert(t, s, a, store.Created) })
	b := article(src.ID, 2)
	b.Section = "scopes-world"
	if all, touched := moved("a new article in the section", func() { upsert(t, s, b, store.Created) }); all ||
		!touched[store.ArticleScope(b.ID)] || !touched[store.SectionScope("scopes-world")] {
		t.Fatalf("a new article in the section touched %v (everything: %v), want article:%d and section:scopes-world", touched, all, b.ID)
	}
	scoped("a correction", func() {
		c := article(src.ID, 1)
		c.Section = "scopes-world"
		c.Text, c.HTML = "Corrected body.", "<p>Corrected body.</p>"
		upsert(t, s, c, store.Updated)
	}, store.ArticleScope(a.ID), store.SectionScope("scopes-world"))
	tr := &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Geschichte", HTML: "<p>Text</p>", Text: "Text", ContentHash: a.ContentHash}
	scoped("a translation arriving", func() { must(s.PutTranslation(ctx, tr)) }, store.ArticleScope(a.ID), store.SectionScope("scopes-world"))
	scoped("a translation redone", func() {
		tr.Title = "Eine Geschichte"
		must(s.PutTranslation(ctx, tr))
	}, store.ArticleScope(a.ID), store.SectionScope("scopes-world"))
	scoped("a copy found", func() { must(s.SetDuplicateOf(ctx, b.ID, a.ID)) },
		store.ArticleScope(b.ID), store.ArticleScope(a.ID), store.SectionScope("scopes-world"))
	scoped("a copy released", func() { must(s.SetDuplicateOf(ctx, b.ID, 0)) },
		store.ArticleScope(b.ID), store.ArticleScope(a.ID))
	var storyID int64
	scoped("a story opened", func() {
		must(s.InStoryTx(ctx, func(tx store.StoryTx) error {
			c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: 1, Last: base}
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			storyID = c.ID
			return tx.SetArticleStory(ctx, a.ID, c.ID)
		}))
	}, store.ArticleScope(a.ID))
	if storyID == 0 {
		t.Fatal("no story made")
	}
	scoped("an article joining a story", func() {
		must(s.InStoryTx(ctx, func(tx store.StoryTx) error { return tx.SetArticleStory(ctx, b.ID, storyID) }))
	}, store.ArticleScope(b.ID), store.StoryScope(storyID))
	scoped("an article hidden", func() { must(s.SetArticleHidden(ctx, b.ID, true)) },
		store.ArticleScope(b.ID), store.SectionScope("scopes-world"), store.StoryScope(storyID))
	scoped("an article shown again", func() { must(s.SetArticleHidden(ctx, b.ID, false)) },
		store.ArticleScope(b.ID), store.SectionScope("scopes-world"))
	everything("the last visible article of a section hidden", func() {
		must(s.SetArticleHidden(ctx, b.ID, true))
		must(s.SetArticleHidden(ctx, a.ID, true))
	})
	everything("a section created", func() {
		must(s.EnsureSection(ctx, store.Section{Slug: "scopes-other", Name: "Other"}))
	})
	everything("a source renamed", func() {
		src.Name = "Renamed"
		must(s.UpdateSource(ctx, src))
	})
	everything("a purge", func() {
		_, err := s.BumpPageGeneration(ctx)
		must(err)
	})
}

// Migration 0032 prunes page_changes every 64th generation, those 4096
// behind. testPageChangesPruned makes more scoped generations than that
// window (a hidden article shown and hidden again, one generation each)
// and checks that the old rows went and that a reader further behind than
// MaxPageChanges gets the scopes of the newest MaxPageChanges generations,
// no more: everything before counts as touched.
func testPageChangesPruned(t *testing.T, s store.Store) {
	const window, every = 4096, 64 // migration 0032's prune rule
	// The pipeline's commit: not waiting for the disk on PostgreSQL, so
	// thousands of writes take seconds.
	ctx := store.LaterDurable(context.Background())
	src := newSource(t, s, "https://pruned.example/feed")
	a, b := article(src.ID, 1), article(src.ID, 2)
	a.Section, b.Section = "pruned", "pruned"
	upsert(t, s, a, store.Created)
	upsert(t, s, b, store.Created) // a stays visible: no count crosses zero below
	start, err := s.PageGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hidden := false
	for gen := start; gen < start+window+2*every+10; {
		hidden = !hidden
		if err := s.SetArticleHidden(ctx, b.ID, hidden); err != nil {
			t.Fatal(err)
		}
		if gen, err = s.PageGeneration(ctx); err != nil {
			t.Fatal(err)
		}
	}
	gen, _, sc, err := s.PageChanges(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc) != store.MaxPageChanges {
		t.Fatalf("PageChanges %d generations behind: the scopes of %d, want the newest %d", gen-start, len(sc), store.MaxPageChanges)
	}
	for g := gen - store.MaxPageChanges + 1; g <= gen; g++ {
		if len(sc[g]) == 0 {
			t.Fatalf("PageChanges %d generations behind: no scopes for generation %d of the newest %d", gen-start, g, store.MaxPageChanges)
		}
	}
	db, ok := s.(interface{ DB() *sql.DB })
	if !ok {
		t.Skip("the store does not expose its database: the rows pruned are not checked")
	}
	var oldest, newest int64
	if err := db.DB().QueryRowContext(ctx, `SELECT min(gen), max(gen) FROM page_changes`).Scan(&oldest, &newest); err != nil {
		t.Fatal(err)
	}
	// The last prune, at the last multiple of 64, dropped all up to the
	// window behind it; every generation since start has rows.
	if last := gen - gen%every; oldest != last-window+1 || newest != gen {
		t.Fatalf("page_changes holds generations %d to %d after %d (pruned at %d): want %d to %d",
			oldest, newest, gen, last, last-window+1, gen)
	}
}
