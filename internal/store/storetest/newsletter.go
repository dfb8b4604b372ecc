package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testNewsletter runs the newsletter store's checks as subtests sharing one
// store; each uses its own addresses and run keys.
func testNewsletter(t *testing.T, s store.Store) {
	// Planning counts every active subscriber, so it goes before the
	// subtests that add more.
	t.Run("PlanAndFinish", func(t *testing.T) { testPlanAndFinish(t, s) })
	t.Run("ConcurrentFinishSends", func(t *testing.T) { testConcurrentFinishSends(t, s) })
	t.Run("Secret", func(t *testing.T) { testSecret(t, s) })
	t.Run("Subscribers", func(t *testing.T) { testSubscribers(t, s) })
	t.Run("ConfirmOnce", func(t *testing.T) { testConfirmOnce(t, s) })
	t.Run("ConsentsAndErase", func(t *testing.T) { testConsentsAndErase(t, s) })
	t.Run("Hits", func(t *testing.T) { testHits(t, s) })
	t.Run("DigestArticles", func(t *testing.T) { testDigestArticles(t, s) })
	t.Run("SearchSubscribers", func(t *testing.T) { testSearchSubscribers(t, s) }) // newsletter_admin.go
	t.Run("RunsAndMarks", func(t *testing.T) { testRunsAndMarks(t, s) })           // newsletter_admin.go
}

func newSubscriber(t *testing.T, s store.Store, email, status, freq string) *store.Subscriber {
	t.Helper()
	sub := &store.Subscriber{Email: email, Language: "en", Frequency: freq, Status: status,
		LinkNonce: "link-" + email, CreatedAt: base}
	if status == store.SubPending {
		sub.ConfirmNonce = "confirm-" + email
	}
	if err := s.CreateSubscriber(context.Background(), sub); err != nil {
		t.Fatalf("CreateSubscriber(%s): %v", email, err)
	}
	return sub
}

