// Package jobs runs background work from the durable queue kept in the store:
// workers claim a job with a lease, renew the lease while they work, and
// complete it, retry it with backoff, or dead-letter it after its last try.
//
// A process that dies mid-job simply stops renewing its lease; when the lease
// runs out any other worker (or the restarted process) claims the job again.
// Handlers must therefore be idempotent, which every pipeline step is.
//
// Periodic work (due polls, digests, clean-ups) is jobs too: Every makes a
// kind periodic, and Run creates each period's job once however many
// runners share the database (schedule.go).
//
// This package knows nothing of what the jobs do: handlers are registered by
// the pipeline. It must not import pipeline or web code.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"spektrum/internal/store"
)

// Store is what the queue needs from the database; the SQL store
// satisfies it.
type Store interface {
	Enqueuer
	Claim(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration) (*store.Job, error)
	ClaimJobs(ctx context.Context, worker, kind string, now time.Time, lease time.Duration, limit int) ([]store.Job, error)
	CompleteJobs(ctx context.Context, worker string, ids []int64) (int, error)
	DeferJobs(ctx context.Context, worker string, ds []store.JobDeferral) (int, error)
	ExtendLease(ctx context.Context, id int64, worker string, until time.Time) error
	CompleteJob(ctx context.Context, id int64, worker string) error
	FailJob(ctx context.Context, id int64, worker string, errMsg string, retryAt time.Time) error
	DeferJob(ctx context.Context, id int64, worker string, runAt time.Time) error
	JobCounts(ctx context.Context, kinds []string, now time.Time) (store.JobCounts, error)
}

// Enqueuer adds jobs: all that a stage queueing work for another needs.
type Enqueuer interface {
	Enqueue(ctx context.Context, j *store.Job) (bool, error)
}

// Handler does one job. Returning nil completes it; an error retries it with
// backoff, or dead-letters it when wrapped with Permanent or on the last try;
// Defer(t) puts it back to run at t without counting the attempt; Completed
// says the handler completed it in the store itself.
type Handler func(ctx context.Context, j *store.Job) error

// Options tune a Runner. Zero values mean the defaults.
type Options struct {
	Worker      string        // this process's name in locked_by; default host-pid-random
	Concurrency int           // parallel jobs; default 4
	Lease       time.Duration // how long a claim lasts without renewal; default 2m
	Poll        time.Duration // how often an idle worker looks for work; default 1s
	// Backoff gives the delay before retry number attempt (1-based); default
	// 30s·4^(attempt-1), capped at 6h.
	Backoff func(attempt int) time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// Runner claims and runs jobs of the kinds it has handlers for.
type Runner struct {
	st       Store
	opts     Options
	handlers map[string]Handler
	kinds    []string
	batches  map[string]batchKind // kinds worked in batches (batch.go)

	// wake is closed (and replaced) whenever a job finishes here, so idle
	// workers look for the jobs it may have queued at once instead of at
	// their next poll.
	mu   sync.Mutex
	wake chan struct{}
	// deferredUntil is the latest time a job deferred here is due: until
	// then RunUntilIdle is not done, though those jobs look like retries
	// waiting out a backoff.
	deferredUntil time.Time

	drain bool // Drain: a worker stops at the first empty claim

	schedMu   sync.Mutex
	schedules []*schedule     // periodic kinds (schedule.go)
	bg        map[string]bool // kinds only Run works
}

// New returns a Runner on st.
func New(st Store, opts Options) *Runner {
	if opts.Worker == "" {
		opts.Worker = workerName()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Runner{st: st, opts: opts, handlers: map[string]Handler{}, wake: make(chan struct{})}
}

// DefaultBackoff is 30s, 2m, 8m, 32m, ... capped at 6h.
func DefaultBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 4
	}
	return min(d, 6*time.Hour)
}

func workerName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker returns the name this runner claims jobs under.
func (r *Runner) Worker() string { return r.opts.Worker }

// Handle registers h for jobs of kind. Call before Run.
func (r *Runner) Handle(kind string, h Handler) {
	if _, ok := r.handlers[kind]; !ok {
		r.kinds = append(r.kinds, kind)
	}
	r.handlers[kind] = h
	delete(r.batches, kind) // one job at a time from now on
}

// Kinds lists the registered job kinds.
func (r *Runner) Kinds() []string { return append([]string(nil), r.kinds...) }

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the job is dead-lettered at once instead of retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// retryError asks for the next try after a delay of its own.
type retryError struct {
	err   error
	after time.Duration
}

func (e retryError) Error() string { return e.err.Error() }
func (e retryError) Unwrap() error { return e.err }

