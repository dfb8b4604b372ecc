// Package postgres opens Spektrum's store on a PostgreSQL server, for outlets
// that run several processes against one database. It owns the connection
// setup (pgx through database/sql), the PostgreSQL migrations and the dialect
// details (advisory lock for migrations, SKIP LOCKED for claiming jobs); all
// queries live in store/sqlstore. It must not hold SQL of its own beyond the
// migrations.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"spektrum/internal/store"
	"spektrum/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect describes PostgreSQL to sqlstore.
func Dialect() sqlstore.Dialect {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sqlstore.Dialect{
		Name:               "postgres",
		DollarPlaceholders: true,
		// Concurrent Claims skip rows another transaction is claiming
		// instead of queueing behind it or returning the same job.
		ClaimLock: " FOR UPDATE SKIP LOCKED",
		// A transaction-scoped advisory lock keyed by schema: processes
		// migrating the same schema take turns; other schemas (parallel
		// tests, other tenants) are not held up.
		MigrateLock: `SELECT pg_advisory_xact_lock(7347215, hashtext(current_schema()))`,
		// Story steps take turns the same way (sqlstore.InStoryTx says why
		// a lock), under a key of their own.
		StoryLock: `SELECT pg_advisory_xact_lock(7347216, hashtext(current_schema()))`,
		// Writes that a job's completion makes durable later
		// (store.LaterDurable) commit without waiting for the WAL flush.
		AsyncCommit:       `SET LOCAL synchronous_commit = off`,
		AsyncStoryLock:    `SELECT pg_advisory_xact_lock(7347216, hashtext(current_schema())), set_config('synchronous_commit', 'off', true)`,
		Migrations:        migrations,
		IsUniqueViolation: isUniqueViolation,
		// An unnamed statement is planned for its values each time.
		PlanEach: []any{pgx.QueryExecModeDescribeExec},
		// Statements made for their number of values: one round trip,
		// not prepared.
		OneShot:     []any{pgx.QueryExecModeExec},
		WritingWith: true,
		FullText:    sqlstore.FullTextTSVector,
		// The epoch of PageChanges: the postmaster's start, and the time
		// the archiver's statistics were reset, which crash recovery does
		// (it discards the statistics) even when the postmaster restarts
		// its children in place after a backend crash and keeps its start.
		// Both as microseconds, not as timestamps: text of a timestamp
		// follows each session's TimeZone and DateStyle.
		Epoch: `(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint::text || '/' ||
			coalesce((extract(epoch FROM (SELECT stats_reset FROM pg_stat_archiver)) * 1000000)::bigint::text, '')`,
	}
}

func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or
// key=value string; runtime parameters such as search_path may be given as
// query parameters). It does not migrate: call Migrate before use.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: connect: %w (check the DSN, that the server runs and accepts this user)", err)
	}
	return sqlstore.New(db, Dialect()), nil
}
