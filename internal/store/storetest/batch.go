package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testClaimJobs: a batch claim takes due jobs of its kind, then lapsed
// ones, in the order Claim takes them, up to its limit; it counts the
// attempt and sets the lease as Claim does, and finds nothing without
// an error.
func testClaimJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	var due []*store.Job
	for i := range 5 {
		j := &store.Job{Kind: "poll", RunAt: base.Add(-time.Duration(10-i) * time.Minute)}
		enqueue(t, s, j)
		due = append(due, j)
	}
	future := &store.Job{Kind: "poll", RunAt: base.Add(time.Hour)}
	other := &store.Job{Kind: "fetch", RunAt: base.Add(-time.Hour)}
	enqueue(t, s, future)
	enqueue(t, s, other)

	got, err := s.ClaimJobs(ctx, "w1", "poll", base, time.Minute, 3)
	if err != nil {
		t.Fatalf("ClaimJobs: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("ClaimJobs(limit 3) = %d jobs, want 3", len(got))
	}
	for i, j := range got {
		if j.ID != due[i].ID || j.Kind != "poll" || j.State != store.JobRunning || j.Attempts != 1 ||
			j.LockedBy != "w1" || !j.LockedUntil.Equal(base.Add(time.Minute)) {
			t.Fatalf("ClaimJobs[%d] = %+v, want job %d running for w1 until %v, attempt 1", i, j, due[i].ID, base.Add(time.Minute))
		}
	}
	// The first claim's lease lapses while w1 completes one of them: the
	// other two are claimed again, after the due ones (the remaining two),
	// in their order.
	if err := s.CompleteJob(ctx, got[0].ID, "w1"); err != nil {
		t.Fatal(err)
	}
	later := base.Add(2 * time.Minute)
	again, err := s.ClaimJobs(ctx, "w2", "poll", later, time.Minute, 10)
	if err != nil {
		t.Fatalf("ClaimJobs: %v", err)
	}
	want := []int64{due[1].ID, due[2].ID, due[3].ID, due[4].ID} // by run_at: lapsed ones were due first
	if len(again) != len(want) {
		t.Fatalf("second ClaimJobs = %d jobs, want %d (2 lapsed, 2 due; not the future one, not the other kind)", len(again), len(want))
	}
	for i, j := range again {
		attempts := 1
		if i < 2 {
			attempts = 2
		}
		if j.ID != want[i] || j.LockedBy != "w2" || j.Attempts != attempts {
			t.Fatalf("second ClaimJobs[%d] = %+v, want job %d for w2 at attempt %d", i, j, want[i], attempts)
		}
	}
	if err := s.CompleteJob(ctx, due[1].ID, "w1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CompleteJob by the worker whose lease lapsed: err = %v, want ErrNotFound", err)
	}
	none, err := s.ClaimJobs(ctx, "w3", "poll", later, time.Minute, 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("ClaimJobs with nothing runnable = %d jobs, %v; want none, no error", len(none), err)
	}
	if got, err := s.ClaimJobs(ctx, "w3", "poll", base.Add(time.Hour), time.Minute, 0); err != nil || len(got) != 0 {
		t.Fatalf("ClaimJobs(limit 0) = %d jobs, %v; want none", len(got), err)
	}
	if c, err := s.JobCounts(ctx, []string{"poll"}, later); err != nil || c.Running != 4 || c.Done != 1 || c.Queued != 1 {
		t.Fatalf("JobCounts(poll) = %+v, %v; want 4 running, 1 done, 1 queued", c, err)
	}
}

