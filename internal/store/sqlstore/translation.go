package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"spektrum/internal/store"
)

// The translation queries, written once with ? placeholders and rebound per
// call (rebinding is a short scan; these run once per article or page).
const (
	translationCols = `article_id, language, source_language, status, title, summary, html, text,
		provider, content_hash, error, chars, created_at`

	qPutTranslation = `INSERT INTO translations (` + translationCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (article_id, language) DO UPDATE SET
			source_language = excluded.source_language, status = excluded.status,
			title = excluded.title, summary = excluded.summary, html = excluded.html,
			text = excluded.text, provider = excluded.provider,
			content_hash = excluded.content_hash, error = excluded.error,
			chars = excluded.chars, created_at = excluded.created_at`
	qTranslation    = `SELECT ` + translationCols + ` FROM translations WHERE article_id = ? AND language = ?`
	qTranslations   = `SELECT ` + translationCols + ` FROM translations WHERE article_id = ? ORDER BY language`
	qTranslationsIn = `SELECT ` + translationCols + ` FROM translations WHERE language = ? AND article_id IN (%s)`
	// qTranslationCardsIn is qTranslationsIn without the HTML and text,
	// which cards do not show (ArticleQuery.Cards).
	qTranslationCardsIn = `SELECT article_id, language, source_language, status, title, summary, '', '',
		provider, content_hash, error, chars, created_at FROM translations WHERE language = ? AND article_id IN (%s)`
	qTranslationCounts = `SELECT language, status, COUNT(*) FROM translations GROUP BY language, status`
	// translations_failed (migration 0018) keeps this a short index walk.
	qTranslationFailures = `SELECT article_id, language, source_language, status, provider, content_hash, error, chars, created_at
		FROM translations WHERE status = 'failed' ORDER BY created_at DESC, article_id DESC LIMIT ?`

	// qEditionFilter keeps an article in edition ? when it is written in it,
	// its language is unknown, or the translate stage has finished with it.
	// The OFFSET 0 keeps PostgreSQL from turning the EXISTS into a hashed
	// subplan, which reads every translation into the language for each
	// page (O(articles); 88 ms a front page at 100,000 articles): with it,
	// each listed row is one index probe (24 ms). SQLite probes either way.
	// docs/benchmarks.md, "A million articles".
	qEditionFilter = ` AND (a.language = ? OR a.language = '' OR EXISTS
		(SELECT 1 FROM translations t WHERE t.article_id = a.id AND t.language = ? LIMIT 1 OFFSET 0))`

	qCachedSegments = `SELECT hash, text FROM translation_segments
		WHERE source_language = ? AND target_language = ? AND provider = ? AND hash IN (%s)`
	qPutSegment = `INSERT INTO translation_segments (hash, source_language, target_language, provider, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

	qEnsureUsage = `INSERT INTO translation_usage (provider, month) VALUES (?, ?) ON CONFLICT DO NOTHING`
	// qReserveChars adds in one statement, so two processes checking the
	// same budget at once cannot both spend its last characters.
	qReserveChars = `UPDATE translation_usage SET chars = chars + ?
		WHERE provider = ? AND month = ? AND (? <= 0 OR chars + ? <= ?)`
	qAddUsage = `UPDATE translation_usage SET requests = requests + ?, cache_hits = cache_hits + ?,
		cache_misses = cache_misses + ?, errors = errors + ? WHERE provider = ? AND month = ?`
	qUsage = `SELECT provider, month, chars, requests, cache_hits, cache_misses, errors
		FROM translation_usage WHERE month = ? ORDER BY provider`
)

// segmentChunk bounds the IN lists of segment lookups (SQLite allows 32766
// variables, PostgreSQL 65535; a long article has a few hundred segments).
const segmentChunk = 500

func scanTranslation(sc interface{ Scan(...any) error }) (store.Translation, error) {
	var t store.Translation
	var created int64
	err := sc.Scan(&t.ArticleID, &t.Language, &t.SourceLanguage, &t.Status, &t.Title, &t.Summary, &t.HTML,
		&t.Text, &t.Provider, &t.ContentHash, &t.Error, &t.Chars, &created)
	t.CreatedAt = fromMS(created)
	return t, err
}

// PutTranslation inserts or replaces the row for (ArticleID, Language).
func (s *Store) PutTranslation(ctx context.Context, t *store.Translation) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	_, err := s.exec(ctx, s.d.rebind(qPutTranslation), t.ArticleID, t.Language, t.SourceLanguage, t.Status,
		t.Title, t.Summary, t.HTML, t.Text, t.Provider, t.ContentHash, t.Error, t.Chars, ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store translation of article %d into %s: %w", t.ArticleID, t.Language, err)
	}
	return nil
}

