package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"spektrum/internal/store"
)

// The section statements an editor's changes need (ops.Sections), kept
// together like admin.go's. The menu's reads are in queries.go.
const (
	qSectionNames    = `SELECT slug, language, name FROM section_names ORDER BY slug, language`
	qSectionNamesOf  = `SELECT slug, language, name FROM section_names WHERE slug = ? ORDER BY language`
	qInsertSection   = `INSERT INTO sections (slug, name, position, off_menu) VALUES (?, ?, ?, ?)`
	qUpdateSection   = `UPDATE sections SET name = ?, off_menu = ? WHERE slug = ?`
	qSectionExists   = `SELECT COUNT(*) FROM sections WHERE slug = ?`
	qSetSectionName  = `INSERT INTO section_names (slug, language, name) VALUES (?, ?, ?) ON CONFLICT (slug, language) DO UPDATE SET name = excluded.name`
	qDropSectionName = `DELETE FROM section_names WHERE slug = ? AND language = ?`
	qPlaceSection    = `UPDATE sections SET position = ? WHERE slug = ?`
	// Use counts every article, hidden ones too: showing it again must
	// not leave it in a section that is gone.
	qSectionUse = `SELECT (SELECT COUNT(*) FROM articles WHERE section = ?),
		(SELECT COUNT(*) FROM sources WHERE section = ?),
		(SELECT COUNT(*) FROM newsletter_subscribers WHERE ',' || sections || ',' LIKE ?)`
	qMoveArticles     = `UPDATE articles SET section = ? WHERE section = ?`
	qMoveOverrides    = `UPDATE articles SET section_override = ? WHERE section_override = ?`
	qMoveSources      = `UPDATE sources SET section = ? WHERE section = ?`
	qSubscribersOf    = `SELECT id, sections FROM newsletter_subscribers WHERE ',' || sections || ',' LIKE ?`
	qSetSubSections   = `UPDATE newsletter_subscribers SET sections = ? WHERE id = ?`
	qDropSectionNames = `DELETE FROM section_names WHERE slug = ?`
	qDeleteSection    = `DELETE FROM sections WHERE slug = ?`
)

// subscriberPattern matches a comma-separated sections list naming slug
// (slugs hold no LIKE wildcards: letters, digits and hyphens).
func subscriberPattern(slug string) string { return "%," + slug + ",%" }

func scanSection(sc interface{ Scan(...any) error }, sec *store.Section) error {
	return sc.Scan(&sec.Slug, &sec.Name, &sec.Position, &sec.OffMenu, &sec.ArticleCount)
}

// sectionNames reads the per-edition names of every section (slug "") or
// of one, by slug and language.
func (s *Store) sectionNames(ctx context.Context, slug string) (map[string]map[string]string, error) {
	var rows *sql.Rows
	var err error
	if slug == "" {
		rows, err = s.query(ctx, s.d.rebind(qSectionNames))
	} else {
		rows, err = s.query(ctx, s.d.rebind(qSectionNamesOf), slug)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var sl, l, n string
		if err := rows.Scan(&sl, &l, &n); err != nil {
			return nil, err
		}
		if out[sl] == nil {
			out[sl] = map[string]string{}
		}
		out[sl][l] = n
	}
	return out, rows.Err()
}

// Sections lists every section in menu order with its names per edition
// and its visible article count.
func (s *Store) Sections(ctx context.Context) ([]store.Section, error) {
	rows, err := s.query(ctx, s.q.sections)
	if err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	defer rows.Close()
	var out []store.Section
	for rows.Next() {
		var sec store.Section
		if err := scanSection(rows, &sec); err != nil {
			return nil, fmt.Errorf("list sections: %w", err)
		}
		out = append(out, sec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	names, err := s.sectionNames(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list section names: %w", err)
	}
	for i := range out {
		out[i].Names = names[out[i].Slug]
	}
	return out, nil
}

// Section returns one section with its names per edition.
func (s *Store) Section(ctx context.Context, slug string) (*store.Section, error) {
	var sec store.Section
	if err := scanSection(s.queryRow(ctx, s.q.sectionBySlug, slug), &sec); err != nil {
		return nil, notFound(err, "section %q", slug)
	}
	names, err := s.sectionNames(ctx, slug)
	if err != nil {
		return nil, fmt.Errorf("read names of section %q: %w", slug, err)
	}
	sec.Names = names[slug]
	return &sec, nil
}

// CreateSection inserts sec with its names; ErrDuplicate when the slug
// exists.
func (s *Store) CreateSection(ctx context.Context, sec *store.Section) error {
	if sec.Slug == "" {
		return fmt.Errorf("create section %q: empty slug", sec.Name)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(qInsertSection), sec.Slug, sec.Name, sec.Position, sec.OffMenu); err != nil {
			return err
		}
		for l, n := range sec.Names {
			if _, err := tx.ExecContext(ctx, s.d.rebind(qSetSectionName), sec.Slug, l, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("create section %s: %w", sec.Slug, store.ErrDuplicate)
		}
		return fmt.Errorf("create section %s: %w", sec.Slug, err)
	}
	return nil
}

// UpdateSection writes a section's default name and whether it is off the
// menu.
func (s *Store) UpdateSection(ctx context.Context, sec *store.Section) error {
	res, err := s.exec(ctx, s.d.rebind(qUpdateSection), sec.Name, sec.OffMenu, sec.Slug)
	if err != nil {
		return fmt.Errorf("update section %s: %w", sec.Slug, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update section %s: %w", sec.Slug, errors.Join(store.ErrNotFound, err))
	}
	return nil
}

// sectionExists answers inside tx, so a check and the write it guards see
// the same database.
func (s *Store) sectionExists(ctx context.Context, tx *sql.Tx, slug string) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.d.rebind(qSectionExists), slug).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("section %q: %w", slug, store.ErrNotFound)
	}
	return nil
}

