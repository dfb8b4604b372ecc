package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"spektrum/internal/store"
)

// The full-text index keeps terms analysed in Go (package search), so both
// engines match exactly the terms they are given: FTS5 gets them as
// space-separated text per column; PostgreSQL gets a tsvector written out
// with the same positions (field by field, with a gap between fields so a
// phrase cannot run from the title into the body, as in FTS5 where a phrase
// stays within one column) and weights A (title), B (body), C (extra).

// Ranking weights of title, body and extra. FTS5's bm25 takes them per
// column; PostgreSQL's ts_rank_cd per weight class {D, C, B, A}.
const (
	fts5Rank     = `bm25(search_fts, 4.0, 1.0, 0.5)`
	fts5RankFunc = `bm25(4.0, 1.0, 0.5)` // the same, as FTS5's rank column takes it
	// PostgreSQL ranks by relevance the newest this many matches.
	pgRankCandidates = 2000
	tsRankWeight     = `'{0.05, 0.2, 0.4, 1.0}'`
)

// PutSearchDocs replaces the article's documents; see store.SearchStore.
func (s *Store) PutSearchDocs(ctx context.Context, articleID int64, docs []store.SearchDoc) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.FullText == FullTextTSVector {
			// Two workers indexing one article (its stage and a translation's
			// re-index) take turns instead of colliding on (article_id, lang).
			// SQLite runs one writer at a time anyway.
			var id int64
			err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM articles WHERE id = ? FOR UPDATE`), articleID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // deleted since: nothing to index
			}
			if err != nil {
				return err
			}
		}
		// On SQLite the trigger search_docs_delete removes the FTS rows.
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM search_docs WHERE article_id = ?`), articleID); err != nil {
			return err
		}
		for _, d := range docs {
			if len(d.Title)+len(d.Body)+len(d.Extra) == 0 {
				continue // nothing to find it by
			}
			if s.d.FullText == FullTextTSVector {
				if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO search_docs (article_id, lang, sort_at, tsv)
					SELECT id, CAST(? AS TEXT), sort_at, CAST(? AS tsvector) FROM articles WHERE id = ?`),
					d.Lang, tsvector(d), articleID); err != nil {
					return err
				}
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO search_docs (article_id, lang, sort_at)
				SELECT id, CAST(? AS TEXT), sort_at FROM articles WHERE id = ? RETURNING id`, d.Lang, articleID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // deleted since: nothing to index
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, body, extra) VALUES (?, ?, ?, ?)`,
				id, strings.Join(d.Title, " "), strings.Join(d.Body, " "), strings.Join(d.Extra, " ")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index article %d for search: %w", articleID, err)
	}
	return nil
}

// tsvector writes d as a tsvector literal: 'term':pos+weight,… with the
// positions FTS5 gives the same terms, each field after a gap of one.
func tsvector(d store.SearchDoc) string {
	pos := map[string][]string{}
	var order []string
	p := 0
	for i, field := range [][]string{d.Title, d.Body, d.Extra} {
		w := "ABC"[i : i+1]
		for _, t := range field {
			p++
			if _, ok := pos[t]; !ok {
				order = append(order, t)
			}
			pos[t] = append(pos[t], strconv.Itoa(min(p, 16383))+w)
		}
		p++ // the gap
	}
	var b strings.Builder
	for _, t := range order {
		b.WriteString(tsLexeme(t))
		b.WriteByte(':')
		b.WriteString(strings.Join(pos[t], ","))
		b.WriteByte(' ')
	}
	return b.String()
}

// tsLexeme quotes a term for a tsvector or tsquery literal. Terms are
// letters and digits only (package search), but a term is never trusted
// to be.
func tsLexeme(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t) + "'"
}

// fts5Lexeme quotes a term as an FTS5 string, so no term is ever read as
// syntax (NEAR, AND, *, column:).
func fts5Lexeme(t string) string { return `"` + strings.ReplaceAll(t, `"`, `""`) + `"` }

// matchExpr returns the engine's query for the groups: all of them, each
// a term or a phrase.
func (s *Store) matchExpr(groups [][]string) string {
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		if s.d.FullText == FullTextTSVector {
			ls := make([]string, len(g))
			for i, t := range g {
				ls[i] = tsLexeme(t)
			}
			parts = append(parts, "("+strings.Join(ls, " <-> ")+")")
			continue
		}
		ls := make([]string, len(g))
		for i, t := range g {
			ls[i] = fts5Lexeme(t)
		}
		parts = append(parts, strings.Join(ls, " + ")) // FTS5: a + b is the phrase "a b"
	}
	if s.d.FullText == FullTextTSVector {
		return strings.Join(parts, " & ")
	}
	return strings.Join(parts, " AND ")
}

