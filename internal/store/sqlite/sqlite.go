// Package sqlite opens Spektrum's embedded store: one SQLite file in WAL mode,
// through the pure-Go modernc.org/sqlite driver. It owns the SQLite
// connection settings and migrations; all queries live in store/sqlstore.
// It must not hold SQL of its own beyond the migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect describes SQLite to sqlstore.
func Dialect() sqlstore.Dialect {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sqlstore.Dialect{
		Name:              "sqlite",
		Migrations:        migrations,
		IsUniqueViolation: isUniqueViolation,
		FullText:          sqlstore.FullTextFTS5,
		SerializeWrites:   true,
		// No ClaimLock and no MigrateLock: _txlock=immediate makes every
		// transaction take the write lock at BEGIN, and SQLite runs one
		// writer at a time, so Claim's single UPDATE is already exclusive.
	}
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// DSN returns the driver connection string for the database file at path.
// The settings apply to every pooled connection:
//   - WAL lets readers run beside the one writer;
//   - busy_timeout makes a writer wait up to 10 s for the lock instead of
//     failing with "database is locked";
//   - _txlock=immediate takes the write lock at BEGIN, so two transactions
//     never both hold read locks and deadlock when upgrading (SQLITE_BUSY
//     that busy_timeout cannot cure);
//   - synchronous NORMAL is durable across application crashes in WAL mode
//     and much faster than FULL.
func DSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Set("_txlock", "immediate")
	return path + "?" + v.Encode()
}

// Open opens (creating if needed) the SQLite database at path. It does not
// migrate: call Migrate before use.
func Open(ctx context.Context, path string) (store.Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite %q: need a file path without '?'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite %s: create directory: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w (is the directory writable?)", path, err)
	}
	return sqlstore.New(db, Dialect()), nil
}