// Translation returns one row, ErrNotFound when there is none yet.
func (s *Store) Translation(ctx context.Context, articleID int64, lang string) (*store.Translation, error) {
	t, err := scanTranslation(s.queryRow(ctx, s.d.rebind(qTranslation), articleID, lang))
	if err != nil {
		return nil, notFound(err, "translation of article %d into %s", articleID, lang)
	}
	return &t, nil
}

// Translations returns every edition row of one article, by language.
func (s *Store) Translations(ctx context.Context, articleID int64) ([]store.Translation, error) {
	return s.queryTranslations(ctx, s.d.rebind(qTranslations), articleID)
}

func (s *Store) queryTranslations(ctx context.Context, q string, args ...any) ([]store.Translation, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list translations: %w", err)
	}
	defer rows.Close()
	var out []store.Translation
	for rows.Next() {
		t, err := scanTranslation(rows)
		if err != nil {
			return nil, fmt.Errorf("list translations: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list translations: %w", err)
	}
	return out, nil
}

// TranslationsIn returns the rows of lang for the given articles, by article id.
func (s *Store) TranslationsIn(ctx context.Context, lang string, ids []int64) (map[int64]store.Translation, error) {
	return s.translationsIn(ctx, qTranslationsIn, lang, ids)
}

// TranslationCardsIn is TranslationsIn for cards: no HTML, and the text
// only of rows whose lead is blank (a card shows the start of the text then).
func (s *Store) TranslationCardsIn(ctx context.Context, lang string, ids []int64) (map[int64]store.Translation, error) {
	out, err := s.translationsIn(ctx, qTranslationCardsIn, lang, ids)
	if err != nil {
		return nil, err
	}
	args := []any{lang}
	for id, t := range out {
		if strings.TrimSpace(t.Summary) == "" {
			args = append(args, id)
		}
	}
	if len(args) == 1 {
		return out, nil
	}
	err = s.readTexts(ctx, s.d.rebind(fmt.Sprintf(qTranslationTexts, placeholders(len(args)-1))), args, func(id int64, text string) {
		if t, ok := out[id]; ok {
			t.Text = text
			out[id] = t
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list translations: %w", err)
	}
	return out, nil
}

func (s *Store) translationsIn(ctx context.Context, query, lang string, ids []int64) (map[int64]store.Translation, error) {
	out := make(map[int64]store.Translation, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), segmentChunk)
		args := []any{lang}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		ts, err := s.queryTranslations(ctx, s.d.rebind(fmt.Sprintf(query, placeholders(n))), args...)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			out[t.ArticleID] = t
		}
		ids = ids[n:]
	}
	return out, nil
}

// EditionArticles lists the visible articles of edition lang, newest first,
// with the same filters, limits and cursors as Articles.
func (s *Store) EditionArticles(ctx context.Context, lang string, q store.ArticleQuery) (store.ArticlePage, error) {
	page, err := s.listArticles(ctx, qEditionFilter, []any{lang, lang}, q)
	if err != nil {
		return store.ArticlePage{}, fmt.Errorf("list %s edition: %w", lang, err)
	}
	return page, nil
}

