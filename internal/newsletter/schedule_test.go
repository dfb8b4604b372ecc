package newsletter_test

import (
	"context"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestScheduleRuns: nothing before the send hour; on a Monday after it both
// runs go; later ticks of the same day resume but add nobody, so a reader
// confirming in the afternoon gets their first digest the next day.
func TestScheduleRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // SendHour 0 by default; the test moves the clock instead
	ctx := context.Background()
	e.n = e.newNewsletter(e.mailer)
	e.seed(map[string][]string{"europe": {"Monday story"}})
	daily, weekly := e.addr("daily"), e.addr("weekly")
	e.activeSubscriber(daily, nil, store.Daily)
	e.activeSubscriber(weekly, nil, store.Weekly)

	if err := e.n.RunDue(ctx); err != nil { // Monday 10:00
		t.Fatalf("RunDue: %v", err)
	}
	e.mailpit.waitFor(daily, 1)
	e.mailpit.waitFor(weekly, 1)

	late := e.addr("late")
	e.activeSubscriber(late, nil, store.Daily)
	e.clock.Add(5 * time.Hour)
	if err := e.n.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.mailpit.to(late); len(got) != 0 {
		t.Fatalf("a subscriber confirmed after the day's run got %d digests the same day; want the next day's", len(got))
	}
	e.seed(map[string][]string{"tech": {"Tuesday story"}})
	e.clock.Add(19 * time.Hour) // Tuesday 10:00: daily only
	if err := e.n.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	e.mailpit.waitFor(late, 1)
	e.mailpit.waitFor(daily, 2)
	if got := e.mailpit.to(weekly); len(got) != 1 {
		t.Fatalf("the weekly subscriber has %d digests on Tuesday, want still 1", len(got))
	}
}
