package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

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
	fts5TierRank = `bm25(search_recent, 4.0, 1.0, 0.5)`
	tsRankWeight = `'{0.05, 0.2, 0.4, 1.0}'`
)

// The newest-first order of search results is one key, search_docs.id on
// SQLite (which is also the FTS5 rowid, so FTS5 walks its matches newest
// first by itself: ORDER BY rowid DESC LIMIT, no sort of every match) and
// search_docs.ord on PostgreSQL. Both are searchOrd of the same values, so
// both engines order alike. The key is the article's sort_at in whole
// seconds (clamped to 1970–2242), then the article id (its low 26 bits:
// articles sharing a second more than 67 million ids apart order by the
// wrapped id), then a slot telling one article's documents in several
// editions apart. Migration 0021 computes the same formula in SQL.
const (
	ordSecondBits = 33
	ordIDBits     = 26
	ordSlotBits   = 4
)

// searchOrd returns the order key of an article's document; slot is 0 to
// 15 (on SQLite the first free one: the key must be unique there).
func searchOrd(sortAtMS, articleID int64, slot int) int64 {
	sec := min(max(sortAtMS, 0)/1000, 1<<ordSecondBits-1)
	return sec<<(ordIDBits+ordSlotBits) | (articleID&(1<<ordIDBits-1))<<ordSlotBits | int64(slot)
}

// SearchRow is one document as the search tables hold it: search_docs
// (id on SQLite, ord on PostgreSQL: the order key) and, on SQLite, the FTS5
// row of the same id; on PostgreSQL its tsv and pairs as tsvector literals.
type SearchRow struct {
	Key                int64 // SQLite search_docs.id and search_fts.rowid; PostgreSQL search_docs.ord
	Lang               string
	Title, Body, Extra string // SQLite: the FTS5 columns
	TSV, Pairs         string // PostgreSQL: tsvector literals
}

// SearchRows returns the rows PutSearchDocs writes for an article's
// documents (empty ones left out), for the engine's kind of full-text
// index (FullTextTSVector or FullTextFTS5), given that no other article's
// document holds their order keys (on SQLite PutSearchDocs then takes the
// next slot, which a bulk load of articles with distinct ids never needs).
// It lets a bulk load (the scale benchmark's) write the same rows without
// a statement per document.
func SearchRows(fullText string, articleID, sortAt int64, docs []store.SearchDoc) []SearchRow {
	var rows []SearchRow
	for _, d := range docs {
		if len(d.Title)+len(d.Body)+len(d.Extra) == 0 {
			continue // nothing to find it by
		}
		if fullText == FullTextTSVector {
			rows = append(rows, SearchRow{Key: searchOrd(sortAt, articleID, 0), Lang: d.Lang, TSV: tsvector(d), Pairs: pairsVector(d)})
			continue
		}
		rows = append(rows, SearchRow{Key: searchOrd(sortAt, articleID, len(rows)), Lang: d.Lang,
			Title: strings.Join(d.Title, " "), Body: strings.Join(d.Body, " "), Extra: strings.Join(d.Extra, " ")})
	}
	return rows
}

