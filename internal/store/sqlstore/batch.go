package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"spektrum/internal/store"
)

// Batched queue and poll writes: a kind worked in batches (the pipeline's
// polls) claims its jobs in one statement and records their outcomes in
// one transaction, where one job at a time costs a claim, a read and two
// commits each; on SQLite every commit is WAL write syscalls, most of an
// unchanged poll's CPU (docs/benchmarks.md, "Unchanged polls, batched").

const (
	// qClaimJobs is qClaim for up to n jobs of one kind: the due ones and
	// the lapsed ones, each read in the order of the index on (state,
	// run_at), then the first n of both. Each %s is the dialect's
	// row-locking clause, so that concurrent claims on PostgreSQL skip
	// each other's rows instead of waiting for them.
	qClaimJobs = `UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?,
		attempts = attempts + 1, deferred = FALSE, updated_at = ?
	WHERE id IN (SELECT id FROM (
		SELECT id, run_at FROM (SELECT id, run_at FROM jobs
			WHERE kind = ? AND state = 'queued' AND run_at <= ? ORDER BY run_at, id LIMIT ?%s) due
		UNION ALL
		SELECT id, run_at FROM (SELECT id, run_at FROM jobs
			WHERE kind = ? AND state = 'running' AND locked_until < ? AND attempts < max_attempts
			ORDER BY run_at, id LIMIT ?%s) lapsed
		) candidates ORDER BY run_at, id LIMIT ?)
	RETURNING ` + jobCols

	// qSourcesByID reads a batch of sources; %s is the placeholders.
	qSourcesByID = `SELECT ` + sourceCols + ` FROM sources s WHERE s.id IN (%s)`

	// qRecordUnchanged writes what a poll answered 304 learnt: the
	// validators (a 304 may bring new ones), its times and a cleared error
	// state. Nothing an editor owns, as recordPoll.
	qRecordUnchanged = `UPDATE sources SET etag = ?, last_modified = ?,
		next_poll_at = ?, last_polled_at = ?, last_success = ?, last_error = '', error_count = 0
		WHERE id = ?`
)

// ClaimJobs claims up to limit runnable jobs of kind in one statement; see
// store.Store.
func (s *Store) ClaimJobs(ctx context.Context, worker, kind string, now time.Time, lease time.Duration, limit int) ([]store.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	q := s.d.rebind(fmt.Sprintf(qClaimJobs, s.d.ClaimLock, s.d.ClaimLock))
	args := []any{worker, ms(now.Add(lease)), ms(now), kind, ms(now), limit, kind, ms(now), limit, limit}
	var out []store.Job
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := s.txQuery(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim %d %s jobs: %w", limit, kind, err)
	}
	// RETURNING keeps no order: hand them out in the order they were due.
	slices.SortFunc(out, func(a, b store.Job) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// EnqueueJobs adds js in one transaction; see store.Store.
func (s *Store) EnqueueJobs(ctx context.Context, js []*store.Job) (int, error) {
	if len(js) == 0 {
		return 0, nil
	}
	now := time.Now().UTC()
	for _, j := range js {
		if j.Kind == "" {
			return 0, errors.New("enqueue jobs: empty kind")
		}
	}
	added := make([]int64, len(js))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ins, err := s.txStmt(ctx, tx, s.q.enqueue)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, j := range js {
			maxAttempts, runAt := j.MaxAttempts, j.RunAt
			if maxAttempts <= 0 {
				maxAttempts = defaultMaxAttempts
			}
			if runAt.IsZero() {
				runAt = now
			}
			err := ins.QueryRowContext(ctx, j.Kind, j.UniqueKey, nullID(j.SourceID), j.Payload,
				maxAttempts, ms(runAt), ms(now), ms(now)).Scan(&added[i])
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%s job %q: %w", j.Kind, j.UniqueKey, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %d jobs: %w", len(js), err)
	}
	// Only a committed batch tells its jobs they exist.
	n := 0
	for i, j := range js {
		if added[i] == 0 {
			continue
		}
		n++
		if j.MaxAttempts <= 0 {
			j.MaxAttempts = defaultMaxAttempts
		}
		if j.RunAt.IsZero() {
			j.RunAt = fromMS(ms(now))
		}
		j.ID, j.State, j.Attempts, j.CreatedAt = added[i], store.JobQueued, 0, fromMS(ms(now))
	}
	return n, nil
}

// CompleteJobs marks done the jobs among ids that worker holds; see
// store.Store.
func (s *Store) CompleteJobs(ctx context.Context, worker string, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.completeJobs(ctx, tx, worker, ids, time.Now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("complete %d jobs: %w", len(ids), err)
	}
	return n, nil
}

func (s *Store) completeJobs(ctx context.Context, tx *sql.Tx, worker string, ids []int64, now time.Time) (int, error) {
	st, err := s.txStmt(ctx, tx, s.q.completeJob)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := 0
	for _, id := range ids {
		res, err := st.ExecContext(ctx, ms(now), id, worker)
		if err != nil {
			return n, fmt.Errorf("job %d: %w", id, err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("job %d: %w", id, err)
		}
		n += int(k)
	}
	return n, nil
}

// DeferJobs defers the jobs of ds that worker holds; see store.Store.
func (s *Store) DeferJobs(ctx context.Context, worker string, ds []store.JobDeferral) (int, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	n := 0
	now := time.Now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.txStmt(ctx, tx, s.q.deferJob)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, d := range ds {
			res, err := st.ExecContext(ctx, ms(d.RunAt), ms(now), d.ID, worker)
			if err != nil {
				return fmt.Errorf("job %d: %w", d.ID, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("job %d: %w", d.ID, err)
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("defer %d jobs: %w", len(ds), err)
	}
	return n, nil
}

// SourcesByID reads the sources among ids in one query; see store.Store.
func (s *Store) SourcesByID(ctx context.Context, ids []int64) ([]store.Source, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// Built for its number of ids, so run unprepared (see stmtCache).
	rows, err := s.db.QueryContext(ctx, s.d.rebind(fmt.Sprintf(qSourcesByID, placeholders(len(ids)))), args...)
	if err != nil {
		return nil, fmt.Errorf("read %d sources: %w", len(ids), err)
	}
	defer rows.Close()
	var out []store.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("read %d sources: %w", len(ids), err)
		}
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %d sources: %w", len(ids), err)
	}
	return out, nil
}

// RecordUnchangedPolls writes a batch of polls answered 304 and completes
// their jobs, in one transaction; see store.Store.
func (s *Store) RecordUnchangedPolls(ctx context.Context, worker string, ps []store.UnchangedPoll) error {
	if len(ps) == 0 {
		return nil
	}
	q := s.d.rebind(qRecordUnchanged)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.txStmt(ctx, tx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		ids := make([]int64, 0, len(ps))
		for _, p := range ps {
			_, err := st.ExecContext(ctx, p.ETag, p.LastModified, ms(p.NextPollAt), ms(p.PolledAt), ms(p.PolledAt), p.SourceID)
			if err != nil {
				return fmt.Errorf("source %d: %w", p.SourceID, err)
			}
			ids = append(ids, p.JobID)
		}
		_, err = s.completeJobs(ctx, tx, worker, ids, time.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("record %d unchanged polls: %w", len(ps), err)
	}
	return nil
}

// txStmt is q prepared for tx, through the statement cache when it can be,
// for a statement run many times in one transaction. Close it after.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := s.stmt(ctx, q); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return st, nil
}
