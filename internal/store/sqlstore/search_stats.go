package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// wordStats holds, per PostgreSQL search table (search_docs, and the
// tier's search_recent), the planner's statistics of its words and word
// pairs: pg_stats' most common elements of tsv and pairs with their
// frequencies. A search reads them to choose between walking the
// newest-first index and the GIN bitmap (matchShare), which it did with a
// statement of its own each time; they change only when the table is
// analyzed (by autovacuum, OptimizeSearch, or a move of the tier), so a
// copy wordStatsAge old is as good, and a stale one costs only speed,
// never a wrong answer: both plans find the same matches.
type wordStats struct {
	mu     sync.Mutex
	tables map[string]*tableWords
}

type tableWords struct {
	freq    map[string]float64 // "tsv:" or "pairs:" and the element
	at      time.Time
	loading bool // one search reads them anew; the others use this copy
}

// wordStatsAge is how long a table's statistics are used before they are
// read again. ANALYZE of a table whose words changed little (as a news
// outlet's do from one minute to the next) moves them little.
const wordStatsAge = time.Minute

// forget drops a table's copy, after this process analyzed it.
func (w *wordStats) forget(table string) {
	w.mu.Lock()
	delete(w.tables, table)
	w.mu.Unlock()
}

// words returns table's statistics: the copy, when it is fresh or another
// search is reading them anew, else read now. While the first copy is
// read, the other searches get none (every share 0: the bitmap, as with a
// table not analyzed yet) instead of all reading them at once.
func (s *Store) words(ctx context.Context, table string) (map[string]float64, error) {
	w := &s.wordStats
	w.mu.Lock()
	t := w.tables[table]
	if t != nil && (t.loading || time.Since(t.at) < wordStatsAge) {
		w.mu.Unlock()
		return t.freq, nil
	}
	if t == nil {
		if w.tables == nil {
			w.tables = map[string]*tableWords{}
		}
		t = &tableWords{}
		w.tables[table] = t
	}
	t.loading = true
	w.mu.Unlock()
	freq, err := s.readWords(ctx, table)
	w.mu.Lock()
	defer w.mu.Unlock()
	t.loading = false // on an error the next search reads them again
	if err != nil {
		return nil, err
	}
	t.freq, t.at = freq, time.Now()
	return freq, nil
}

// readWords reads table's most common words and pairs from pg_stats
// (none for a table not analyzed yet: every share is then 0).
func (s *Store) readWords(ctx context.Context, table string) (map[string]float64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.attname, u.e, u.f FROM pg_stats s,
		unnest(CAST(CAST(s.most_common_elems AS TEXT) AS TEXT[]), s.most_common_elem_freqs) AS u(e, f)
		WHERE s.schemaname = current_schema() AND s.tablename = $1 AND s.attname IN ('tsv', 'pairs')
		AND u.e IS NOT NULL`, table) // the frequencies run three past the elements (their minimum, maximum and nulls')
	if err != nil {
		return nil, fmt.Errorf("reading pg_stats of %s: %w", table, err)
	}
	defer rows.Close()
	freq := map[string]float64{}
	for rows.Next() {
		var col, e string
		var f float64
		if err := rows.Scan(&col, &e, &f); err != nil {
			return nil, fmt.Errorf("reading pg_stats of %s: %w", table, err)
		}
		freq[col+":"+e] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading pg_stats of %s: %w", table, err)
	}
	return freq, nil
}

// matchShare estimates the share of table's documents matching every
// group from its words' statistics (wordStats), assuming the groups
// independent: a word, or a phrase's rarest pair, missing from the list
// counts as 0 (the list holds the common ones).
//
// The statistics are of the whole table, every edition's documents, where
// the shares they are held to (walkShare, tierWalkShare) are of the
// edition's: an edition whose language is a small part of the table is
// estimated low (a word of its own too rare), so it walks less often than
// it could, and a word common in another edition's language too high. That
// costs only speed, never a wrong answer: both plans find the same
// matches.
func (s *Store) matchShare(ctx context.Context, table string, groups [][]string) (float64, error) {
	freq, err := s.words(ctx, table)
	if err != nil {
		return 0, err
	}
	share := 1.0
	for _, g := range groups {
		if len(g) == 1 {
			share *= freq["tsv:"+g[0]]
			continue
		}
		rarest := 1.0
		for i := 1; i < len(g); i++ {
			rarest = min(rarest, freq["pairs:"+g[i-1]+" "+g[i]])
		}
		share *= rarest
	}
	return share, nil
}
