package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Miniflux runs the Miniflux program at bin (`go install
// miniflux.app/v2@v2.3.5`) against farm, on a fresh database of the
// PostgreSQL server at pgURL, the way the issue measured it: every feed
// subscribed with its crawler on (the original page fetched and its
// article extracted, as Spektrum does), then one `miniflux -refresh-feeds`
// pass with Miniflux's defaults (16 workers, no per-host delay) that takes
// every item's page. The result's CPU is that pass's process (getrusage of
// the child), the farm not included; Articles counts the entries stored
// with their page's article, Failed those without. farmCPU is what this
// process (the farm's serving, mostly) used meanwhile, to set Spektrum's
// figure, which includes the farm, against Miniflux's on equal terms.
//
// The subscriptions are made while the farm's feeds are empty, since
// Miniflux fetches a feed (and crawls its items) as it subscribes: the
// measured pass then finds every item new.
func Miniflux(ctx context.Context, bin string, farm *Farm, pgURL string) (r Result, farmCPU time.Duration, err error) {
	dbURL, drop, err := freshDatabase(ctx, pgURL)
	if err != nil {
		return r, 0, err
	}
	defer drop()
	port, err := freePort()
	if err != nil {
		return r, 0, err
	}
	const user, password = "bench", "bench-password-1"
	env := append(os.Environ(),
		"DATABASE_URL="+dbURL,
		"RUN_MIGRATIONS=1",
		"CREATE_ADMIN=1",
		"ADMIN_USERNAME="+user,
		"ADMIN_PASSWORD="+password,
		"LISTEN_ADDR="+port,
		"FETCHER_ALLOW_PRIVATE_NETWORKS=1", // the farm is on loopback
		"POLLING_FREQUENCY=1440",           // the daemon's own scheduler stays out of it
		"BATCH_SIZE=1000000",               // one refresh pass takes every feed
		"LOG_LEVEL=error",
	)
	farm.Empty.Store(true)
	defer farm.Empty.Store(false)
	var logs bytes.Buffer
	daemon := exec.CommandContext(ctx, bin)
	daemon.Env, daemon.Stdout, daemon.Stderr = env, &logs, &logs
	if err := daemon.Start(); err != nil {
		return r, 0, fmt.Errorf("bench ingest: start miniflux: %w", err)
	}
	stop := func() {
		_ = daemon.Process.Signal(syscall.SIGTERM)
		_ = daemon.Wait()
	}
	api := &minifluxAPI{base: "http://" + port, user: user, password: password}
	if err := api.waitHealthy(ctx, 30*time.Second); err != nil {
		stop()
		return r, 0, fmt.Errorf("%w; its log: %s", err, tail(logs.String()))
	}
	err = api.subscribe(ctx, farm.FeedURLs())
	stop()
	if err != nil {
		return r, 0, fmt.Errorf("%w; its log: %s", err, tail(logs.String()))
	}
	farm.Empty.Store(false)
	if err := runMiniflux(ctx, bin, env, "-reset-feed-next-check-at"); err != nil {
		return r, 0, err
	}
	pages0 := farm.Pages.Load()
	cpu0, t0 := cpuTime(), time.Now()
	refresh := exec.CommandContext(ctx, bin, "-refresh-feeds")
	refresh.Env = env
	out, err := refresh.CombinedOutput()
	r.Wall, farmCPU = time.Since(t0), cpuTime()-cpu0
	if err != nil {
		return r, 0, fmt.Errorf("bench ingest: miniflux -refresh-feeds: %w: %s", err, tail(string(out)))
	}
	r.CPU = refresh.ProcessState.UserTime() + refresh.ProcessState.SystemTime()
	r.Polled = len(farm.FeedURLs())
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return r, 0, fmt.Errorf("bench ingest: open miniflux's database: %w", err)
	}
	defer db.Close()
	// An entry whose page the crawler took has the page's article as its
	// content; the farm's feeds carry a one-line description only.
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE length(content) > 200`).Scan(&r.Articles); err != nil {
		return r, 0, fmt.Errorf("bench ingest: count miniflux's entries: %w", err)
	}
	var all int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries`).Scan(&all); err != nil {
		return r, 0, fmt.Errorf("bench ingest: count miniflux's entries: %w", err)
	}
	r.Failed = all - r.Articles
	if got := farm.Pages.Load() - pages0; got < int64(all) {
		return r, 0, fmt.Errorf("bench ingest: miniflux stored %d entries but fetched %d pages: is its crawler on?", all, got)
	}
	return r, farmCPU, nil
}

func runMiniflux(ctx context.Context, bin string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench ingest: miniflux %s: %w: %s", strings.Join(args, " "), err, tail(string(out)))
	}
	return nil
}

// tail is the end of a program's output, for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		s = "…" + s[len(s)-600:]
	}
	return s
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench ingest: find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// freshDatabase makes a database of its own on the server at pgURL (Miniflux
// migrates its own schema, extensions included, so a schema of its own is
// not enough) and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, pgURL string) (string, func(), error) {
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
	name := "spektrum_bench_miniflux_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("bench ingest: create database on %s: %w", u.Redacted(), err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE "+name+" WITH (FORCE)")
		admin.Close()
	}
	v := *u
	v.Path = "/" + name
	return v.String(), drop, nil
}

type minifluxAPI struct {
	base, user, password string
}

func (a *minifluxAPI) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(a.user, a.password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("bench ingest: miniflux API %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("bench ingest: miniflux API %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("bench ingest: miniflux API %s %s: %s: %s", method, path, resp.Status, tail(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("bench ingest: miniflux API %s %s: %w", method, path, err)
		}
	}
	return nil
}

func (a *minifluxAPI) waitHealthy(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/healthcheck", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("bench ingest: miniflux did not answer its health check")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// subscribe adds every feed with the crawler on, in the user's first
// category.
func (a *minifluxAPI) subscribe(ctx context.Context, feeds []string) error {
	var cats []struct {
		ID int64 `json:"id"`
	}
	if err := a.do(ctx, http.MethodGet, "/v1/categories", nil, &cats); err != nil {
		return err
	}
	if len(cats) == 0 {
		return errors.New("bench ingest: miniflux's user has no category")
	}
	for _, u := range feeds {
		body := map[string]any{"feed_url": u, "category_id": cats[0].ID, "crawler": true}
		if err := a.do(ctx, http.MethodPost, "/v1/feeds", body, nil); err != nil {
			return err
		}
	}
	return nil
}