// PutSearchDocs replaces the article's documents; see store.SearchStore.
func (s *Store) PutSearchDocs(ctx context.Context, articleID int64, docs []store.SearchDoc) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Two workers indexing one article (its stage and a translation's
		// re-index) take turns instead of colliding on (article_id, lang).
		// SQLite runs one writer at a time anyway.
		lock := ""
		if s.d.FullText == FullTextTSVector {
			lock = ` FOR UPDATE`
		}
		var sortAt int64
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT sort_at FROM articles WHERE id = ?`+lock), articleID).Scan(&sortAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted since: nothing to index
		}
		if err != nil {
			return err
		}
		// On SQLite the triggers search_docs_delete and
		// search_docs_delete_recent remove the FTS rows of both indexes.
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM search_docs WHERE article_id = ?`), articleID); err != nil {
			return err
		}
		// Every document at or above the tier's floor goes into the tier
		// too. The floor is read without a lock: on PostgreSQL a move of the
		// tier may raise it meanwhile, and a document then lands below it,
		// which searches never read and the next move deletes. The floor
		// never falls, so no document it should hold is missed.
		var floor int64
		if err := tx.QueryRowContext(ctx, `SELECT floor FROM search_tier WHERE id = 1`).Scan(&floor); err != nil {
			return fmt.Errorf("read the newest documents' tier: %w", err)
		}
		if s.d.FullText == FullTextTSVector {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_recent WHERE article_id = $1`, articleID); err != nil {
				return err
			}
		}
		slot := 0
		for _, r := range SearchRows(s.d.FullText, articleID, sortAt, docs) {
			if s.d.FullText == FullTextTSVector {
				if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO search_docs (article_id, lang, sort_at, ord, tsv, pairs)
					VALUES (?, ?, ?, ?, CAST(? AS tsvector), CAST(? AS tsvector))`),
					articleID, r.Lang, sortAt, r.Key, r.TSV, r.Pairs); err != nil {
					return err
				}
				if r.Key >= floor {
					if _, err := tx.ExecContext(ctx, `INSERT INTO search_recent (article_id, lang, ord, tsv, pairs)
						VALUES ($1, $2, $3, CAST($4 AS tsvector), CAST($5 AS tsvector))`,
						articleID, r.Lang, r.Key, r.TSV, r.Pairs); err != nil {
						return err
					}
				}
				continue
			}
			// The key is unique: another article of the same second whose id
			// is equal in its low bits holds it rarely, then the next slot
			// (r.Key is the key when none is taken).
			var id int64
			for ; id == 0; slot++ {
				if slot >= 1<<ordSlotBits {
					return fmt.Errorf("no free order key for edition %s (more than %d documents of one second)", r.Lang, 1<<ordSlotBits)
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO search_docs (id, article_id, lang, sort_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (id) DO NOTHING`, searchOrd(sortAt, articleID, slot), articleID, r.Lang, sortAt)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n == 1 {
					id = searchOrd(sortAt, articleID, slot)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, body, extra) VALUES (?, ?, ?, ?)`,
				id, r.Title, r.Body, r.Extra); err != nil {
				return err
			}
			if id >= floor {
				if _, err := tx.ExecContext(ctx, `INSERT INTO search_recent (rowid, title, body, extra) VALUES (?, ?, ?, ?)`,
					id, r.Title, r.Body, r.Extra); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index article %d for search: %w", articleID, err)
	}
	if s.tier.due() {
		if err := s.moveSearchTier(ctx); err != nil {
			return fmt.Errorf("index article %d for search: %w", articleID, err)
		}
	}
	return nil
}

// The tier of the newest documents (migration 0033) is a second, small
// full-text index of every document whose order key is at least
// search_tier.floor. A search reads it for keys at or above
// search_tier.bound and uses what it finds there whenever that is enough:
// its count when the tier alone holds more than store.SearchCountCap
// matches, the relevance candidates when it holds store.SearchRankCap
// (the newest matches of all are then all in it), a newest-first page when
// it fills the page. Those are the same matches the whole index gives, and
// the searches that cost most (common words, whose every match the whole
// index reads to rank or count) are the ones it answers.
//
// Its size is per edition: an article has a document in each edition
// language it appears in, and a search reads one edition's. A move raises
// the bound to the key of the keep-th newest document (defaultSearchTierDocs)
// of the edition with the most documents above it, once that edition has
// more than a quarter as many again there, and the floor to the old bound,
// deleting what lies below that. So the busiest edition keeps keep of its
// newest, and every other edition its documents of the same span of time:
// as many where it has every article (translations), fewer where it has
// fewer. One bound for all editions keeps the search below simple.
//
// A search reads the bound once and asks each statement for keys at or
// above it, so a move during the search leaves it every document it relies
// on; each tier statement also checks in its own snapshot that the floor is
// still at or below the bound read (two moves during one search) and finds
// nothing otherwise, which the search takes as a tier that does not hold
// enough and reads the whole index.
type searchTier struct {
	docs atomic.Int64 // documents of the busiest edition a move keeps; 0 is defaultSearchTierDocs
	puts atomic.Int64 // PutSearchDocs calls, for when to look at the tier's size
	// spread is the documents above the bound per document of the busiest
	// edition there, in thousandths, as last counted (0: not yet, taken
	// as 1): about the number of editions. Counting documents per edition
	// sorts them (on SQLite some 70 ms of CPU for 150,000), so a look at the
	// tier counts them all at once, as before, and per edition only when
	// that count says the busiest edition may have passed its share.
	spread atomic.Int64
}

// defaultSearchTierDocs is the newest documents of an edition the tier
// keeps (up to a quarter as many again until a move). A word's relevance
// candidates come from the tier when some 1 % of them hold it, its count
// ("1,000+") from some 5 %: the common words, whose searches cost most in
// the whole index. Measured in docs/benchmarks.md, "Search speed, ninth
// pass".
const defaultSearchTierDocs = 20000

// SetSearchTierDocs sets how many of the newest documents of an edition
// the search index's tier keeps (tests and benchmarks; n <= 0 restores the
// default).
func (s *Store) SetSearchTierDocs(n int) { s.tier.docs.Store(int64(max(n, 0))) }

func (t *searchTier) keep() int64 {
	if n := t.docs.Load(); n > 0 {
		return n
	}
	return defaultSearchTierDocs
}

// due tells whether this PutSearchDocs call should look at the tier's
// size: one in every 64, or an eighth of the tier's size when that is
// fewer (a small tier in a test moves as it fills).
func (t *searchTier) due() bool {
	every := min(64, max(1, t.keep()/8))
	return t.puts.Add(1)%every == 0
}

// limit is the busiest edition's documents above the bound at which the
// tier moves.
func (t *searchTier) limit() int64 { k := t.keep(); return k + k/4 }

// moveSearchTier moves the tier up when its busiest edition has more than
// a quarter as many documents as it keeps above its bound; see searchTier.
func (s *Store) moveSearchTier(ctx context.Context) error {
	keep, limit := s.tier.keep(), s.tier.limit()
	moved := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lock := ``
		count := `SELECT COUNT(*) FROM search_docs WHERE id >= ?`
		perLang := `SELECT lang, COUNT(*) FROM search_docs WHERE id >= ? GROUP BY lang`
		nth := `SELECT id FROM search_docs WHERE lang = ? ORDER BY id DESC LIMIT 1 OFFSET ?`
		if s.d.FullText == FullTextTSVector {
			// Moves of several processes take turns; PutSearchDocs does
			// not wait for them (it reads the floor unlocked).
			lock = ` FOR UPDATE`
			count = `SELECT COUNT(*) FROM search_recent WHERE ord >= $1`
			perLang = `SELECT lang, COUNT(*) FROM search_recent WHERE ord >= $1 GROUP BY lang`
			nth = `SELECT ord FROM search_recent WHERE lang = $1 ORDER BY ord DESC LIMIT 1 OFFSET $2`
		}
		var floor, bound int64
		if err := tx.QueryRowContext(ctx, `SELECT floor, bound FROM search_tier WHERE id = 1`+lock).Scan(&floor, &bound); err != nil {
			return err
		}
		var above int64
		if err := tx.QueryRowContext(ctx, count, bound).Scan(&above); err != nil {
			return err
		}
		if spread := max(s.tier.spread.Load(), 1000); above*1000 <= limit*spread {
			return nil // the busiest edition holds at most limit, if the editions' shares are as last counted
		}
		busiest, most, err := busiestEdition(ctx, tx, perLang, bound)
		if err != nil {
			return err
		}
		if most > 0 {
			s.tier.spread.Store(above * 1000 / most)
		}
		if most <= limit {
			return nil
		}
		var next int64
		if err := tx.QueryRowContext(ctx, nth, busiest, keep-1).Scan(&next); err != nil {
			return err
		}
		if next <= bound {
			return nil
		}
		// Below the old bound, the new floor, no search reads any more.
		del := `DELETE FROM search_recent WHERE rowid IN (SELECT id FROM search_docs WHERE id >= ? AND id < ?)`
		args := []any{floor, bound}
		if s.d.FullText == FullTextTSVector {
			del, args = `DELETE FROM search_recent WHERE ord < $1`, []any{bound}
		}
		if _, err := tx.ExecContext(ctx, del, args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`UPDATE search_tier SET floor = ?, bound = ?`), bound, next)
		moved = err == nil
		return err
	})
	if err != nil {
		return fmt.Errorf("move the tier of the newest documents: %w", err)
	}
	if moved && s.d.FullText == FullTextTSVector {
		// The move deleted a quarter of the tier's rows (kilobytes each,
		// with their GIN entries). Left to a server whose autovacuum is off
		// or behind, the dead rows stayed in every bitmap and walk: a tier
		// built by 100,000 articles' moves was 3 times its live size and its
		// searches cost 40 % more server CPU (docs/benchmarks.md, "Search
		// speed, ninth pass"). SKIP_LOCKED: another process's move may be
		// vacuuming it already.
		if _, err := s.db.ExecContext(ctx, `VACUUM (ANALYZE, SKIP_LOCKED) search_recent`); err != nil {
			return fmt.Errorf("vacuum the tier of the newest documents after its move: %w", err)
		}
		s.wordStats.forget("search_recent") // analyzed anew
	}
	return nil
}

// busiestEdition runs perLang (edition languages and their documents from
// a key on) and returns the language with the most (of equals, the first
// by name) and how many it has.
func busiestEdition(ctx context.Context, tx *sql.Tx, perLang string, from int64) (string, int64, error) {
	rows, err := tx.QueryContext(ctx, perLang, from)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	var busiest string
	var most int64
	for rows.Next() {
		var lang string
		var n int64
		if err := rows.Scan(&lang, &n); err != nil {
			return "", 0, err
		}
		if n > most || n == most && lang < busiest {
			busiest, most = lang, n
		}
	}
	return busiest, most, rows.Err()
}

