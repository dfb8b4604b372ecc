package newsletter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"spektrum/internal/store"
)

// Schedule sends the digests while ctx lasts: daily ones from Config.SendHour
// (UTC) each day, weekly ones from that hour on Mondays. It checks every
// minute. Once a run has begun it is only resumed (retries, rows a crashed
// process left), not planned again, so someone who confirms in the
// afternoon gets their first digest with the next run rather than at once.
// Several processes may run it: the send log keeps every digest single.
func (n *Newsletter) Schedule(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	var lastPurge time.Time
	for {
		now := n.now().UTC()
		if err := n.RunDue(ctx); err != nil && ctx.Err() == nil {
			n.log.WarnContext(ctx, "digest run", "err", err)
		}
		if now.Sub(lastPurge) > time.Hour {
			if _, err := n.st.PurgeHits(ctx, now.Add(-48*time.Hour)); err != nil && ctx.Err() == nil {
				n.log.WarnContext(ctx, "purge sign-up counters", "err", err)
			}
			// The send log is kept a little over a year: long enough to
			// answer "when did you mail me" in an export.
			if _, err := n.st.PurgeDigestSends(ctx, now.Add(-400*24*time.Hour)); err != nil && ctx.Err() == nil {
				n.log.WarnContext(ctx, "purge send log", "err", err)
			}
			if k, err := n.PurgeUnconfirmed(ctx); err != nil && ctx.Err() == nil {
				n.log.WarnContext(ctx, "erase unconfirmed sign-ups", "err", err)
			} else if k > 0 {
				n.log.InfoContext(ctx, "unconfirmed sign-ups erased", "count", k)
			}
			lastPurge = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
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

// RunDue does one round of Schedule: it starts or resumes the daily and
// weekly runs that are due now.
func (n *Newsletter) RunDue(ctx context.Context) error {
	now := n.now().UTC()
	var errs []error
	for _, freq := range []string{store.Daily, store.Weekly} {
		if !n.due(freq, now) {
			continue
		}
		if err := n.scheduledRun(ctx, freq, now); err != nil {
			errs = append(errs, fmt.Errorf("%s digests: %w", freq, err))
		}
	}
	return errors.Join(errs...)
}

// due reports whether the run of freq containing now may start.
func (n *Newsletter) due(freq string, now time.Time) bool {
	if now.Hour() < n.cfg.SendHour {
		return false
	}
	return freq == store.Daily || now.Weekday() == time.Monday
}

func (n *Newsletter) scheduledRun(ctx context.Context, freq string, now time.Time) error {
	c, err := n.st.DigestSendCounts(ctx, RunKey(freq, now))
	if err != nil {
		return err
	}
	started := c.Pending+c.Sent+c.Empty+c.Failed+c.Skipped > 0
	if started && c.Pending == 0 {
		return nil
	}
	rep, err := n.SendDigests(ctx, SendOptions{Frequency: freq, ResumeOnly: started})
	if err != nil {
		return err
	}
	if rep.Planned > 0 || rep.SentNow > 0 {
		n.log.InfoContext(ctx, "digests sent", "run", rep.RunKey, "summary", rep.String())
	}
	return nil
}
