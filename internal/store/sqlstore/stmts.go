package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxStmts bounds the statement cache. The store's fixed queries are a few
// hundred at most; a query text built for a variable number of values (an
// IN list, a multi-row insert) is run without the cache so that it cannot
// fill it, and past the bound every new text is too.
const maxStmts = 512

// stmtCache holds one prepared *sql.Stmt per query text, prepared lazily on
// the pool. database/sql prepares a Stmt again on each connection it runs
// on and keeps it there, so after the first use on a connection a query is
// not compiled again: with SQLite (modernc), where compiling a statement
// costs as much as running a small one, that was 6–14% of ingest's CPU
// (docs/benchmarks.md). With PostgreSQL, pgx already caches statements per
// connection; the cache changes nothing measurable there but works the same.
type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
}

// stmt returns the prepared statement for q, preparing it on first use.
// It returns nil when q should run unprepared: the cache is full or closed,
// or preparing failed (running q unprepared then reports the same error
// where the caller handles errors, or succeeds if the failure was passing).
func (s *Store) stmt(ctx context.Context, q string) *sql.Stmt {
	c := &s.stmts
	c.mu.Lock()
	st, ok := c.m[q]
	full := c.closed || len(c.m) >= maxStmts
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok { // prepared meanwhile by another goroutine
		_ = st.Close()
		return old
	}
	if c.closed || len(c.m) >= maxStmts {
		// Closed or filled meanwhile: q runs unprepared, as past the bound.
		_ = st.Close()
		return nil
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[q] = st
	return st
}

// close closes every cached statement; the cache prepares nothing after.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// queryRow runs a query returning one row through the statement cache.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, q, args...)
}

// query runs a query through the statement cache.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, q, args...)
}

// execDB runs a statement on the pool through the statement cache, outside
// any write turn (exec is the one that takes it).
func (s *Store) execDB(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.db.ExecContext(ctx, q, args...)
}

// txExec runs a statement inside tx through the statement cache: the
// transaction's connection uses the statement prepared on it before, if
// any, and keeps the one it prepares now for the next transaction.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// txQuery runs a query inside tx through the statement cache.
func (s *Store) txQuery(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

// txQueryRow runs a query returning one row inside tx through the
// statement cache.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}
