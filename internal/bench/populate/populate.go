// Package populate fills a database with a realistic outlet (sources,
// sections, articles over a year, translations into the editions) by bulk
// SQL inserts, and measures the site's pages against it: the scale
// benchmark of issue 10. It writes straight into the tables (one
// transaction per batch of thousands of rows) because going through the
// pipeline would take days for a million articles; the rows are the ones
// the pipeline would write.
package populate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"spektrum/internal/edition"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlstore"
)

// Options say how big an outlet to make.
type Options struct {
	Articles int
	Sources  int
	Sections int      // default 30
	Editions []string // default en de fr es it pl
	// Translated is the share of articles translated into every other
	// edition (default 0.3); the rest appear in their own edition only.
	Translated float64
	Batch      int // rows per transaction, default 2000
	Seed       uint64
	Now        time.Time // the newest article; they spread over the year before
	// Postgres selects COPY (and $n placeholders); SQLite takes
	// multi-row INSERTs with ?.
	Postgres bool
	// Workers is how many batches are generated at once (default 1), each
	// written in one transaction: one at a time on SQLite, at once on
	// PostgreSQL. The outlet is the same whatever their number.
	Workers int
	// Resume continues a populate that was stopped: the sources and
	// sections are taken as written, and the batches of articles already
	// there (each batch commits whole) are skipped. The options must be
	// the ones of the first run; the articles written now are dated from
	// Now, which may be minutes later.
	Resume bool
	// Search writes every article's full-text documents too (search_docs,
	// and search_fts on SQLite), built as the search stage builds them
	// (edition.SearchDocs, sqlstore.SearchRows), in each batch's
	// transaction. With Resume it also indexes the batches written before
	// without them (their sort_at read back from the database).
	Search   bool
	Progress func(done int) // articles written so far, after each batch; never called concurrently
}

// DefaultEditions are the six edition languages of the benchmark.
var DefaultEditions = []string{"en", "de", "fr", "es", "it", "pl"}

// Result says what was written.
type Result struct {
	Sources, Sections, Articles, Translations int
	SearchDocs                                int // documents indexed for search
	Took                                      time.Duration
}