// SetSectionName sets (or, with "", removes) a section's name in one
// edition language.
func (s *Store) SetSectionName(ctx context.Context, slug, lang, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.sectionExists(ctx, tx, slug); err != nil {
			return err
		}
		var err error
		if name == "" {
			_, err = tx.ExecContext(ctx, s.d.rebind(qDropSectionName), slug, lang)
		} else {
			_, err = tx.ExecContext(ctx, s.d.rebind(qSetSectionName), slug, lang, name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("name section %s in %s: %w", slug, lang, err)
	}
	return nil
}

// OrderSections places slugs at positions 1, 2, … in one transaction.
func (s *Store) OrderSections(ctx context.Context, slugs []string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, sl := range slugs {
			res, err := tx.ExecContext(ctx, s.d.rebind(qPlaceSection), i+1, sl)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return fmt.Errorf("section %q: %w", sl, errors.Join(store.ErrNotFound, err))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("order sections: %w", err)
	}
	return nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) sectionUse(ctx context.Context, db queryRower, slug string) (store.SectionUse, error) {
	var u store.SectionUse
	err := db.QueryRowContext(ctx, s.d.rebind(qSectionUse), slug, slug, subscriberPattern(slug)).Scan(&u.Articles, &u.Sources, &u.Subscribers)
	return u, err
}

// SectionUse counts what names a section.
func (s *Store) SectionUse(ctx context.Context, slug string) (store.SectionUse, error) {
	u, err := s.sectionUse(ctx, s.db, slug)
	if err != nil {
		return u, fmt.Errorf("count use of section %s: %w", slug, err)
	}
	return u, nil
}

// DeleteSection removes a section, refused while in use unless moveTo
// names the section everything moves to first.
func (s *Store) DeleteSection(ctx context.Context, slug, moveTo string) error {
	if moveTo == slug && slug != "" {
		return fmt.Errorf("remove section %s: cannot move its articles into itself", slug)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.sectionExists(ctx, tx, slug); err != nil {
			return err
		}
		if moveTo == "" {
			u, err := s.sectionUse(ctx, tx, slug)
			if err != nil {
				return err
			}
			if u.InUse() {
				return fmt.Errorf("section %q: %d articles, %d sources, %d subscribers: %w", slug, u.Articles, u.Sources, u.Subscribers, store.ErrInUse)
			}
		} else {
			if err := s.sectionExists(ctx, tx, moveTo); err != nil {
				return err
			}
			for _, q := range []string{qMoveArticles, qMoveOverrides, qMoveSources} {
				if _, err := tx.ExecContext(ctx, s.d.rebind(q), moveTo, slug); err != nil {
					return err
				}
			}
			if err := s.moveSubscribers(ctx, tx, slug, moveTo); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(qDropSectionNames), slug); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(qDeleteSection), slug)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove section %s: %w", slug, err)
	}
	return nil
}

// moveSubscribers swaps slug for moveTo in the subscribers' lists (kept
// sorted and without repeats, as the newsletter writes them).
func (s *Store) moveSubscribers(ctx context.Context, tx *sql.Tx, slug, moveTo string) error {
	rows, err := tx.QueryContext(ctx, s.d.rebind(qSubscribersOf), subscriberPattern(slug))
	if err != nil {
		return err
	}
	type sub struct {
		id   int64
		secs string
	}
	var subs []sub
	for rows.Next() {
		var x sub
		if err := rows.Scan(&x.id, &x.secs); err != nil {
			rows.Close()
			return err
		}
		subs = append(subs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range subs {
		list := splitSections(x.secs)
		for i := range list {
			if list[i] == slug {
				list[i] = moveTo
			}
		}
		slices.Sort(list)
		list = slices.Compact(list)
		if _, err := tx.ExecContext(ctx, s.d.rebind(qSetSubSections), joinSections(list), x.id); err != nil {
			return err
		}
	}
	return nil
}
