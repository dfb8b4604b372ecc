package pipeline

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestStagesFollowStoredArticles: a registered stage runs as its own job
// for each stored article, after the article job is done, on the article
// as stored; when it fails it is retried on its own while the article stays
// stored and the other stages (translations) go on.
func TestStagesFollowStoredArticles(t *testing.T) {
	ctx := context.Background()
	rg := newRig(t, []string{"en", "de"}, nil, nil)
	var (
		mu     sync.Mutex
		seen   []string
		failed = map[int64]bool{}
	)
	rg.p.AddStage(Stage{Kind: "probe", Run: func(ctx context.Context, a *store.Article) error {
		mu.Lock()
		defer mu.Unlock()
		if !failed[a.ID] {
			failed[a.ID] = true
			return errors.New("index is down")
		}
		seen = append(seen, a.Title)
		return nil
	}})
	if got, want := rg.p.Stages(), []string{KindTranslations, KindDedupe, KindStory, KindSearch, "probe"}; !slices.Equal(got, want) {
		t.Fatalf("Stages() = %v, want %v", got, want)
	}
	srv := newsServer(t, "/en", "/fr")
	rg.run(t, srv.URL+"/feed.xml")

	count := func(kind string, now time.Time) store.JobCounts {
		t.Helper()
		c, err := rg.st.JobCounts(ctx, []string{kind}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := count(KindArticle, time.Now()); c.Done != 2 || c.Queued+c.Running+c.Dead != 0 {
		t.Fatalf("article jobs %+v, want 2 done: a failing stage must not hold up or fail the article", c)
	}
	if c := count("probe", time.Now()); c.Waiting != 2 {
		t.Fatalf("probe jobs %+v, want 2 retries waiting", c)
	}
	if c := count(KindTranslations, time.Now()); c.Done != 2 {
		t.Fatalf("translations stage jobs %+v, want 2 done", c)
	}
	// The story stage follows the dedupe stage, not the storing.
	if c := count(KindStory, time.Now()); c.Done != 2 {
		t.Fatalf("story stage jobs %+v, want 2 done after dedupe", c)
	}
	// The French article was handed on to the German edition by its stage.
	if tr := rg.translation(t, rg.article(t, pages["/fr"].title), "de"); tr.Status != store.TranslationUnsupported {
		t.Fatalf("fr→de without a provider = %+v, want recorded as unsupported", tr)
	}
	if len(seen) != 0 {
		t.Fatalf("probe stage succeeded for %v before its retry", seen)
	}

	rg.runAt(t, srv.URL+"/feed.xml", time.Now().Add(2*time.Hour))
	slices.Sort(seen)
	want := []string{pages["/fr"].title, pages["/en"].title}
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("probe stage saw %q, want each stored article once: %q", seen, want)
	}
	if c := count("probe", time.Now().Add(2*time.Hour)); c.Done != 2 || c.Queued != 0 {
		t.Fatalf("probe jobs %+v, want 2 done", c)
	}
}
