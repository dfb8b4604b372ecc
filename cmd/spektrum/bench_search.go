package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	keepDB := c.fs.String("keep-sqlite", "", "keep the SQLite latency database at this path, and reuse it (migrated, not repopulated) when it is there")
	keepSchema := c.fs.String("keep-schema", "", "keep the PostgreSQL latency database in this schema, and reuse it (migrated, not repopulated) when it is there")
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
		if tag == "latency" && *keepDB != "" {
			path = *keepDB
		}
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
		start := time.Now()
		err = st.Migrate(ctx)
		fmt.Fprintf(stderr, "  %s: migrated in %s\n", path, time.Since(start).Round(time.Millisecond))
		return st, size, func() { st.Close() }, err
	}}}
	if !*lite {
		engines = nil
	}
	if *pg != "" {
		engines = append(engines, engine{"postgres", func(tag string) (store.Store, func() int64, func(), error) {
			schema := ""
			if tag == "latency" {
				schema = *keepSchema
			}
			return openBenchSchema(ctx, *pg, schema, stderr)
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
		// A kept database that already holds the corpus is reused as it
		// is, migrated: the same articles before and after a change.
		// A search that fails is an error, not an empty database: adding
		// the corpus again to a kept one would spoil it.
		page, err := st.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{retrieval.CommonestTerm(corpus)}}, Limit: 1})
		if err != nil {
			closeFn()
			return fmt.Errorf("searching the %s database for the corpus: %w", e.name, err)
		}
		if page.Total > 0 {
			fmt.Fprintf(stdout, "  reusing the kept database (%.0f MB)\n", float64(size())/1e6)
		} else {
			_, took, err := retrieval.Index(ctx, st, "en", corpus, workers, func(k int) { fmt.Fprintf(stderr, "\r  indexing %d/%d", k, *n) })
			fmt.Fprintln(stderr)
			if err != nil {
				closeFn()
				return err
			}
			fmt.Fprintf(stdout, "  %d synthetic articles stored and indexed in %s (%.0f articles/s, %d workers); database %.0f MB\n",
				*n, took.Round(time.Second), float64(*n)/took.Seconds(), workers, float64(size())/1e6)
			// After a bulk load, as `spektrum search reindex` does: FTS5's
			// segments merged, PostgreSQL's search statistics gathered.
			start := time.Now()
			if _, err := st.OptimizeSearch(ctx); err != nil {
				closeFn()
				return err
			}
			fmt.Fprintf(stdout, "  index optimized in %s\n", time.Since(start).Round(time.Millisecond))
		}
		// The tables as a server's autovacuum keeps them, which this one
		// may not run: the planner needs statistics of the filled tables
		// (without them it measured a plan for empty tables, 10 times
		// slower; docs/benchmarks.md, "Search speed, fourth pass"), and
		// building updated the one source's row 100,000 times: left with
		// its dead versions, reading a page of hits' articles took 5 ms
		// instead of 0.8 ("Search speed, tenth pass").
		if db, ok := st.(interface{ DB() *sql.DB }); ok && e.name == "postgres" {
			start := time.Now()
			if err := vacuumSchema(ctx, db.DB()); err != nil {
				closeFn()
				return err
			}
			fmt.Fprintf(stdout, "  tables vacuumed and analyzed in %s\n", time.Since(start).Round(time.Millisecond))
		}
		qs := retrieval.LatencyQueries(corpus, *nq, 2)
		if _, _, err := retrieval.Time(ctx, st, "en", qs[:min(len(qs), 200)]); err != nil { // warm the cache
			closeFn()
			return err
		}
		load0 := loadAverage()
		cpu0, srv0 := processCPU(), serverCPU(ctx, *pg, e.name)
		lat, qcpu, kinds, err := retrieval.TimeKinds(ctx, st, "en", qs)
		cpu, srv := processCPU()-cpu0, serverCPU(ctx, *pg, e.name)-srv0
		closeFn()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %d queries (1 word 40%%, 2 words 40%%, phrase 20%%; relevance and newest alternately, count + 20 results): p50 %s  p90 %s  p99 %s  max %s\n",
			len(lat), lat.Quantile(0.5).Round(10*time.Microsecond), lat.Quantile(0.9).Round(10*time.Microsecond),
			lat.Quantile(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
		fmt.Fprintf(stdout, "  CPU per query: this process %s (the query's thread: p50 %s  p90 %s  p99 %s  max %s), database server %s; load average %s before, %s after\n",
			(cpu / time.Duration(len(lat))).Round(10*time.Microsecond),
			qcpu.Quantile(0.5).Round(10*time.Microsecond), qcpu.Quantile(0.9).Round(10*time.Microsecond),
			qcpu.Quantile(0.99).Round(10*time.Microsecond), qcpu[len(qcpu)-1].Round(10*time.Microsecond),
			(srv / time.Duration(len(lat))).Round(10*time.Microsecond), load0, loadAverage())
		names := make([]string, 0, len(kinds))
		for k := range kinds {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			l := kinds[k]
			fmt.Fprintf(stdout, "    %-17s %4d queries: p50 %s  p90 %s  p99 %s  max %s\n", k, len(l),
				l.Quantile(0.5).Round(10*time.Microsecond), l.Quantile(0.9).Round(10*time.Microsecond),
				l.Quantile(0.99).Round(10*time.Microsecond), l[len(l)-1].Round(10*time.Microsecond))
		}
	}
	return nil
}

// benchApplication names the benchmark's connections to PostgreSQL, so
// serverCPU finds their server processes.
const benchApplication = "spektrum-bench-search"

// serverCPU is the CPU time the PostgreSQL server processes of the
// benchmark's connections have used, read from /proc (the server runs on
// this machine); 0 for SQLite or when it cannot be read.
func serverCPU(ctx context.Context, dsn, engine string) time.Duration {
	if engine != "postgres" {
		return 0
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, benchApplication)
	if err != nil {
		return 0
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return 0
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command (which may hold spaces): utime and stime
		// are the 14th and 15th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(u+s) * 10 * time.Millisecond
	}
	return total
}

// loadAverage is the machine's load average over the last minute.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// openBenchSchema opens a store in schema of the server at dsn: a fresh
// one, dropped by the cleanup, when schema is ""; else that schema, made
// when missing and kept.
// vacuumSchema runs VACUUM (ANALYZE) on every table of the connection's
// schema (current_schema(): the benchmark's), not the whole database's.
func vacuumSchema(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`)
	if err != nil {
		return fmt.Errorf("vacuum: list the tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("vacuum: list the tables: %w", err)
		}
		tables = append(tables, pgx.Identifier{t}.Sanitize())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("vacuum: list the tables: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("vacuum the benchmark's tables: %w", err)
	}
	return nil
}

func openBenchSchema(ctx context.Context, dsn, schema string, stderr io.Writer) (store.Store, func() int64, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--postgres: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	keep := schema != ""
	if !keep {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema = "spektrum_bench_" + hex.EncodeToString(b)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		admin.Close()
		return nil, nil, nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", benchApplication)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	cleanup := func() {
		if st != nil {
			st.Close()
		}
		if !keep {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		}
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
	start := time.Now()
	if err := st.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, nil, err
	}
	fmt.Fprintf(stderr, "  schema %s: migrated in %s\n", schema, time.Since(start).Round(time.Millisecond))
	return st, size, cleanup, nil
}
