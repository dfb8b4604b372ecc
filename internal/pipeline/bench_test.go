package pipeline

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"spektrum/internal/demo"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// BenchmarkDemoTranslationCache fetches the demo sites into editions en, es
// and de with the real Apertium, then translates every article again, as
// when the same sources are fetched anew (a changed article, an edition
// re-added, a second database). It reports the cache hit ratio of the first
// pass (repeats within the corpus) and of the second, and the characters
// the second pass sent.
func BenchmarkDemoTranslationCache(b *testing.B) {
	u := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL")
	if u == "" {
		b.Skip("SPEKTRUM_TRANSLATE_APERTIUM_URL is not set: run scripts/test.sh, which starts apertium-apy")
	}
	ctx := context.Background()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = demo.Handler(base)
	srv.Start()
	defer srv.Close()
	for b.Loop() {
		st := testStore(b)
		svc := translate.New(st, []translate.Translator{translate.NewApertium(u, translate.HTTPOptions{})}, translate.Options{})
		rg := newRig(b, []string{"en", "es", "de"}, svc, st)
		for _, s := range demo.Sites(base) {
			if s.Broken {
				continue
			}
			newSource(b, st, s.FeedURL, s.Lang)
		}
		work := func() {
			ss, _ := st.Sources(ctx)
			for _, s := range ss {
				if _, err := rg.p.EnqueuePoll(ctx, s.ID); err != nil {
					b.Fatal(err)
				}
			}
			r := jobs.New(st, jobs.Options{Now: func() time.Time { return time.Now().Add(time.Minute) }})
			rg.p.Register(r)
			if err := r.RunUntilIdle(ctx); err != nil {
				b.Fatal(err)
			}
		}
		work()
		first := usage(b, st)
		// Again: every article's translations are due once more.
		page, err := st.Articles(ctx, store.ArticleQuery{Limit: 200})
		if err != nil {
			b.Fatal(err)
		}
		for i := range page.Articles {
			a := &page.Articles[i]
			for _, ed := range []string{"en", "es", "de"} {
				_ = st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: ed, Status: store.TranslationFailed})
			}
			if err := rg.p.EnqueueTranslations(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
		work()
		second := usage(b, st)
		hits, misses := second.CacheHits-first.CacheHits, second.CacheMisses-first.CacheMisses
		b.ReportMetric(ratio(first.CacheHits, first.CacheMisses), "first-pass-hit-ratio")
		b.ReportMetric(ratio(hits, misses), "again-hit-ratio")
		b.ReportMetric(float64(first.Chars), "first-pass-chars")
		b.ReportMetric(float64(second.Chars-first.Chars), "again-chars")
		b.ReportMetric(float64(len(page.Articles)), "articles")
	}
}

func usage(b *testing.B, st store.Store) store.TranslationUsage {
	us, err := st.TranslationUsage(context.Background(), translate.Month(time.Now()))
	if err != nil || len(us) != 1 {
		b.Fatalf("usage = %+v, %v", us, err)
	}
	return us[0]
}

func ratio(hits, misses int64) float64 {
	if hits+misses == 0 {
		return 0
	}
	return float64(hits) / float64(hits+misses)
}
