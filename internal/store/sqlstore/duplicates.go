package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"spektrum/internal/store"
)

// PutSignature replaces an article's signature and band keys; see store.DuplicateStore.
func (s *Store) PutSignature(ctx context.Context, articleID int64, sig []uint32, bands []uint64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, s.d.rebind(`DELETE FROM article_bands WHERE article_id = ?`), articleID); err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, s.d.rebind(`DELETE FROM article_signatures WHERE article_id = ?`), articleID); err != nil {
			return err
		}
		if sig == nil {
			return nil
		}
		if _, err := s.txExec(ctx, tx, s.d.rebind(`INSERT INTO article_signatures (article_id, signature) VALUES (?, ?)`),
			articleID, encodeSignature(sig)); err != nil {
			return err
		}
		if len(bands) == 0 {
			return nil
		}
		// One statement for all the bands (a signature has 16): a round
		// trip each was most of the stage's time on PostgreSQL. A
		// signature's bands may repeat a key; one row is enough.
		args := make([]any, 0, 2*len(bands))
		for _, b := range bands {
			args = append(args, int64(b), articleID)
		}
		q := `INSERT INTO article_bands (band_key, article_id) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(bands)), ", ") + ` ON CONFLICT DO NOTHING`
		_, err := s.txExec(ctx, tx, s.d.rebind(q), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store signature of article %d: %w", articleID, err)
	}
	return nil
}

// SignatureCandidates returns other articles' signatures sharing a band key.
func (s *Store) SignatureCandidates(ctx context.Context, bands []uint64, exclude int64, limit int) ([]store.Signature, error) {
	if len(bands) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 100
	}
	args := make([]any, 0, len(bands)+2)
	for _, b := range bands {
		args = append(args, int64(b))
	}
	args = append(args, exclude, limit)
	q := `SELECT a.id, COALESCE(a.source_id, 0), a.first_seen_at, COALESCE(a.duplicate_of, 0), sg.signature
		FROM articles a JOIN article_signatures sg ON sg.article_id = a.id
		WHERE a.id IN (SELECT article_id FROM article_bands WHERE band_key IN (?` + strings.Repeat(", ?", len(bands)-1) + `))
			AND a.id <> ?
		ORDER BY a.first_seen_at, a.id LIMIT ?`
	rows, err := s.query(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("near-duplicate candidates: %w", err)
	}
	defer rows.Close()
	var out []store.Signature
	for rows.Next() {
		var sg store.Signature
		var first int64
		var raw []byte
		if err := rows.Scan(&sg.ArticleID, &sg.SourceID, &first, &sg.DuplicateOf, &raw); err != nil {
			return nil, fmt.Errorf("near-duplicate candidates: %w", err)
		}
		sg.FirstSeenAt, sg.Signature = fromMS(first), decodeSignature(raw)
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("near-duplicate candidates: %w", err)
	}
	return out, nil
}

// SetDuplicateOf marks articleID as a copy of original (0: of none).
func (s *Store) SetDuplicateOf(ctx context.Context, articleID, original int64) error {
	done, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer done()
	if _, err := s.execDB(ctx, s.d.rebind(`UPDATE articles SET duplicate_of = ? WHERE id = ?`),
		nullID(original), articleID); err != nil {
		return fmt.Errorf("mark article %d as a copy of %d: %w", articleID, original, err)
	}
	return nil
}

// Copies returns the visible copies of original, oldest first.
func (s *Store) Copies(ctx context.Context, original int64) ([]store.Article, error) {
	rows, err := s.query(ctx, s.d.rebind(`SELECT `+articleCols+articleFrom+
		` WHERE a.duplicate_of = ? AND a.hidden = FALSE ORDER BY a.first_seen_at, a.id LIMIT 50`), original)
	if err != nil {
		return nil, fmt.Errorf("copies of article %d: %w", original, err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("copies of article %d: %w", original, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func encodeSignature(sig []uint32) []byte {
	b := make([]byte, 4*len(sig))
	for i, v := range sig {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func decodeSignature(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// MostCovered lists visible originals by their number of visible copies;
// see store.DuplicateStore.
func (s *Store) MostCovered(ctx context.Context, since time.Time, limit int) ([]store.Article, error) {
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, maxLimit)
	rows, err := s.query(ctx, s.d.rebind(`SELECT `+articleCols+articleFrom+`
		JOIN (SELECT duplicate_of AS original, COUNT(*) AS n FROM articles
			WHERE duplicate_of IS NOT NULL AND hidden = FALSE GROUP BY duplicate_of) c ON c.original = a.id
		WHERE a.hidden = FALSE AND a.duplicate_of IS NULL AND a.sort_at >= ?
		ORDER BY c.n DESC, a.sort_at DESC, a.id DESC LIMIT ?`), ms(since), limit)
	if err != nil {
		return nil, fmt.Errorf("most covered articles: %w", err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("most covered articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("most covered articles: %w", err)
	}
	return out, nil
}
