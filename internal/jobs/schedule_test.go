package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite"
)

func TestIntervalStart(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		rule     jobs.Interval
		now      string
		want     string
		describe string
	}{
		{jobs.Interval{Every: time.Hour}, "2026-11-30T01:14:30Z", "2026-11-30T01:00:00Z", "hourly"},
		{jobs.Interval{Every: 30 * time.Second}, "2026-11-30T01:14:45Z", "2026-11-30T01:14:30Z", "every 30s"},
		{jobs.Daily(10), "2026-11-30T10:00:00Z", "2026-11-30T10:00:00Z", "daily at its start"},
		{jobs.Daily(10), "2026-11-30T09:59:59Z", "2026-11-29T10:00:00Z", "daily before the hour: yesterday's"},
		{jobs.Daily(0), "2026-11-30T23:59:00Z", "2026-11-30T00:00:00Z", "daily at midnight"},
		{jobs.Weekly(time.Monday, 10), "2026-11-30T11:00:00Z", "2026-11-30T10:00:00Z", "a Monday after the hour"},
		{jobs.Weekly(time.Monday, 10), "2026-11-30T09:00:00Z", "2026-11-23T10:00:00Z", "a Monday before the hour: last week's"},
		{jobs.Weekly(time.Monday, 10), "2026-12-05T09:00:00Z", "2026-11-30T10:00:00Z", "the Saturday after"},
		{jobs.Weekly(time.Sunday, 0), "2026-11-30T09:00:00Z", "2026-11-29T00:00:00Z", "Sunday midnight"},
		{jobs.Daily(10), "1969-12-31T09:00:00Z", "1969-12-30T10:00:00Z", "before the epoch"},
	} {
		if got := tc.rule.Start(at(tc.now)); !got.Equal(at(tc.want)) {
			t.Errorf("%s: Start(%s) = %s, want %s", tc.describe, tc.now, got.Format(time.RFC3339), tc.want)
		}
	}
}

// TestSchedulePeriodOnceSQLite: two processes on one SQLite file.
func TestSchedulePeriodOnceSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jobs.db")
	testSchedulePeriodOnce(t, func() store.Store {
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestSchedulePeriodOncePostgres: two processes (two pools) on one schema.
func TestSchedulePeriodOncePostgres(t *testing.T) {
	testSchedulePeriodOnce(t, pgStore(t))
}

// testSchedulePeriodOnce: several runners in two processes create the
// period's job at the same moment; it exists once, runs once, and is not
// created again after it is done; the next period's job is created once.
func testSchedulePeriodOnce(t *testing.T, open func() store.Store) {
	ctx := context.Background()
	stores := []store.Store{open(), open()}
	var mu sync.Mutex
	now := time.Date(2026, 11, 30, 10, 20, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var ran sync.Map // period → times run
	runner := func(st store.Store) *jobs.Runner {
		o := fastOpts()
		o.Now = clock
		r := jobs.New(st, o)
		r.Every("tick", jobs.Interval{Every: time.Hour}, func(ctx context.Context, j *store.Job) error {
			n, _ := ran.LoadOrStore(jobs.Period(j).Format(time.RFC3339), new(int))
			mu.Lock()
			*n.(*int)++
			mu.Unlock()
			return nil
		})
		return r
	}
	// Eight runners, four per process, all at once.
	createAll := func() int {
		var wg sync.WaitGroup
		made := make([]int, 8)
		for i := range made {
			wg.Go(func() {
				n, err := runner(stores[i%2]).EnqueueScheduled(ctx)
				if err != nil {
					t.Errorf("EnqueueScheduled: %v", err)
				}
				made[i] = n
			})
		}
		wg.Wait()
		total := 0
		for _, n := range made {
			total += n
		}
		return total
	}
	if n := createAll(); n != 1 {
		t.Fatalf("eight runners created %d jobs for one period, want 1", n)
	}
	// One runner per process works the queue until the job is done.
	runUntilDone := func() {
		t.Helper()
		rctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, st := range stores {
			r := runner(st)
			wg.Go(func() { _ = r.Run(rctx) })
		}
		deadline := time.After(30 * time.Second)
		for {
			c, err := stores[0].JobCounts(ctx, []string{"tick"}, clock())
			if err != nil {
				t.Fatal(err)
			}
			if c.Queued == 0 && c.Running == 0 {
				break
			}
			select {
			case <-deadline:
				t.Fatalf("the periodic job did not finish: %+v", c)
			case <-time.After(20 * time.Millisecond):
			}
		}
		cancel()
		wg.Wait()
	}
	runUntilDone()
	if n := createAll(); n != 0 {
		t.Fatalf("after the period's job was done, %d more were created; want none", n)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if n := createAll(); n != 1 {
		t.Fatalf("the next period: %d jobs created, want 1", n)
	}
	runUntilDone()
	c, err := stores[1].JobCounts(ctx, []string{"tick"}, clock())
	if err != nil {
		t.Fatal(err)
	}
	if c.Done != 2 || c.Queued+c.Running+c.Dead != 0 {
		t.Fatalf("tick jobs %+v, want 2 done and nothing else", c)
	}
	for _, p := range []string{"2026-11-30T10:00:00Z", "2026-11-30T11:00:00Z"} {
		v, ok := ran.Load(p)
		if !ok || *v.(*int) != 1 {
			t.Errorf("period %s ran %v times, want once", p, v)
		}
	}
}

// A one-off pass (spektrum fetch) runs the queued work but neither creates
// nor runs periodic jobs.
func TestRunUntilIdleLeavesPeriodicJobs(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	r := jobs.New(st, fastOpts())
	ticked, worked := 0, 0
	r.Every("tick", jobs.Interval{Every: time.Hour}, func(context.Context, *store.Job) error { ticked++; return nil })
	r.Handle("work", func(context.Context, *store.Job) error { worked++; return nil })
	if _, err := r.EnqueueScheduled(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Enqueue(ctx, st, "work", "", 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if worked != 1 || ticked != 0 {
		t.Fatalf("RunUntilIdle ran %d work and %d periodic jobs, want 1 and 0", worked, ticked)
	}
	if c, err := st.JobCounts(ctx, []string{"tick"}, time.Now()); err != nil || c.Queued != 1 {
		t.Fatalf("periodic job counts %+v, %v; want it still queued for Run", c, err)
	}
}

// pgStore returns an opener of stores in one fresh schema of the test
// server (pgtest), so several runners can share a database.
func pgStore(t *testing.T) func() store.Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	return func() store.Store { return pgtest.Open(t, dsn) }
}

// Run creates the current period's job itself and runs it.
func TestRunCreatesPeriodicJobs(t *testing.T) {
	st := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := jobs.New(st, fastOpts())
	ticked := make(chan time.Time, 1)
	r.Every("tick", jobs.Interval{Every: time.Hour}, func(_ context.Context, j *store.Job) error {
		ticked <- jobs.Period(j)
		return nil
	})
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	select {
	case p := <-ticked:
		if want := (jobs.Interval{Every: time.Hour}).Start(time.Now()); !p.Equal(want) && !p.Equal(want.Add(-time.Hour)) {
			t.Errorf("the job ran for period %s, want the current hour %s", p, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not create and run the period's job")
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
}