// TranslationCounts counts rows per edition language and status.
func (s *Store) TranslationCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := s.query(ctx, qTranslationCounts)
	if err != nil {
		return nil, fmt.Errorf("count translations: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var lang, status string
		var n int
		if err := rows.Scan(&lang, &status, &n); err != nil {
			return nil, fmt.Errorf("count translations: %w", err)
		}
		if out[lang] == nil {
			out[lang] = map[string]int{}
		}
		out[lang][status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count translations: %w", err)
	}
	return out, nil
}

// TranslationFailures lists the latest failed rows, newest first.
func (s *Store) TranslationFailures(ctx context.Context, limit int) ([]store.Translation, error) {
	if limit <= 0 || limit > maxLimit {
		limit = defaultLimit
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qTranslationFailures), limit)
	if err != nil {
		return nil, fmt.Errorf("list failed translations: %w", err)
	}
	defer rows.Close()
	var out []store.Translation
	for rows.Next() {
		var t store.Translation
		var created int64
		if err := rows.Scan(&t.ArticleID, &t.Language, &t.SourceLanguage, &t.Status, &t.Provider, &t.ContentHash, &t.Error, &t.Chars, &created); err != nil {
			return nil, fmt.Errorf("list failed translations: %w", err)
		}
		t.CreatedAt = fromMS(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list failed translations: %w", err)
	}
	return out, nil
}

// CachedSegments returns cached translations by source hash.
func (s *Store) CachedSegments(ctx context.Context, from, to, provider string, hashes []string) (map[string]string, error) {
	out := make(map[string]string, len(hashes))
	for len(hashes) > 0 {
		n := min(len(hashes), segmentChunk)
		args := []any{from, to, provider}
		for _, h := range hashes[:n] {
			args = append(args, h)
		}
		if err := s.readSegments(ctx, s.d.rebind(fmt.Sprintf(qCachedSegments, placeholders(n))), args, out); err != nil {
			return nil, err
		}
		hashes = hashes[n:]
	}
	return out, nil
}

func (s *Store) readSegments(ctx context.Context, q string, args []any, out map[string]string) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read translation cache: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h, text string
		if err := rows.Scan(&h, &text); err != nil {
			return fmt.Errorf("read translation cache: %w", err)
		}
		out[h] = text
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read translation cache: %w", err)
	}
	return nil
}

// PutSegments caches translations by source hash; existing entries stay.
func (s *Store) PutSegments(ctx context.Context, from, to, provider string, segs map[string]string) error {
	if len(segs) == 0 {
		return nil
	}
	now := ms(time.Now().UTC())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.d.rebind(qPutSegment))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for h, text := range segs {
			if _, err := stmt.ExecContext(ctx, h, from, to, provider, text, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write translation cache (%s→%s, %s): %w", from, to, provider, err)
	}
	return nil
}

// ReserveChars adds chars to provider's month if that stays within limit.
func (s *Store) ReserveChars(ctx context.Context, provider, month string, chars, limit int64) (bool, error) {
	if _, err := s.exec(ctx, s.d.rebind(qEnsureUsage), provider, month); err != nil {
		return false, fmt.Errorf("reserve %d characters of %s's budget: %w", chars, provider, err)
	}
	res, err := s.exec(ctx, s.d.rebind(qReserveChars), chars, provider, month, limit, chars, limit)
	if err != nil {
		return false, fmt.Errorf("reserve %d characters of %s's budget: %w", chars, provider, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("reserve %d characters of %s's budget: %w", chars, provider, err)
	}
	return n == 1, nil
}

// AddTranslationUsage adds u's counters (not Chars) to its provider's month.
func (s *Store) AddTranslationUsage(ctx context.Context, u store.TranslationUsage) error {
	if _, err := s.exec(ctx, s.d.rebind(qEnsureUsage), u.Provider, u.Month); err != nil {
		return fmt.Errorf("record %s usage: %w", u.Provider, err)
	}
	if _, err := s.exec(ctx, s.d.rebind(qAddUsage), u.Requests, u.CacheHits, u.CacheMisses, u.Errors, u.Provider, u.Month); err != nil {
		return fmt.Errorf("record %s usage: %w", u.Provider, err)
	}
	return nil
}

// TranslationUsage lists every provider's use in month.
func (s *Store) TranslationUsage(ctx context.Context, month string) ([]store.TranslationUsage, error) {
	rows, err := s.query(ctx, s.d.rebind(qUsage), month)
	if err != nil {
		return nil, fmt.Errorf("read translation usage: %w", err)
	}
	defer rows.Close()
	var out []store.TranslationUsage
	for rows.Next() {
		var u store.TranslationUsage
		if err := rows.Scan(&u.Provider, &u.Month, &u.Chars, &u.Requests, &u.CacheHits, &u.CacheMisses, &u.Errors); err != nil {
			return nil, fmt.Errorf("read translation usage: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read translation usage: %w", err)
	}
	return out, nil
}
