// Package sqlitetest gives tests a SQLite store of their own: a migrated
// database file in the test's temporary directory, closed when the test
// ends. It is the SQLite side of pgtest, the one copy of that setup for
// tests outside the store (the page cache, the front, the web node).
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
)

// Open returns a migrated store on a new file in t's temporary directory.
func Open(t testing.TB) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "spektrum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
