// Package pgtest gives tests a PostgreSQL store of their own: a fresh schema
// on the server named by SPEKTRUM_TEST_POSTGRES_DSN, dropped when the test
// ends. Tests skip when no server is named (scripts/test.sh names one).
// It is the one copy of that setup; the store, jobs, newsletter and
// end-to-end tests all use it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
)

// Env names the test server.
const Env = "SPEKTRUM_TEST_POSTGRES_DSN"

// DSN creates a fresh schema on the test server, drops it when t ends, and
// returns a DSN whose connections use it, so tests can run in parallel and
// repeatedly. It skips t when Env is not set.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("%s is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable), or run scripts/test.sh, which starts a server", Env)
	}
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		t.Fatalf("%s must be a postgres:// URL: %q", Env, base)
	}
	admin, err := sql.Open("pgx", base) // the driver registered by store/postgres
	if err != nil {
		t.Fatalf("open %s: %v", Env, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "spektrum_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema (is the server at %s reachable?): %v", Env, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates a store on dsn, closed when t ends (before the
// schema DSN made is dropped, as cleanups run last-in first-out).
func Open(t testing.TB, dsn string) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}
