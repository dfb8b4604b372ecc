package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"spektrum/internal/store"
)

// featureChunk bounds the placeholders of one statement (SQLite allows
// 32,766, PostgreSQL 65,535); an article has a few hundred features.
const featureChunk = 500

// InStoryTx runs fn in a transaction that story steps take turns in. Why a
// lock rather than a unique claim: a step reads the open stories, the
// document frequencies and the postings, and writes all three; two steps
// interleaving could each open a story for the same event, or lose an
// update to a shared centroid. Holding one lock for the few statements of
// a step keeps the state exactly what the offline clusterer would have,
// at the cost of running story steps one at a time per database (a step
// takes milliseconds; a site stores a few articles a minute). On
// PostgreSQL the lock is a transaction-scoped advisory lock
// (Dialect.StoryLock) taken first, so it is released with the
// transaction, even if the process dies; on SQLite the immediate
// transaction already holds the one write lock. (A step's first
// statement, counting documents, updates one row and so would queue steps
// on PostgreSQL as well; the lock makes taking turns explicit whatever a
// step does first, and covers AgeStories, which counts nothing.) Under
// store.LaterDurable (the pipeline's story stage) the lock and an
// asynchronous commit are one statement (Dialect.AsyncStoryLock): a commit
// that waits for the WAL flush would hold every other step that long too.
func (s *Store) InStoryTx(ctx context.Context, fn func(tx store.StoryTx) error) error {
	return s.inLockedTx(ctx, s.d.StoryLock, s.d.AsyncStoryLock, func(tx *sql.Tx) error {
		return fn(&storyTx{s: s, tx: tx})
	})
}

type storyTx struct {
	s  *Store
	tx *sql.Tx
}

var _ store.StoryTx = (*storyTx)(nil)

func (t *storyTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.s.txExec(ctx, t.tx, t.s.d.rebind(q), args...)
	return err
}

// execOnce runs a statement built for its number of values unprepared, so
// that its many variants stay out of the statement cache.
func (t *storyTx) execOnce(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, t.s.d.rebind(q), t.oneShot(args)...)
	return err
}

// oneShot puts the dialect's OneShot mode before args.
func (t *storyTx) oneShot(args []any) []any {
	if len(t.s.d.OneShot) == 0 {
		return args
	}
	return append(append(make([]any, 0, len(t.s.d.OneShot)+len(args)), t.s.d.OneShot...), args...)
}

// CountFeatures counts one more article and its features.
func (t *storyTx) CountFeatures(ctx context.Context, features []uint64) (int, []int, error) {
	var docs int
	if err := t.s.txQueryRow(ctx, t.tx, `UPDATE story_docs SET docs = docs + 1 WHERE id = 1 RETURNING docs`).Scan(&docs); err != nil {
		return 0, nil, fmt.Errorf("count story documents: %w", err)
	}
	df, err := t.featureDocs(ctx, features, func(n int) string {
		return `INSERT INTO story_terms (feature, docs) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, 1), ", n), ", ") +
			` ON CONFLICT (feature) DO UPDATE SET docs = story_terms.docs + 1 RETURNING feature, docs`
	})
	if err != nil {
		return 0, nil, fmt.Errorf("count story features: %w", err)
	}
	return docs, df, nil
}

// StoryCandidates returns the open stories that features find.
func (t *storyTx) StoryCandidates(ctx context.Context, features []uint64, since time.Time) ([]store.StoryCentroid, error) {
	if len(features) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(features)+1)
	for _, f := range features {
		args = append(args, int64(f))
	}
	args = append(args, ms(since))
	q := `SELECT ` + centroidCols + ` FROM stories
		WHERE id IN (SELECT story_id FROM story_postings WHERE feature IN (` + placeholders(len(features)) + `))
			AND merged_into IS NULL AND centroid IS NOT NULL AND seen_at >= ?
		ORDER BY id`
	rows, err := t.tx.QueryContext(ctx, t.s.d.rebind(q), t.oneShot(args)...)
	if err != nil {
		return nil, fmt.Errorf("story candidates: %w", err)
	}
	defer rows.Close()
	var out []store.StoryCentroid
	for rows.Next() {
		c, err := scanCentroid(rows)
		if err != nil {
			return nil, fmt.Errorf("story candidates: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("story candidates: %w", err)
	}
	return out, nil
}

// OpenStoryCentroid returns the state of a story or the one it merged into.
func (t *storyTx) OpenStoryCentroid(ctx context.Context, id int64) (*store.StoryCentroid, error) {
	// Merges repoint earlier merges (MergeStory), so one step resolves.
	var into sql.NullInt64
	err := t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(`SELECT merged_into FROM stories WHERE id = ?`), id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("story %d: %w", id, err)
	}
	if into.Valid {
		id = into.Int64
	}
	c, err := scanCentroid(t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(
		`SELECT `+centroidCols+` FROM stories WHERE id = ? AND centroid IS NOT NULL`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("story %d is closed: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("story %d: %w", id, err)
	}
	return &c, nil
}

// CreateStory records a new story.
func (t *storyTx) CreateStory(ctx context.Context, c *store.StoryCentroid) error {
	err := t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(`INSERT INTO stories (size, seen_at, centroid, weighed, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), c.Size, ms(c.Last), encodeCentroid(c.Vector), c.Weighed, ms(time.Now())).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create story: %w", err)
	}
	return nil
}

