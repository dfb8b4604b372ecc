package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"spektrum/internal/store"
)

// The generation row is bumped by triggers (migration 0013) in the
// transaction of each write that changes pages; here it is only read, or
// bumped by hand for a purge.

// PageGeneration returns the site's page generation.
func (s *Store) PageGeneration(ctx context.Context) (int64, error) {
	var gen int64
	if err := s.queryRow(ctx, `SELECT gen FROM page_generation WHERE id = 1`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("read page generation: %w", err)
	}
	return gen, nil
}

// BumpPageGeneration advances the page generation and returns it.
func (s *Store) BumpPageGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := s.writeRow(ctx, `UPDATE page_generation SET gen = gen + 1 WHERE id = 1 RETURNING gen`, nil,
		func(r *sql.Row) error { return r.Scan(&gen) })
	if err != nil {
		return 0, fmt.Errorf("bump page generation: %w", err)
	}
	return gen, nil
}

// PageChanges returns the generation, the epoch and the scopes of the
// generations after after, in one statement, so the rows read are exactly
// those of the generations up to the one read: a write records its scopes
// in the transaction that advances the generation, and the generation's
// row lock orders those transactions.
func (s *Store) PageChanges(ctx context.Context, after int64) (int64, string, map[int64][]string, error) {
	epoch := s.d.Epoch
	if epoch == "" {
		epoch = "''"
	}
	if after <= 0 {
		var gen int64
		var ep string
		if err := s.queryRow(ctx, `SELECT gen, `+epoch+` FROM page_generation WHERE id = 1`).Scan(&gen, &ep); err != nil {
			return 0, "", nil, fmt.Errorf("read page generation: %w", err)
		}
		return gen, ep, nil, nil
	}
	rows, err := s.query(ctx, s.d.rebind(`SELECT g.gen, `+epoch+`, c.gen, c.scope FROM page_generation g
		LEFT JOIN page_changes c ON c.gen > ? AND c.gen <= g.gen AND c.gen > g.gen - ?
		WHERE g.id = 1`), after, store.MaxPageChanges)
	if err != nil {
		return 0, "", nil, fmt.Errorf("read page changes: %w", err)
	}
	defer rows.Close()
	var gen int64
	var ep string
	scopes := map[int64][]string{}
	for rows.Next() {
		var cg sql.NullInt64
		var scope sql.NullString
		if err := rows.Scan(&gen, &ep, &cg, &scope); err != nil {
			return 0, "", nil, fmt.Errorf("read page changes: %w", err)
		}
		if cg.Valid && scope.Valid {
			scopes[cg.Int64] = append(scopes[cg.Int64], scope.String)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, "", nil, fmt.Errorf("read page changes: %w", err)
	}
	if gen == 0 {
		return 0, "", nil, fmt.Errorf("read page changes: %w", sql.ErrNoRows)
	}
	return gen, ep, scopes, nil
}
