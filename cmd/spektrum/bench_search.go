package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/bench/retrieval"
	"spektrum/internal/extract"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/sqlite"
)

// benchSearch measures search on a fresh SQLite file (and, with
// --postgres, a fresh schema of that server): known-item MRR@10 over the
// article-extraction benchmark's pages, and query latency over
// --articles synthetic articles.
func benchSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench search", stderr)
	dir := c.fs.String("dir", "", "the aeb benchmark directory (default $"+aeb.EnvDir+" or ../shared/bench/aeb beside the module)")
	n := c.fs.Int("articles", 100000, "synthetic articles for the latency benchmark (0: skip it)")
	nq := c.fs.Int("queries", 2000, "queries timed")
	known := c.fs.Bool("known-item", true, "run the known-item benchmark (when its data is there)")
	lite := c.fs.Bool("sqlite", true, "measure SQLite")
	pg := c.fs.String("postgres", "", "also measure PostgreSQL: a postgres:// URL; a fresh schema is made there and dropped")
	pos, _, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench search takes no arguments, got %q", errUsage, pos)
	}
	tmp, err := os.MkdirTemp("", "spektrum-bench-search-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	type engine struct {
		name string
		open func(tag string) (store.Store, func() int64, func(), error)
	}
	engines := []engine{{"sqlite", func(tag string) (store.Store, func() int64, func(), error) {
		path := filepath.Join(tmp, tag+".db")
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, nil, nil, err
		}
		size := func() int64 {
			var total int64
			for _, f := range []string{path, path + "-wal"} {
				if fi, err := os.Stat(f); err == nil {
					total += fi.Size()
				}
			}
			return total
		}
		return st, size, func() { st.Close() }, st.Migrate(ctx)
	}}}
	if !*lite {
		engines = nil
	}
	if *pg != "" {
		engines = append(engines, engine{"postgres", func(tag string) (store.Store, func() int64, func(), error) {
			return openBenchSchema(ctx, *pg)
		}})
	}

	if *dir == "" {
		*dir = aeb.DefaultDir()
	}
	var docs []retrieval.Doc
	if *dir != "" && *known {
		pages, err := aeb.Load(*dir)
		if err != nil {
			return err
		}
		ex := extract.New()
		for _, p := range pages {
			a, err := ex.Extract(ctx, p.HTML, p.URL)
			if err != nil {
				docs = append(docs, retrieval.Doc{}) // stored as the pipeline would not: an empty page
				continue
			}
			docs = append(docs, retrieval.Doc{Title: a.Title, Text: a.Text, Published: a.Published})
		}
	} else if *known {
		fmt.Fprintf(stdout, "known-item: skipped: no benchmark data (set $%s or --dir)\n", aeb.EnvDir)
	}

	for _, e := range engines {
		fmt.Fprintf(stdout, "%s\n", e.name)
		if docs != nil {
			st, _, closeFn, err := e.open("known")
			if err != nil {
				return err
			}
			ids, _, err := retrieval.Index(ctx, st, "en", docs, 1, nil)
			if err != nil {
				closeFn()
				return err
			}
			mrr, first, err := retrieval.MRR(ctx, st, "en", ids, retrieval.KnownItemQueries(docs))
			closeFn()
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  known-item, %d pages (3 most used words found in 2-8 pages): MRR@10 %.3f, found first %d\n", len(docs), mrr, first)
		}
		if *n <= 0 {
			continue
		}
		st, size, closeFn, err := e.open("latency")
		if err != nil {
			return err
		}
		corpus := retrieval.Synthetic(*n, 1)
		workers := 1
		if e.name == "postgres" {
			workers = 4
		}
		_, took, err := retrieval.Index(ctx, st, "en", corpus, workers, func(k int) { fmt.Fprintf(stderr, "\r  indexing %d/%d", k, *n) })
		fmt.Fprintln(stderr)
		if err != nil {
			closeFn()
			return err
		}
		fmt.Fprintf(stdout, "  %d synthetic articles stored and indexed in %s (%.0f articles/s, %d workers); database %.0f MB\n",
			*n, took.Round(time.Second), float64(*n)/took.Seconds(), workers, float64(size())/1e6)
		qs := retrieval.LatencyQueries(corpus, *nq, 2)
		if _, err := retrieval.Time(ctx, st, "en", qs[:min(len(qs), 200)]); err != nil { // warm the cache
			closeFn()
			return err
		}
		lat, err := retrieval.Time(ctx, st, "en", qs)
		closeFn()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %d queries (1 word 40%%, 2 words 40%%, phrase 20%%; relevance and newest alternately, count + 20 results): p50 %s  p90 %s  p99 %s  max %s\n",
			len(lat), lat.Quantile(0.5).Round(10*time.Microsecond), lat.Quantile(0.9).Round(10*time.Microsecond),
			lat.Quantile(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	return nil
}

// openBenchSchema opens a store in a fresh schema of the server at dsn; the
// cleanup closes it and drops the schema.
func openBenchSchema(ctx context.Context, dsn string) (store.Store, func() int64, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--postgres: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "spektrum_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, nil, nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	cleanup := func() {
		if st != nil {
			st.Close()
		}
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	if err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	size := func() int64 {
		var n int64
		_ = admin.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, schema).Scan(&n)
		return n
	}
	if err := st.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	return st, size, cleanup, nil
}