// SaveStory stores a story's clustering state and its new postings.
func (t *storyTx) SaveStory(ctx context.Context, c *store.StoryCentroid, added []uint64) error {
	const update = `UPDATE stories SET size = ?, seen_at = ?, centroid = ?, weighed = ? WHERE id = ?`
	upd := []any{c.Size, ms(c.Last), encodeCentroid(c.Vector), c.Weighed, c.ID}
	// Where the engine allows, the update goes with the first postings:
	// one round trip with the story lock held instead of two.
	with := t.s.d.WritingWith && len(added) > 0
	if !with {
		if err := t.exec(ctx, update, upd...); err != nil {
			return fmt.Errorf("save story %d: %w", c.ID, err)
		}
	}
	for start := 0; start < len(added); start += featureChunk {
		part := added[start:min(start+featureChunk, len(added))]
		args := make([]any, 0, len(upd)+2*len(part))
		q := `INSERT INTO story_postings (feature, story_id) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(part)), ", ") + ` ON CONFLICT DO NOTHING`
		if with && start == 0 {
			q = `WITH saved AS (` + update + `) ` + q
			args = append(args, upd...)
		}
		for _, f := range part {
			args = append(args, int64(f), c.ID)
		}
		if err := t.execOnce(ctx, q, args...); err != nil {
			return fmt.Errorf("save story %d postings: %w", c.ID, err)
		}
	}
	return nil
}

// MergeStory moves gone's articles (and earlier merges) into keep. Both
// are refreshed: keep counts the union of the two, gone (now without
// articles) counts nothing rather than what it held before.
func (t *storyTx) MergeStory(ctx context.Context, gone, keep int64) error {
	if gone == keep {
		return fmt.Errorf("merge story %d into itself", gone)
	}
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`UPDATE stories SET merged_into = ?, centroid = NULL WHERE id = ?`, []any{keep, gone}},
		{`UPDATE stories SET merged_into = ? WHERE merged_into = ?`, []any{keep, gone}},
		{`UPDATE articles SET story_id = ? WHERE story_id = ?`, []any{keep, gone}},
		{`DELETE FROM story_postings WHERE story_id = ?`, []any{gone}},
	} {
		if err := t.exec(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("merge story %d into %d: %w", gone, keep, err)
		}
	}
	if err := t.refresh(ctx, gone); err != nil {
		return err
	}
	return t.refresh(ctx, keep)
}

// SetArticleStory files an article under a story.
func (t *storyTx) SetArticleStory(ctx context.Context, articleID, storyID int64) error {
	if storyID != 0 {
		// The common case, a new article filed for the first time, in one
		// statement instead of a read and a write: the step holds the
		// story lock, so each round trip it saves is saved for every step
		// waiting. Anything else (filed already, or gone) takes the path
		// below.
		res, err := t.s.txExec(ctx, t.tx, t.s.d.rebind(`UPDATE articles SET story_id = ? WHERE id = ? AND story_id IS NULL`), storyID, articleID)
		if err != nil {
			return fmt.Errorf("file article %d under story %d: %w", articleID, storyID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			return t.refresh(ctx, storyID)
		}
	}
	var old sql.NullInt64
	err := t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(`SELECT story_id FROM articles WHERE id = ?`), articleID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("file article %d under story %d: %w", articleID, storyID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("file article %d under story %d: %w", articleID, storyID, err)
	}
	if err := t.exec(ctx, `UPDATE articles SET story_id = ? WHERE id = ?`, nullID(storyID), articleID); err != nil {
		return fmt.Errorf("file article %d under story %d: %w", articleID, storyID, err)
	}
	if old.Valid && old.Int64 != storyID {
		if err := t.refresh(ctx, old.Int64); err != nil {
			return err
		}
	}
	if storyID == 0 {
		return nil
	}
	return t.refresh(ctx, storyID)
}

// refresh recomputes what pages show of a story from its visible
// articles: counts, dates and the representative (the earliest original).
func (t *storyTx) refresh(ctx context.Context, id int64) error {
	const of = ` FROM articles WHERE story_id = ? AND hidden = FALSE`
	q := `UPDATE stories SET
		articles = (SELECT COUNT(*)` + of + `),
		sources = (SELECT COUNT(DISTINCT source_id)` + of + `),
		languages = (SELECT COUNT(DISTINCT language)` + of + ` AND language <> ''),
		first_at = COALESCE((SELECT MIN(sort_at)` + of + `), 0),
		last_at = COALESCE((SELECT MAX(sort_at)` + of + `), 0),
		article_id = (SELECT id` + of + ` ORDER BY CASE WHEN duplicate_of IS NULL THEN 0 ELSE 1 END, sort_at, id LIMIT 1)
		WHERE id = ?`
	if err := t.exec(ctx, q, id, id, id, id, id, id, id); err != nil {
		return fmt.Errorf("refresh story %d: %w", id, err)
	}
	return nil
}

// RelativeStory is the story of an article's original, else of a copy.
func (t *storyTx) RelativeStory(ctx context.Context, articleID, original int64) (int64, error) {
	var id sql.NullInt64
	var err error
	if original != 0 {
		err = t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(`SELECT story_id FROM articles WHERE id = ?`), original).Scan(&id)
	}
	if (err == nil || errors.Is(err, sql.ErrNoRows)) && !id.Valid {
		err = t.s.txQueryRow(ctx, t.tx, t.s.d.rebind(`SELECT story_id FROM articles
			WHERE duplicate_of = ? AND story_id IS NOT NULL ORDER BY id LIMIT 1`), articleID).Scan(&id)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("story of article %d's copies: %w", articleID, err)
	}
	return id.Int64, nil
}

const centroidCols = `id, size, seen_at, centroid, weighed`

// StoryFrequencies reads the article count and document frequencies.
func (t *storyTx) StoryFrequencies(ctx context.Context, features []uint64) (int, []int, error) {
	var docs int
	if err := t.s.txQueryRow(ctx, t.tx, `SELECT docs FROM story_docs WHERE id = 1`).Scan(&docs); err != nil {
		return 0, nil, fmt.Errorf("read story documents: %w", err)
	}
	df, err := t.featureDocs(ctx, features, func(n int) string {
		return `SELECT feature, docs FROM story_terms WHERE feature IN (` + placeholders(n) + `)`
	})
	if err != nil {
		return 0, nil, fmt.Errorf("read story features: %w", err)
	}
	return docs, df, nil
}

// featureDocs runs query, made for n features, over features in chunks
// and returns the document frequency of each feature, in order (0 where
// the query returns none). Counting and reading share it so that the two
// see features alike.
func (t *storyTx) featureDocs(ctx context.Context, features []uint64, query func(n int) string) ([]int, error) {
	counts := make(map[int64]int, len(features))
	for start := 0; start < len(features); start += featureChunk {
		part := features[start:min(start+featureChunk, len(features))]
		args := make([]any, len(part))
		for i, f := range part {
			args[i] = int64(f)
		}
		rows, err := t.tx.QueryContext(ctx, t.s.d.rebind(query(len(part))), t.oneShot(args)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var f int64
			var n int
			if err := rows.Scan(&f, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[f] = n
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, err
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	df := make([]int, len(features))
	for i, f := range features {
		df[i] = counts[int64(f)]
	}
	return df, nil
}

// StaleStories returns the small open stories weighed long ago.
func (t *storyTx) StaleStories(ctx context.Context, weighed, size int, since time.Time) ([]store.StoryCentroid, error) {
	rows, err := t.s.txQuery(ctx, t.tx, t.s.d.rebind(`SELECT `+centroidCols+` FROM stories
		WHERE centroid IS NOT NULL AND seen_at >= ? AND merged_into IS NULL AND weighed <= ? AND size <= ?
		ORDER BY id`), ms(since), weighed, size)
	if err != nil {
		return nil, fmt.Errorf("stale stories: %w", err)
	}
	defer rows.Close()
	var out []store.StoryCentroid
	for rows.Next() {
		c, err := scanCentroid(rows)
		if err != nil {
			return nil, fmt.Errorf("stale stories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stale stories: %w", err)
	}
	return out, nil
}

// StoryMembers returns what the clusterer reads of a story's articles.
func (t *storyTx) StoryMembers(ctx context.Context, id int64) ([]store.Article, error) {
	rows, err := t.s.txQuery(ctx, t.tx, t.s.d.rebind(`SELECT id, COALESCE(title_override, title), url, language, text, published_at, first_seen_at
		FROM articles WHERE story_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("articles of story %d: %w", id, err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		var a store.Article
		var pub, seen int64
		if err := rows.Scan(&a.ID, &a.Title, &a.URL, &a.Language, &a.Text, &pub, &seen); err != nil {
			return nil, fmt.Errorf("articles of story %d: %w", id, err)
		}
		a.PublishedAt, a.FirstSeenAt = fromMS(pub), fromMS(seen)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("articles of story %d: %w", id, err)
	}
	return out, nil
}

func scanCentroid(sc interface{ Scan(...any) error }) (store.StoryCentroid, error) {
	var c store.StoryCentroid
	var seen int64
	var raw []byte
	if err := sc.Scan(&c.ID, &c.Size, &seen, &raw, &c.Weighed); err != nil {
		return c, err
	}
	c.Last, c.Vector = fromMS(seen), decodeCentroid(raw)
	return c, nil
}

// encodeCentroid stores a vector as (feature, float64 bits) pairs, little
// endian, in feature order so equal vectors encode alike.
func encodeCentroid(v map[uint64]float64) []byte {
	fs := make([]uint64, 0, len(v))
	for f := range v {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i] < fs[j] })
	b := make([]byte, 16*len(fs))
	for i, f := range fs {
		binary.LittleEndian.PutUint64(b[16*i:], f)
		binary.LittleEndian.PutUint64(b[16*i+8:], math.Float64bits(v[f]))
	}
	return b
}

