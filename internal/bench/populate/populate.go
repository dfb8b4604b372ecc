// Package populate fills a database with a realistic outlet (sources,
// sections, articles over a year, translations into the editions) by bulk
// SQL inserts, and measures the site's pages against it: the scale
// benchmark of issue 10. It writes straight into the tables (one
// transaction per batch of thousands of rows) because going through the
// pipeline would take days for a million articles; the rows are the ones
// the pipeline would write.
package populate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
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
	// Postgres selects $n placeholders; SQLite takes ?.
	Postgres bool
	Progress func(done int)
}

// DefaultEditions are the six edition languages of the benchmark.
var DefaultEditions = []string{"en", "de", "fr", "es", "it", "pl"}

// Result says what was written.
type Result struct {
	Sources, Sections, Articles, Translations int
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
	if n > 0 {
		return Result{}, fmt.Errorf("populate: the database already holds %d articles; populate an empty one", n)
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
	if err := w.insert(ctx, "sections", []string{"slug", "name"}, rows); err != nil {
		return res, err
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
		if len(rows) == o.Batch {
			if err := w.insert(ctx, "sources", sourceCols, rows); err != nil {
				return res, err
			}
			rows = rows[:0]
		}
	}
	if err := w.insert(ctx, "sources", sourceCols, rows); err != nil {
		return res, err
	}

	year := int64(365 * 24 * time.Hour / time.Millisecond)
	var arts, trs [][]any
	flush := func() error {
		if err := w.insert(ctx, "articles", articleCols, arts); err != nil {
			return err
		}
		if err := w.insert(ctx, "translations", translationCols, trs); err != nil {
			return err
		}
		arts, trs = arts[:0], trs[:0]
		return nil
	}
	for i := range o.Articles {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		id := int64(i + 1)
		s := r.IntN(o.Sources)
		// Newer articles are denser, as an outlet grows; ids follow time
		// roughly but not exactly (feeds arrive out of order).
		pub := nowMS - int64(float64(year)*r.Float64()*r.Float64())
		t := title(r, 6, 13)
		sum := sentence(r, 20, 40)
		text, html := body(r)
		hash := sha256.Sum256([]byte(text))
		slug := slugOf(t, id)
		u := fmt.Sprintf("https://s%d.example.org/news/%s", s+1, slug)
		arts = append(arts, []any{id, int64(s + 1), u, u, u, slug, t, title(r, 2, 2), pub, pub, srcLang[s],
			srcSection[s], fmt.Sprintf("https://s%d.example.org/img/%d.jpg", s+1, id), sum, html, text,
			hex.EncodeToString(hash[:]), pub + 60000, pub, false})
		res.Articles++
		if r.Float64() < o.Translated {
			for _, ed := range o.Editions {
				if ed == srcLang[s] {
					continue
				}
				ttext, thtml := body(r)
				trs = append(trs, []any{id, ed, srcLang[s], "done", title(r, 6, 13), sentence(r, 20, 40),
					thtml, ttext, "apertium", hex.EncodeToString(hash[:]), int64(len(text)), pub + 120000})
				res.Translations++
			}
		}
		if len(arts) == o.Batch {
			if err := flush(); err != nil {
				return res, err
			}
			if o.Progress != nil {
				o.Progress(i + 1)
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	// Planner statistics, as autovacuum (PostgreSQL) or serve's own
	// optimize would gather them.
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return res, fmt.Errorf("populate: analyze: %w", err)
	}
	res.Took = time.Since(start)
	return res, nil
}

var (
	sourceCols = []string{"id", "url", "site_url", "kind", "name", "section", "language", "poll_interval",
		"enabled", "next_poll_at", "created_at"}
	articleCols = []string{"id", "source_id", "url", "canonical_url", "guid", "slug", "title", "author",
		"published_at", "updated_at", "language", "section", "image", "summary", "html", "text",
		"content_hash", "first_seen_at", "sort_at", "hidden"}
	translationCols = []string{"article_id", "language", "source_language", "status", "title", "summary",
		"html", "text", "provider", "content_hash", "chars", "created_at"}
)

// writer inserts rows as multi-row INSERTs in one transaction per call.
type writer struct {
	db *sql.DB
	pg bool
}

func (w *writer) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("populate %s: %w", table, err)
	}
	defer tx.Rollback()
	// Statements of at most ~30000 parameters: under SQLite's 32766 and
	// PostgreSQL's 65535.
	per := max(1, 30000/len(cols))
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(cols))
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
				if w.pg {
					b.WriteString("$" + strconv.Itoa(len(args)))
				} else {
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("populate %s: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("populate %s: %w", table, err)
	}
	return nil
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