// SearchTierEditions returns the documents per edition language that
// searches read from the tier (keys at or above its bound).
func (s *Store) SearchTierEditions(ctx context.Context) (map[string]int64, error) {
	q := `SELECT d.lang, COUNT(*) FROM search_docs d JOIN search_tier t ON t.id = 1 WHERE d.id >= t.bound GROUP BY d.lang`
	if s.d.FullText == FullTextTSVector {
		q = `SELECT d.lang, COUNT(*) FROM search_recent d JOIN search_tier t ON t.id = 1 WHERE d.ord >= t.bound GROUP BY d.lang`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count the newest documents' tier per edition: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var lang string
		var n int64
		if err := rows.Scan(&lang, &n); err != nil {
			return nil, fmt.Errorf("count the newest documents' tier per edition: %w", err)
		}
		out[lang] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the newest documents' tier per edition: %w", err)
	}
	return out, nil
}

// fillChunk is the documents FillSearchTier adds in one write.
const fillChunk = 500

// FillSearchTier fills the tier downward; see store.SearchStore. On
// SQLite each chunk is the next fillChunk documents below the floor: their
// articles' documents are built outside the write (docs), then one write
// checks that the floor and the documents in the chunk's range are as read
// (else that chunk is read again), adds them, and lowers the floor and the
// bound to the chunk's lowest key. Lowering the floor is safe there because
// every write, PutSearchDocs' reading of the floor included, is one at a
// time. PostgreSQL's migration copied the tier from search_docs, and there
// PutSearchDocs reads the floor unlocked, which only a floor that never
// falls makes safe: nothing to do.
//
// It stops once an edition holds as many as the tier keeps of one
// (searchTier), counting the documents above the floor per edition once
// and then adding what it adds: documents a writer adds above the floor
// meanwhile are left out of the count, and at most make it fill further
// than it needs to, which the next move trims.
func (s *Store) FillSearchTier(ctx context.Context, docs func(ctx context.Context, articleIDs []int64) (map[int64][]store.SearchDoc, error)) (int, error) {
	if s.d.FullText != FullTextFTS5 {
		return 0, nil
	}
	held := map[string]int64{}
	rows, err := s.db.QueryContext(ctx, `SELECT lang, COUNT(*) FROM search_docs WHERE id >= (SELECT floor FROM search_tier WHERE id = 1) GROUP BY lang`)
	if err != nil {
		return 0, fmt.Errorf("fill the tier of the newest documents: %w", err)
	}
	for rows.Next() {
		var lang string
		var n int64
		if err := rows.Scan(&lang, &n); err != nil {
			rows.Close()
			return 0, fmt.Errorf("fill the tier of the newest documents: %w", err)
		}
		held[lang] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("fill the tier of the newest documents: %w", err)
	}
	added, stale := 0, 0
	for {
		n, err := s.fillSearchTierChunk(ctx, docs, held)
		if err != nil {
			return added, fmt.Errorf("fill the tier of the newest documents: %w", err)
		}
		if n < 0 {
			return added, nil
		}
		if n == 0 {
			// A writer changed the chunk's range between the reading and
			// the write; a few times in a row is a busy writer.
			if stale++; stale > 5 {
				return added, fmt.Errorf("fill the tier of the newest documents: the index changed under %d tries in a row; run it again when the pipeline is quieter", stale)
			}
			continue
		}
		stale = 0
		added += n
	}
}

