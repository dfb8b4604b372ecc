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

// Issue 13 item 3, scaled down: a slow host (pages answer after a second,
// two at a time) has many items queued; a healthy source added after it is
// polled and its articles stored while most of the slow host's jobs are
// still outstanding, and no job spends an attempt waiting for a host slot.
//
// Before, four workers claimed the slow host's jobs in queue order and two of
// them sat waiting for its two slots (until the fetch timed out, which cost
// the job an attempt without a request sent); the healthy poll, queued behind
// them, ran only when nearly all of them had been claimed.
func TestSlowHostDoesNotStarveOthers(t *testing.T) {
	const slowItems, healthyItems = 12, 3
	slow := startSite(t, 1, "Slow Gazette", slowItems, time.Second)
	healthy := startSite(t, 2, "Daily Healthy", healthyItems, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // only a guard against hanging
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
			}
			if done[slowID] == slowItems && done[healthyID] == healthyItems {
				close(allDone)
			}
		case ArticleFailed, SourceFailed:
			failed = append(failed, e)
		}
	}
	// Pages take a second; a request (waiting for its slot included, as
	// before) gets 1.8 s, so a worker that waited for a slot timed out.
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: 10 * time.Millisecond, Timeout: 1800 * time.Millisecond})
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

	select {
	case <-allDone:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("not every article was stored: %v stored per source, failures %v", done, failed)
	}
	mu.Lock()
	defer mu.Unlock()
	if slowAtPoll < 0 || slowAtPoll > slowItems/4 {
		t.Errorf("the healthy source was polled when %d of the slow host's %d articles were stored: it waited behind the slow host",
			slowAtPoll, slowItems)
	}
	if slowAtHeal < 0 || slowAtHeal > slowItems/2 {
		t.Errorf("the healthy source's %d articles were stored when %d of the slow host's %d were: it waited behind the slow host",
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
