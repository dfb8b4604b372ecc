package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"spektrum/internal/store"
)

// BatchHandler does jobs of one kind claimed together, and returns one
// outcome per job, in the order given, each meaning what a Handler's error
// means (nil completes the job, Defer defers it, Permanent or any error
// fails it), or Completed for a job whose completion the handler wrote
// itself. The runner writes the completions and deferrals of a batch in
// one transaction each.
type BatchHandler func(ctx context.Context, js []*store.Job) []error

// completedError is the outcome Completed returns.
type completedError struct{}

func (completedError) Error() string { return "jobs: completed by its handler" }

// Completed is the outcome of a job whose handler completed it in the
// store itself, in one transaction with the job's own writes (the
// pipeline's unchanged polls: a batch of sources and their jobs at once).
func Completed() error { return completedError{} }

// IsCompleted reports whether err is Completed.
func IsCompleted(err error) bool { return errors.As(err, new(completedError)) }

type batchKind struct {
	size int
	h    BatchHandler
}

// HandleBatch registers h for kind, in batches of up to size jobs: a
// worker that claims a job of kind claims up to size-1 more due ones of it
// in one statement and hands them all to h. Jobs of the kind wait their
// turn among the other kinds as before (the first is claimed with them);
// the batch only saves the claims, reads and writes of one job at a time,
// which are most of the cost of a job that does little (a feed answering
// "not modified"). A crash mid-batch loses nothing: every job's lease
// lapses and it is claimed again. Call before Run.
func (r *Runner) HandleBatch(kind string, size int, h BatchHandler) {
	size = max(size, 1)
	r.Handle(kind, func(ctx context.Context, j *store.Job) error {
		return h(ctx, []*store.Job{j})[0]
	})
	if r.batches == nil {
		r.batches = map[string]batchKind{}
	}
	r.batches[kind] = batchKind{size: size, h: h}
}

// executeBatch claims more jobs of first's kind and runs them with first
// as one batch, renewing their leases while the handler works, then
// records the outcomes.
func (r *Runner) executeBatch(ctx context.Context, first *store.Job, b batchKind) {
	js := []*store.Job{first}
	if b.size > 1 {
		more, err := r.st.ClaimJobs(ctx, r.opts.Worker, first.Kind, r.opts.Now(), r.opts.Lease, b.size-1)
		if err != nil {
			// The first job is claimed; it runs alone.
			r.opts.Logger.Warn("claim batch", "kind", first.Kind, "err", err)
		}
		for i := range more {
			js = append(js, &more[i])
		}
	}
	log := r.opts.Logger.With("kind", first.Kind, "batch", len(js))
	stop := r.renew(ctx, js, func(j *store.Job) {
		// The batch runs on; the job's outcome will not be recorded, as
		// its new holder records its own.
		log.Warn("lease lost", "job", j.ID)
	})
	outs := r.callBatch(ctx, b.h, js)
	stop()
	if ctx.Err() != nil {
		// Shutting down: leave the jobs to lapse and be retried.
		return
	}
	bg := context.WithoutCancel(ctx)
	var done []int64
	var deferred []store.JobDeferral
	for i, j := range js {
		err := outs[i]
		switch until, isDefer := DeferredUntil(err); {
		case err == nil:
			done = append(done, j.ID)
		case IsCompleted(err):
		case isDefer:
			deferred = append(deferred, store.JobDeferral{ID: j.ID, RunAt: until})
		default:
			r.fail(bg, j, err, log.With("job", j.ID, "attempt", j.Attempts))
		}
	}
	if _, err := r.st.CompleteJobs(bg, r.opts.Worker, done); err != nil {
		log.Warn("complete jobs", "err", err)
	}
	if len(deferred) > 0 {
		r.deferJobs(bg, deferred, log)
	}
}

// deferJobs is deferJob for a batch: one write, and the workers woken as
// each job falls due.
func (r *Runner) deferJobs(ctx context.Context, ds []store.JobDeferral, log *slog.Logger) {
	if _, err := r.st.DeferJobs(ctx, r.opts.Worker, ds); err != nil {
		log.Warn("defer jobs", "err", err)
		return
	}
	log.Debug("jobs deferred", "count", len(ds))
	now := r.opts.Now()
	wakes := map[int64]bool{} // one wake-up per moment, not per job
	r.mu.Lock()
	for _, d := range ds {
		if d.RunAt.After(r.deferredUntil) {
			r.deferredUntil = d.RunAt
		}
	}
	r.mu.Unlock()
	for _, d := range ds {
		at := d.RunAt.UnixMilli()
		if wakes[at] {
			continue
		}
		wakes[at] = true
		time.AfterFunc(d.RunAt.Sub(now), r.wakeAll)
	}
}

// callBatch runs h, turning a panic, or an answer of the wrong length,
// into a permanent failure of every job of the batch.
func (r *Runner) callBatch(ctx context.Context, h BatchHandler, js []*store.Job) (outs []error) {
	defer func() {
		if p := recover(); p != nil {
			outs = fill(len(js), Permanent(fmt.Errorf("panic in %s batch: %v", js[0].Kind, p)))
		}
	}()
	outs = h(ctx, js)
	if len(outs) != len(js) {
		return fill(len(js), Permanent(fmt.Errorf("%s batch handler: %d outcomes for %d jobs", js[0].Kind, len(outs), len(js))))
	}
	return outs
}

func fill(n int, err error) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