// RetryAfter wraps err so the job's next try comes after d instead of the
// runner's backoff (a kind with a retry schedule of its own, like mail).
// The job's attempts still count.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return retryError{err, d}
}

// deferError asks for the job to run again at until, as if not yet run.
type deferError struct{ until time.Time }

func (e deferError) Error() string { return "deferred until " + e.until.Format(time.RFC3339Nano) }

// Defer is what a handler returns when its job cannot start now for a reason
// outside the job (its host is busy with other requests) and can at until:
// the job goes back to the queue for until and the attempt its claim counted
// is given back, so waiting never uses up a job's tries. Other due jobs run
// meanwhile. A handler must defer only before it has done anything.
func Defer(until time.Time) error { return deferError{until} }

// DeferredUntil reports whether err is a Defer, and until when.
func DeferredUntil(err error) (time.Time, bool) {
	var d deferError
	if errors.As(err, &d) {
		return d.until, true
	}
	return time.Time{}, false
}

// Enqueue adds a job of kind with payload marshalled as JSON. With a
// non-empty key, a queued or running job with the same key makes it a no-op
// (false).
func Enqueue(ctx context.Context, st Enqueuer, kind, key string, sourceID int64, payload any) (bool, error) {
	return EnqueueAt(ctx, st, kind, key, sourceID, payload, time.Now())
}

// EnqueueAt is Enqueue for a job that must not run before runAt: the retry
// of work that already failed once elsewhere waits out a backoff.
func EnqueueAt(ctx context.Context, st Enqueuer, kind, key string, sourceID int64, payload any, runAt time.Time) (bool, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: encode payload: %w", kind, err)
	}
	ok, err := st.Enqueue(ctx, &store.Job{Kind: kind, UniqueKey: key, SourceID: sourceID, Payload: b, RunAt: runAt})
	if err != nil {
		return false, fmt.Errorf("enqueue %s %q: %w", kind, key, err)
	}
	return ok, nil
}

// Run works until ctx is cancelled. Jobs in progress are given their
// context's cancellation and their leases simply lapse if they don't finish.
func (r *Runner) Run(ctx context.Context) error {
	return r.run(ctx, false)
}

// RunUntilIdle works until no job of the registered kinds is runnable or
// running (anyone's), then returns. Jobs waiting out a retry backoff are
// left for later; jobs deferred until their host is free are waited for,
// whichever process (a dead one too) deferred them. This is `spektrum
// fetch`: one pass to the end.
func (r *Runner) RunUntilIdle(ctx context.Context) error {
	return r.run(ctx, true)
}

// Drain is RunUntilIdle that does not wait for jobs other workers hold:
// each worker stops when it finds nothing to claim, so jobs whose worker
// died are left until their lease runs out (a command sending a run).
func (r *Runner) Drain(ctx context.Context) error {
	r.drain = true
	defer func() { r.drain = false }()
	return r.run(ctx, true)
}

