package ingest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"spektrum/internal/app"
	"spektrum/internal/config"
	"spektrum/internal/lang"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	_ "spektrum/internal/store/postgres" // registers the pgx driver used to make a schema
)

// Config is the settings of `spektrum fetch` with every default, as a
// fresh installation has them.
func Config() (*config.Config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	config.Register(fs, func(string) string { return "" })
	return config.Load(fs)
}

// Result is one measured pass.
type Result struct {
	Articles int           // stored
	Failed   int           // articles that failed
	Polled   int           // sources polled
	Wall     time.Duration // the pass, from the first poll queued to idle
	CPU      time.Duration // user+system CPU of this process during the pass
}

// PagesPerSec is articles stored per second of wall-clock time.
func (r Result) PagesPerSec() float64 { return float64(r.Articles) / r.Wall.Seconds() }

// CPUPerPage is the process's CPU time per stored article.
func (r Result) CPUPerPage() time.Duration {
	if r.Articles == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Articles)
}

// Ingest adds every feed of farm as a source to a fresh database (SQLite in
// dir, or a fresh schema on the PostgreSQL server pgURL when it is set) and
// runs one fetch pass with cfg's politeness and workers. Then, if again, it
// polls every source once more, when each feed answers 304; that pass is
// the second result (its Articles stay 0, Polled counts the polls).
func Ingest(ctx context.Context, cfg config.Config, farm *Farm, dir, pgURL string, again bool) (first, second Result, err error) {
	if pgURL != "" {
		dsn, drop, err := freshSchema(ctx, pgURL)
		if err != nil {
			return first, second, err
		}
		defer drop()
		cfg.DB = dsn
	} else {
		cfg.DB = filepath.Join(dir, fmt.Sprintf("ingest-%d.db", time.Now().UnixNano()))
	}
	// The farm is on loopback, which the fetcher refuses unless told.
	cfg.AllowPrivateNetworks = true
	cfg.NoAutoMigrate = false
	cfg.Editions = nil // no translation: the bench measures ingest
	var (
		mu  sync.Mutex
		cur *Result
	)
	events := func(e pipeline.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case pipeline.ArticleDone:
			cur.Articles++
		case pipeline.ArticleFailed:
			if e.Final {
				cur.Failed++
			}
		case pipeline.SourcePolled:
			cur.Polled++
		}
	}
	// The language models load on a process's first detection (seconds of
	// CPU, once); load them before the clock starts, so that a short run
	// measures pages and not the start-up.
	lang.New().Detect("Le conseil municipal a adopté mardi un nouveau budget pour les écoles.")
	a, err := app.New(ctx, &cfg, slog.New(slog.DiscardHandler), events)
	if err != nil {
		return first, second, err
	}
	defer a.Close()
	for _, u := range farm.FeedURLs() {
		src := &store.Source{URL: u, Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour, NextPollAt: time.Now()}
		if err := a.Store.CreateSource(ctx, src); err != nil {
			return first, second, fmt.Errorf("add source %s: %w", u, err)
		}
	}
	pass := func(r *Result) error {
		mu.Lock()
		cur = r
		mu.Unlock()
		cpu0, t0 := cpuTime(), time.Now()
		err := a.FetchPass(ctx, app.AllSources)
		r.Wall, r.CPU = time.Since(t0), cpuTime()-cpu0
		return err
	}
	if err := pass(&first); err != nil {
		return first, second, err
	}
	if again {
		if err := pass(&second); err != nil {
			return first, second, err
		}
	}
	return first, second, nil
}

// freshSchema makes a schema of its own on the server at pgURL and returns
// a DSN whose connections use it, and a function that drops it.
func freshSchema(ctx context.Context, pgURL string) (string, func(), error) {
	u, err := url.Parse(pgURL)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return "", nil, fmt.Errorf("bench ingest: %q is not a postgres:// URL", pgURL)
	}
	admin, err := sql.Open("pgx", pgURL)
	if err != nil {
		return "", nil, fmt.Errorf("bench ingest: open %s: %w", u.Redacted(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "spektrum_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench ingest: create schema on %s: %w", u.Redacted(), err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// ErrIncomplete says a pass stored fewer articles than the farm offers.
var ErrIncomplete = errors.New("bench ingest: not every article was stored")