// Populate writes the outlet into db, whose schema is migrated and which
// holds no articles yet (slugs and URLs are generated from 1 up).
func Populate(ctx context.Context, db *sql.DB, o Options) (Result, error) {
	if o.Articles <= 0 || o.Sources <= 0 {
		return Result{}, fmt.Errorf("populate: --articles and --sources must be positive, got %d and %d", o.Articles, o.Sources)
	}
	if o.Sections <= 0 {
		o.Sections = 30
	}
	if len(o.Editions) == 0 {
		o.Editions = DefaultEditions
	}
	if o.Translated == 0 {
		o.Translated = 0.3
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles`).Scan(&n); err != nil {
		return Result{}, fmt.Errorf("populate: count articles: %w", err)
	}
	if n > 0 && !o.Resume {
		return Result{}, fmt.Errorf("populate: the database already holds %d articles; populate an empty one", n)
	}
	var ns int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources`).Scan(&ns); err != nil {
		return Result{}, fmt.Errorf("populate: count sources: %w", err)
	}
	if o.Resume && ns != o.Sources {
		return Result{}, fmt.Errorf("populate: resume: the database holds %d sources, not %d; give the first run's options", ns, o.Sources)
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(o.Seed, 10))
	w := &writer{db: db, pg: o.Postgres}
	res := Result{Sources: o.Sources, Sections: o.Sections}

	sections := make([]string, o.Sections)
	var rows [][]any
	for i := range sections {
		sections[i] = fmt.Sprintf("%s-%d", words[r.IntN(len(words))], i+1)
		rows = append(rows, []any{sections[i], strings.ToUpper(sections[i][:1]) + sections[i][1:]})
	}
	if !o.Resume {
		if err := w.insert(ctx, "sections", []string{"slug", "name"}, rows); err != nil {
			return res, err
		}
	}
	srcLang := make([]string, o.Sources)
	srcSection := make([]string, o.Sources)
	rows = rows[:0]
	nowMS := o.Now.UnixMilli()
	for i := range o.Sources {
		srcLang[i] = o.Editions[r.IntN(len(o.Editions))]
		srcSection[i] = sections[r.IntN(len(sections))]
		rows = append(rows, []any{int64(i + 1), fmt.Sprintf("https://s%d.example.org/feed.xml", i+1),
			fmt.Sprintf("https://s%d.example.org/", i+1), "feed", title(r, 2, 4), srcSection[i], srcLang[i],
			int64(30 * 60 * 1000), true, nowMS + r.Int64N(30*60*1000), nowMS})
		if len(rows) == o.Batch && !o.Resume {
			if err := w.insert(ctx, "sources", sourceCols, rows); err != nil {
				return res, err
			}
			rows = rows[:0]
		}
	}
	if !o.Resume {
		if err := w.insert(ctx, "sources", sourceCols, rows); err != nil {
			return res, err
		}
	}
	done := map[int]bool{} // batches already written, when resuming
	if o.Resume {
		var err error
		if done, err = batchesOf(ctx, db, o.Batch, ``); err != nil {
			return res, err
		}
	}
	// Batches written whose documents are not (every visible article has
	// one in its own edition at least): indexed now, articles kept.
	unindexed := map[int]bool{}
	if o.Resume && o.Search {
		var err error
		unindexed, err = batchesOf(ctx, db, o.Batch, ` AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.article_id = a.id)`)
		if err != nil {
			return res, err
		}
	}

	year := int64(365 * 24 * time.Hour / time.Millisecond)
	// Each batch of articles has its own random stream from the seed and
	// its number, so batches are generated in parallel, and the next ones
	// while one is written (a million articles took 10 to 22 minutes with
	// one goroutine doing both), and the outlet is the same whatever the
	// number of workers. On SQLite the writes take turns (one writer). On
	// PostgreSQL they run at once with the triggers off for the
	// transaction (session_replication_role, as pg_restore
	// --disable-triggers does): the count triggers lock their source's and
	// section's rows in each batch's order, and two batches written at once
	// deadlocked; what the triggers keep is counted afterwards.
	writers := max(1, o.Workers)
	var writing sync.Mutex
	nb := (o.Articles + o.Batch - 1) / o.Batch
	next := make(chan int)
	errs := make(chan error, writers)
	var mu sync.Mutex
	written := n - len(unindexed)*o.Batch // articles done, for Progress (roughly, when resuming)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				lo, hi := b*o.Batch, min((b+1)*o.Batch, o.Articles)
				arts, trs, docs := generate(rand.New(rand.NewPCG(o.Seed, 1<<32|uint64(b))), o, lo, hi, year, nowMS, srcLang, srcSection)
				tables := []table{{name: "articles", cols: articleCols, rows: arts}, {name: "translations", cols: translationCols, rows: trs}}
				searchOnly := unindexed[b]
				var ndocs int
				if o.Search {
					var sortAt map[int64]int64
					if searchOnly {
						tables, arts, trs = nil, nil, nil
						var err error
						if sortAt, err = sortAts(wctx, db, lo+1, hi); err != nil {
							errs <- err
							cancel()
							return
						}
					}
					st, err := searchTables(o.Postgres, docs, sortAt)
					if err != nil {
						errs <- err
						cancel()
						return
					}
					tables = append(tables, st...)
					ndocs = len(st[0].rows)
				}
				if !o.Postgres {
					writing.Lock()
				}
				err := w.insertTx(wctx, tables)
				if !o.Postgres {
					writing.Unlock()
				}
				if err != nil {
					errs <- err
					cancel()
					return
				}
				mu.Lock()
				written += hi - lo
				res.Articles += len(arts)
				res.Translations += len(trs)
				res.SearchDocs += ndocs
				if o.Progress != nil {
					o.Progress(written)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for b := range nb {
		if done[b] && !unindexed[b] {
			continue
		}
		select {
		case next <- b:
		case <-wctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if o.Postgres {
		if err := recount(ctx, db); err != nil {
			return res, err
		}
		// The ids were given, so the sequences still stand at 1: move them
		// past the rows, or the first article stored afterwards collides.
		for _, t := range []string{"sources", "articles"} {
			if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return res, fmt.Errorf("populate: sequence of %s: %w", t, err)
			}
		}
	}
	// The search index's tier of the newest documents (migration 0033)
	// from what was written around it.
	if o.Search {
		fullText := sqlstore.FullTextFTS5
		if o.Postgres {
			fullText = sqlstore.FullTextTSVector
		}
		if err := sqlstore.RebaseSearchTier(ctx, db, fullText); err != nil {
			return res, fmt.Errorf("populate: %w", err)
		}
	}
	// Planner statistics, as autovacuum (PostgreSQL) or serve's own
	// optimize would gather them: of the tables written, not of every
	// schema in the database (a PostgreSQL test database holds many).
	analyze := `ANALYZE`
	if o.Postgres {
		analyze = `ANALYZE sections, sources, articles, translations, search_docs, search_recent`
	}
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		return res, fmt.Errorf("populate: analyze: %w", err)
	}
	res.Took = time.Since(start)
	return res, nil
}

// recount sets what the triggers keep, which were off while populating
// PostgreSQL: each source's article count (migration 0023), each section's
// visible-article count (0025, when the database has it) and the page
// generation, in one transaction.
func recount(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("populate: recount: %w", err)
	}
	defer tx.Rollback()
	stmts := []string{
		`UPDATE sources s SET article_count = COALESCE((SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id), 0)`,
		`UPDATE page_generation SET gen = gen + 1`,
	}
	var has bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'sections' AND column_name = 'visible_count')`).Scan(&has); err != nil {
		return fmt.Errorf("populate: recount: %w", err)
	}
	if has {
		stmts = append(stmts, `UPDATE sections c SET visible_count = COALESCE((SELECT COUNT(*) FROM articles a WHERE a.section = c.slug AND NOT a.hidden), 0)`)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("populate: recount: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("populate: recount: %w", err)
	}
	return nil
}

// articleDocs is one generated article's search documents.
type articleDocs struct {
	id, sortAt int64
	docs       []store.SearchDoc
}

// generate makes the articles lo..hi-1 (ids lo+1..hi) and their
// translations as rows of articleCols and translationCols, and, with
// o.Search, their search documents as the search stage builds them.
func generate(r *rand.Rand, o Options, lo, hi int, year, nowMS int64, srcLang, srcSection []string) (arts, trs [][]any, docs []articleDocs) {
	for i := lo; i < hi; i++ {
		id := int64(i + 1)
		s := r.IntN(o.Sources)
		// Newer articles are denser, as an outlet grows; ids follow time
		// roughly but not exactly (feeds arrive out of order).
		pub := nowMS - int64(float64(year)*r.Float64()*r.Float64())
		t := title(r, 6, 13)
		sum := sentence(r, 20, 40)
		text, html := body(r)
		hash := sha256.Sum256([]byte(text))
		hashHex := hex.EncodeToString(hash[:])
		slug := slugOf(t, id)
		u := fmt.Sprintf("https://s%d.example.org/news/%s", s+1, slug)
		arts = append(arts, []any{id, int64(s + 1), u, u, u, slug, t, title(r, 2, 2), pub, pub, srcLang[s],
			srcSection[s], fmt.Sprintf("https://s%d.example.org/img/%d.jpg", s+1, id), sum, html, text,
			hashHex, pub + 60000, pub, false})
		var tr map[string]*store.Translation
		if r.Float64() < o.Translated {
			tr = map[string]*store.Translation{}
			for _, ed := range o.Editions {
				if ed == srcLang[s] {
					continue
				}
				ttext, thtml := body(r)
				row := []any{id, ed, srcLang[s], store.TranslationDone, title(r, 6, 13), sentence(r, 20, 40),
					thtml, ttext, "apertium", hashHex, int64(len(text)), pub + 120000}
				trs = append(trs, row)
				tr[ed] = &store.Translation{ArticleID: id, Language: ed, SourceLanguage: srcLang[s], Status: store.TranslationDone,
					Title: row[4].(string), Summary: row[5].(string), Text: ttext, ContentHash: hashHex}
			}
		}
		if o.Search {
			a := store.Article{ID: id, Language: srcLang[s], Title: t, Summary: sum, Text: text, ContentHash: hashHex}
			// The rule cannot fail here: its only error is the lookup's.
			d, _ := edition.SearchDocs(&a, o.Editions, func(ed string) (*store.Translation, error) {
				if t, ok := tr[ed]; ok {
					return t, nil
				}
				return nil, store.ErrNotFound
			})
			docs = append(docs, articleDocs{id: id, sortAt: pub, docs: d})
		}
	}
	return arts, trs, docs
}

// searchTables returns the search tables' rows for the documents: on
// PostgreSQL search_docs with its tsvectors, on SQLite search_docs and
// search_fts (same order key). sortAt, when not nil, gives each article's
// sort_at as stored (a batch written by an earlier run); else the generated
// one is.
func searchTables(pg bool, docs []articleDocs, sortAt map[int64]int64) ([]table, error) {
	fullText := sqlstore.FullTextFTS5
	if pg {
		fullText = sqlstore.FullTextTSVector
	}
	var drows, frows [][]any
	for _, ad := range docs {
		at := ad.sortAt
		if sortAt != nil {
			var ok bool
			if at, ok = sortAt[ad.id]; !ok {
				return nil, fmt.Errorf("populate: resume: article %d is not in the database; populate it again from empty", ad.id)
			}
		}
		for _, r := range sqlstore.SearchRows(fullText, ad.id, at, ad.docs) {
			if pg {
				drows = append(drows, []any{ad.id, r.Lang, at, r.Key, r.TSV, r.Pairs})
				continue
			}
			drows = append(drows, []any{r.Key, ad.id, r.Lang, at})
			frows = append(frows, []any{r.Key, r.Title, r.Body, r.Extra})
		}
	}
	if pg {
		return []table{{name: "search_docs", cols: pgSearchCols, rows: drows, text: true}}, nil
	}
	return []table{{name: "search_docs", cols: liteSearchCols, rows: drows}, {name: "search_fts", cols: ftsCols, rows: frows}}, nil
}

// sortAts reads the sort_at of the articles with ids lo..hi.
func sortAts(ctx context.Context, db *sql.DB, lo, hi int) (map[int64]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, sort_at FROM articles WHERE id BETWEEN `+strconv.Itoa(lo)+` AND `+strconv.Itoa(hi))
	if err != nil {
		return nil, fmt.Errorf("populate: resume: %w", err)
	}
	defer rows.Close()
	m := map[int64]int64{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("populate: resume: %w", err)
		}
		m[id] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("populate: resume: %w", err)
	}
	return m, nil
}