// fillSearchTierChunk adds one chunk and counts its documents into held
// (per edition language); -1 when the tier is full or below it there is
// nothing.
func (s *Store) fillSearchTierChunk(ctx context.Context, docs func(ctx context.Context, articleIDs []int64) (map[int64][]store.SearchDoc, error), held map[string]int64) (int, error) {
	for _, n := range held {
		if n >= s.tier.keep() {
			return -1, nil
		}
	}
	var floor int64
	if err := s.queryRow(ctx, `SELECT floor FROM search_tier WHERE id = 1`).Scan(&floor); err != nil {
		return 0, err
	}
	type doc struct {
		key, article int64
		lang         string
	}
	var chunk []doc
	rows, err := s.db.QueryContext(ctx, `SELECT id, article_id, lang FROM search_docs WHERE id < ? ORDER BY id DESC LIMIT ?`, floor, fillChunk)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var d doc
		if err := rows.Scan(&d.key, &d.article, &d.lang); err != nil {
			rows.Close()
			return 0, err
		}
		chunk = append(chunk, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(chunk) == 0 {
		return -1, nil
	}
	var articles []int64
	seen := map[int64]bool{}
	for _, d := range chunk {
		if !seen[d.article] {
			seen[d.article] = true
			articles = append(articles, d.article)
		}
	}
	built, err := docs(ctx, articles)
	if err != nil {
		return 0, fmt.Errorf("build the documents of %d articles: %w", len(articles), err)
	}
	// The chunk's documents as built now, newest first, up to the first
	// that is not built any more (its article changed since it was
	// indexed, and its search job is pending): the tier must hold every
	// document from its floor on, so the floor stops above that one.
	type row struct {
		key                      int64
		lang, title, body, extra string
	}
	var add []row
	for _, d := range chunk {
		var r *row
		for _, sd := range built[d.article] {
			if sd.Lang == d.lang {
				r = &row{d.key, d.lang, strings.Join(sd.Title, " "), strings.Join(sd.Body, " "), strings.Join(sd.Extra, " ")}
			}
		}
		if r == nil {
			break
		}
		add = append(add, *r)
	}
	if len(add) == 0 {
		return -1, nil
	}
	lo := add[len(add)-1].key
	stale := false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var now int64
		if err := tx.QueryRowContext(ctx, `SELECT floor FROM search_tier WHERE id = 1`).Scan(&now); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs WHERE id >= ? AND id < ?`, lo, floor).Scan(&n); err != nil {
			return err
		}
		if now != floor || n != len(add) {
			stale = true // moved, or documents came or went in the range: read it again
			return nil
		}
		for _, r := range add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_recent (rowid, title, body, extra) VALUES (?, ?, ?, ?)`,
				r.key, r.title, r.body, r.extra); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE search_tier SET floor = ?, bound = MIN(bound, ?) WHERE id = 1`, lo, lo)
		return err
	})
	if err != nil || stale {
		return 0, err
	}
	for _, r := range add {
		held[r.lang]++
	}
	return len(add), nil
}

// SearchTier returns the tier's floor and bound (searchTier).
func (s *Store) SearchTier(ctx context.Context) (floor, bound int64, err error) {
	if err := s.queryRow(ctx, `SELECT floor, bound FROM search_tier WHERE id = 1`).Scan(&floor, &bound); err != nil {
		return 0, 0, fmt.Errorf("read the newest documents' tier: %w", err)
	}
	return floor, bound, nil
}

// RebaseSearchTier sets the tier of the newest documents afresh from
// search_docs, after a bulk load that wrote the search tables of db
// directly (the scale benchmark's populate); fullText is the engine's
// (Dialect.FullText). On PostgreSQL the tier is copied from search_docs;
// on SQLite, whose main index keeps no terms to copy, it starts empty above
// the newest document and fills as articles are indexed.
func RebaseSearchTier(ctx context.Context, db *sql.DB, fullText string) error {
	stmts := []string{
		`INSERT INTO search_recent (search_recent) VALUES ('delete-all')`,
		`UPDATE search_tier SET floor = (SELECT COALESCE(MAX(id) + 1, 0) FROM search_docs), bound = (SELECT COALESCE(MAX(id) + 1, 0) FROM search_docs)`,
	}
	if fullText == FullTextTSVector {
		stmts = []string{
			`DELETE FROM search_recent`,
			// Each edition's defaultSearchTierDocs-th newest, the newest of
			// them (searchTier): no edition holds more, and the one whose
			// newest are newest holds that many; 0, every document, when no
			// edition has as many.
			`UPDATE search_tier SET floor = t.b, bound = t.b FROM (SELECT COALESCE(MAX(n.b), 0) AS b FROM (
				SELECT (SELECT ord FROM search_docs d WHERE d.lang = l.lang ORDER BY ord DESC OFFSET ` +
				strconv.Itoa(defaultSearchTierDocs-1) + ` LIMIT 1) AS b FROM (SELECT DISTINCT lang FROM search_docs) l) n) t`,
			`INSERT INTO search_recent (article_id, lang, ord, tsv, pairs)
			SELECT article_id, lang, ord, tsv, pairs FROM search_docs WHERE ord >= (SELECT floor FROM search_tier WHERE id = 1)`,
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set the tier of the newest documents afresh: %w", err)
	}
	defer tx.Rollback() // a no-op after the commit
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("set the tier of the newest documents afresh: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set the tier of the newest documents afresh: %w", err)
	}
	return nil
}

// OptimizeSearch tidies the index; see store.SearchStore. FTS5 merges
// its segments into one ('optimize'): a search reads a word's doclist
// from every segment holding it, and a bulk load leaves dozens (with the
// larger pages of migration 0031, 10–15 % less CPU per query after it on
// 100,000 articles, docs/benchmarks.md).
// PostgreSQL merges its GIN indexes' pending lists and gathers the
// planner's statistics of search_docs, which the
// plans of the search statements follow (a server's autovacuum would in
// time; with none, the plans were for an empty table, 10 times slower).
//
// On SQLite the merge goes in steps of optimizeStep pages, each its own
// short write transaction, rather than one 'optimize': that is a single
// write of 14–28 s per 100,000 articles, and a server writing beside it
// (jobs, the admin) would give up on the lock after its busy timeout. A
// negative 'merge' merges segments of any level, as 'optimize' does; a
// step that changes fewer than 2 rows found nothing left to merge (the
// FTS5 documentation's test). Between steps the merge waits optimizePause
// with the lock free: another process's writer is asleep in its busy
// handler, which tries again only every 100 ms, and would otherwise miss
// the moment between one step's COMMIT and the next BEGIN every time and
// wait for the whole merge after all (TestOptimizeSearchBesideAWriter).
// And the merge writes at most about as many pages as the index held when
// it began: a negative 'merge' starts over on all segments whenever there
// are two, so beside a writer adding a segment per article it would
// rewrite the whole index again and again and never return (in that test,
// until FTS5 refused a 2,001st segment). What the writer added meanwhile
// is left to FTS5's automerge, as between reindexes.
func (s *Store) OptimizeSearch(ctx context.Context) (store.SearchOptimized, error) {
	var done store.SearchOptimized
	if s.d.FullText == FullTextTSVector {
		// A bulk load also leaves up to gin_pending_list_limit (4 MB by
		// default) of new entries in each GIN index's pending list, which
		// every search of that index reads whole until a vacuum merges it
		// (autovacuum may be off, and a manual ANALYZE does not).
		if err := s.moveSearchTier(ctx); err != nil {
			return done, fmt.Errorf("optimize the search index: %w", err)
		}
		if _, err := s.exec(ctx, `SELECT gin_clean_pending_list('search_docs_tsv'::regclass), gin_clean_pending_list('search_docs_pairs'::regclass),
			gin_clean_pending_list('search_recent_tsv'::regclass), gin_clean_pending_list('search_recent_pairs'::regclass)`); err != nil {
			return done, fmt.Errorf("optimize the search index: %w", err)
		}
		if _, err := s.exec(ctx, `ANALYZE search_docs, search_recent`); err != nil {
			return done, fmt.Errorf("optimize the search index: %w", err)
		}
		return done, nil
	}
	// The tier first: a bulk load may have filled it past what it keeps.
	if err := s.moveSearchTier(ctx); err != nil {
		return done, fmt.Errorf("optimize the search index: %w", err)
	}
	pages, err := s.ftsPages(ctx)
	if err != nil {
		return done, fmt.Errorf("optimize the search index: size: %w", err)
	}
	for budget := pages + optimizeStep; ; budget -= optimizeStep {
		var before, after int64
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts (search_fts, rank) VALUES ('merge', ?)`, -optimizeStep); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
		})
		if err != nil {
			return done, fmt.Errorf("optimize the search index: %w", err)
		}
		done.Steps++
		if after-before < 2 {
			return done, nil
		}
		if budget <= optimizeStep {
			// Segments are left (this step still merged some): they are
			// FTS5's automerge's, as after any write.
			done.Partial = true
			return done, nil
		}
		select {
		case <-time.After(optimizePause):
		case <-ctx.Done():
			return done, fmt.Errorf("optimize the search index: %w", ctx.Err())
		}
	}
}

// ftsPages is the leaf pages of the FTS5 index, read from its structure
// record (FTS5's fts5StructureDecode: each segment's first and last leaf
// page), not by counting search_fts_data, which reads the whole index (GB
// at a million articles) before the first step. A record it does not
// understand (a later FTS5) falls back to the database's page count, an
// overestimate that only lets the merge's budget run longer.
func (s *Store) ftsPages(ctx context.Context) (int64, error) {
	var rec []byte
	err := s.queryRow(ctx, `SELECT block FROM search_fts_data WHERE id = 10`).Scan(&rec)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if n, ok := fts5StructurePages(rec); ok {
		return n, nil
	}
	var n int64
	err = s.queryRow(ctx, `PRAGMA page_count`).Scan(&n)
	return n, err
}

