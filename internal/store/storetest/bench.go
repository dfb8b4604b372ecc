package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"spektrum/internal/store"
)

// BenchUpsertArticle measures creating new articles (the pipeline's hot
// write) and, as a sub-benchmark, re-upserting unchanged ones.
func BenchUpsertArticle(b *testing.B, s store.Store) {
	ctx := context.Background()
	src := newSource(b, s, "https://bench.example/feed")
	b.Run("create", func(b *testing.B) {
		i := 0
		for b.Loop() {
			a := article(src.ID, i)
			i++
			if _, err := s.UpsertArticle(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		a := article(src.ID, -1)
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.UpsertArticle(ctx, article(src.ID, -1)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchArticlesPage measures reading a 20-article page deep in a listing of
// 5000 articles (keyset pagination should make depth irrelevant).
func BenchArticlesPage(b *testing.B, s store.Store) {
	ctx := context.Background()
	src := newSource(b, s, "https://bench.example/feed")
	for i := range 5000 {
		a := article(src.ID, i)
		if i%2 == 0 {
			a.Section = "world"
		}
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []store.ArticleQuery{{}, {Section: "world"}} {
		// Find a cursor 100 pages deep.
		for range 100 {
			p, err := s.Articles(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			q.Cursor = p.NextCursor
		}
		b.Run(fmt.Sprintf("section=%q", q.Section), func(b *testing.B) {
			for b.Loop() {
				p, err := s.Articles(ctx, q)
				if err != nil || len(p.Articles) != 20 {
					b.Fatalf("Articles: %d, %v", len(p.Articles), err)
				}
			}
		})
	}
}

// BenchClaim measures claiming a job while 2,000 others are
// due, as when a poll of many feeds has queued their items: a claim must
// not cost more the longer the queue.
func BenchClaim(b *testing.B, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	enqueue := func(i int) {
		if _, err := s.Enqueue(ctx, &store.Job{Kind: "bench", UniqueKey: fmt.Sprintf("bench:%d", i), RunAt: now.Add(-time.Minute)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 2000 {
		enqueue(i)
	}
	i := 2000
	for b.Loop() {
		j, err := s.Claim(ctx, "w", []string{"bench"}, now, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer() // the claim alone is measured
		if err := s.CompleteJob(ctx, j.ID, "w"); err != nil {
			b.Fatal(err)
		}
		enqueue(i) // the queue stays as long
		i++
		b.StartTimer()
	}
}
