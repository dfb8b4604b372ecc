package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // a real PostgreSQL server; store/postgres would be an import cycle

	"spektrum/internal/store"
)

// inLockedTx runs the dialect's asynchronous-commit statement under
// store.LaterDurable, by itself or as the lock's asynchronous form, and
// the setting stays in its transaction: a rolled-back one does not leave
// it on the connection for the next use. The statements are PostgreSQL's
// (store/postgres tests that its dialect holds the same).
func TestInLockedTxAsyncCommit(t *testing.T) {
	dsn := os.Getenv("SPEKTRUM_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SPEKTRUM_TEST_POSTGRES_DSN not set")
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	s := New(db, Dialect{
		Name:           "postgres",
		AsyncCommit:    `SET LOCAL synchronous_commit = off`,
		AsyncStoryLock: `SELECT pg_advisory_xact_lock(7347299, 1), set_config('synchronous_commit', 'off', true)`,
	})
	defer s.Close()
	lock := `SELECT pg_advisory_xact_lock(7347299, 1)`
	// One connection, so that each transaction below runs on the one
	// before's; the statement cache prepares on the pool, so it is filled
	// first (a transaction holding the only connection would wait for it).
	for _, q := range []string{s.d.AsyncCommit, s.d.AsyncStoryLock, lock} {
		if s.stmt(ctx, q) == nil {
			t.Fatalf("preparing %s failed", q)
		}
	}
	db.SetMaxOpenConns(1)
	// synchronous_commit in a transaction of inLockedTx; fail makes it roll back.
	setting := func(ctx context.Context, lock, asyncLock string, fail bool) string {
		t.Helper()
		var v string
		errFail := errors.New("roll back")
		err := s.inLockedTx(ctx, lock, asyncLock, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&v); err != nil {
				return err
			}
			if fail {
				return errFail
			}
			return nil
		})
		if fail && !errors.Is(err, errFail) || !fail && err != nil {
			t.Fatalf("inLockedTx: %v", err)
		}
		return v
	}
	base := setting(ctx, "", "", false)
	if base == "off" {
		t.Skip("this server commits asynchronously already; an asynchronous commit cannot be told apart")
	}
	later := store.LaterDurable(ctx)
	for _, tc := range []struct {
		name            string
		lock, asyncLock string
	}{
		{"no lock", "", ""},
		{"lock, then the setting", lock, ""},
		{"lock and setting in one", lock, s.d.AsyncStoryLock},
	} {
		for _, fail := range []bool{false, true} {
			if v := setting(later, tc.lock, tc.asyncLock, fail); v != "off" {
				t.Errorf("%s (rolled back: %v): synchronous_commit = %s under LaterDurable, want off", tc.name, fail, v)
			}
			if v := setting(ctx, tc.lock, tc.asyncLock, false); v != base {
				t.Errorf("%s (rolled back: %v): synchronous_commit = %s in the next transaction, want %s as before", tc.name, fail, v, base)
			}
		}
	}
}
