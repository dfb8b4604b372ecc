package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"spektrum/internal/store"
)

const (
	qSettings   = `SELECT key, value FROM site_settings`
	qSetting    = `SELECT value FROM site_settings WHERE key = ?`
	qSetSetting = `INSERT INTO site_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
	qDelSetting = `DELETE FROM site_settings WHERE key = ?`
	adColumns   = `id, name, placement, edition, kind, html, image_url, link_url, alt, enabled, updated_at`
	qAdSlots    = `SELECT ` + adColumns + ` FROM ad_slots ORDER BY placement, id`
	qAdSlot     = `SELECT ` + adColumns + ` FROM ad_slots WHERE id = ?`
	qInsertAd   = `INSERT INTO ad_slots (name, placement, edition, kind, html, image_url, link_url, alt, enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qUpdateAd   = `UPDATE ad_slots SET name = ?, placement = ?, edition = ?, kind = ?, html = ?, image_url = ?, link_url = ?, alt = ?, enabled = ?, updated_at = ? WHERE id = ?`
	qDeleteAd   = `DELETE FROM ad_slots WHERE id = ?`
)

// Settings returns every stored setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, qSettings)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	return out, nil
}

// SaveSettings writes values in one transaction; "" deletes a key. An
// unchanged value is not written at all (PostgreSQL's statement triggers
// fire even for no row), so saving a form as it was leaves the page
// generation (and every node's cache) alone.
func (s *Store) SaveSettings(ctx context.Context, values map[string]string) error {
	now := time.Now().UnixMilli()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for k, v := range values {
			var old string
			err := tx.QueryRowContext(ctx, s.d.rebind(qSetting), k).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if v == "" {
					continue
				}
			case err != nil:
				return fmt.Errorf("setting %s: %w", k, err)
			case old == v:
				continue
			}
			if v == "" {
				_, err = tx.ExecContext(ctx, s.d.rebind(qDelSetting), k)
			} else {
				_, err = tx.ExecContext(ctx, s.d.rebind(qSetSetting), k, v, now)
			}
			if err != nil {
				return fmt.Errorf("setting %s: %w", k, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

func scanAd(sc interface{ Scan(...any) error }) (store.AdSlot, error) {
	var a store.AdSlot
	var at int64
	err := sc.Scan(&a.ID, &a.Name, &a.Placement, &a.Edition, &a.Kind, &a.HTML, &a.ImageURL, &a.LinkURL, &a.Alt, &a.Enabled, &at)
	a.UpdatedAt = fromMS(at)
	return a, err
}

// AdSlots lists every ad slot.
func (s *Store) AdSlots(ctx context.Context) ([]store.AdSlot, error) {
	rows, err := s.db.QueryContext(ctx, qAdSlots)
	if err != nil {
		return nil, fmt.Errorf("list ad slots: %w", err)
	}
	defer rows.Close()
	var out []store.AdSlot
	for rows.Next() {
		a, err := scanAd(rows)
		if err != nil {
			return nil, fmt.Errorf("list ad slots: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ad slots: %w", err)
	}
	return out, nil
}

// AdSlot returns one ad slot.
func (s *Store) AdSlot(ctx context.Context, id int64) (*store.AdSlot, error) {
	a, err := scanAd(s.db.QueryRowContext(ctx, s.d.rebind(qAdSlot), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ad slot %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read ad slot %d: %w", id, err)
	}
	return &a, nil
}

// SaveAdSlot inserts or rewrites a slot.
func (s *Store) SaveAdSlot(ctx context.Context, a *store.AdSlot) error {
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = time.Now().UTC()
	}
	args := []any{a.Name, a.Placement, a.Edition, a.Kind, a.HTML, a.ImageURL, a.LinkURL, a.Alt, a.Enabled, ms(a.UpdatedAt)}
	if a.ID == 0 {
		if err := s.writeRow(ctx, s.d.rebind(qInsertAd), args, func(r *sql.Row) error { return r.Scan(&a.ID) }); err != nil {
			return fmt.Errorf("add ad slot: %w", err)
		}
		return nil
	}
	res, err := s.exec(ctx, s.d.rebind(qUpdateAd), append(args, a.ID)...)
	if err != nil {
		return fmt.Errorf("save ad slot %d: %w", a.ID, err)
	}
	return mustAffect(res, "save ad slot", a.ID)
}

// DeleteAdSlot deletes a slot.
func (s *Store) DeleteAdSlot(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, s.d.rebind(qDeleteAd), id)
	if err != nil {
		return fmt.Errorf("delete ad slot %d: %w", id, err)
	}
	return mustAffect(res, "delete ad slot", id)
}