// fts5StructurePages sums the leaf pages of every segment in an FTS5
// structure record: a 4-byte cookie, optionally the version 2 marker
// FF 00 00 01, varints nLevel, nSegment and nWriteCounter, then per level
// nMerge and nSeg, and per segment segid, pgnoFirst and pgnoLast (and in
// version 2, five more varints).
func fts5StructurePages(b []byte) (int64, bool) {
	if len(b) < 4 {
		return 0, false
	}
	b = b[4:]
	v2 := len(b) >= 4 && b[0] == 0xFF && b[1] == 0 && b[2] == 0 && b[3] == 1
	if v2 {
		b = b[4:]
	}
	bad := false
	next := func() int64 {
		v, n := sqliteVarint(b)
		if n == 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return int64(v)
	}
	levels, segments := next(), next()
	next() // nWriteCounter
	var pages, seen int64
	for l := int64(0); l < levels && !bad; l++ {
		next() // nMerge
		n := next()
		for i := int64(0); i < n && !bad; i++ {
			next() // segid
			first, last := next(), next()
			if v2 {
				for range 5 {
					next()
				}
			}
			if last >= first {
				pages += last - first + 1
			}
			seen++
		}
	}
	if bad || seen != segments {
		return 0, false
	}
	return pages, true
}

// sqliteVarint decodes SQLite's big-endian varint (1-9 bytes, the ninth
// contributing all 8 bits); n is 0 when b ends first.
func sqliteVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7F)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, 9
}

// optimizeStep is the pages one step of OptimizeSearch merges on SQLite:
// some 16 MB of 16,000-byte pages, a fraction of a second's write.
const optimizeStep = 1000

// optimizePause is the lock-free wait between two steps of OptimizeSearch:
// longer than the 100 ms a busy handler (SQLite's default, and
// modernc.org/sqlite's, which keeps its schedule) sleeps at most between
// tries, so that every writer waiting on the lock gets it once a step.
const optimizePause = 120 * time.Millisecond

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

