package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testAddViews: a web node's batched flush adds its counts to each article
// and hour, several nodes flushing at once add up, and a count for an
// article deleted meanwhile is dropped without failing the batch.
func testAddViews(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://views.example/feed")
	var arts []*store.Article
	for n := range 3 {
		a := article(src.ID, n)
		upsert(t, s, a, store.Created)
		arts = append(arts, a)
	}
	if err := s.AddViews(ctx, nil); err != nil {
		t.Fatalf("AddViews(empty batch): %v", err)
	}
	batch := []store.ViewCount{
		{ArticleID: arts[0].ID, Hour: base.Add(-20 * time.Minute), Count: 3},
		{ArticleID: arts[0].ID, Hour: base.Add(-70 * time.Minute), Count: 2},
		{ArticleID: arts[1].ID, Hour: base.Add(-5 * time.Minute), Count: 4},
		{ArticleID: 999999, Hour: base, Count: 50}, // deleted meanwhile
		{ArticleID: arts[2].ID, Hour: base, Count: 0},
	}
	if err := s.AddViews(ctx, batch); err != nil {
		t.Fatalf("AddViews: %v", err)
	}
	if err := s.RecordView(ctx, arts[1].ID, base); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Trending(ctx, base.Add(-2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{arts[0].ID, arts[1].ID}; !slices.Equal(ids(tr), want) {
		t.Fatalf("Trending after one batch = %v, want %v (5 and 5 views; the newer article first)", ids(tr), want)
	}

	// Four nodes flush at once, each its own counts of the same hour.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.AddViews(ctx, []store.ViewCount{
				{ArticleID: arts[2].ID, Hour: base, Count: 2},
				{ArticleID: arts[0].ID, Hour: base, Count: 1},
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent AddViews: %v", err)
		}
	}
	// arts[2]: 8, arts[0]: 9, arts[1]: 5.
	tr, err = s.Trending(ctx, base.Add(-2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{arts[0].ID, arts[2].ID, arts[1].ID}; !slices.Equal(ids(tr), want) {
		t.Fatalf("Trending after concurrent flushes = %v, want %v", ids(tr), want)
	}
	// Only the last hour: the 70-minute-old views of arts[0] drop out
	// (9-2 = 7), still behind arts[2]'s 8.
	tr, err = s.Trending(ctx, base.Add(-30*time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{arts[2].ID, arts[0].ID, arts[1].ID}; !slices.Equal(ids(tr), want) {
		t.Fatalf("Trending of the last hour = %v, want %v", ids(tr), want)
	}
}
