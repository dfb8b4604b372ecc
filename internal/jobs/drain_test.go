package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// A handler's RetryAfter sets the next try instead of the runner's backoff.
func TestRetryAfterOverridesBackoff(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	// A clock just ahead of the real one, which Enqueue dates the job by:
	// a fixed date made the job not yet due once the real clock passed it.
	now := time.Now().UTC().Add(time.Minute)
	o := fastOpts()
	o.Now = func() time.Time { return now }
	o.Backoff = func(int) time.Duration { return time.Hour }
	r := jobs.New(st, o)
	r.Handle("mail", func(context.Context, *store.Job) error {
		return jobs.RetryAfter(errors.New("421 busy"), 5*time.Minute)
	})
	if _, err := jobs.Enqueue(ctx, st, "mail", "", 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(ctx, "probe", []string{"mail"}, now.Add(5*time.Minute-time.Second), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("claim before the 5 minutes = %v, want nothing runnable", err)
	}
	j, err := st.Claim(ctx, "probe", []string{"mail"}, now.Add(5*time.Minute), time.Minute)
	if err != nil || j.LastError != "421 busy" || j.Attempts != 2 {
		t.Fatalf("claim after 5 minutes = %+v, %v; want the job's second try (not the runner's 1h backoff)", j, err)
	}
}

// Drain stops when nothing is claimable, leaving a job another (dead)
// worker holds to its lease; RunUntilIdle would wait for it. Background
// kinds are left to Run by both.
func TestDrainLeavesHeldJobs(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	r := jobs.New(st, fastOpts())
	var ran atomic.Int32
	r.Handle("mail", func(context.Context, *store.Job) error { ran.Add(1); return nil })
	r.HandleBackground("digest", func(context.Context, *store.Job) error { t.Error("a background job ran in a pass"); return nil })
	for range 3 {
		if _, err := jobs.Enqueue(ctx, st, "mail", "", 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := jobs.Enqueue(ctx, st, "digest", "", 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(ctx, "dead-worker", []string{"mail"}, time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.Drain(dctx); err != nil {
		t.Fatalf("Drain = %v, want it to return once nothing is claimable", err)
	}
	if n := ran.Load(); n != 2 {
		t.Fatalf("Drain ran %d jobs, want the 2 nobody held", n)
	}
	c, err := st.JobCounts(ctx, []string{"mail"}, time.Now())
	if err != nil || c.Running != 1 || c.Done != 2 {
		t.Fatalf("mail jobs %+v, %v; want the held one still running, 2 done", c, err)
	}
	if c, _ := st.JobCounts(ctx, []string{"digest"}, time.Now()); c.Queued != 1 {
		t.Fatalf("digest jobs %+v, want the background job left queued", c)
	}
}