// pairsVector writes d's pairs as a tsvector literal without positions:
// each two adjacent terms of a field as one lexeme 'a b' (terms are letters
// and digits, so the space is unambiguous). A two-word phrase is then one
// lexeme the GIN index finds without reading any tsvector, matching where
// FTS5's phrase matches (within a field, any position).
func pairsVector(d store.SearchDoc) string {
	seen := map[string]bool{}
	var b strings.Builder
	for _, field := range [][]string{d.Title, d.Body, d.Extra} {
		for i := 1; i < len(field); i++ {
			p := pairLexeme(field[i-1], field[i])
			if !seen[p] {
				seen[p] = true
				b.WriteString(p)
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

func pairLexeme(a, b string) string { return tsLexeme(a + " " + b) }

// tsLexeme quotes a term for a tsvector or tsquery literal. Terms are
// letters and digits only (package search), but a term is never trusted
// to be.
func tsLexeme(t string) string {
	if !strings.ContainsAny(t, `\'`) { // the usual term: no Replacer built for it
		return "'" + t + "'"
	}
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

// Search cursors: a relevance order pages by offset (the rank is not a
// stable key across engines), a newest order by its key (searchOrd), like
// listings by keyset. The prefix tells them apart, so each order refuses
// the other's.
func encodeSearchCursor(prefix string, n int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.FormatInt(n, 10)))
}

func decodeSearchCursor(prefix, c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, fmt.Errorf("cursor %q: %w", c, store.ErrBadCursor)
	}
	n, err := strconv.ParseInt(string(raw[len(prefix):]), 10, 64)
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
	// The cursor is checked first, so a bad one is an error even when
	// nothing matches.
	var before, offset int64
	if q.Cursor != "" {
		var err error
		if q.Sort == store.SortNewest {
			before, err = decodeSearchCursor("n:", q.Cursor)
		} else {
			offset, err = decodeSearchCursor("r:", q.Cursor)
		}
		if err != nil {
			return store.SearchPage{}, err
		}
	}
	m := s.matcher(q)
	if !m.fts {
		// A query most of the tier's documents match is counted and read
		// by walking the tier newest first (tierWalkShare).
		share, err := s.matchShare(ctx, "search_recent", q.Groups)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("search: reading the words' statistics: %w", err)
		}
		// Words only: a walk tests each row it reads, and a phrase's pairs
		// are TOASTed in the tier (its tsvectors are in the row): a common
		// pair's count walked took 80-95 ms, against 10-20 by the bitmap.
		m.walk = share >= tierWalkShare && !hasPhrase(q.Groups)
		tx, err := s.searchTx(ctx, m.walk)
		if err != nil {
			return store.SearchPage{}, err
		}
		defer tx.Rollback() // read only: nothing to keep; a no-op once ended
		m.tx = tx
	}
	if !m.fts && hasLongPhrase(q.Groups) {
		return s.searchTSVector(ctx, q, m, int64(limit), before, offset)
	}

	// The tier of the newest documents first (searchTier): counting stops
	// past the cap, and a common word's every match is not worth reading
	// to say "1,000+".
	var bound int64
	if err := s.searchRow(ctx, m, `SELECT bound FROM search_tier WHERE id = 1`).Scan(&bound); err != nil {
		return store.SearchPage{}, fmt.Errorf("read the newest documents' tier: %w", err)
	}
	t := m.tierMatcher(bound)
	inTier, err := s.countMatches(ctx, t, 0, store.SearchCountCap+1)
	if err != nil {
		return store.SearchPage{}, err
	}
	if m.walk && inTier <= store.SearchCountCap {
		// Fewer than the statistics promised (a word common in another
		// edition's language, or a tier that moved twice meanwhile): the
		// rest of the index is no walk for it.
		if _, err := m.tx.ExecContext(ctx, searchNoWalk); err != nil {
			return store.SearchPage{}, fmt.Errorf("search: back to the GIN bitmap: %w", err)
		}
		m.walk, t.walk = false, false
	}
	total := inTier
	if inTier <= store.SearchCountCap {
		// The rest below the bound, where there is a below (a bound of 0:
		// the tier holds every document); all of the index when the tier
		// had none, which may be a tier that moved twice meanwhile.
		if inTier == 0 || bound > 0 {
			below := bound
			if inTier == 0 {
				below = 0
			}
			rest, err := s.countMatches(ctx, m, below, store.SearchCountCap+1-inTier)
			if err != nil {
				return store.SearchPage{}, err
			}
			total += rest
		}
	}
	page := store.SearchPage{Total: min(total, store.SearchCountCap), TotalMore: total > store.SearchCountCap}
	if total == 0 {
		return page, nil
	}
	// The relevance candidates are the newest SearchRankCap matches: all in
	// the tier when it holds that many.
	rankTier := inTier >= store.SearchRankCap
	if m.tx != nil && total > store.SearchCountCap {
		// A word in more than SearchCountCap documents: its newest page
		// may be a short walk of the newest-first index (a word in most
		// documents: a page's worth of rows) where the bitmap would fetch
		// every match; the planner weighs the two by the word's statistics.
		// A relevance order's 200 candidates are a longer walk, which pays
		// only for the commonest words (walkShare).
		walk := q.Sort == store.SortNewest || inTier > store.SearchCountCap
		if !walk && !rankTier {
			share, err := s.matchShare(ctx, "search_docs", q.Groups)
			if err != nil {
				return store.SearchPage{}, fmt.Errorf("search: reading the words' statistics: %w", err)
			}
			walk = share >= walkShare
		}
		if walk && !m.walk {
			if _, err := m.tx.ExecContext(ctx, searchWalk); err != nil {
				return store.SearchPage{}, fmt.Errorf("search: allowing the newest-first walk: %w", err)
			}
		}
	}

	// The page's ids first, from the index alone, then their articles'
	// rows: ordering matches must not read their texts.
	want := int64(limit) + 1
	var hits []searchHit
	if q.Sort == store.SortNewest {
		hits, err = s.newestHits(ctx, m, t, inTier, before, 0, want)
	} else {
		hits, err = s.rankedHits(ctx, m, t, rankTier, offset, want)
		// Past the ranked candidates (the newest SearchRankCap matches)
		// the other matches follow newest first: a match's place in the
		// newest order is then its place in this one.
		if from := max(offset, store.SearchRankCap); err == nil && total > store.SearchRankCap && offset+want > from {
			var tail []searchHit
			tail, err = s.newestHits(ctx, m, t, inTier, 0, from, offset+want-from)
			hits = append(hits, tail...)
		}
	}
	if err != nil {
		return store.SearchPage{}, err
	}
	if int64(len(hits)) == want {
		hits = hits[:limit]
		if q.Sort == store.SortNewest {
			page.NextCursor = encodeSearchCursor("n:", hits[limit-1].ord)
		} else {
			page.NextCursor = encodeSearchCursor("r:", offset+int64(limit))
		}
	}
	if err := m.end(); err != nil {
		return store.SearchPage{}, err
	}
	page.Articles, err = s.hitArticles(ctx, hits)
	return page, err
}

// searchTSVector is search on PostgreSQL for a query with a phrase of
// more than two words. The GIN index of pairs finds the documents holding
// each two adjacent words of it, and each must then have its tsvector read
// (TOASTed, some kilobytes) to check that they follow one another. So it
// reads the matches once: the newest SearchCountCap+1 of them, which are
// the count, the newest-first pages within them and the relevance
// candidates; then only the candidates' tsvectors again, to rank them.
// (Words and two-word phrases are counted from the GIN indexes without
// reading tsvectors, and a page of them is a short walk: the general path
// is cheaper for them; docs/benchmarks.md.)
func (s *Store) searchTSVector(ctx context.Context, q store.SearchQuery, m matcher, limit, before, offset int64) (store.SearchPage, error) {
	newest, err := s.searchNewest(ctx, m, 0, 0, store.SearchCountCap+1)
	if err != nil {
		return store.SearchPage{}, err
	}
	page := store.SearchPage{Total: min(len(newest), store.SearchCountCap), TotalMore: len(newest) > store.SearchCountCap}
	if len(newest) == 0 {
		return page, nil
	}
	want := limit + 1
	var hits []searchHit
	if q.Sort == store.SortNewest {
		i := 0
		if before > 0 {
			for i < len(newest) && newest[i].ord >= before {
				i++
			}
		}
		hits = newest[i:min(int64(len(newest)), int64(i)+want)]
		if int64(len(hits)) < want && page.TotalMore {
			// Past the matches read: the page is read on its own.
			if hits, err = s.searchNewest(ctx, m, before, 0, want); err != nil {
				return store.SearchPage{}, err
			}
		}
	} else {
		cands := newest[:min(len(newest), store.SearchRankCap)]
		if offset < int64(len(cands)) {
			if hits, err = s.rankTSVector(ctx, m, cands); err != nil {
				return store.SearchPage{}, err
			}
			// (A candidate deleted in between is missing from the ranking.)
			hits = hits[min(offset, int64(len(hits))):min(int64(len(hits)), offset+want)]
		}
		// Past the ranked candidates the other matches follow newest first.
		if from := max(offset, int64(len(cands))); offset+want > from && len(newest) > len(cands) {
			tail := newest[min(from, int64(len(newest))):min(offset+want, int64(len(newest)))]
			if int64(len(tail)) < offset+want-from && page.TotalMore {
				if tail, err = s.searchNewest(ctx, m, 0, from, offset+want-from); err != nil {
					return store.SearchPage{}, err
				}
			}
			hits = append(hits, tail...)
		}
	}
	if int64(len(hits)) == want {
		hits = hits[:limit]
		if q.Sort == store.SortNewest {
			page.NextCursor = encodeSearchCursor("n:", hits[limit-1].ord)
		} else {
			page.NextCursor = encodeSearchCursor("r:", offset+limit)
		}
	}
	if err := m.end(); err != nil {
		return store.SearchPage{}, err
	}
	page.Articles, err = s.hitArticles(ctx, hits)
	return page, err
}

// searchTx begins the read-only transaction a PostgreSQL search runs in,
// with planner settings that keep it on the GIN indexes: no sequential
// scan and no walk of an index in order. The planner cannot see that
// testing a row's tsvector reads it from TOAST (some kilobytes, ~50-250 µs
// a row), and the GIN indexes need no such read (single words and pairs
// are exact there). Left to itself it counted a word in 4 % of 46,000
// documents by a sequential scan that read 24,000 tsvectors (2.4 s), and
// took a ranking's 200 newest matches of it by walking the newest-first
// index, reading 5,000 (1.3 s), where the GIN bitmap fetched its 1,900
// small heap rows (docs/benchmarks.md, "Search speed, seventh pass"). The
// count and the pages then also read one snapshot. Nor does a search start
// parallel workers: the planner chose them for a common word's bitmap, and
// on a busy server waiting for them took seconds. And no JIT compiling: a
// plan that must scan a table sequentially all the same (a small one) is
// costed past jit_above_cost by the setting, and compiling it took 185 ms
// for a statement that runs in 1.
//
// With walk, the other way round: no bitmap, the newest-first index walked
// (tierWalkShare).
func (s *Store) searchTx(ctx context.Context, walk bool) (*sql.Tx, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: begin the search transaction: %w", err)
	}
	index, bitmap := "off", "on"
	if walk {
		index, bitmap = "on", "off"
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', $1, true),
		set_config('enable_bitmapscan', $2, true), set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`,
		index, bitmap); err != nil {
		_ = tx.Rollback() // the error from the settings is the one that matters
		return nil, fmt.Errorf("search: the planner settings: %w", err)
	}
	return tx, nil
}

// searchWalk lets the planner walk the newest-first index again, in a
// search's transaction (searchTx).
const searchWalk = `SELECT set_config('enable_indexscan', 'on', true)`

// searchNoWalk is searchTx's settings without walk again.
const searchNoWalk = `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'on', true)`

// tierWalkShare is the share of the tier's documents a query of words
// must match for it to be counted and read by walking the tier's
// newest-first index rather than through the GIN bitmap. The bitmap holds
// every match of the tier before the first is counted; the walk reads rows
// (their tsvectors in the row, no TOAST) until the count's cap. Counting a
// word to 1,001 in the tier of 26,000 documents, best of 9 at load 5: at
// 99 % of them 8.9 ms by bitmap against 1.9 walked, 60 % 11.4 against 3.8,
// 36 % 7.8 against 5.8, 23 % 10.2 against 7.5, 20 % 4.2 against 10.2, 16 %
// 6.5 against 12.0, 8 % 7.8 against 25.6 (docs/benchmarks.md, "Search
// speed, tenth pass"). The statistics' shares are estimates: the walk is
// taken where it wins by a margin.
const tierWalkShare = 0.3

// walkShare is the share of an edition's documents a query must match for
// its relevance candidates (the newest SearchRankCap matches) to be walked
// from the newest-first index rather than read from the GIN bitmap. A walk
// reads SearchRankCap/share tsvectors, the bitmap fetches every match's
// heap row. At 100,000 articles the bitmap was faster for a word of 4 %
// (89 against 277 ms) and slower from 15 % on (238 against 119 ms; at 44 %
// and 81 %, 259 and 286 against 70 and 77 ms; docs/benchmarks.md, "Search
// speed, seventh pass").
const walkShare = 0.10

// end ends the search's transaction, if any, before its articles are
// read (from the pool, with the planner's usual settings).
func (m matcher) end() error {
	if m.tx == nil {
		return nil
	}
	if err := m.tx.Rollback(); err != nil {
		return fmt.Errorf("search: ending the search transaction: %w", err)
	}
	return nil
}

// hasPhrase tells whether a group is a phrase.
func hasPhrase(groups [][]string) bool {
	for _, g := range groups {
		if len(g) > 1 {
			return true
		}
	}
	return false
}

// hasLongPhrase tells whether a group is a phrase of more than two words,
// which PostgreSQL checks in the tsvectors of the documents holding its
// pairs.
func hasLongPhrase(groups [][]string) bool {
	for _, g := range groups {
		if len(g) > 2 {
			return true
		}
	}
	return false
}

// rankTSVector returns the candidates (all matches) best first by
// ts_rank_cd, then newest first.
func (s *Store) rankTSVector(ctx context.Context, m matcher, cands []searchHit) ([]searchHit, error) {
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	return s.queryHits(ctx, m, `SELECT d.article_id, d.ord FROM search_docs d
		WHERE d.article_id = ANY(CAST(? AS BIGINT[])) AND d.lang = ?
		ORDER BY ts_rank_cd(`+tsRankWeight+`, d.tsv, CAST(? AS tsquery), 1) DESC, d.ord DESC`,
		ids, m.lang, m.match)
}

// searchRows and searchRow run a search statement. Where the dialect plans
// each search for its terms (Dialect.PlanEach: PostgreSQL), the statement
// goes to the server unnamed with those arguments first: a prepared
// statement gets the server's generic plan after five runs, one plan for
// every word, and at a million articles that plan read every document's
// tsvector for a phrase count (1,959 ms against 114 ms planned for its
// words; docs/benchmarks.md, "A million articles with search documents").
// Over the 56,000-article query mix the per-query planning cost 15-30 % more
// server CPU ("Search speed, sixth pass"): paid to rule out that tail.
// Elsewhere (SQLite, where compiling was 6 % of the benchmark's CPU and
// FTS5's plan does not depend on the words) the statement cache serves it.
func (s *Store) searchRows(ctx context.Context, m matcher, q string, args ...any) (*sql.Rows, error) {
	if m.tx != nil {
		return m.tx.QueryContext(ctx, q, append(append([]any{}, s.d.PlanEach...), args...)...)
	}
	if len(s.d.PlanEach) > 0 {
		return s.db.QueryContext(ctx, q, append(append([]any{}, s.d.PlanEach...), args...)...)
	}
	return s.query(ctx, q, args...)
}

func (s *Store) searchRow(ctx context.Context, m matcher, q string, args ...any) *sql.Row {
	if m.tx != nil {
		return m.tx.QueryRowContext(ctx, q, append(append([]any{}, s.d.PlanEach...), args...)...)
	}
	if len(s.d.PlanEach) > 0 {
		return s.db.QueryRowContext(ctx, q, append(append([]any{}, s.d.PlanEach...), args...)...)
	}
	return s.queryRow(ctx, q, args...)
}

// A searchHit is a matching article and its document's order key.
type searchHit struct{ id, ord int64 }

// tierMatcher is m for the tier of the newest documents from bound on
// (searchTier): the same matches, of the keys at or above bound, none at
// all when the tier has moved twice since bound was read.
func (m matcher) tierMatcher(bound int64) matcher {
	t := m
	t.tier, t.bound = true, bound
	guard := ` AND ? >= (SELECT floor FROM search_tier WHERE id = 1)`
	if m.fts {
		t.from = ` FROM search_recent f JOIN search_docs d ON d.id = f.rowid`
		t.where = strings.Replace(m.where, ` WHERE search_fts MATCH ? AND`, ` WHERE search_recent MATCH ? AND f.rowid >= ?`+guard+` AND`, 1)
		t.rank = fts5TierRank
	} else {
		t.from = ` FROM search_recent d`
		t.where = ` WHERE d.ord >= ?` + guard + ` AND` + strings.TrimPrefix(m.where, ` WHERE`)
	}
	n := 0
	if m.fts {
		n = 1 // after the MATCH
	}
	t.whereArgs = append(append(append([]any{}, m.whereArgs[:n]...), bound, bound), m.whereArgs[n:]...)
	return t
}

// matcher is a search's FROM and WHERE clauses for the engine: the
// edition's visible documents (hidden articles and copies left out, like
// listings) that match every group.
type matcher struct {
	fts         bool   // SQLite FTS5, else PostgreSQL tsvector
	match       string // the engine's query (on PostgreSQL, the one ranking tsv)
	lang        string
	from, where string
	whereArgs   []any // the WHERE's queries, before lang
	ordCol      string
	rank        string // SQLite: the bm25 call of the matcher's FTS5 table
	// tier tells a matcher of the newest documents' tier (searchTier),
	// of keys at or above bound.
	tier  bool
	bound int64
	// tx is the read-only transaction a PostgreSQL search runs in (see
	// searchTx); nil on SQLite, whose statements go to the pool.
	tx *sql.Tx
	// walk tells that tx walks the newest-first indexes (tierWalkShare).
	walk bool
}

func (s *Store) matcher(q store.SearchQuery) matcher {
	m := matcher{fts: s.d.FullText == FullTextFTS5, match: s.matchExpr(q.Groups), lang: q.Lang}
	visible := ` d.lang = ?
		AND d.article_id NOT IN (SELECT id FROM articles WHERE hidden = TRUE)
		AND d.article_id NOT IN (SELECT id FROM articles WHERE duplicate_of IS NOT NULL)`
	if m.fts {
		m.from = ` FROM search_fts f JOIN search_docs d ON d.id = f.rowid`
		m.where = ` WHERE search_fts MATCH ? AND` + visible
		m.whereArgs = []any{m.match}
		m.ordCol = `f.rowid` // FTS5 walks its matches in rowid order itself
		m.rank = fts5Rank
		return m
	}
	// A phrase is found by its pairs in the GIN index of pairs, which is
	// exact for two words (one pair) and reads no tsvector; tsv is asked
	// only for the words alone, which its GIN index answers exactly too,
	// and for the positions of a longer phrase, checked only where every
	// pair of it is.
	var tsv, pairs []string
	for _, g := range q.Groups {
		if len(g) == 1 || len(g) > 2 {
			tsv = append(tsv, s.matchExpr([][]string{g}))
		}
		for i := 1; i < len(g); i++ {
			pairs = append(pairs, pairLexeme(g[i-1], g[i]))
		}
	}
	m.from = ` FROM search_docs d`
	m.where = ` WHERE`
	if len(pairs) > 0 {
		m.where += ` d.pairs @@ CAST(? AS tsquery) AND`
		m.whereArgs = append(m.whereArgs, strings.Join(pairs, " & "))
	}
	if len(tsv) > 0 {
		m.where += ` d.tsv @@ CAST(? AS tsquery) AND`
		m.whereArgs = append(m.whereArgs, strings.Join(tsv, " & "))
	}
	m.where += visible
	m.ordCol = `d.ord`
	return m
}

func (m matcher) args() []any { return append(append([]any{}, m.whereArgs...), m.lang) }

// countMatches counts m's matches (those with keys below before, when it
// is not 0), up to limit.
func (s *Store) countMatches(ctx context.Context, m matcher, before int64, limit int) (int, error) {
	args := m.args()
	where := m.where
	if before > 0 {
		where += ` AND ` + m.ordCol + ` < ?`
		args = append(args, before)
	}
	if m.walk {
		// In the index's order, or a walk would not be a plan at all.
		where += ` ORDER BY ` + m.ordCol + ` DESC`
	}
	var n int
	err := s.searchRow(ctx, m, s.d.rebind(`SELECT COUNT(*) FROM (SELECT 1`+m.from+where+` LIMIT ?) c`), append(args, limit)...).Scan(&n)
	return n, err
}

// newestHits is searchNewest from the tier t when it holds the page (it
// holds inTier matches, counted up to one past the cap), else from the
// whole index m.
func (s *Store) newestHits(ctx context.Context, m, t matcher, inTier int, before, offset, n int64) ([]searchHit, error) {
	if before == 0 && int64(inTier) >= offset+n || before > t.bound && inTier > 0 {
		hits, err := s.searchNewest(ctx, t, before, offset, n)
		if err != nil || int64(len(hits)) == n {
			return hits, err
		}
		// Fewer: the page runs below the tier's bound (or the tier moved
		// twice meanwhile).
	}
	return s.searchNewest(ctx, m, before, offset, n)
}

// rankedHits is searchRanked from the tier t when it holds the candidates
// (fromTier), else from the whole index m. A page short of what the
// candidates hold means the tier moved twice meanwhile, or a candidate
// was deleted: the whole index answers then.
func (s *Store) rankedHits(ctx context.Context, m, t matcher, fromTier bool, offset, n int64) ([]searchHit, error) {
	if fromTier {
		hits, err := s.searchRanked(ctx, t, offset, n)
		if err != nil || int64(len(hits)) == min(n, max(store.SearchRankCap-offset, 0)) {
			return hits, err
		}
	}
	return s.searchRanked(ctx, m, offset, n)
}

// searchNewest returns n matches newest first, from the offset-th on, of
// those older than key before (0: from the newest).
func (s *Store) searchNewest(ctx context.Context, m matcher, before, offset, n int64) ([]searchHit, error) {
	args := m.args()
	where := m.where
	if before > 0 {
		where += ` AND ` + m.ordCol + ` < ?`
		args = append(args, before)
	}
	q := `SELECT d.article_id, ` + m.ordCol + m.from + where + ` ORDER BY ` + m.ordCol + ` DESC LIMIT ? OFFSET ?`
	return s.queryHits(ctx, m, q, append(args, n, offset)...)
}

// searchRanked returns n matches in relevance order from the offset-th on.
// Only the newest store.SearchRankCap matches are ranked (the rule is the
// same on both engines): ranking every match of a word most articles hold
// cost hundreds of milliseconds, and a reader of news looking for such a
// word wants the recent ones.
func (s *Store) searchRanked(ctx context.Context, m matcher, offset, n int64) ([]searchHit, error) {
	ranked := strconv.Itoa(store.SearchRankCap)
	var q string
	args := m.args()
	if m.fts {
		// bm25 is computed in the walk, for the candidates only; the
		// subquery keeps its LIMIT, so SQLite does not flatten it.
		q = `SELECT id, ord FROM (SELECT d.article_id AS id, f.rowid AS ord, ` + m.rank + ` AS r` + m.from + m.where +
			` ORDER BY f.rowid DESC LIMIT ` + ranked + `) c ORDER BY r, ord DESC LIMIT ? OFFSET ?`
	} else {
		q = `SELECT id, ord FROM (SELECT d.article_id AS id, d.ord, d.tsv` + m.from + m.where +
			` ORDER BY d.ord DESC LIMIT ` + ranked + `) c
			ORDER BY ts_rank_cd(` + tsRankWeight + `, c.tsv, CAST(? AS tsquery), 1) DESC, ord DESC LIMIT ? OFFSET ?`
		args = append(args, m.match)
	}
	return s.queryHits(ctx, m, q, append(args, n, offset)...)
}

// queryHits runs a search statement (searchRows says how it is planned).
func (s *Store) queryHits(ctx context.Context, m matcher, q string, args ...any) ([]searchHit, error) {
	rows, err := s.searchRows(ctx, m, s.d.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []searchHit
	for rows.Next() {
		var h searchHit
		if err := rows.Scan(&h.id, &h.ord); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// hitArticles reads the hits' articles, in the hits' order. An article
// deleted in between is left out.
func (s *Store) hitArticles(ctx context.Context, hits []searchHit) ([]store.Article, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	args := make([]any, len(hits))
	for i, h := range hits {
		args[i] = h.id
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+articleCols+articleFrom+` WHERE a.id IN (`+placeholders(len(hits))+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]store.Article, len(hits))
	for rows.Next() {
		a, _, err := scanArticleSort(rows)
		if err != nil {
			return nil, err
		}
		byID[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]store.Article, 0, len(hits))
	for _, h := range hits {
		if a, ok := byID[h.id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}