func decodeCentroid(b []byte) map[uint64]float64 {
	v := make(map[uint64]float64, len(b)/16)
	for i := 0; i+16 <= len(b); i += 16 {
		v[binary.LittleEndian.Uint64(b[i:])] = math.Float64frombits(binary.LittleEndian.Uint64(b[i+8:]))
	}
	return v
}

const storyCols = `s.id, COALESCE(s.article_id, 0), COALESCE(a.title_override, a.title, ''), COALESCE(a.language, ''),
	s.first_at, s.last_at, s.articles, s.sources, s.languages, COALESCE(s.merged_into, 0)`

const storyFrom = ` FROM stories s LEFT JOIN articles a ON a.id = s.article_id`

func scanStory(sc interface{ Scan(...any) error }) (store.Story, error) {
	var st store.Story
	var first, last int64
	err := sc.Scan(&st.ID, &st.ArticleID, &st.Title, &st.Language, &first, &last,
		&st.Articles, &st.Sources, &st.Languages, &st.MergedInto)
	st.FirstAt, st.LastAt = fromMS(first), fromMS(last)
	return st, err
}

// Story returns one story.
func (s *Store) Story(ctx context.Context, id int64) (*store.Story, error) {
	st, err := scanStory(s.queryRow(ctx, s.d.rebind(`SELECT `+storyCols+storyFrom+` WHERE s.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("story %d: %w", id, err)
	}
	return &st, nil
}

// StoryArticles returns a story's visible articles, oldest first.
func (s *Store) StoryArticles(ctx context.Context, id int64, limit int) ([]store.Article, error) {
	if limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	rows, err := s.query(ctx, s.d.rebind(`SELECT `+articleCols+articleFrom+
		` WHERE a.story_id = ? AND a.hidden = FALSE ORDER BY a.sort_at, a.id LIMIT ?`), id, limit)
	if err != nil {
		return nil, fmt.Errorf("articles of story %d: %w", id, err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("articles of story %d: %w", id, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("articles of story %d: %w", id, err)
	}
	return out, nil
}

// Stories returns a page of stories, newest activity first, paged on
// (last_at, id) like the article listings.
func (s *Store) Stories(ctx context.Context, q store.StoryQuery) (store.StoryPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	var b strings.Builder
	b.WriteString(`SELECT ` + storyCols + storyFrom + ` WHERE s.merged_into IS NULL AND s.articles > 0`)
	var args []any
	if !q.Since.IsZero() {
		b.WriteString(` AND s.last_at >= ?`)
		args = append(args, ms(q.Since))
	}
	if q.MinSources > 0 {
		b.WriteString(` AND s.sources >= ?`)
		args = append(args, q.MinSources)
	}
	if q.Cursor != "" {
		last, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return store.StoryPage{}, fmt.Errorf("list stories: %w", err)
		}
		b.WriteString(` AND (s.last_at < ? OR (s.last_at = ? AND s.id < ?))`)
		args = append(args, last, last, id)
	}
	b.WriteString(` ORDER BY s.last_at DESC, s.id DESC LIMIT ?`)
	args = append(args, limit+1)
	rows, err := s.query(ctx, s.d.rebind(b.String()), args...)
	if err != nil {
		return store.StoryPage{}, fmt.Errorf("list stories: %w", err)
	}
	defer rows.Close()
	var page store.StoryPage
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return store.StoryPage{}, fmt.Errorf("list stories: %w", err)
		}
		page.Stories = append(page.Stories, st)
	}
	if err := rows.Err(); err != nil {
		return store.StoryPage{}, fmt.Errorf("list stories: %w", err)
	}
	if len(page.Stories) > limit {
		page.Stories = page.Stories[:limit]
		last := page.Stories[limit-1]
		page.Next = encodeCursor(ms(last.LastAt), last.ID)
	}
	return page, nil
}

// AgeStories closes stories idle since before, under the story lock so no
// step is reading them meanwhile.
func (s *Store) AgeStories(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.InStoryTx(ctx, func(st store.StoryTx) error {
		t := st.(*storyTx)
		if err := t.exec(ctx, `DELETE FROM story_postings WHERE story_id IN
			(SELECT id FROM stories WHERE centroid IS NOT NULL AND seen_at < ?)`, ms(before)); err != nil {
			return err
		}
		res, err := t.s.txExec(ctx, t.tx, s.d.rebind(`UPDATE stories SET centroid = NULL
			WHERE centroid IS NOT NULL AND seen_at < ?`), ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("close idle stories: %w", err)
	}
	return int(n), nil
}
