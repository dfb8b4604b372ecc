package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
)

// deferCounter is the store, counting the jobs deferred.
type deferCounter struct {
	store.Store
	deferred atomic.Int32
}

func (d *deferCounter) DeferJobs(ctx context.Context, worker string, ds []store.JobDeferral) (int, error) {
	d.deferred.Add(int32(len(ds)))
	return d.Store.DeferJobs(ctx, worker, ds)
}

func (d *deferCounter) DeferJob(ctx context.Context, id int64, worker string, runAt time.Time) error {
	d.deferred.Add(1)
	return d.Store.DeferJob(ctx, id, worker, runAt)
}

var bothStores = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store { return testStore(t) }},
	{"postgres", func(t *testing.T) store.Store { return pgtest.Open(t, pgtest.DSN(t)) }},
}

// hostFeeds starts a feed host on 127.0.0.ip serving n feeds, and adds
// them as sources.
func hostFeeds(t *testing.T, st store.Store, ip, n int) (*feedHost, []int64) {
	t.Helper()
	h := startFeedHost(t, ip)
	var ids []int64
	for k := range n {
		path := fmt.Sprintf("/feed/%d.xml", k)
		h.set(path, 1, false)
		ids = append(ids, newSource(t, st, h.URL+path, "en").ID)
	}
	return h, ids
}

// pollPass queues a poll of every source in ids and works the queue to the
// end, as `spektrum fetch` does, with two workers.
func pollPass(t *testing.T, st store.Store, p *Pipeline, ids []int64) {
	t.Helper()
	pollPassWorkers(t, st, p, ids, 2)
}

// pollPassWorkers is pollPass with that many workers.
func pollPassWorkers(t *testing.T, st store.Store, p *Pipeline, ids []int64, workers int) {
	t.Helper()
	ctx := context.Background()
	if n, err := p.EnqueuePolls(ctx, ids); err != nil || n != len(ids) {
		t.Fatalf("EnqueuePolls = %d, %v; want %d", n, err, len(ids))
	}
	r := jobs.New(st, jobs.Options{Concurrency: workers, Poll: 10 * time.Millisecond})
	p.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := st.JobCounts(ctx, nil, time.Now()); err != nil || c.Queued != 0 || c.Running != 0 || c.Dead != 0 {
		t.Errorf("jobs left: %+v, %v", c, err)
	}
}

// A batch holding many feeds of each of its hosts (queued together, so
// claimed together) sends each host's feeds one after the other over the
// connection the one before kept alive: with no per-host delay none of
// them finds its host busy and is deferred, each is asked for once, and
// the host's connection limit holds.
func TestPollBatchSendsAHostsFeedsInTurn(t *testing.T) {
	for _, db := range bothStores {
		t.Run(db.name, func(t *testing.T) {
			st := &deferCounter{Store: db.open(t)}
			const perHost = 24
			a, aIDs := hostFeeds(t, st, 73, perHost)
			b, bIDs := hostFeeds(t, st, 74, perHost)
			ids := append(aIDs, bIDs...)
			fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: -1})
			p := New(st, fc, extract.New(), Options{PollBatch: 64, PollConcurrency: 16})

			pollPass(t, st, p, ids) // every feed is new: its item, and the validators
			st.deferred.Store(0)
			for _, h := range []*feedHost{a, b} {
				h.requests.Store(0)
				h.conns.Store(0)
			}
			pollPass(t, st, p, ids) // every feed unchanged

			if n := st.deferred.Load(); n != 0 {
				t.Errorf("%d polls deferred, want none: with no delay each feed's turn on its host comes when the one before is answered", n)
			}
			for _, h := range []*feedHost{a, b} {
				if n, m := h.requests.Load(), h.notMod.Load(); n != perHost || m != perHost {
					t.Errorf("host %s: %d requests, %d answered 304; want each of its %d feeds asked for once", h.URL, n, m, perHost)
				}
				if m := h.maxIn.Load(); m > 2 {
					t.Errorf("host %s had %d requests in flight at once, above its limit of 2", h.URL, m)
				}
				if c := h.conns.Load(); c > 2 {
					t.Errorf("host %s: %d connections opened for %d polls; want its feeds sent over the kept-alive ones (at most 2)", h.URL, c, perHost)
				}
			}
		})
	}
}

