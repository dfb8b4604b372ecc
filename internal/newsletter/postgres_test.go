package newsletter_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
)

// pgStore returns an opener of stores in one fresh schema of the test
// server (pgtest), so two "processes" can share a database.
func pgStore(t *testing.T) (open func() store.Store) {
	t.Helper()
	dsn := pgtest.DSN(t)
	return func() store.Store { return pgtest.Open(t, dsn) }
}

// TestTwoSendersOnPostgres: two processes (two pools, two newsletters) send
// the same run at once with several workers each; the queue's unique digest
// jobs and SKIP LOCKED claims must hand every subscriber's digest to
// exactly one of them.
func TestTwoSendersOnPostgres(t *testing.T) {
	t.Parallel()
	open := pgStore(t)
	smtpURL, api := mailpitEnv(t)
	a, b := open(), open()
	ctx := context.Background()
	clk := &clock{t: base}
	domain := fmt.Sprintf("pg-%d.example.org", time.Now().UnixNano())
	src := &store.Source{URL: "https://wire.example/pg", Name: "Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := a.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpsertArticle(ctx, &store.Article{SourceID: src.ID, URL: "https://wire.example/pg/1", Title: "Shared story",
		FirstSeenAt: base.Add(-time.Hour), PublishedAt: base.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	const subs = 40
	for i := range subs {
		if err := a.CreateSubscriber(ctx, &store.Subscriber{Email: fmt.Sprintf("p%02d@%s", i, domain), Language: "en",
			Frequency: store.Daily, Status: store.SubActive, LinkNonce: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	var senders []*newsletter.Newsletter
	for _, st := range []store.Store{a, b} {
		sc, err := newsletter.ParseSMTPURL(smtpURL)
		if err != nil {
			t.Fatal(err)
		}
		m, err := newsletter.NewSMTP(sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		n, err := newsletter.New(ctx, st, m, newsletter.Config{BaseURL: "https://news.example.org", Now: clk.Now, Secret: "s"})
		if err != nil {
			t.Fatal(err)
		}
		senders = append(senders, n)
	}
	reps := make([]newsletter.SendReport, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, n := range senders {
		wg.Go(func() {
			reps[i], errs[i] = n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, Concurrency: 3})
		})
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("sender %d: %v", i, errs[i])
		}
	}
	if reps[0].SentNow+reps[1].SentNow != subs {
		t.Fatalf("the senders sent %d + %d, want %d in all", reps[0].SentNow, reps[1].SentNow, subs)
	}
	mp := &mailpit{api: api, t: t}
	deadline := time.Now().Add(15 * time.Second)
	var got map[string]int
	for {
		got = mp.toDomain(domain)
		if len(got) == subs || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := range subs {
		if a := fmt.Sprintf("p%02d@%s", i, domain); got[a] != 1 {
			t.Errorf("%s received %d digests, want exactly 1", a, got[a])
		}
	}
}
