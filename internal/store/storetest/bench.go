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

// BenchSearchTierEditions measures indexing an article (its row and its
// documents, one per edition) into a search index whose tier keeps 500
// documents of an edition, at 1, 2, 3 and 6 editions, and reports what
// the tier then holds per edition: tier-min and tier-max, the fewest and
// most of any edition. Run it with a fixed count (-benchtime=3000x): the
// tier moves every 125 articles, and the figures are of where it ends.
// open gives a fresh, migrated store.
func BenchSearchTierEditions(b *testing.B, open func(b *testing.B) store.Store) {
	ctx := context.Background()
	langs := []string{"en", "de", "fr", "es", "it", "nl"}
	for _, eds := range []int{1, 2, 3, 6} {
		b.Run(fmt.Sprintf("editions=%d", eds), func(b *testing.B) {
			s := open(b)
			ts, ok := s.(searchTiered)
			if !ok {
				b.Fatalf("%T keeps no tier of the newest search documents", s)
			}
			ts.SetSearchTierDocs(500)
			src := newSource(b, s, "https://tier.example/feed")
			i := 0
			for b.Loop() {
				a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://tier.example/%d", i), Title: fmt.Sprintf("Report %d", i),
					Text: "text", Language: "en", PublishedAt: base.Add(time.Duration(i) * time.Minute)}
				if _, err := s.UpsertArticle(ctx, a); err != nil {
					b.Fatal(err)
				}
				docs := make([]store.SearchDoc, eds)
				for e := range docs {
					docs[e] = store.SearchDoc{Lang: langs[e], Title: []string{"report", fmt.Sprintf("n%d", i)}, Body: []string{"common", "ground", fmt.Sprintf("w%d", i%97)}}
				}
				if err := s.PutSearchDocs(ctx, a.ID, docs); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.StopTimer()
			held, err := ts.SearchTierEditions(ctx)
			if err != nil {
				b.Fatal(err)
			}
			fewest, most := int64(-1), int64(0)
			for _, n := range held {
				if fewest < 0 || n < fewest {
					fewest = n
				}
				most = max(most, n)
			}
			b.ReportMetric(float64(fewest), "tier-min")
			b.ReportMetric(float64(most), "tier-max")
		})
	}
}
