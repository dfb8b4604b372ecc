package storetest

import (
	"context"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testPageGeneration: every write that changes what readers see advances
// the page generation (in its own transaction, by the schema's triggers),
// and writes readers never see (polling state, view counts, jobs, an
// unchanged re-fetch, a section that exists already) leave it alone.
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
	b := article(src.ID, 2)
	upsert(t, s, b, store.Created)
	changes("a copy found", func() { must(s.SetDuplicateOf(ctx, b.ID, a.ID)) })
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