func (r *Runner) run(parent context.Context, untilIdle bool) error {
	if len(r.kinds) == 0 {
		return errors.New("jobs: no handlers registered")
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var wg sync.WaitGroup
	kinds := r.kinds
	if untilIdle {
		// A one-off pass leaves periodic work to the runners that Run.
		kinds = slices.DeleteFunc(slices.Clone(kinds), r.background)
		if len(kinds) == 0 {
			return nil // (no kinds would claim any kind)
		}
	} else {
		wg.Go(func() { r.scheduleLoop(ctx) })
	}
	errc := make(chan error, r.opts.Concurrency)
	for range r.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.loop(ctx, kinds, untilIdle); err != nil {
				errc <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	// An interrupted pass is not a finished one: say so, so that callers
	// (spektrum fetch) don't report it as complete.
	return parent.Err()
}

func (r *Runner) loop(ctx context.Context, kinds []string, untilIdle bool) error {
	failures := 0
	for ctx.Err() == nil {
		// Take the wake channel before looking for work: a wake-up that
		// comes after the look (a deferred job falling due, a job finished
		// elsewhere) then ends the wait below at once instead of being
		// missed until the next poll.
		r.mu.Lock()
		wake := r.wake
		r.mu.Unlock()
		j, err := r.st.Claim(ctx, r.opts.Worker, kinds, r.opts.Now(), r.opts.Lease)
		switch {
		case err == nil:
			failures = 0
			if b, ok := r.batches[j.Kind]; ok {
				r.executeBatch(ctx, j, b)
			} else {
				r.execute(ctx, j)
			}
			r.wakeAll()
			continue
		case errors.Is(err, store.ErrNotFound):
			if untilIdle && r.drain {
				return nil
			}
			if untilIdle {
				idle, err := r.idle(ctx, kinds)
				if err != nil {
					return err
				}
				if idle {
					return nil
				}
			}
		case ctx.Err() != nil:
			return nil
		default:
			// A store hiccup (a restarting database) must not kill the
			// worker; give up only when it persists.
			failures++
			r.opts.Logger.Warn("claim job", "err", err, "failures", failures)
			if failures >= 10 {
				return fmt.Errorf("jobs: claiming keeps failing: %w", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(r.opts.Poll):
		}
	}
	return nil
}

// wakeAll has idle workers look for work now.
func (r *Runner) wakeAll() {
	r.mu.Lock()
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

func (r *Runner) idle(ctx context.Context, kinds []string) (bool, error) {
	now := r.opts.Now()
	r.mu.Lock()
	deferred := r.deferredUntil.After(now)
	r.mu.Unlock()
	if deferred {
		return false, nil
	}
	c, err := r.st.JobCounts(ctx, kinds, now)
	if err != nil {
		return false, fmt.Errorf("jobs: count: %w", err)
	}
	return c.Queued-c.Waiting == 0 && c.Running == 0, nil
}

// deferJob puts j back for until and wakes the workers then, so the job
// starts when its turn comes rather than at some later poll.
func (r *Runner) deferJob(ctx context.Context, j *store.Job, until time.Time, log *slog.Logger) {
	if err := r.st.DeferJob(ctx, j.ID, r.opts.Worker, until); err != nil {
		log.Warn("defer job", "err", err)
		return
	}
	log.Debug("job deferred", "until", until)
	r.mu.Lock()
	if until.After(r.deferredUntil) {
		r.deferredUntil = until
	}
	r.mu.Unlock()
	time.AfterFunc(until.Sub(r.opts.Now()), r.wakeAll)
}

// execute runs one claimed job, renewing its lease while the handler works.
func (r *Runner) execute(ctx context.Context, j *store.Job) {
	log := r.opts.Logger.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := r.renew(jctx, []*store.Job{j}, func(*store.Job) {
		// Someone else holds it now; stop working on it.
		log.Warn("lease lost")
		cancel()
	})
	err := r.call(jctx, j)
	stop()
	if ctx.Err() != nil {
		// Shutting down: leave the job to lapse and be retried.
		return
	}
	// Use a fresh context so a cancelled handler still records its outcome.
	bg := context.WithoutCancel(ctx)
	if err == nil {
		if cerr := r.st.CompleteJob(bg, j.ID, r.opts.Worker); cerr != nil {
			log.Warn("complete job", "err", cerr)
		}
		return
	}
	if IsCompleted(err) {
		return
	}
	if until, ok := DeferredUntil(err); ok {
		r.deferJob(bg, j, until, log)
		return
	}
	r.fail(bg, j, err, log)
}

// fail records a job's failure: queued again after its backoff, or dead
// when permanent or out of tries.
func (r *Runner) fail(ctx context.Context, j *store.Job, err error, log *slog.Logger) {
	var retryAt time.Time
	if !IsPermanent(err) {
		retryAt = r.opts.Now().Add(r.opts.Backoff(j.Attempts))
		if re := (retryError{}); errors.As(err, &re) {
			retryAt = r.opts.Now().Add(re.after)
		}
	}
	log.Info("job failed", "err", err, "retry_at", retryAt)
	if ferr := r.st.FailJob(ctx, j.ID, r.opts.Worker, err.Error(), retryAt); ferr != nil {
		log.Warn("fail job", "err", ferr)
	}
}

// renew extends the leases of js every third of a lease until the
// returned stop is called; lost hears of each job someone else took over
// (whose lease ran out meanwhile), once.
func (r *Runner) renew(ctx context.Context, js []*store.Job, lost func(*store.Job)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		held := slices.Clone(js)
		t := time.NewTicker(r.opts.Lease / 3)
		defer t.Stop()
		for len(held) > 0 {
			select {
			case <-done:
				return
			case <-t.C:
			}
			held = slices.DeleteFunc(held, func(j *store.Job) bool {
				err := r.st.ExtendLease(ctx, j.ID, r.opts.Worker, r.opts.Now().Add(r.opts.Lease))
				if errors.Is(err, store.ErrNotFound) {
					lost(j)
					return true
				}
				return false
			})
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// call runs the handler, turning a panic into a permanent failure so one bad
// input can't take the worker down.
func (r *Runner) call(ctx context.Context, j *store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("panic in %s job: %v", j.Kind, p))
		}
	}()
	h := r.handlers[j.Kind]
	return h(ctx, j)
}
