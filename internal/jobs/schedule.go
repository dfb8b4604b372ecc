package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"spektrum/internal/store"
)

// Interval is a schedule's rule: periods of Every, aligned to Offset after
// the Unix epoch in UTC. Interval{Every: time.Hour} starts on the hour;
// Daily(10) each day at 10:00 UTC; Weekly(time.Monday, 10) Mondays at 10:00.
type Interval struct {
	Every  time.Duration
	Offset time.Duration
}

// Daily is one period a day, from hour (UTC).
func Daily(hour int) Interval {
	return Interval{Every: 24 * time.Hour, Offset: time.Duration(hour) * time.Hour}
}

// Weekly is one period a week, from hour (UTC) on day.
func Weekly(day time.Weekday, hour int) Interval {
	// The epoch was a Thursday.
	days := (int(day) - int(time.Thursday) + 7) % 7
	return Interval{Every: 7 * 24 * time.Hour, Offset: time.Duration(days*24+hour) * time.Hour}
}

// Start returns the start of the period containing t.
func (iv Interval) Start(t time.Time) time.Time {
	d := t.Sub(time.Unix(0, 0)) - iv.Offset
	k := d / iv.Every
	if d < 0 && d%iv.Every != 0 {
		k--
	}
	return time.Unix(0, 0).Add(iv.Offset + k*iv.Every).UTC()
}

type schedule struct {
	kind string
	rule Interval
	last time.Time // the period start last enqueued (or found enqueued) here
}

type periodPayload struct {
	Period time.Time `json:"period"`
}

// Every registers h for kind and makes kind periodic: while Run works, each
// period of rule gets one job of kind, created under a once-key (see
// store.OnceKeyPrefix) so that however many runners share the database the
// occurrence is created once and run once by whichever worker claims it,
// with the queue's leases and retries. A runner coming up mid-period starts
// the current period's job if nobody has; periods when no runner was up are
// not caught up. The key is free again once the done job is purged, so rule
// must be shorter than the purge's age (the app keeps done jobs 7 days).
//
// RunUntilIdle neither creates nor runs periodic jobs: a one-off pass does
// not mail digests or purge.
func (r *Runner) Every(kind string, rule Interval, h Handler) {
	if rule.Every <= 0 {
		panic(fmt.Sprintf("jobs: schedule %s: period %v must be positive", kind, rule.Every))
	}
	r.HandleBackground(kind, h)
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	r.schedules = append(r.schedules, &schedule{kind: kind, rule: rule})
}

// HandleBackground registers h for kind as work only Run does, like the
// periodic kinds and the jobs they spawn (a digest run's mails):
// RunUntilIdle neither runs nor waits for it.
func (r *Runner) HandleBackground(kind string, h Handler) {
	r.Handle(kind, h)
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	if r.bg == nil {
		r.bg = map[string]bool{}
	}
	r.bg[kind] = true
}

// Period returns the start of the period a periodic job was created for
// (zero for other jobs).
func Period(j *store.Job) time.Time {
	var p periodPayload
	_ = json.Unmarshal(j.Payload, &p) // other jobs' payloads simply have no period
	return p.Period
}

// periodicAttempts is how often a periodic job is tried before it is
// dead-lettered.
const periodicAttempts = 12

// EnqueueScheduled creates the current period's job of every schedule that
// has none yet and returns how many it created. Run calls it at each period
// start; it is exported for tests and tools.
func (r *Runner) EnqueueScheduled(ctx context.Context) (int, error) {
	now := r.opts.Now()
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	made := 0
	for _, s := range r.schedules {
		start := s.rule.Start(now)
		if start.Equal(s.last) {
			continue
		}
		b, err := json.Marshal(periodPayload{start})
		if err != nil {
			return made, err
		}
		key := store.OnceKeyPrefix + s.kind + "@" + start.Format(time.RFC3339)
		// A period's job is made once (its once: key outlives it), so it
		// gets more tries than the default five (43 minutes of backoff):
		// with twelve, a day's digest run outlasts a database or SMTP outage
		// of more than a day before it is given up.
		ok, err := r.st.Enqueue(ctx, &store.Job{Kind: s.kind, UniqueKey: key, Payload: b, RunAt: start, MaxAttempts: periodicAttempts})
		if err != nil {
			return made, fmt.Errorf("jobs: schedule %s: %w", s.kind, err)
		}
		s.last = start
		if ok {
			made++
		}
	}
	return made, nil
}

// background reports whether kind is left to Run (HandleBackground).
func (r *Runner) background(kind string) bool {
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	return r.bg[kind]
}

// nextStart is when the earliest next period of any schedule begins.
func (r *Runner) nextStart(now time.Time) time.Time {
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	var next time.Time
	for _, s := range r.schedules {
		n := s.rule.Start(now).Add(s.rule.Every)
		if next.IsZero() || n.Before(next) {
			next = n
		}
	}
	return next
}

// scheduleLoop creates each period's jobs as the period begins. It looks
// at least once a minute, so a clock that jumps or a store that failed is
// caught up soon.
func (r *Runner) scheduleLoop(ctx context.Context) {
	r.schedMu.Lock()
	none := len(r.schedules) == 0
	r.schedMu.Unlock()
	if none {
		return
	}
	for ctx.Err() == nil {
		if n, err := r.EnqueueScheduled(ctx); err != nil && ctx.Err() == nil {
			r.opts.Logger.Warn("schedule periodic jobs", "err", err)
		} else if n > 0 {
			r.opts.Logger.Debug("periodic jobs queued", "count", n)
		}
		wait := min(r.nextStart(r.opts.Now()).Sub(r.opts.Now()), time.Minute)
		t := time.NewTimer(max(wait, 10*time.Millisecond))
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}
