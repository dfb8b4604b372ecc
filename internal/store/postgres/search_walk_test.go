package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestSearchWalksTheTierForCommonWords: a word most of the tier's
// documents hold (its statistics say so) is counted and paged by walking
// the tier's newest-first index instead of the GIN bitmap, and the answers
// are what the index holds: the count's cap, the newest first, the best
// match first. A word the statistics call common but the edition holds
// rarely (common in another edition) goes back to the bitmap and is still
// counted exactly. (Which plan ran is not observable here: at this size
// the planner reads the tier through its B-trees either way, and the
// server's scan counts cannot tell a walk from a bitmap of a B-tree; the
// benchmark's statement log shows it, docs/benchmarks.md.)
func TestSearchWalksTheTierForCommonWords(t *testing.T) {
	ctx := context.Background()
	dsn := schemaDSN(t)
	s := open(t, dsn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	src := &store.Source{URL: "https://walk.example/feed", Name: "Walk", Kind: store.KindFeed, Enabled: true,
		PollInterval: 15 * time.Minute, NextPollAt: time.Now()}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	const n = store.SearchCountCap + 100
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var enIDs []int64 // oldest first
	// "gemeinsam" is in every German document and in a few English ones,
	// older than the relevance candidates (a longer document ranks lower).
	german := func(i int) bool { return i%(n/10) == 5 && i < n-store.SearchRankCap }
	for i := range n {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://walk.example/%d", i), Title: fmt.Sprintf("Report %d", i),
			Text: "text", Language: "en", PublishedAt: base.Add(time.Duration(i) * time.Minute)}
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		en := store.SearchDoc{Lang: "en", Title: []string{"report"}, Body: []string{"common", "ground"}}
		if i == n-40 {
			en.Title = append(en.Title, "common") // the best match of "common"
		}
		if german(i) {
			en.Body = append(en.Body, "gemeinsam")
		}
		de := store.SearchDoc{Lang: "de", Title: []string{"bericht"}, Body: []string{"gemeinsam", "grund"}}
		if err := s.PutSearchDocs(ctx, a.ID, []store.SearchDoc{en, de}); err != nil {
			t.Fatal(err)
		}
		enIDs = append(enIDs, a.ID)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The statistics a move's ANALYZE would gather (the tier has not
	// moved: it holds every document).
	if _, err := db.ExecContext(ctx, `ANALYZE search_recent`); err != nil {
		t.Fatal(err)
	}

	newest := slices.Clone(enIDs)
	slices.Reverse(newest)
	for _, sort := range []string{store.SortNewest, store.SortRelevance} {
		var got []int64
		q := store.SearchQuery{Lang: "en", Groups: [][]string{{"common"}}, Sort: sort, Limit: 50}
		for page := 0; page < 4; page++ {
			p, err := s.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search(%+v): %v", q, err)
			}
			if p.Total != store.SearchCountCap || !p.TotalMore {
				t.Fatalf("%s: total %d (more %v), want %d+", sort, p.Total, p.TotalMore, store.SearchCountCap)
			}
			for _, a := range p.Articles {
				got = append(got, a.ID)
			}
			q.Cursor = p.NextCursor
		}
		want := newest[:200]
		if sort == store.SortRelevance {
			// The best match first, then the other candidates (equal by
			// rank) newest first.
			best := enIDs[n-40]
			want = append([]int64{best}, slices.DeleteFunc(slices.Clone(newest[:200]), func(id int64) bool { return id == best })...)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s, walked: got %d %v, want %d %v", sort, len(got), got, len(want), want)
		}
	}

	// Common in the tier, rare in the English edition: counted exactly.
	p, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"gemeinsam"}}, Sort: store.SortNewest, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, a := range p.Articles {
		got = append(got, a.ID)
	}
	var want []int64
	for i := n - 1; i >= 0; i-- {
		if german(i) {
			want = append(want, enIDs[i])
		}
	}
	if p.Total != len(want) || p.TotalMore || !slices.Equal(got, want) {
		t.Fatalf("a word common in another edition: total %d, %v; want %d, %v", p.Total, got, len(want), want)
	}
}