// testConcurrentClaimJobs: batch claims racing each other (and single
// claims) never hand out one job twice, and together take every job.
func testConcurrentClaimJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 120
	js := make([]*store.Job, n)
	for i := range js {
		js[i] = &store.Job{Kind: "fetch", RunAt: base}
	}
	if added, err := s.EnqueueJobs(ctx, js); err != nil || added != n {
		t.Fatalf("EnqueueJobs = %d, %v; want %d", added, err, n)
	}
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		name := fmt.Sprintf("worker%d", w)
		wg.Go(func() {
			for {
				var got []store.Job
				if w%4 == 0 { // some workers claim one at a time
					j, err := s.Claim(ctx, name, []string{"fetch"}, base, time.Hour)
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					if err != nil {
						errs <- err
						return
					}
					got = []store.Job{*j}
				} else {
					var err error
					got, err = s.ClaimJobs(ctx, name, "fetch", base, time.Hour, 7)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
				}
				ids := make([]int64, len(got))
				mu.Lock()
				for i, j := range got {
					if prev, dup := seen[j.ID]; dup {
						errs <- fmt.Errorf("job %d claimed by both %s and %s", j.ID, prev, name)
					}
					seen[j.ID] = name
					ids[i] = j.ID
				}
				mu.Unlock()
				if done, err := s.CompleteJobs(ctx, name, ids); err != nil || done != len(ids) {
					errs <- fmt.Errorf("%s: CompleteJobs(%v) = %d, %v", name, ids, done, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != n {
		t.Errorf("claimed %d distinct jobs, want %d", len(seen), n)
	}
	if c := counts(t, s, base); c.Done != n || c.Running != 0 || c.Queued != 0 {
		t.Errorf("after draining: JobCounts = %+v, want %d done", c, n)
	}
}

// testJobBatches: EnqueueJobs skips the keys taken, inside the batch too;
// CompleteJobs and DeferJobs touch only the jobs the worker holds, and a
// deferral gives its attempt back.
func testJobBatches(t *testing.T, s store.Store) {
	ctx := context.Background()
	enqueue(t, s, &store.Job{Kind: "poll", UniqueKey: "poll:1", RunAt: base})
	js := []*store.Job{
		{Kind: "poll", UniqueKey: "poll:1", RunAt: base}, // queued already
		{Kind: "poll", UniqueKey: "poll:2", RunAt: base},
		{Kind: "poll", UniqueKey: "poll:2", RunAt: base}, // its twin in the batch
		{Kind: "poll", UniqueKey: "poll:3", RunAt: base, MaxAttempts: 2},
	}
	added, err := s.EnqueueJobs(ctx, js)
	if err != nil || added != 2 {
		t.Fatalf("EnqueueJobs = %d, %v; want 2 added", added, err)
	}
	if js[0].ID != 0 || js[1].ID == 0 || js[2].ID != 0 || js[3].ID == 0 || js[1].State != store.JobQueued ||
		js[1].MaxAttempts != 5 || js[3].MaxAttempts != 2 {
		t.Fatalf("EnqueueJobs set %+v", js)
	}
	if n, err := s.EnqueueJobs(ctx, []*store.Job{{Kind: ""}}); err == nil || n != 0 {
		t.Fatalf("EnqueueJobs of a job without a kind = %d, %v; want an error", n, err)
	}
	got, err := s.ClaimJobs(ctx, "w", "poll", base, time.Minute, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("ClaimJobs = %d jobs, %v; want 3", len(got), err)
	}
	ids := []int64{got[0].ID, got[1].ID}
	if n, err := s.CompleteJobs(ctx, "other", ids); err != nil || n != 0 {
		t.Fatalf("CompleteJobs by a worker that holds none = %d, %v; want 0", n, err)
	}
	if n, err := s.DeferJobs(ctx, "other", []store.JobDeferral{{ID: got[2].ID, RunAt: base}}); err != nil || n != 0 {
		t.Fatalf("DeferJobs by a worker that holds none = %d, %v; want 0", n, err)
	}
	if n, err := s.CompleteJobs(ctx, "w", ids); err != nil || n != 2 {
		t.Fatalf("CompleteJobs = %d, %v; want 2", n, err)
	}
	if n, err := s.CompleteJobs(ctx, "w", ids); err != nil || n != 0 {
		t.Fatalf("CompleteJobs again = %d, %v; want 0", n, err)
	}
	runAt := base.Add(time.Minute)
	if n, err := s.DeferJobs(ctx, "w", []store.JobDeferral{{ID: got[2].ID, RunAt: runAt}, {ID: got[0].ID, RunAt: runAt}}); err != nil || n != 1 {
		t.Fatalf("DeferJobs of one held and one done job = %d, %v; want 1", n, err)
	}
	if c := counts(t, s, base); c.Done != 2 || c.Queued != 1 || c.Waiting != 0 || c.Running != 0 {
		t.Fatalf("after the batches: JobCounts = %+v, want 2 done, 1 queued (deferred, not waiting)", c)
	}
	if again, err := s.ClaimJobs(ctx, "w", "poll", runAt.Add(-time.Millisecond), time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("ClaimJobs before the deferred time = %d jobs, %v; want none", len(again), err)
	}
	again, err := s.ClaimJobs(ctx, "w", "poll", runAt, time.Minute, 10)
	if err != nil || len(again) != 1 || again[0].ID != got[2].ID || again[0].Attempts != got[2].Attempts {
		t.Fatalf("ClaimJobs once due = %+v, %v; want job %d at attempt %d (the deferral gave it back)", again, err, got[2].ID, got[2].Attempts)
	}
}

// testRecordUnchangedPolls: a batch of polls answered 304 lands on every
// source (validators, times, errors cleared) with its job completed, in
// one write; an edit saved meanwhile survives; a source deleted meanwhile
// is skipped; a job another worker took over is left to it.
func testRecordUnchangedPolls(t *testing.T, s store.Store) {
	ctx := context.Background()
	var srcs []*store.Source
	for i := range 4 {
		src := newSource(t, s, fmt.Sprintf("https://unchanged%d.example/feed", i))
		src.ETag, src.LastModified, src.ErrorCount, src.LastError = `"old"`, "Mon, 02 Jan 2006", 2, "503"
		if err := s.RecordPoll(ctx, src); err != nil {
			t.Fatal(err)
		}
		enqueue(t, s, &store.Job{Kind: "poll", SourceID: src.ID, UniqueKey: fmt.Sprintf("poll:%d", src.ID), RunAt: base})
		srcs = append(srcs, src)
	}
	read, err := s.SourcesByID(ctx, []int64{srcs[0].ID, srcs[2].ID, srcs[3].ID, 1 << 40})
	if err != nil || len(read) != 3 {
		t.Fatalf("SourcesByID = %d sources, %v; want the 3 that exist", len(read), err)
	}
	for _, r := range read {
		if r.ETag != `"old"` || r.URL == "" || r.ErrorCount != 2 {
			t.Fatalf("SourcesByID read %+v", r)
		}
	}
	if got, err := s.SourcesByID(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("SourcesByID(none) = %v, %v", got, err)
	}
	js, err := s.ClaimJobs(ctx, "w", "poll", base, time.Minute, 10)
	if err != nil || len(js) != 4 {
		t.Fatalf("ClaimJobs = %d, %v; want 4", len(js), err)
	}
	// While the polls run: an editor renames source 0, source 1 is
	// deleted, and job 3's lease lapses and another worker takes it.
	edit := *srcs[0]
	edit.Name, edit.PollInterval = "Edited", 2*time.Hour
	if err := s.UpdateSource(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSource(ctx, srcs[1].ID); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 2} {
		if err := s.ExtendLease(ctx, js[i].ID, "w", base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	taken, err := s.ClaimJobs(ctx, "w2", "poll", base.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(taken) != 1 || taken[0].ID != js[3].ID {
		t.Fatalf("ClaimJobs after job 3's lease lapsed = %+v, %v; want job %d alone", taken, err, js[3].ID)
	}
	polled, next := base.Add(time.Minute), base.Add(31*time.Minute)
	var ps []store.UnchangedPoll
	for i, src := range srcs {
		ps = append(ps, store.UnchangedPoll{JobID: js[i].ID, SourceID: src.ID, ETag: fmt.Sprintf(`"new%d"`, i),
			LastModified: "Tue, 03 Jan 2006", PolledAt: polled, NextPollAt: next.Add(time.Duration(i) * time.Second)})
	}
	if err := s.RecordUnchangedPolls(ctx, "w", ps); err != nil {
		t.Fatalf("RecordUnchangedPolls: %v", err)
	}
	if err := s.RecordUnchangedPolls(ctx, "w", nil); err != nil {
		t.Fatalf("RecordUnchangedPolls(none): %v", err)
	}
	for i, src := range srcs {
		got, err := s.Source(ctx, src.ID)
		if i == 1 {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the deleted source: %+v, %v", got, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got.ETag != fmt.Sprintf(`"new%d"`, i) || got.LastModified != "Tue, 03 Jan 2006" ||
			!got.LastPolledAt.Equal(polled) || !got.LastSuccess.Equal(polled) ||
			!got.NextPollAt.Equal(next.Add(time.Duration(i)*time.Second)) || got.ErrorCount != 0 || got.LastError != "" ||
			got.URL != src.URL || got.Kind != src.Kind {
			t.Fatalf("source %d after the unchanged poll: %+v", i, got)
		}
		if i == 0 && (got.Name != "Edited" || got.PollInterval != 2*time.Hour) {
			t.Fatalf("the edit made during the poll was lost: %+v", got)
		}
	}
	// Jobs 0 and 2 were w's and are done; job 3 is still w2's.
	if err := s.CompleteJob(ctx, js[3].ID, "w2"); err != nil {
		t.Fatalf("the job w2 took over: CompleteJob by w2 = %v, want it still held", err)
	}
	for _, i := range []int{0, 2} {
		if err := s.CompleteJob(ctx, js[i].ID, "w"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("job %d: CompleteJob after RecordUnchangedPolls = %v, want ErrNotFound (done)", i, err)
		}
	}
	if c := counts(t, s, base.Add(time.Hour)); c.Done != 3 || c.Running != 0 || c.Queued != 0 {
		t.Fatalf("JobCounts = %+v, want 3 done", c)
	}
}