func testSecret(t *testing.T, s store.Store) {
	ctx := context.Background()
	calls := 0
	var mu sync.Mutex
	gen := func(v string) func() (string, error) {
		return func() (string, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			return v, nil
		}
	}
	// Concurrent first calls (several processes starting) must agree.
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Go(func() {
			v, err := s.Secret(ctx, "newsletter", gen(fmt.Sprintf("value-%d", i)))
			if err != nil {
				t.Errorf("Secret: %v", err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got[1:] {
		if v != got[0] || v == "" {
			t.Fatalf("concurrent Secret calls returned %q; all must return the one stored value", got)
		}
	}
	v, err := s.Secret(ctx, "newsletter", func() (string, error) { return "", errors.New("must not be called") })
	if err != nil || v != got[0] {
		t.Fatalf("Secret once stored = %q, %v; want %q without generating", v, err, got[0])
	}
	if _, err := s.Secret(ctx, "other", func() (string, error) { return "", errors.New("no entropy") }); err == nil {
		t.Fatal("Secret with a failing generator succeeded; the error must reach the caller")
	}
}

func testSubscribers(t *testing.T, s store.Store) {
	ctx := context.Background()
	sub := newSubscriber(t, s, "ana@example.org", store.SubPending, store.Daily)
	if sub.ID == 0 {
		t.Fatal("CreateSubscriber left ID 0")
	}
	dup := &store.Subscriber{Email: "ana@example.org", Language: "de", Frequency: store.Weekly, Status: store.SubPending}
	if err := s.CreateSubscriber(ctx, dup); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second CreateSubscriber with the same e-mail = %v, want ErrDuplicate", err)
	}
	sub.Language, sub.Sections, sub.Frequency = "de", []string{"russia", "europe"}, store.Weekly
	sub.ConfirmSent, sub.ConfirmSentAt, sub.SoftBounces = 2, base.Add(time.Minute), 1
	sub.LastDigestAt, sub.UnsubscribedAt = base.Add(time.Hour), base.Add(2*time.Hour)
	sub.Status = store.SubUnsubscribed
	if err := s.UpdateSubscriber(ctx, sub); err != nil {
		t.Fatalf("UpdateSubscriber: %v", err)
	}
	got, err := s.SubscriberByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatalf("SubscriberByEmail: %v", err)
	}
	if got.ID != sub.ID || got.Language != "de" || !slices.Equal(got.Sections, []string{"russia", "europe"}) ||
		got.Frequency != store.Weekly || got.Status != store.SubUnsubscribed || got.ConfirmSent != 2 ||
		!got.ConfirmSentAt.Equal(sub.ConfirmSentAt) || got.SoftBounces != 1 ||
		!got.LastDigestAt.Equal(sub.LastDigestAt) || !got.UnsubscribedAt.Equal(sub.UnsubscribedAt) ||
		!got.CreatedAt.Equal(base) || got.LinkNonce != sub.LinkNonce {
		t.Fatalf("subscriber after update = %+v\nwant the fields of %+v", got, sub)
	}
	if _, err := s.SubscriberByEmail(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SubscriberByEmail(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.UpdateSubscriber(ctx, &store.Subscriber{ID: 999999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateSubscriber(missing) = %v, want ErrNotFound", err)
	}
	ben := newSubscriber(t, s, "ben@example.org", store.SubActive, store.Daily)
	list, err := s.Subscribers(ctx, store.SubActive, store.Daily, 0, 100)
	if err != nil || !slices.ContainsFunc(list, func(x store.Subscriber) bool { return x.ID == ben.ID }) ||
		slices.ContainsFunc(list, func(x store.Subscriber) bool { return x.Status != store.SubActive || x.Frequency != store.Daily }) {
		t.Fatalf("Subscribers(active, daily) = %+v, %v; want only active daily ones, ben among them", list, err)
	}
	if page, err := s.Subscribers(ctx, "", "", ben.ID, 100); err != nil || slices.ContainsFunc(page, func(x store.Subscriber) bool { return x.ID <= ben.ID }) {
		t.Fatalf("Subscribers after ben = %+v, %v; want only later IDs", page, err)
	}
	counts, err := s.CountSubscribers(ctx)
	if err != nil || counts[store.SubActive] < 1 || counts[store.SubUnsubscribed] < 1 {
		t.Fatalf("CountSubscribers = %v, %v; want at least one active and one unsubscribed", counts, err)
	}
}

func testConfirmOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	sub := newSubscriber(t, s, "cleo@example.org", store.SubPending, store.Daily)
	if err := s.ConfirmSubscriber(ctx, sub.ID, "wrong", base); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ConfirmSubscriber with a wrong nonce = %v, want ErrNotFound", err)
	}
	// Two concurrent confirmations of one link: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = s.ConfirmSubscriber(ctx, sub.ID, sub.ConfirmNonce, base.Add(time.Minute)) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("ConfirmSubscriber: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("concurrent confirmations succeeded %d times, want exactly 1 (errors %v)", ok, errs)
	}
	got, err := s.Subscriber(ctx, sub.ID)
	if err != nil || got.Status != store.SubActive || got.ConfirmNonce != "" || !got.ConfirmedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("after confirming: %+v, %v; want active, nonce cleared, ConfirmedAt set", got, err)
	}
}

func testConsentsAndErase(t *testing.T, s store.Store) {
	ctx := context.Background()
	sub := newSubscriber(t, s, "dora@example.org", store.SubActive, store.Daily)
	other := newSubscriber(t, s, "emil@example.org", store.SubActive, store.Daily)
	for i, action := range []string{"subscribe", "confirm", "unsubscribe"} {
		c := &store.Consent{SubscriberID: sub.ID, Action: action, Text: "Wir verwenden Ihre Anmeldung …",
			TextVersion: "v1", Language: "de", PageURL: "https://news.example/section/russia",
			Choices: `{"frequency":"daily"}`, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if err := s.AddConsent(ctx, c); err != nil || c.ID == 0 {
			t.Fatalf("AddConsent(%s) = %v, ID %d", action, err, c.ID)
		}
	}
	if err := s.AddConsent(ctx, &store.Consent{SubscriberID: other.ID, Action: "subscribe"}); err != nil {
		t.Fatalf("AddConsent(other): %v", err)
	}
	cs, err := s.Consents(ctx, sub.ID)
	if err != nil || len(cs) != 3 || cs[0].Action != "subscribe" || cs[2].Action != "unsubscribe" ||
		cs[0].Text != "Wir verwenden Ihre Anmeldung …" || cs[0].PageURL != "https://news.example/section/russia" ||
		!cs[1].CreatedAt.Equal(base.Add(time.Minute)) || cs[0].Choices != `{"frequency":"daily"}` {
		t.Fatalf("Consents = %+v, %v; want the three entries in order, as written", cs, err)
	}
	run := store.DigestRun{RunKey: "erase-run", Frequency: store.Daily, Until: base, FirstFrom: base.Add(-24 * time.Hour)}
	if _, err := s.PlanDigests(ctx, run); err != nil {
		t.Fatalf("PlanDigests: %v", err)
	}
	if err := s.DeleteSubscriber(ctx, sub.ID); err != nil {
		t.Fatalf("DeleteSubscriber: %v", err)
	}
	if _, err := s.Subscriber(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Subscriber after erase = %v, want ErrNotFound", err)
	}
	if cs, err := s.Consents(ctx, sub.ID); err != nil || len(cs) != 0 {
		t.Fatalf("Consents after erase = %d entries, %v; want none", len(cs), err)
	}
	if ds, err := s.DigestSends(ctx, sub.ID); err != nil || len(ds) != 0 {
		t.Fatalf("DigestSends after erase = %d rows, %v; want none", len(ds), err)
	}
	if cs, err := s.Consents(ctx, other.ID); err != nil || len(cs) != 1 {
		t.Fatalf("another subscriber's consents after erase = %d, %v; want 1 kept", len(cs), err)
	}
	if err := s.DeleteSubscriber(ctx, sub.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteSubscriber = %v, want ErrNotFound", err)
	}
}

func testHits(t *testing.T, s store.Store) {
	ctx := context.Background()
	w1, w2 := base, base.Add(time.Hour)
	for want := 1; want <= 3; want++ {
		if n, err := s.CountHit(ctx, "ip:abc", w1); err != nil || n != want {
			t.Fatalf("CountHit #%d = %d, %v; want %d", want, n, err, want)
		}
	}
	if n, err := s.CountHit(ctx, "ip:abc", w2); err != nil || n != 1 {
		t.Fatalf("CountHit in a new window = %d, %v; want 1", n, err)
	}
	if n, err := s.CountHit(ctx, "addr:x", w1); err != nil || n != 1 {
		t.Fatalf("CountHit of another key = %d, %v; want 1", n, err)
	}
	if n, err := s.PurgeHits(ctx, w2); err != nil || n != 2 {
		t.Fatalf("PurgeHits = %d, %v; want the 2 counters of the first window", n, err)
	}
	if n, err := s.CountHit(ctx, "ip:abc", w1); err != nil || n != 1 {
		t.Fatalf("CountHit after purge = %d, %v; want 1", n, err)
	}
}

func testPlanAndFinish(t *testing.T, s store.Store) {
	ctx := context.Background()
	daily := newSubscriber(t, s, "fay@example.org", store.SubActive, store.Daily)
	veteran := newSubscriber(t, s, "gus@example.org", store.SubActive, store.Daily)
	veteran.LastDigestAt = base.Add(-3 * time.Hour)
	if err := s.UpdateSubscriber(ctx, veteran); err != nil {
		t.Fatal(err)
	}
	newSubscriber(t, s, "hal@example.org", store.SubActive, store.Weekly)
	newSubscriber(t, s, "ida@example.org", store.SubPending, store.Daily)
	newSubscriber(t, s, "jan@example.org", store.SubUnsubscribed, store.Daily)

	run := store.DigestRun{RunKey: "daily-plan", Frequency: store.Daily, Until: base, FirstFrom: base.Add(-24 * time.Hour)}
	if n, err := s.PlanDigests(ctx, run); err != nil || n != 2 {
		t.Fatalf("PlanDigests = %d, %v; want 2 (the active daily subscribers only)", n, err)
	}
	if n, err := s.PlanDigests(ctx, run); err != nil || n != 0 {
		t.Fatalf("PlanDigests again = %d, %v; want 0: planning is idempotent", n, err)
	}
	got, err := s.PendingDigestSends(ctx, "daily-plan", 0, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("PendingDigestSends = %d rows, %v; want 2", len(got), err)
	}
	if page, err := s.PendingDigestSends(ctx, "daily-plan", got[0].ID, 10); err != nil || len(page) != 1 || page[0].ID != got[1].ID {
		t.Fatalf("PendingDigestSends after the first row = %+v, %v; want the second row", page, err)
	}
	byEmail := map[string]store.DigestSend{}
	for _, p := range got {
		d, err := s.DigestSend(ctx, p.ID)
		if err != nil {
			t.Fatalf("DigestSend(%d): %v", p.ID, err)
		}
		byEmail[d.Subscriber.Email] = *d
		if d.Attempts != 0 || d.State != store.SendPending || !d.PeriodUntil.Equal(base) || d.Subscriber.ID != d.SubscriberID {
			t.Fatalf("planned row %+v: want pending, no attempts, period until base, with its subscriber", d)
		}
	}
	if _, err := s.DigestSend(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DigestSend(missing) = %v, want ErrNotFound", err)
	}
	if d := byEmail["fay@example.org"]; !d.PeriodFrom.Equal(base.Add(-24*time.Hour)) || d.Subscriber.ID != daily.ID {
		t.Fatalf("new subscriber's period starts %v, want FirstFrom %v", d.PeriodFrom, base.Add(-24*time.Hour))
	}
	if d := byEmail["gus@example.org"]; !d.PeriodFrom.Equal(veteran.LastDigestAt) {
		t.Fatalf("earlier subscriber's period starts %v, want their last digest %v", d.PeriodFrom, veteran.LastDigestAt)
	}

	// fay: sent. Her last digest moves to the period's end; a second record
	// of the same row (another sender) is refused.
	d := byEmail["fay@example.org"]
	d.State, d.MessageID, d.SentAt, d.Attempts = store.SendSent, "<m1@example>", base.Add(time.Second), 1
	if err := s.FinishDigestSend(ctx, &d); err != nil {
		t.Fatalf("FinishDigestSend(sent): %v", err)
	}
	if err := s.FinishDigestSend(ctx, &d); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FinishDigestSend of a row no longer pending = %v, want ErrNotFound", err)
	}
	if sub, err := s.Subscriber(ctx, daily.ID); err != nil || !sub.LastDigestAt.Equal(base) {
		t.Fatalf("after sending, LastDigestAt = %v, %v; want %v", sub.LastDigestAt, err, base)
	}
	// gus: a temporary failure, recorded on the pending row for the retry.
	g := byEmail["gus@example.org"]
	g.State, g.LastError, g.NextAt, g.Attempts = store.SendPending, "451 try later", base.Add(10*time.Minute), 1
	if err := s.FinishDigestSend(ctx, &g); err != nil {
		t.Fatalf("FinishDigestSend(retry): %v", err)
	}
	again, err := s.DigestSend(ctx, g.ID)
	if err != nil || again.State != store.SendPending || again.Attempts != 1 || again.LastError != "451 try later" ||
		!again.NextAt.Equal(base.Add(10*time.Minute)) {
		t.Fatalf("row after a temporary failure = %+v, %v; want pending with the error, attempt and next try", again, err)
	}
	taken := []store.DigestSend{*again}
	taken[0].Attempts = 2
	taken[0].State = store.SendEmpty
	if err := s.FinishDigestSend(ctx, &taken[0]); err != nil {
		t.Fatalf("FinishDigestSend(empty): %v", err)
	}
	if sub, err := s.Subscriber(ctx, veteran.ID); err != nil || !sub.LastDigestAt.Equal(veteran.LastDigestAt) {
		t.Fatalf("an empty digest moved LastDigestAt to %v (%v); it must stay %v so the next digest covers the gap",
			sub.LastDigestAt, err, veteran.LastDigestAt)
	}
	c, err := s.DigestSendCounts(ctx, "daily-plan")
	if err != nil || c != (store.SendCounts{Sent: 1, Empty: 1}) {
		t.Fatalf("DigestSendCounts = %+v, %v; want 1 sent, 1 empty", c, err)
	}
	log, err := s.DigestSends(ctx, daily.ID)
	if err != nil || len(log) != 1 || log[0].State != store.SendSent || log[0].MessageID != "<m1@example>" ||
		!log[0].SentAt.Equal(base.Add(time.Second)) {
		t.Fatalf("DigestSends = %+v, %v; want the one sent row", log, err)
	}
	// Rows are stamped with the wall clock's now when planned: a cutoff at
	// that instant deletes nothing, a later one the two finished rows.
	if n, err := s.PurgeDigestSends(ctx, log[0].CreatedAt); err != nil || n != 0 {
		t.Fatalf("PurgeDigestSends(at creation) = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeDigestSends(ctx, log[0].CreatedAt.Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("PurgeDigestSends(later) = %d, %v; want the 2 finished rows", n, err)
	}
	if c, _ := s.DigestSendCounts(ctx, "daily-plan"); c != (store.SendCounts{}) {
		t.Fatalf("after purging, run daily-plan still has %+v", c)
	}
}

// Two senders recording the same row at once: one wins.
func testConcurrentFinishSends(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 30 {
		newSubscriber(t, s, fmt.Sprintf("many%02d@example.org", i), store.SubActive, store.Weekly)
	}
	run := store.DigestRun{RunKey: "weekly-many", Frequency: store.Weekly, Until: base, FirstFrom: base.Add(-7 * 24 * time.Hour)}
	if n, err := s.PlanDigests(ctx, run); err != nil || n != 31 {
		t.Fatalf("PlanDigests = %d, %v; want 31 (30 and hal)", n, err)
	}
	rows, err := s.PendingDigestSends(ctx, "weekly-many", 0, 100)
	if err != nil || len(rows) != 31 {
		t.Fatalf("PendingDigestSends = %d, %v; want 31", len(rows), err)
	}
	var mu sync.Mutex
	won := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for _, r := range rows {
				d := r
				d.State, d.MessageID, d.SentAt = store.SendSent, fmt.Sprintf("<w%d>", w), base
				err := s.FinishDigestSend(ctx, &d)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("FinishDigestSend: %v", err)
					return
				}
				if err == nil {
					mu.Lock()
					won[d.ID]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, r := range rows {
		if won[r.ID] != 1 {
			t.Errorf("row %d was recorded %d times, want exactly once", r.ID, won[r.ID])
		}
	}
	// Pending rows are never purged, however old.
	if _, err := s.PlanDigests(ctx, store.DigestRun{RunKey: "weekly-next", Frequency: store.Weekly, Until: base, FirstFrom: base}); err != nil {
		t.Fatal(err)
	}
	c, _ := s.DigestSendCounts(ctx, "weekly-next")
	if n, err := s.PurgeDigestSends(ctx, time.Now().Add(24*time.Hour)); err != nil || n != 31 {
		t.Fatalf("PurgeDigestSends = %d, %v; want the 31 finished rows only", n, err)
	}
	if after, _ := s.DigestSendCounts(ctx, "weekly-next"); after.Pending != c.Pending || c.Pending == 0 {
		t.Fatalf("pending rows %d before the purge, %d after; pending rows must stay", c.Pending, after.Pending)
	}
}

func testDigestArticles(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://example.com/digest-feed")
	var created []*store.Article
	for i := range 5 {
		a := article(src.ID, 100+i)
		a.FirstSeenAt = base.Add(time.Duration(i) * time.Hour)
		a.Hidden = i == 3
		upsert(t, s, a, store.Created)
		created = append(created, a)
	}
	// [base+1h, base+4h): articles 1, 2 and 3, but 3 is hidden.
	got, err := s.DigestArticles(ctx, base.Add(time.Hour), base.Add(4*time.Hour), 10)
	if err != nil {
		t.Fatalf("DigestArticles: %v", err)
	}
	// Newest first by publication: article n is published n hours before base.
	want := []int64{created[1].ID, created[2].ID}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("DigestArticles = %v, want %v (first seen in the window, newest first, hidden left out)", ids(got), want)
	}
	if g := got[0]; g.Title != created[1].Title || g.SourceName == "" || g.Slug == "" || g.HTML != "" || g.Text != "" {
		t.Fatalf("DigestArticles row = %+v; want title, source and slug, no body", g)
	}
	if got, err := s.DigestArticles(ctx, base.Add(time.Hour), base.Add(4*time.Hour), 1); err != nil || len(got) != 1 {
		t.Fatalf("DigestArticles with limit 1 = %d, %v", len(got), err)
	}
}
