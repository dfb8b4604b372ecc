package newsletter_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
)

// pgStore opens a store in a fresh schema of the PostgreSQL server named by
// SPEKTRUM_TEST_POSTGRES_DSN, dropped when t ends.
func pgStore(t *testing.T) (open func() store.Store) {
	t.Helper()
	dsn := os.Getenv("SPEKTRUM_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SPEKTRUM_TEST_POSTGRES_DSN is not set: run scripts/test.sh, which starts PostgreSQL")
	}
	db, err := sql.Open("pgx", dsn) // the driver registered by store/postgres
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("newsletter_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return func() store.Store {
		st, err := postgres.Open(context.Background(), u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() }) // runs before the schema's drop
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
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