// With a per-host delay, a batch's feeds of one host still reach it a
// delay apart (as does every other request to it, here the items' pages of
// the first pass): the first is sent, the others are deferred to the turns
// the host's limiter gives them (the batch does not hold its worker
// waiting for them), and every feed is polled once in the end.
func TestPollBatchKeepsTheDelayBetweenAHostsFeeds(t *testing.T) {
	for _, db := range bothStores {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			st := &deferCounter{Store: db.open(t)}
			const perHost, delay = 4, 500 * time.Millisecond
			h, ids := hostFeeds(t, st, 75, perHost)
			fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: delay})
			p := New(st, fc, extract.New(), Options{PollBatch: 64, PollConcurrency: 16})
			pollPass(t, st, p, ids) // every feed is new (its item's page is fetched too)
			st.deferred.Store(0)
			h.requests.Store(0)
			start := time.Now()
			pollPass(t, st, p, ids) // every feed unchanged

			if n, m := h.requests.Load(), h.notMod.Load(); n != perHost || m != perHost {
				t.Errorf("%d requests, %d answered 304; want each of the %d feeds asked for once", n, m, perHost)
			}
			h.mu.Lock()
			arrivals := h.arrivals
			h.mu.Unlock()
			// The gap counts from when a request was written; its arrival
			// here may lag by a scheduling delay (tens of milliseconds on a
			// loaded machine), so the span of all of them is what is checked,
			// allowing half a delay: a gap cut short anywhere shows in it.
			if n := len(arrivals); n != 2*perHost+perHost {
				t.Errorf("%d requests reached the host, want %d (two polls of each feed, its item's page)", n, 3*perHost)
			} else if span, want := arrivals[n-1].Sub(arrivals[0]), time.Duration(n-1)*delay-delay/2; span < want {
				t.Errorf("the %d requests reached the host over %s, want at least %s (a delay apart)", n, span, want)
			}
			if n := st.deferred.Load(); n < perHost-1 {
				t.Errorf("%d polls deferred, want the %d after the first deferred to their turns", n, perHost-1)
			}
			for _, id := range ids {
				src, err := st.Source(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if src.LastPolledAt.Before(start) || src.ErrorCount != 0 || src.ETag == "" {
					t.Errorf("source %s: %+v, want it polled", src.URL, src)
				}
			}
		})
	}
}

// A host that takes its feeds' polls and never answers holds a batch for
// one fetch timeout, not one per feed: once one of them times out, the
// run's other feeds of that host are deferred (not failed, not sent), and
// each is polled on a later turn of its own, where it times out and is
// recorded as failed like any poll that times out.
func TestPollBatchDefersAHostsFeedsAfterATimeout(t *testing.T) {
	for _, db := range bothStores {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			st := &deferCounter{Store: db.open(t)}
			const perHost = 4
			h, ids := hostFeeds(t, st, 76, perHost)
			fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: -1, Timeout: 300 * time.Millisecond})
			p := New(st, fc, extract.New(), Options{PollBatch: 64, PollConcurrency: 16})
			pollPass(t, st, p, ids) // every feed is new

			hold := make(chan struct{})
			defer close(hold) // before the server's cleanup closes it
			h.mu.Lock()
			h.hold = hold
			h.mu.Unlock()
			st.deferred.Store(0)
			h.requests.Store(0)
			// One worker, so one batch holds every feed of the host (two
			// would split them, and the second's poll could find the host
			// busy and be deferred whatever the batch does).
			pollPassWorkers(t, st, p, ids, 1) // every feed hangs

			if n := st.deferred.Load(); n < perHost-1 {
				t.Errorf("%d polls deferred, want the %d after the first that timed out deferred", n, perHost-1)
			}
			if n := h.requests.Load(); n != perHost {
				t.Errorf("%d requests reached the host, want each of the %d feeds asked for once", n, perHost)
			}
			for _, id := range ids {
				src, err := st.Source(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if src.ErrorCount != 1 || src.LastError == "" {
					t.Errorf("source %s: %d errors (%q), want its own timeout recorded once", src.URL, src.ErrorCount, src.LastError)
				}
			}
		})
	}
}
