package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"

	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"text/tabwriter"
	"time"

	"spektrum/internal/app"
	"spektrum/internal/bench/populate"
	"spektrum/internal/web"
)

// dbOf is the *sql.DB under a store, for the bulk inserts of populate.
type dbOf interface{ DB() *sql.DB }

// benchPopulate fills an empty database with a generated outlet.
func benchPopulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench populate", stderr)
	articles := c.fs.Int("articles", 100000, "how many articles")
	sources := c.fs.Int("sources", 1000, "how many sources")
	sections := c.fs.Int("sections", 30, "how many sections")
	translated := c.fs.Float64("translated", 0.3, "share of articles translated into every other edition")
	parallel := c.fs.Int("parallel", 2, "batches of articles generated (and on PostgreSQL written) at once")
	resume := c.fs.Bool("resume", false, "continue a stopped populate (give its options): skip the batches already written (and, with --search, index those written without it)")
	withSearch := c.fs.Bool("search", true, "write the articles' search documents too, as the search stage would")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench populate takes no arguments, got %q", errUsage, pos)
	}
	start := time.Now()
	st, err := app.OpenStore(ctx, cfg.DB, true)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "migrated %s in %v\n", cfg.DB, time.Since(start).Round(time.Millisecond))
	d, ok := st.(dbOf)
	if !ok {
		return fmt.Errorf("bench populate: the store of %s has no SQL database", cfg.DB)
	}
	res, err := populate.Populate(ctx, d.DB(), populate.Options{
		Articles: *articles, Sources: *sources, Sections: *sections, Translated: *translated,
		Editions: cfg.Editions, Postgres: app.IsPostgres(cfg.DB), Workers: *parallel, Resume: *resume, Search: *withSearch, Seed: 1,
		Progress: func(n int) {
			if n%100000 == 0 {
				fmt.Fprintf(stdout, "  %d articles\n", n)
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "populated: %d sources, %d sections, %d articles, %d translations, %d search documents in %v (%.0f articles/s)\n",
		res.Sources, res.Sections, res.Articles, res.Translations, res.SearchDocs, res.Took.Round(time.Second),
		float64(res.Articles)/res.Took.Seconds())
	return nil
}

// benchPages measures the site's pages and API against a populated
// database, through the serve handler over loopback HTTP, uncached.
func benchPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench pages", stderr)
	n := c.fs.Int("requests", 50, "requests per kind of page")
	deep := c.fs.Int("deep", 200, "API pages to walk by cursor")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench pages takes no arguments, got %q", errUsage, pos)
	}
	start := time.Now()
	st, err := app.OpenStore(ctx, cfg.DB, true)
	if err != nil {
		return err
	}
	defer st.Close()
	migrate := time.Since(start)
	d, ok := st.(dbOf)
	if !ok {
		return fmt.Errorf("bench pages: the store of %s has no SQL database", cfg.DB)
	}
	db := d.DB()
	editions := cfg.Editions
	if len(editions) == 0 {
		editions = []string{cfg.Language}
	}
	h, err := web.New(st, web.Config{SiteName: "Bench", BaseURL: "http://127.0.0.1", Language: cfg.Language,
		Editions: editions, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()

	// What to request: every edition's front page, sections spread over
	// the list, articles drawn at random over the whole year.
	var sections []string
	rows, err := db.QueryContext(ctx, `SELECT slug FROM sections ORDER BY slug`)
	if err != nil {
		return fmt.Errorf("bench pages: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		sections = append(sections, s)
	}
	rows.Close()
	var maxID int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM articles`).Scan(&maxID); err != nil {
		return fmt.Errorf("bench pages: %w", err)
	}
	if maxID == 0 || len(sections) == 0 {
		return fmt.Errorf("bench pages: %s holds no articles or sections; run spektrum bench populate first", cfg.DB)
	}
	kinds := map[string][]string{}
	queries := populate.SearchQueries(*n)
	for i := range *n {
		ed := editions[i%len(editions)]
		kinds["front"] = append(kinds["front"], "/"+ed+"/")
		kinds["section"] = append(kinds["section"], "/"+ed+"/section/"+sections[i*7%len(sections)])
		a, err := st.Article(ctx, 1+int64(i)*maxID/int64(*n))
		if err != nil {
			return fmt.Errorf("bench pages: %w", err)
		}
		kinds["article"] = append(kinds["article"], "/"+ed+a.Path())
		kinds["api article"] = append(kinds["api article"], fmt.Sprintf("/api/v1/articles/%d?lang=%s", a.ID, ed))
		kinds["api section"] = append(kinds["api section"], "/api/v1/articles?section="+sections[i*7%len(sections)]+"&lang="+ed)
		q := url.QueryEscape(queries[i])
		kinds["search"] = append(kinds["search"], "/"+ed+"/search?q="+q)
		sort := []string{"relevance", "newest"}[i%2]
		kinds["api search"] = append(kinds["api search"], "/api/v1/search?lang="+ed+"&sort="+sort+"&q="+q)
		if i < 5 { // every source with its counts: heavy, and rarely asked
			kinds["api sources"] = append(kinds["api sources"], "/api/v1/sources")
		}
	}
	order := []string{"front", "section", "article", "api article", "api section", "api sources", "search", "api search"}
	// Warm the handler (templates, connections) once, not measured.
	if _, err := populate.Measure(ctx, client, srv.URL, map[string][]string{"w": {"/" + editions[0] + "/"}}, []string{"w"}); err != nil {
		return err
	}
	ts, err := populate.Measure(ctx, client, srv.URL, kinds, order)
	if err != nil {
		return err
	}
	for _, q := range []string{"", "lang=" + editions[len(editions)-1], "section=" + sections[0]} {
		t, seen, err := populate.DeepAPI(ctx, client, srv.URL, *deep, 100, q)
		if err != nil {
			return err
		}
		t.Name += fmt.Sprintf(" to article %d", seen)
		ts = append(ts, t)
	}
	runtime.GC()
	rss, peak := populate.RSS()
	var articles int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles`).Scan(&articles); err != nil {
		return err
	}
	size := dbSize(ctx, db, cfg.DB)

	fmt.Fprintf(stdout, "pages of %s: %d articles, GOMAXPROCS=%d, uncached\n\n", cfg.DB, articles, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "page\tn\tp50\tp99\tbytes")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%d\t%v\t%v\t%d\n", t.Name, t.N, t.P50.Round(10*time.Microsecond), t.P99.Round(10*time.Microsecond), t.Bytes)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nRSS after the run %.0f MB, peak %.0f MB (this process: serve's handler and the client)\n",
		float64(rss)/(1<<20), float64(peak)/(1<<20))
	if size > 0 {
		fmt.Fprintf(stdout, "database %.0f MB, %.1f kB per article (translations included)\n",
			float64(size)/(1<<20), float64(size)/float64(articles)/1024)
	}
	fmt.Fprintf(stdout, "opening and migrating the existing database took %v\n", migrate.Round(time.Millisecond))
	return nil
}

// dbSize is the database's size on disk in bytes, 0 if unknown.
func dbSize(ctx context.Context, db *sql.DB, dsn string) int64 {
	if app.IsPostgres(dsn) {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0
		}
		return n
	}
	var total int64
	for _, suf := range []string{"", "-wal"} {
		if fi, err := os.Stat(dsn + suf); err == nil {
			total += fi.Size()
		}
	}
	return total
}
