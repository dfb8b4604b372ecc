package postgres_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/storetest"
)

// schemaDSN gives each test its own empty schema (pgtest).
func schemaDSN(t testing.TB) string { return pgtest.DSN(t) }

func open(t testing.TB, dsn string) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	// Registered after schemaDSN's cleanup, so it runs first: close, then drop.
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, schemaDSN(t))
	})
}

// Two Stores on one schema behave like two processes sharing the server.
func TestTwoStoresOneSchema(t *testing.T) {
	dsn := schemaDSN(t)
	a, b := open(t, dsn), open(t, dsn)
	var wg sync.WaitGroup
	for _, s := range []store.Store{a, b} {
		wg.Go(func() {
			if err := s.Migrate(context.Background()); err != nil {
				t.Errorf("concurrent Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 60 {
		if ok, err := a.Enqueue(context.Background(), &store.Job{Kind: "fetch", RunAt: base}); !ok || err != nil {
			t.Fatalf("Enqueue: %v, %v", ok, err)
		}
	}
	seen := storetest.ClaimConcurrently(t, []store.Store{a, b}, 4, base)
	if len(seen) != 60 {
		t.Fatalf("claimed %d distinct jobs across two stores, want 60", len(seen))
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Fatal("Open of an unreachable server succeeded; want an error")
	}
}

func migrated(b testing.TB) store.Store {
	s := open(b, schemaDSN(b))
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatalf("Migrate: %v", err)
	}
	return s
}

func BenchmarkUpsertArticle(b *testing.B) { storetest.BenchUpsertArticle(b, migrated(b)) }

func BenchmarkArticlesPage(b *testing.B) { storetest.BenchArticlesPage(b, migrated(b)) }

func BenchmarkClaim(b *testing.B) { storetest.BenchClaim(b, migrated(b)) }

func BenchmarkSearchTierEditions(b *testing.B) {
	storetest.BenchSearchTierEditions(b, func(b *testing.B) store.Store { return migrated(b) })
}

// The dialect's asynchronous commit (store.LaterDurable) holds for its
// transaction only: the connection goes back to the pool committing
// synchronously, so a job's completion on it still waits for the disk.
// The story step's form of it takes the story lock too.
func TestAsyncCommitScope(t *testing.T) {
	ctx := context.Background()
	s := open(t, schemaDSN(t))
	db := s.(interface{ DB() *sql.DB }).DB()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setting := func() string {
		t.Helper()
		var v string
		if err := conn.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	d := postgres.Dialect()
	// The server's own value (a server may be configured with off), which
	// the transaction's SET LOCAL must not outlive.
	base := setting()
	for _, q := range []string{d.AsyncCommit, d.AsyncStoryLock} {
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if v := setting(); v != "off" {
			t.Errorf("after %s: synchronous_commit = %s in the transaction, want off", q, v)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Fatal(err)
		}
		if v := setting(); v != base {
			t.Errorf("after %s: synchronous_commit = %s once committed, want %s as before BEGIN", q, v, base)
		}
	}
	// The story step's statement takes the story lock: another session
	// cannot take it while the transaction is open.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, d.AsyncStoryLock); err != nil {
		t.Fatal(err)
	}
	var got bool
	if err := db.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(7347216, hashtext(current_schema()))`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got {
		t.Error("the story lock was free while a transaction held it through AsyncStoryLock")
	}
}

// The epoch of PageChanges changes with what crash recovery resets (the
// statistics; a crash cannot be made here, a reset of the same statistics
// can), so a page cache that read generations a crash lost does not take
// the reused numbers for the ones it knew.
func TestPageChangesEpochFollowsRecovery(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	_, before, _, err := s.PageChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, again, _, err := s.PageChanges(ctx, 1); err != nil || again != before {
		t.Fatalf("epoch %q, then %q (%v): want it unchanged while the server runs", before, again, err)
	}
	db := s.(interface{ DB() *sql.DB }).DB()
	if _, err := db.ExecContext(ctx, `SELECT pg_stat_reset_shared('archiver')`); err != nil {
		t.Fatal(err)
	}
	if _, after, _, err := s.PageChanges(ctx, 1); err != nil || after == before || after == "" {
		t.Fatalf("epoch %q, then %q after the statistics crash recovery resets were reset (%v): want it changed", before, after, err)
	}
}
