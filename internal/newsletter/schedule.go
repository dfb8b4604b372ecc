package newsletter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// Job kinds of the digests and the newsletter's clean-up.
const (
	jobDigestDaily  = "digest-daily"       // periodic: plans and queues the day's run
	jobDigestWeekly = "digest-weekly"      // periodic: the week's run, Mondays
	jobDigest       = "digest"             // one subscriber's digest of one run, retried on its own
	jobDigestBatch  = "digest-batch"       // the untried digests of one run's id range
	jobCleanup      = "newsletter-cleanup" // periodic: counters, send log, unconfirmed sign-ups
)

// registerSending adds the digests and the clean-up to r as queue jobs:
// daily digests go out from Config.SendHour (UTC) each day, weekly ones
// from that hour on Mondays. Each run is planned once per period by
// whichever worker claims its periodic job, so someone who confirms in the
// afternoon gets their first digest with the next run rather than at once.
func (n *Newsletter) registerSending(r *jobs.Runner) {
	// Digests are serve's work: a one-off pass (spektrum fetch) neither
	// sends nor waits for them; `spektrum newsletter send` drains them.
	r.HandleBackground(jobDigest, func(ctx context.Context, j *store.Job) error {
		_, err := n.digestJob(ctx, j)
		return err
	})
	r.HandleBackground(jobDigestBatch, func(ctx context.Context, j *store.Job) error {
		_, err := n.digestBatchJob(ctx, j)
		return err
	})
	// A run the newsroom starts from the admin (editor.go): only planned
	// here, so any pass may take it (the digests it queues are serve's).
	r.Handle(jobSendNow, n.sendNowJob)
	r.Every(jobDigestDaily, jobs.Daily(n.cfg.SendHour), n.runJob(store.Daily))
	r.Every(jobDigestWeekly, jobs.Weekly(time.Monday, n.cfg.SendHour), n.runJob(store.Weekly))
	r.Every(jobCleanup, jobs.Interval{Every: time.Hour}, n.cleanup)
}

// runJob plans the run of freq for the job's period and queues its digests.
func (n *Newsletter) runJob(freq string) jobs.Handler {
	return func(ctx context.Context, j *store.Job) error {
		at := jobs.Period(j)
		if at.IsZero() {
			at = n.now()
		}
		planned, err := n.planRun(ctx, freq, "", at, false)
		if err != nil {
			return fmt.Errorf("%s digests: %w", freq, err)
		}
		if planned > 0 {
			n.log.InfoContext(ctx, "digests queued", "run", RunKey(freq, at), "subscribers", planned)
		}
		return nil
	}
}

// cleanup forgets what is kept only for a while: sign-up counters, the
// send log after a year, sign-ups nobody confirmed.
func (n *Newsletter) cleanup(ctx context.Context, _ *store.Job) error {
	now := n.now().UTC()
	var errs []error
	if _, err := n.st.PurgeHits(ctx, now.Add(-48*time.Hour)); err != nil {
		errs = append(errs, fmt.Errorf("purge sign-up counters: %w", err))
	}
	// The send log is kept a little over a year: long enough to answer
	// "when did you mail me" in an export.
	if _, err := n.st.PurgeDigestSends(ctx, now.Add(-400*24*time.Hour)); err != nil {
		errs = append(errs, fmt.Errorf("purge send log: %w", err))
	}
	if k, err := n.PurgeUnconfirmed(ctx); err != nil {
		errs = append(errs, fmt.Errorf("erase unconfirmed sign-ups: %w", err))
	} else if k > 0 {
		n.log.InfoContext(ctx, "unconfirmed sign-ups erased", "count", k)
	}
	return errors.Join(errs...)
}

// PurgeUnconfirmed erases sign-ups nobody confirmed within ConfirmWindow
// of their last confirmation mail: an address we may never mail is not
// kept. It returns how many it erased.
func (n *Newsletter) PurgeUnconfirmed(ctx context.Context) (int, error) {
	cutoff := n.now().Add(-n.cfg.ConfirmWindow)
	var after int64
	erased := 0
	for {
		subs, err := n.st.Subscribers(ctx, store.SubPending, "", after, 500)
		if err != nil || len(subs) == 0 {
			return erased, err
		}
		for _, s := range subs {
			after = s.ID
			last := s.ConfirmSentAt
			if last.IsZero() {
				last = s.CreatedAt
			}
			if last.After(cutoff) {
				continue
			}
			if err := n.st.DeleteSubscriber(ctx, s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return erased, err
			}
			erased++
		}
	}
}
