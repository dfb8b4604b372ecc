package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// Issue 13 item 3, scaled down: a slow host (its pages held until the test
// lets them go, two requests at a time) has many items queued; a healthy
// source added after it is polled and its articles stored while every one of
// the slow host's pages is still outstanding, and no job spends an attempt
// waiting for a host slot.
//
// Before, four workers claimed the slow host's jobs in queue order and two of
// them sat waiting for its two slots (until the fetch timed out, which cost
// the job an attempt without a request sent); the healthy poll, queued behind
// them, ran only when nearly all of them had been claimed. Here that shows
// as the healthy source not being done while the slow host holds its pages.
//
// Nothing is timed: the slow host answers no page until the healthy source's
// last article is stored; the deadlines only keep a broken build from hanging.
func TestSlowHostDoesNotStarveOthers(t *testing.T) {
	const slowItems, healthyItems = 12, 3
	slow := startHeldSite(t, 1, "Slow Gazette", slowItems, 50*time.Millisecond)
	healthy := startSite(t, 2, "Daily Healthy", healthyItems, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // only a guard against hanging
	defer cancel()
	st := testStore(t)

	var (
		mu          sync.Mutex
		done        = map[int64]int{} // articles stored per source
		failed      []Event
		slowAtPoll  = -1 // slow articles stored when the healthy source was polled
		slowAtHeal  = -1 // slow articles stored when the healthy source's last one was
		slowID      int64
		healthyID   int64
		slowPolled  = make(chan struct{})
		healthyDone = make(chan struct{})
		allDone     = make(chan struct{})
		attemptsBad []int
		deferrals   int
	)
	events := func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case SourcePolled:
			if e.SourceID == slowID {
				close(slowPolled)
			}
			if e.SourceID == healthyID {
				slowAtPoll = done[slowID]
			}
		case ArticleDone:
			done[e.SourceID]++
			if e.SourceID == healthyID && done[healthyID] == healthyItems {
				slowAtHeal = done[slowID]
				close(healthyDone)
			}
			if done[slowID] == slowItems && done[healthyID] == healthyItems {
				close(allDone)
			}
		case ArticleFailed, SourceFailed:
			failed = append(failed, e)
		}
	}
	// The fetch timeout is only a guard: the slow host's pages are held
	// for as long as the healthy source takes, on however loaded a machine.
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: 10 * time.Millisecond, Timeout: 4 * time.Minute})
	p := New(st, fc, extract.New(), Options{Events: events})
	r := jobs.New(st, jobs.Options{Concurrency: 4, Poll: 50 * time.Millisecond, Lease: time.Minute})
	p.Register(r)
	r.Handle(KindArticle, func(ctx context.Context, j *store.Job) error {
		err := p.handleArticle(ctx, j)
		mu.Lock()
		defer mu.Unlock()
		if j.Attempts != 1 {
			attemptsBad = append(attemptsBad, j.Attempts)
		}
		if _, ok := jobs.DeferredUntil(err); ok {
			deferrals++
		}
		return err
	})

	src := newSource(t, st, slow.URL+"/feed.xml", "")
	mu.Lock()
	slowID = src.ID
	mu.Unlock()
	if _, err := p.EnqueuePoll(ctx, slowID); err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	defer func() {
		cancel()
		<-runErr
	}()

	// The healthy source comes once the slow one's items are all queued.
	select {
	case <-slowPolled:
	case <-ctx.Done():
		t.Fatal("the slow source was never polled")
	}
	hsrc := newSource(t, st, healthy.URL+"/feed.xml", "")
	mu.Lock()
	healthyID = hsrc.ID
	mu.Unlock()
	if _, err := p.EnqueuePoll(ctx, healthyID); err != nil {
		t.Fatal(err)
	}

	// The slow host answers once the healthy source is done; should it
	// never be (it waits behind the slow host), the guard lets the pages go
	// so the failure is reported rather than hung on.
	healthyGuard := time.NewTimer(2 * time.Minute)
	defer healthyGuard.Stop()
	healthyFirst := true
	select {
	case <-healthyDone:
	case <-healthyGuard.C:
		healthyFirst = false
	case <-ctx.Done():
	}
	close(slow.pages)

	select {
	case <-allDone:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("not every article was stored: %v stored per source, failures %v", done, failed)
	}
	mu.Lock()
	defer mu.Unlock()
	if !healthyFirst {
		t.Errorf("the healthy source was not done while the slow host held its pages: it waited behind the slow host")
	}
	if slowAtPoll != 0 {
		t.Errorf("the healthy source was polled when %d of the slow host's %d articles were stored, want 0 (its pages were held)",
			slowAtPoll, slowItems)
	}
	if slowAtHeal != 0 {
		t.Errorf("the healthy source's %d articles were stored when %d of the slow host's %d were, want 0 (its pages were held)",
			healthyItems, slowAtHeal, slowItems)
	}
	if len(attemptsBad) > 0 {
		t.Errorf("article jobs ran at attempts %v: waiting for a host must not spend an attempt", attemptsBad)
	}
	if len(failed) > 0 {
		t.Errorf("failures: %v", failed)
	}
	if n := int(slow.pageHits.Load()); n != slowItems {
		t.Errorf("the slow host answered %d page requests, want %d (each page once)", n, slowItems)
	}
	c, err := st.JobCounts(context.Background(), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Dead != 0 {
		t.Errorf("jobs %+v: none may be dead", c)
	}
	t.Logf("healthy source polled when %d/%d slow articles were stored, done when %d were; %d deferrals", slowAtPoll, slowItems, slowAtHeal, deferrals)
}
