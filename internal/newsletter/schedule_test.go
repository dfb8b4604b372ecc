package newsletter_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// runSchedule does what serve's workers do at the clock's time: create the
// periodic jobs due now (digest runs, clean-up) and work the queue until
// nothing runnable is left.
func (e *env) runSchedule() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := jobs.New(e.st, jobs.Options{Concurrency: 2, Poll: 10 * time.Millisecond, Now: e.clock.Now})
	e.n.Register(r)
	if _, err := r.EnqueueScheduled(ctx); err != nil {
		e.t.Fatalf("EnqueueScheduled: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	deadline := time.After(30 * time.Second)
	for {
		c, err := e.st.JobCounts(ctx, nil, e.clock.Now())
		if err != nil {
			e.t.Fatal(err)
		}
		if c.Dead > 0 {
			e.t.Fatalf("a job died: %+v", c)
		}
		if c.Queued == c.Waiting && c.Running == 0 {
			break
		}
		select {
		case <-deadline:
			e.t.Fatalf("the queue did not drain: %+v", c)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Run: %v", err)
	}
}

// TestScheduleRuns: on a Monday both runs go as periodic jobs; later the
// same day the runs are not planned again, so a reader confirming in the
// afternoon gets their first digest the next day; on Tuesday only the daily
// run goes.
func TestScheduleRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // SendHour 0 by default; the test moves the clock instead
	e.n = e.newNewsletter(e.mailer)
	e.seed(map[string][]string{"europe": {"Monday story"}})
	daily, weekly := e.addr("daily"), e.addr("weekly")
	e.activeSubscriber(daily, nil, store.Daily)
	e.activeSubscriber(weekly, nil, store.Weekly)

	e.runSchedule() // Monday 10:00
	e.mailpit.waitFor(daily, 1)
	e.mailpit.waitFor(weekly, 1)

	late := e.addr("late")
	e.activeSubscriber(late, nil, store.Daily)
	e.clock.Add(5 * time.Hour)
	e.runSchedule()
	if got := e.mailpit.to(late); len(got) != 0 {
		t.Fatalf("a subscriber confirmed after the day's run got %d digests the same day; want the next day's", len(got))
	}
	e.seed(map[string][]string{"tech": {"Tuesday story"}})
	e.clock.Add(19 * time.Hour) // Tuesday 10:00: daily only
	e.runSchedule()
	e.mailpit.waitFor(late, 1)
	e.mailpit.waitFor(daily, 2)
	if got := e.mailpit.to(weekly); len(got) != 1 {
		t.Fatalf("the weekly subscriber has %d digests on Tuesday, want still 1", len(got))
	}
}

// flaky fails its first send to each address with a temporary error.
type flaky struct {
	newsletter.Mailer
	mu   sync.Mutex
	seen map[string]bool
}

func (f *flaky) Send(ctx context.Context, m *newsletter.Message) error {
	f.mu.Lock()
	first := !f.seen[m.To]
	f.seen[m.To] = true
	f.mu.Unlock()
	if first {
		return errors.New("421 4.3.2 service busy, try later")
	}
	return f.Mailer.Send(ctx, m)
}

// TestTemporaryFailureRetriedByQueue: a digest refused for now stays
// pending in the send log with the error, its job waits one minute (not
// the queue's default backoff), and the retry delivers it once.
func TestTemporaryFailureRetriedByQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.n = e.newNewsletter(&flaky{Mailer: e.mailer, seen: map[string]bool{}})
	e.seed(map[string][]string{"europe": {"Busy story"}})
	addr := e.addr("busy")
	sub := e.activeSubscriber(addr, nil, store.Daily)

	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 0 || rep.Retrying != 1 {
		t.Fatalf("first try = %+v, %v; want nothing sent, one digest waiting to retry", rep, err)
	}
	log, err := e.st.DigestSends(ctx, sub.ID)
	if err != nil || len(log) != 1 || log[0].State != store.SendPending || log[0].Attempts != 1 ||
		log[0].LastError == "" || !log[0].NextAt.Equal(e.clock.Now().Add(time.Minute)) {
		t.Fatalf("send log after a temporary failure = %+v, %v; want pending, attempt 1, the error, next try in 1m", log, err)
	}
	e.clock.Add(59 * time.Second)
	if rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true}); err != nil || rep.SentNow != 0 {
		t.Fatalf("before the minute is up = %+v, %v; want nothing sent", rep, err)
	}
	e.clock.Add(time.Second)
	if rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true}); err != nil ||
		rep.SentNow != 1 || rep.Counts.Sent != 1 || rep.Retrying != 0 {
		t.Fatalf("after the minute = %+v, %v; want the digest sent", rep, err)
	}
	e.mailpit.waitFor(addr, 1)
	if log, err = e.st.DigestSends(ctx, sub.ID); err != nil || log[0].State != store.SendSent || log[0].Attempts != 2 {
		t.Fatalf("send log after the retry = %+v, %v; want sent on attempt 2", log, err)
	}
}
