package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
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
