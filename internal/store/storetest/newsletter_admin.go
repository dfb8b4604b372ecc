package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testSearchSubscribers checks the admin's subscriber list: a part of the
// address in any case, LIKE's wildcards taken literally, the filters, newest
// first, keyset pages and the total. Its addresses are @search.example and
// language "sx", so the other subtests' subscribers stay out.
func testSearchSubscribers(t *testing.T, s store.Store) {
	ctx := context.Background()
	var made []*store.Subscriber
	for i, c := range []struct{ email, status, freq string }{
		{"kim@search.example", store.SubActive, store.Daily},
		{"kimberly@search.example", store.SubPending, store.Weekly},
		{"a_b@search.example", store.SubActive, store.Weekly},
		{"axb@search.example", store.SubUnsubscribed, store.Daily},
		{"100%real@search.example", store.SubBounced, store.Daily},
	} {
		sub := &store.Subscriber{Email: c.email, Language: "sx", Frequency: c.freq, Status: c.status, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if err := s.CreateSubscriber(ctx, sub); err != nil {
			t.Fatal(err)
		}
		made = append(made, sub)
	}
	emails := func(subs []store.Subscriber) string {
		out := ""
		for _, x := range subs {
			out += x.Email + " "
		}
		return out
	}
	for _, c := range []struct {
		f     store.SubscriberFilter
		want  string
		total int
	}{
		{store.SubscriberFilter{Language: "sx"}, "100%real@search.example axb@search.example a_b@search.example kimberly@search.example kim@search.example ", 5},
		{store.SubscriberFilter{Query: "KIM", Language: "sx"}, "kimberly@search.example kim@search.example ", 2},
		{store.SubscriberFilter{Query: " kim@SEARCH ", Language: "sx"}, "kim@search.example ", 1},
		{store.SubscriberFilter{Query: "a_b", Language: "sx"}, "a_b@search.example ", 1},      // _ is no wildcard
		{store.SubscriberFilter{Query: "0%r", Language: "sx"}, "100%real@search.example ", 1}, // nor is %
		{store.SubscriberFilter{Query: "kim", Status: store.SubPending, Language: "sx"}, "kimberly@search.example ", 1},
		{store.SubscriberFilter{Frequency: store.Weekly, Language: "sx"}, "a_b@search.example kimberly@search.example ", 2},
		{store.SubscriberFilter{Query: "search.example", Language: "zz"}, "", 0},
		{store.SubscriberFilter{Language: "sx", Limit: 2}, "100%real@search.example axb@search.example ", 5},
		{store.SubscriberFilter{Language: "sx", Limit: 2, BeforeID: made[3].ID}, "a_b@search.example kimberly@search.example ", 5},
	} {
		got, total, err := s.SearchSubscribers(ctx, c.f)
		if err != nil || emails(got) != c.want || total != c.total {
			t.Errorf("SearchSubscribers(%+v) = %q, %d, %v; want %q, %d", c.f, emails(got), total, err, c.want, c.total)
		}
	}
}

// testRunsAndMarks checks what the admin's past sends show: runs newest
// first (planning one edition, then the rest, makes one run), the bounce and
// unsubscribe marks on a subscriber's last sent digest, and the counts.
// Its subscribers are of language "rx", planned with Language "rx".
func testRunsAndMarks(t *testing.T, s store.Store) {
	ctx := context.Background()
	subs := map[string]*store.Subscriber{}
	for _, name := range []string{"ola", "pia", "quin", "rey"} {
		sub := &store.Subscriber{Email: name + "@runs.example", Language: "rx", Frequency: store.Weekly, Status: store.SubActive, CreatedAt: base}
		if name == "rey" {
			sub.Language = "ry"
		}
		if err := s.CreateSubscriber(ctx, sub); err != nil {
			t.Fatal(err)
		}
		subs[name] = sub
	}
	if err := s.MarkLastDigest(ctx, subs["ola"].ID, store.MarkBounced, base); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MarkLastDigest of a subscriber never sent a digest = %v, want ErrNotFound", err)
	}
	plan := func(key, lang string, until time.Time) int {
		t.Helper()
		n, err := s.PlanDigests(ctx, store.DigestRun{RunKey: key, Frequency: store.Weekly, Until: until, FirstFrom: until.Add(-7 * 24 * time.Hour), Language: lang})
		if err != nil {
			t.Fatalf("PlanDigests(%s, %s): %v", key, lang, err)
		}
		return n
	}
	if n := plan("runs-1", "rx", base); n != 3 {
		t.Fatalf("PlanDigests for language rx = %d, want its 3 subscribers", n)
	}
	send := func(key string, at time.Time, state map[string]string) {
		t.Helper()
		rows, err := s.PendingDigestSends(ctx, key, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			d, err := s.DigestSend(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			st, ok := state[d.Subscriber.Email[:len(d.Subscriber.Email)-len("@runs.example")]]
			if !ok {
				continue
			}
			d.State, d.Attempts = st, 1
			if st == store.SendSent {
				d.SentAt, d.MessageID = at, fmt.Sprintf("<%d@runs>", d.ID)
			} else {
				d.BouncedAt, d.LastError = at, "550 no such user" // refused while sending
			}
			if err := s.FinishDigestSend(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("runs-1", base.Add(time.Minute), map[string]string{"ola": store.SendSent, "pia": store.SendSent, "quin": store.SendFailed})
	// The rest of the run (another edition) joins the same run.
	if n := plan("runs-1", "", base.Add(time.Hour)); n < 1 {
		t.Fatalf("PlanDigests for every language after rx = %d, want rey at least", n)
	}
	if n := plan("runs-2", "rx", base.Add(7*24*time.Hour)); n != 3 {
		t.Fatalf("PlanDigests of the second run = %d, want 3", n)
	}
	send("runs-2", base.Add(7*24*time.Hour+time.Minute), map[string]string{"ola": store.SendSent})

	// ola bounces after run 2 (her last sent digest), pia unsubscribes
	// after run 1 (hers), twice (the second is no new mark).
	if err := s.MarkLastDigest(ctx, subs["ola"].ID, store.MarkBounced, base.Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.MarkLastDigest(ctx, subs["pia"].ID, store.MarkUnsubscribed, base.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkLastDigest(ctx, subs["pia"].ID, "opened", base); err == nil {
		t.Fatal("MarkLastDigest with an unknown mark succeeded")
	}

	runs, err := s.DigestRuns(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.RunSummary
	for _, r := range runs {
		if r.RunKey == "runs-1" || r.RunKey == "runs-2" {
			mine = append(mine, r)
		}
	}
	if len(mine) != 2 || mine[0].RunKey != "runs-2" || mine[1].RunKey != "runs-1" || mine[0].Frequency != store.Weekly || mine[0].CreatedAt.IsZero() {
		t.Fatalf("DigestRuns = %+v; want runs-2 then runs-1, weekly, each once", mine)
	}
	r2, r1 := mine[0], mine[1]
	if r2.Counts.Sent != 1 || r2.Counts.Pending != 2 || r2.Counts.Bounced != 1 || r2.BouncedSent != 1 || r2.Delivered() != 0 || r2.Counts.Unsubscribed != 0 {
		t.Errorf("run 2 = %+v; want 1 sent that bounced (0 delivered), 2 pending", r2)
	}
	if r1.Counts.Sent != 2 || r1.Counts.Failed != 1 || r1.Counts.Bounced != 1 || r1.BouncedSent != 0 || r1.Delivered() != 2 || r1.Counts.Unsubscribed != 1 {
		t.Errorf("run 1 = %+v; want 2 sent and delivered, 1 refused (bounced), 1 unsubscribed", r1)
	}
	if c, err := s.DigestSendCounts(ctx, "runs-1"); err != nil || c != r1.Counts {
		t.Errorf("DigestSendCounts(runs-1) = %+v, %v; want %+v as DigestRuns says", c, err, r1.Counts)
	}
	if page, err := s.DigestRuns(ctx, r2.ID, 100); err != nil || len(page) == 0 || page[0].ID >= r2.ID {
		t.Errorf("DigestRuns before run 2 = %+v, %v; want older runs only", page, err)
	}
	log, err := s.DigestSends(ctx, subs["pia"].ID)
	if err != nil || len(log) != 2 || log[0].UnsubscribedAt.IsZero() || !log[1].UnsubscribedAt.IsZero() {
		t.Errorf("pia's send log = %+v, %v; want the unsubscribe on run 1's row only", log, err)
	}
	// Erasing a subscriber takes their marks with their rows.
	if err := s.DeleteSubscriber(ctx, subs["ola"].ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.DigestSendCounts(ctx, "runs-2"); c.Bounced != 0 || c.Sent != 0 {
		t.Errorf("run 2 after erasing ola = %+v; her row and mark must go", c)
	}
}