var (
	sourceCols = []string{"id", "url", "site_url", "kind", "name", "section", "language", "poll_interval",
		"enabled", "next_poll_at", "created_at"}
	articleCols = []string{"id", "source_id", "url", "canonical_url", "guid", "slug", "title", "author",
		"published_at", "updated_at", "language", "section", "image", "summary", "html", "text",
		"content_hash", "first_seen_at", "sort_at", "hidden"}
	translationCols = []string{"article_id", "language", "source_language", "status", "title", "summary",
		"html", "text", "provider", "content_hash", "chars", "created_at"}
	pgSearchCols   = []string{"article_id", "lang", "sort_at", "ord", "tsv", "pairs"}
	liteSearchCols = []string{"id", "article_id", "lang", "sort_at"}
	ftsCols        = []string{"rowid", "title", "body", "extra"}
)

// writer inserts rows: COPY on PostgreSQL, multi-row INSERTs on SQLite,
// one transaction per call.
type writer struct {
	db *sql.DB
	pg bool
}

// table is rows for one table.
type table struct {
	name string
	cols []string
	rows [][]any
	// text: COPY in the text format, the server parsing each value (the
	// tsvector literals of search_docs) as an INSERT would.
	text bool
}

func (w *writer) insert(ctx context.Context, name string, cols []string, rows [][]any) error {
	return w.insertTx(ctx, []table{{name: name, cols: cols, rows: rows}})
}

