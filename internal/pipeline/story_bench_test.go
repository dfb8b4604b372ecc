package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"spektrum/internal/bench/stories"
	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/story"
)

// TestStoryStageOnBenchDevHalf stores the story benchmark's dev half as
// articles, files them with the story stage on SQLite in time order, and
// checks that the stage's stories score what the offline clusterer's do
// (one code path). Figures go to docs/benchmarks.md; it needs the shared
// benchmark data and is skipped without it and in -short mode.
func TestStoryStageOnBenchDevHalf(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	p := filepath.Join("..", "..", "..", "..", "shared", "bench", "stories", "dev.tsv")
	if d := os.Getenv("SPEKTRUM_BENCH_DIR"); d != "" {
		p = filepath.Join(d, "stories", "dev.tsv")
	}
	items, err := stories.Load(p)
	if err != nil {
		t.Skipf("story benchmark data not found (%v)", err)
	}
	ctx := context.Background()
	st := testStore(t)
	pl := New(st, fetch.New(fetch.Options{}), extract.New(), Options{})
	arts := make([]*store.Article, len(items))
	for i, it := range items {
		host := "src" + it.Item.ID
		src := &store.Source{URL: "https://" + host + ".example/feed/" + it.Item.ID, Kind: store.KindFeed, Name: host, PollInterval: time.Hour}
		if err := st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		arts[i] = &store.Article{SourceID: src.ID, URL: it.Item.URL, GUID: it.Item.ID, Title: it.Item.Title,
			Language: "en", PublishedAt: it.Item.Published, FirstSeenAt: it.Item.Published}
		if _, err := st.UpsertArticle(ctx, arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	for _, a := range arts {
		if err := pl.fileStory(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	pred, truth := make([]string, len(items)), make([]string, len(items))
	for i, a := range arts {
		got, err := st.Article(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		pred[i], truth[i] = strconv.FormatInt(got.StoryID, 10), items[i].Story
	}
	online := stories.BCubed(pred, truth)
	offline := stories.Run(items, story.DefaultOptions())
	t.Logf("%d headlines: story stage on SQLite %v (%.0f articles/s), offline %v", len(items), online,
		float64(len(items))/took.Seconds(), offline)
	if online != offline {
		t.Errorf("the story stage scores %v, the offline clusterer %v: they must be one code path", online, offline)
	}
}

// BenchmarkStoryFiling files the story benchmark's first 600 headlines
// from 16 goroutines at once, as 16 workers would, on each database: each
// article a story transaction of its own (the steps queue on the story
// lock), then through the stage's grouping filer. One run of each
// side by side gives the ratio, whatever the machine's load:
//
//	SPEKTRUM_TEST_POSTGRES_DSN=… go test -run '^$' -bench StoryFiling -benchtime 1x ./internal/pipeline
func BenchmarkStoryFiling(b *testing.B) {
	p := filepath.Join("..", "..", "..", "..", "shared", "bench", "stories", "dev.tsv")
	if d := os.Getenv("SPEKTRUM_BENCH_DIR"); d != "" {
		p = filepath.Join(d, "stories", "dev.tsv")
	}
	items, err := stories.Load(p)
	if err != nil {
		b.Skipf("story benchmark data not found (%v)", err)
	}
	items = items[:min(len(items), 600)]
	for _, db := range []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"sqlite", func(b *testing.B) store.Store { return testStore(b) }},
		{"postgres", func(b *testing.B) store.Store { return pgtest.Open(b, pgtest.DSN(b)) }},
	} {
		for _, mode := range []string{"single", "grouped"} {
			b.Run(db.name+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					ctx := store.LaterDurable(context.Background())
					st := db.open(b)
					pl := New(st, fetch.New(fetch.Options{}), extract.New(), Options{StoryGroup: 16})
					arts := make(chan *store.Article, len(items))
					for _, it := range items {
						src := &store.Source{URL: "https://src" + it.Item.ID + ".example/feed", Kind: store.KindFeed, Name: it.Item.ID, PollInterval: time.Hour}
						if err := st.CreateSource(ctx, src); err != nil {
							b.Fatal(err)
						}
						a := &store.Article{SourceID: src.ID, URL: it.Item.URL, GUID: it.Item.ID, Title: it.Item.Title,
							Language: "en", PublishedAt: it.Item.Published, FirstSeenAt: it.Item.Published}
						if _, err := st.UpsertArticle(ctx, a); err != nil {
							b.Fatal(err)
						}
						arts <- a
					}
					close(arts)
					b.StartTimer()
					start := time.Now()
					var wg sync.WaitGroup
					for range 16 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for a := range arts {
								var err error
								if mode == "single" {
									err = pl.fileGroup(ctx, []*store.Article{a})[0]
								} else {
									err = pl.fileStory(ctx, a)
								}
								if err != nil {
									b.Error(err)
								}
							}
						}()
					}
					wg.Wait()
					b.ReportMetric(float64(len(items))/time.Since(start).Seconds(), "articles/s")
				}
			})
		}
	}
}