// searchCursor pages a relevance order by offset (the rank is not a stable
// key across engines), a newest order by keyset like listings.
func encodeRelevanceCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("r:" + strconv.Itoa(offset)))
}

func decodeRelevanceCursor(c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), "r:") {
		return 0, fmt.Errorf("cursor %q: %w", c, store.ErrBadCursor)
	}
	n, err := strconv.Atoi(string(raw[2:]))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("cursor %q: %w", c, store.ErrBadCursor)
	}
	return n, nil
}

// Search returns one page of an edition's matching articles.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) (store.SearchPage, error) {
	page, err := s.search(ctx, q)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("search %s edition: %w", q.Lang, err)
	}
	return page, nil
}

func (s *Store) search(ctx context.Context, q store.SearchQuery) (store.SearchPage, error) {
	if len(q.Groups) == 0 {
		return store.SearchPage{}, nil
	}
	for _, g := range q.Groups {
		if len(g) == 0 {
			return store.SearchPage{}, fmt.Errorf("empty search group")
		}
	}
	if q.Sort != store.SortNewest && q.Sort != store.SortRelevance && q.Sort != "" {
		return store.SearchPage{}, fmt.Errorf("unknown search order %q", q.Sort)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	match := s.matchExpr(q.Groups)
	// The cursor is checked first, so a bad one is an error even when
	// nothing matches.
	var sortAt, afterID int64
	offset := 0
	if q.Cursor != "" {
		var err error
		switch q.Sort {
		case store.SortNewest:
			sortAt, afterID, err = decodeCursor(q.Cursor)
		case store.SortRelevance, "":
			offset, err = decodeRelevanceCursor(q.Cursor)
		}
		if err != nil {
			return store.SearchPage{}, err
		}
	}

	if s.d.FullText == FullTextTSVector {
		return s.searchPage(ctx, q, match, limit, offset, sortAt, afterID, -1)
	}
	// FTS5 ranks a few candidates by itself (ORDER BY rank LIMIT on the
	// FTS table alone computes no join per match); the edition and
	// visibility are applied to them afterwards, so a page can come up
	// short while more candidates remain: then with more candidates, and
	// at last with all of them.
	want := offset + limit + 1
	for k := max(4*want, 200); ; k *= 8 {
		if k > 64*want {
			k = -1 // every match
		}
		page, err := s.searchPage(ctx, q, match, limit, offset, sortAt, afterID, k)
		if err != nil || k < 0 || q.Sort == store.SortNewest || len(page.Articles) == limit || page.Total == 0 {
			return page, err
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?) c`,
			match, k+1).Scan(&n); err != nil {
			return store.SearchPage{}, err
		}
		if n <= k {
			return page, nil // the candidates were every match
		}
	}
}

// searchPage runs one page of a search. On SQLite a relevance order takes
// its candidates from FTS5's own ranking, the best candidates of them
// (-1: every match).
func (s *Store) searchPage(ctx context.Context, q store.SearchQuery, match string, limit, offset int, sortAt, afterID int64, candidates int) (store.SearchPage, error) {
	var from, where, rank string
	visible := ` AND d.lang = ?
		AND d.article_id NOT IN (SELECT id FROM articles WHERE hidden = TRUE)
		AND d.article_id NOT IN (SELECT id FROM articles WHERE duplicate_of IS NOT NULL)`
	if s.d.FullText == FullTextTSVector {
		from = ` FROM search_docs d`
		where = ` WHERE d.tsv @@ CAST(? AS tsquery)`
		rank = `-ts_rank_cd(` + tsRankWeight + `, d.tsv, CAST(? AS tsquery), 1)` // ascending, as bm25
	} else {
		from = ` FROM search_fts f JOIN search_docs d ON d.id = f.rowid`
		where = ` WHERE search_fts MATCH ?`
		rank = fts5Rank
	}
	where += visible
	args := []any{match, q.Lang}

	// Counting stops past the cap: a common word's every match is not
	// worth reading to say "1,000+".
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM (SELECT 1`+from+where+` LIMIT ?) c`),
		append(args, store.SearchCountCap+1)...).Scan(&total); err != nil {
		return store.SearchPage{}, err
	}
	page := store.SearchPage{Total: min(total, store.SearchCountCap), TotalMore: total > store.SearchCountCap}
	if total == 0 {
		return page, nil
	}

	// The page's ids first, from search_docs alone, then their articles'
	// rows: ordering thousands of matches must not read their texts.
	var b strings.Builder
	switch q.Sort {
	case store.SortNewest:
		b.WriteString(`SELECT d.article_id AS id, d.sort_at AS sort_at, 0 AS r` + from + where)
		if q.Cursor != "" {
			b.WriteString(` AND (d.sort_at, d.article_id) < (?, ?)`)
			args = append(args, sortAt, afterID)
		}
		b.WriteString(` ORDER BY d.sort_at DESC, d.article_id DESC LIMIT ?`)
		args = append(args, limit+1)
	case store.SortRelevance, "":
		if s.d.FullText == FullTextTSVector {
			// ts_rank_cd reads a match's whole tsvector (TOASTed, some
			// kilobytes): it ranks the newest pgRankCandidates matches,
			// not every match of a common word.
			b.WriteString(`SELECT d.article_id AS id, d.sort_at AS sort_at, ` + rank + ` AS r FROM (SELECT d.article_id, d.sort_at, d.tsv` +
				from + where + ` ORDER BY d.sort_at DESC, d.article_id DESC LIMIT ` + strconv.Itoa(pgRankCandidates) + `) d`)
			args = append([]any{match}, args...) // the rank's query comes first
		} else {
			b.WriteString(`SELECT d.article_id AS id, d.sort_at AS sort_at, c.rank AS r
				FROM (SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ? AND rank MATCH ?
					ORDER BY rank LIMIT ?) c
				JOIN search_docs d ON d.id = c.rowid WHERE 1 = 1` + visible)
			args = append([]any{match, fts5RankFunc, candidates}, args[1:]...)
		}
		b.WriteString(` ORDER BY r, d.sort_at DESC, d.article_id DESC LIMIT ? OFFSET ?`)
		args = append(args, limit+1, offset)
	default:
		return store.SearchPage{}, fmt.Errorf("unknown search order %q", q.Sort)
	}
	outer := `SELECT ` + articleCols + ` FROM (` + b.String() + `) hit JOIN articles a ON a.id = hit.id
		LEFT JOIN sources s ON s.id = a.source_id ORDER BY hit.r, hit.sort_at DESC, hit.id DESC`
	b.Reset()
	b.WriteString(outer)
	rows, err := s.db.QueryContext(ctx, s.d.rebind(b.String()), args...)
	if err != nil {
		return store.SearchPage{}, err
	}
	defer rows.Close()
	var lastSort int64
	for rows.Next() {
		a, sortAt, err := scanArticleSort(rows)
		if err != nil {
			return store.SearchPage{}, err
		}
		if len(page.Articles) == limit {
			if q.Sort == store.SortNewest {
				page.NextCursor = encodeCursor(lastSort, page.Articles[limit-1].ID)
			} else {
				page.NextCursor = encodeRelevanceCursor(offset + limit)
			}
			break
		}
		page.Articles = append(page.Articles, a)
		lastSort = sortAt
	}
	return page, rows.Err()
}