// insertTx writes the tables in order in one transaction.
func (w *writer) insertTx(ctx context.Context, tables []table) error {
	if w.pg {
		return w.copyTx(ctx, tables)
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("populate %s: %w", tables[0].name, err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		if err := insertRows(ctx, tx, t); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("populate %s: %w", tables[0].name, err)
	}
	return nil
}

// insertRows writes t as INSERTs of at most ~30000 parameters (under
// SQLite's 32766).
func insertRows(ctx context.Context, tx *sql.Tx, t table) error {
	rows := t.rows
	per := max(1, 30000/len(t.cols))
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		var b strings.Builder
		b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(t.cols))
		for i, row := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				b.WriteByte('?')
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("populate %s: %w", t.name, err)
		}
	}
	return nil
}

// copyTx writes the tables by COPY FROM STDIN on one pgx connection: the
// server parses no statement of 30,000 parameters per chunk, which was
// most of its time per article besides the indexes and TOAST.
func (w *writer) copyTx(ctx context.Context, tables []table) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("populate %s: %w", tables[0].name, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("populate: the PostgreSQL connection is a %T, not pgx's", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("populate %s: %w", tables[0].name, err)
		}
		defer tx.Rollback(ctx)
		// No triggers: see Populate (writes at once, counted afterwards).
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return fmt.Errorf("populate %s (needs a superuser, to write with the triggers off): %w", tables[0].name, err)
		}
		for _, t := range tables {
			if len(t.rows) == 0 {
				continue
			}
			if t.text {
				if _, err := tx.Conn().PgConn().CopyFrom(ctx, copyText(t.rows),
					`COPY `+pgx.Identifier{t.name}.Sanitize()+` (`+strings.Join(t.cols, ", ")+`) FROM STDIN`); err != nil {
					return fmt.Errorf("populate %s: %w", t.name, err)
				}
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("populate %s: %w", t.name, err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("populate %s: %w", tables[0].name, err)
		}
		return nil
	})
}

