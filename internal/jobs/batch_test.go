package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// A batch kind is handed several jobs at once, and each job's outcome is
// its own: completed by the runner, completed by the handler, deferred
// (without using up a try), or failed and retried.
func TestBatchOutcomes(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	opts := fastOpts()
	opts.Concurrency = 1 // one worker: the queue is drained in batches of 4
	r := jobs.New(st, opts)
	var mu sync.Mutex
	var sizes []int
	runs := map[string]int{}
	r.HandleBatch("poll", 4, func(ctx context.Context, js []*store.Job) []error {
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(js))
		outs := make([]error, len(js))
		for i, j := range js {
			runs[j.UniqueKey]++
			switch j.UniqueKey {
			case "self":
				// The handler completes it in a write of its own.
				if _, err := st.CompleteJobs(ctx, j.LockedBy, []int64{j.ID}); err != nil {
					outs[i] = err
				} else {
					outs[i] = jobs.Completed()
				}
			case "busy":
				if runs["busy"] < 3 {
					outs[i] = jobs.Defer(time.Now().Add(20 * time.Millisecond))
				}
			case "flaky":
				if runs["flaky"] < 2 {
					outs[i] = errors.New("temporary trouble")
				}
			case "broken":
				outs[i] = jobs.Permanent(errors.New("cannot ever work"))
			}
		}
		return outs
	})
	for _, k := range []string{"a", "b", "self", "busy", "flaky", "broken", "c", "d"} {
		if _, err := jobs.Enqueue(ctx, st, "poll", k, 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if sizes[0] != 4 || sizes[1] != 4 {
		t.Errorf("batch sizes %v, want two batches of 4 first", sizes)
	}
	if runs["a"] != 1 || runs["self"] != 1 || runs["busy"] != 3 || runs["flaky"] != 2 || runs["broken"] != 1 {
		t.Errorf("runs %v; want 1 each, busy 3 (two deferrals), flaky 2 (one retry), broken 1", runs)
	}
	if c := counts(t, st); c.Done != 7 || c.Dead != 1 || c.Queued != 0 || c.Running != 0 {
		t.Errorf("counts %+v, want 7 done and 1 dead", c)
	}
}

// A batch whose worker dies mid-way (its context ends while the handler
// works) loses nothing: its jobs' leases lapse and another runner does
// them all again, and the outcomes the handler wrote before dying stand.
func TestBatchCrashLosesNothing(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	for i := range 6 {
		if _, err := jobs.Enqueue(ctx, st, "poll", fmt.Sprint("p", i), 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	opts := fastOpts()
	opts.Concurrency, opts.Lease, opts.Worker = 1, 300*time.Millisecond, "doomed"
	doomed := jobs.New(st, opts)
	started := make(chan struct{})
	dctx, die := context.WithCancel(ctx)
	doomed.HandleBatch("poll", 10, func(ctx context.Context, js []*store.Job) []error {
		// The first job's outcome is written, then the worker dies.
		if _, err := st.CompleteJobs(ctx, js[0].LockedBy, []int64{js[0].ID}); err != nil {
			t.Error(err)
		}
		close(started)
		<-ctx.Done()
		return make([]error, len(js))
	})
	errc := make(chan error, 1)
	go func() { errc <- doomed.Run(dctx) }()
	<-started
	die()
	<-errc
	if c := counts(t, st); c.Done != 1 || c.Running != 5 {
		t.Fatalf("after the crash: %+v, want 1 done and 5 running (held by the dead worker)", c)
	}

	opts.Worker = "heir"
	heir := jobs.New(st, opts)
	var mu sync.Mutex
	var again []string
	heir.HandleBatch("poll", 10, func(ctx context.Context, js []*store.Job) []error {
		mu.Lock()
		defer mu.Unlock()
		for _, j := range js {
			again = append(again, j.UniqueKey)
			if j.Attempts != 2 {
				t.Errorf("job %s at attempt %d, want 2", j.UniqueKey, j.Attempts)
			}
		}
		return make([]error, len(js))
	})
	if err := heir.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again) != "[p1 p2 p3 p4 p5]" {
		t.Errorf("the heir ran %v, want the 5 jobs left running, in order", again)
	}
	if c := counts(t, st); c.Done != 6 || c.Running != 0 {
		t.Errorf("counts %+v, want all 6 done", c)
	}
}

// A panic in a batch handler fails the batch's jobs for good instead of
// taking the worker down; the other kinds run on.
func TestBatchPanic(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	r := jobs.New(st, fastOpts())
	r.HandleBatch("poll", 5, func(ctx context.Context, js []*store.Job) []error { panic("bad input") })
	r.HandleBatch("short", 5, func(ctx context.Context, js []*store.Job) []error { return nil })
	ran := false
	r.Handle("other", func(ctx context.Context, j *store.Job) error { ran = true; return nil })
	for i := range 3 {
		for _, k := range []string{"poll", "short"} {
			if _, err := jobs.Enqueue(ctx, st, k, fmt.Sprint(k, i), 0, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := jobs.Enqueue(ctx, st, "other", "o", 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, st); c.Dead != 6 || c.Done != 1 || !ran {
		t.Errorf("counts %+v (the other job ran: %v), want the 6 batch jobs dead and the other done", c, ran)
	}
}
