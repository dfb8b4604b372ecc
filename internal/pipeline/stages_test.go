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

// TestStagesFollowStoredArticles: a registered stage runs for each stored
// article, in the article job, on the article as stored; when it fails it
// is queued as a job of its own and retried alone while the article stays
// stored and the other stages (translations, stories after dedupe) go on
// without a job of theirs.
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
	// The clock runs short of the first backoff (30 s), so the failed
	// stage's job waits, as it would in a running process.
	rg.runAt(t, srv.URL+"/feed.xml", time.Now().Add(15*time.Second))

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
	// (The search stage has jobs of its own: a translation arriving queues
	// the article's reindexing.)
	for _, kind := range []string{KindTranslations, KindDedupe, KindStory} {
		if c := count(kind, time.Now()); c != (store.JobCounts{}) {
			t.Fatalf("%s stage jobs %+v, want none: a stage that succeeds runs in the article job", kind, c)
		}
	}
	// The story stage ran after the dedupe stage, on the article as dedupe
	// left it: each article is filed under a story.
	for _, p := range []string{"/en", "/fr"} {
		if a := rg.article(t, pages[p].title); a.StoryID == 0 {
			t.Fatalf("article %s not filed under a story", p)
		}
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

// TestFailedStageHoldsItsFollowers: a stage that follows one that failed in
// the article job waits for that stage's retry, and runs after it.
func TestFailedStageHoldsItsFollowers(t *testing.T) {
	rg := newRig(t, []string{"en"}, nil, nil)
	var (
		mu       sync.Mutex
		tried    = map[int64]bool{}
		followed []int64
	)
	rg.p.AddStage(Stage{Kind: "first", Run: func(ctx context.Context, a *store.Article) error {
		mu.Lock()
		defer mu.Unlock()
		if !tried[a.ID] {
			tried[a.ID] = true
			return errors.New("not yet")
		}
		return nil
	}})
	rg.p.AddStage(Stage{Kind: "second", After: "first", Run: func(ctx context.Context, a *store.Article) error {
		mu.Lock()
		defer mu.Unlock()
		followed = append(followed, a.ID)
		return nil
	}})
	srv := newsServer(t, "/en", "/fr")
	rg.runAt(t, srv.URL+"/feed.xml", time.Now().Add(15*time.Second))
	if len(tried) != 2 || len(followed) != 0 {
		t.Fatalf("first stage tried on %d articles, second ran on %v; want 2 tried and the second held back", len(tried), followed)
	}
	rg.runAt(t, srv.URL+"/feed.xml", time.Now().Add(2*time.Hour))
	if len(followed) != 2 || followed[0] == followed[1] {
		t.Fatalf("second stage ran on %v, want each article once after the first stage's retry", followed)
	}
}