// slugOf is the slug the store would give: the title's words, then the id
// so every slug is unique without the store's collision probing.
func slugOf(t string, id int64) string {
	f := strings.Fields(strings.ToLower(t))
	return strings.Join(f[:min(8, len(f))], "-") + "-" + strconv.FormatInt(id, 10)
}

func title(r *rand.Rand, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	f := make([]string, n)
	for i := range f {
		f[i] = words[r.IntN(len(words))]
	}
	f[0] = strings.ToUpper(f[0][:1]) + f[0][1:]
	return strings.Join(f, " ")
}

func sentence(r *rand.Rand, lo, hi int) string { return title(r, lo, hi) + "." }

// body is an article's text and HTML: 4 to 12 paragraphs of 2 to 5
// sentences, some 2 to 8 kB of text as news articles are.
func body(r *rand.Rand) (text, html string) {
	var t, h strings.Builder
	np := 4 + r.IntN(9)
	for p := range np {
		var para strings.Builder
		for s := range 2 + r.IntN(4) {
			if s > 0 {
				para.WriteByte(' ')
			}
			para.WriteString(sentence(r, 8, 20))
		}
		if p > 0 {
			t.WriteString("\n\n")
		}
		t.WriteString(para.String())
		h.WriteString("<p>" + para.String() + "</p>\n")
	}
	return t.String(), h.String()
}

// copyText writes rows in COPY's text format: tab-separated, one line each,
// backslashes, tabs and line ends escaped.
func copyText(rows [][]any) io.Reader {
	esc := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)
	var b bytes.Buffer
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			esc.WriteString(&b, fmt.Sprint(v))
		}
		b.WriteByte('\n')
	}
	return &b
}

// batchesOf is the batches (of batch articles each) whose first article
// is stored and meets the condition and (SQL after WHERE's first term, on
// articles a): what a resumed run finds already written.
func batchesOf(ctx context.Context, db *sql.DB, batch int, and string) (map[int]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.id FROM articles a WHERE (a.id - 1) % `+strconv.Itoa(batch)+` = 0`+and)
	if err != nil {
		return nil, fmt.Errorf("populate: resume: %w", err)
	}
	defer rows.Close()
	found := map[int]bool{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("populate: resume: %w", err)
		}
		found[(id-1)/batch] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("populate: resume: %w", err)
	}
	return found, nil
}
