package main

// End-to-end tests: the real spektrum binary, run as separate processes
// against the demo news sites served over loopback, on a real SQLite file
// (and a real PostgreSQL server where SPEKTRUM_TEST_POSTGRES_DSN names one).

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"spektrum/internal/app"
	"spektrum/internal/demo"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "spektrum-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "spektrum")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build spektrum:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sites serves the demo sites and counts requests per path.
type sites struct {
	*httptest.Server
	sites []demo.Site
	mu    sync.Mutex
	hits  map[string]int
}

func startSites(t *testing.T) *sites {
	t.Helper()
	s := &sites{hits: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(nil)
	base := "http://" + s.Listener.Addr().String()
	h := demo.Handler(base)
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
	s.Start()
	t.Cleanup(s.Close)
	s.sites = demo.Sites(base)
	return s
}

func (s *sites) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// cli runs the binary with a database and the flags every test needs.
type cli struct {
	t   *testing.T
	db  string
	env []string
}

func newCLI(t *testing.T, db string) *cli {
	return &cli{t: t, db: db, env: append(os.Environ(),
		"SPEKTRUM_DB="+db,
		"SPEKTRUM_ALLOW_PRIVATE_NETWORKS=true",
		"SPEKTRUM_PER_HOST_DELAY=0s",
		"SPEKTRUM_PER_HOST_CONNS=4",
		"SPEKTRUM_FETCH_TIMEOUT=5s",
		// No translation unless a test asks for it: these tests check
		// articles in their own language (the last value of a key wins).
		"SPEKTRUM_TRANSLATE_APERTIUM_URL=",
	)}
}

func (c *cli) command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = c.env
	return cmd
}

// run runs spektrum and returns stdout, stderr and the exit status.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	cmd := c.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run spektrum %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// ok runs spektrum and fails the test unless it exits 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("spektrum %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
	}
	return out
}

// fetch runs `spektrum fetch args...` and fails the test unless it exits
// with code: 0 when everything succeeded, 3 when some sources or articles
// failed.
func (c *cli) fetch(code int, args ...string) string {
	c.t.Helper()
	out, errs, got := c.run(append([]string{"fetch"}, args...)...)
	if got != code {
		c.t.Fatalf("spektrum fetch %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, got, code, out, errs)
	}
	if code == 3 && !strings.Contains(errs, "not everything succeeded") {
		c.t.Errorf("spektrum fetch %v exited 3 without saying why:\n%s", args, errs)
	}
	return out
}

type sourceRow struct {
	ID         int64      `json:"id"`
	URL        string     `json:"url"`
	Name       string     `json:"name"`
	Articles   int        `json:"articles"`
	FailedJobs int        `json:"failed_jobs"`
	LastError  string     `json:"last_error"`
	ErrorCount int        `json:"error_count"`
	NextPollAt *time.Time `json:"next_poll_at"`
}

func (c *cli) sources() []sourceRow {
	c.t.Helper()
	var rows []sourceRow
	if err := json.Unmarshal([]byte(c.ok("sources", "list", "--json")), &rows); err != nil {
		c.t.Fatalf("sources list --json: %v", err)
	}
	return rows
}

func (c *cli) addSites(ss []demo.Site) {
	c.t.Helper()
	for _, s := range ss {
		args := []string{"sources", "add", s.SourceURL, "--section", s.Section}
		if s.Lang != "" {
			args = append(args, "--lang", s.Lang)
		}
		if s.Broken {
			args = append(args, "--force")
		}
		c.ok(args...)
	}
}

func openStore(t *testing.T, db string) store.Store {
	t.Helper()
	st, err := app.OpenStore(context.Background(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func allArticles(t *testing.T, st store.Store) []store.Article {
	t.Helper()
	var out []store.Article
	q := store.ArticleQuery{Limit: 50}
	for {
		page, err := st.Articles(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Articles...)
		if page.NextCursor == "" {
			return out
		}
		q.Cursor = page.NextCursor
	}
}

// shingleF1 is the article-extraction benchmark's measure for one page:
// F1 over multisets of 4-token shingles.
func shingleF1(truth, got string) float64 {
	sh := func(s string) map[string]int {
		toks := regexp.MustCompile(`[\p{L}\p{N}_]+`).FindAllString(s, -1)
		m := map[string]int{}
		if len(toks) < 4 {
			m[strings.Join(toks, " ")]++
			return m
		}
		for i := 0; i+4 <= len(toks); i++ {
			m[strings.Join(toks[i:i+4], " ")]++
		}
		return m
	}
	a, b := sh(truth), sh(got)
	tp, fp, fn := 0, 0, 0
	for k, n := range b {
		tp += min(n, a[k])
		fp += max(0, n-a[k])
	}
	for k, n := range a {
		fn += max(0, n-b[k])
	}
	if tp == 0 {
		return 0
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	return 2 * p * r / (p + r)
}

func TestAddFetchServe(t *testing.T) {
	srv := startSites(t)
	db := filepath.Join(t.TempDir(), "spektrum.db")
	c := newCLI(t, db)

	// Refusals first: an unreadable site without --force, a private
	// address without permission, a duplicate.
	var broken, good []demo.Site
	for _, s := range srv.sites {
		if s.Broken {
			broken = append(broken, s)
		} else {
			good = append(good, s)
		}
	}
	if len(good) != 6 || len(broken) != 3 {
		t.Fatalf("demo has %d good and %d broken sites, want 6 and 3", len(good), len(broken))
	}
	_, errs, code := c.run("sources", "add", broken[0].SourceURL)
	if code == 0 || !strings.Contains(errs, "--force") {
		t.Fatalf("adding an unreadable source without --force: exit %d, stderr %q; want a failure that mentions --force", code, errs)
	}
	strict := &cli{t: t, db: db, env: append(os.Environ(), "SPEKTRUM_DB="+db)}
	_, errs, code = strict.run("sources", "add", good[0].SourceURL)
	if code == 0 || !strings.Contains(errs, "allow-private-networks") {
		t.Fatalf("adding a loopback source without permission: exit %d, stderr %q; want a refusal naming --allow-private-networks", code, errs)
	}

	c.addSites(srv.sites)
	_, errs, code = c.run("sources", "add", good[0].SourceURL)
	if code == 0 || !strings.Contains(errs, "already") {
		t.Fatalf("adding a source twice: exit %d, stderr %q; want 'already'", code, errs)
	}
	if n := len(c.sources()); n != 9 {
		t.Fatalf("%d sources after adding 9", n)
	}

	out := c.fetch(3)
	if !strings.Contains(out, "sources: 6 ok, 3 failed") {
		t.Fatalf("fetch summary: %s", out)
	}
	want := 0
	for _, s := range good {
		want += len(s.Articles)
	}
	if !strings.Contains(out, fmt.Sprintf("articles: %d new, 0 updated", want)) {
		t.Fatalf("fetch summary %q; want %d new articles", out, want)
	}

	rows := c.sources()
	byURL := map[string]sourceRow{}
	for _, r := range rows {
		byURL[r.URL] = r
	}
	for _, s := range good {
		r, ok := byURL[s.FeedURL]
		if !ok {
			t.Errorf("site %s: no source reads %s (sources: %+v)", s.Name, s.FeedURL, rows)
			continue
		}
		if r.Articles != len(s.Articles) || r.LastError != "" {
			t.Errorf("site %s: %d articles, error %q; want %d and none", s.Name, r.Articles, r.LastError, len(s.Articles))
		}
	}
	for _, s := range broken {
		r := byURL[s.SourceURL]
		if !strings.Contains(strings.ToLower(r.LastError), s.WantError) || r.ErrorCount == 0 {
			t.Errorf("broken site %s: last_error %q (count %d); want it to mention %q", s.Name, r.LastError, r.ErrorCount, s.WantError)
		}
		show := c.ok("sources", "show", fmt.Sprint(r.ID))
		if !strings.Contains(show, "Last error:") || !strings.Contains(show, r.LastError[:min(20, len(r.LastError))]) {
			t.Errorf("sources show %d does not show the error:\n%s", r.ID, show)
		}
	}

	// Every article of the good sites is stored once, with its true text.
	st := openStore(t, db)
	arts := allArticles(t, st)
	if len(arts) != want {
		t.Fatalf("%d articles stored, want %d", len(arts), want)
	}
	stored := map[string]store.Article{}
	for _, a := range arts {
		stored[a.URL] = a
		if strings.Contains(a.HTML, "<script") || strings.Contains(a.HTML, "onerror") {
			t.Errorf("%s: stored HTML is not sanitized", a.URL)
		}
	}
	var sum float64
	worst, worstURL := 1.0, ""
	for _, s := range good {
		for _, ta := range s.Articles {
			a, ok := stored[ta.URL]
			if !ok {
				t.Errorf("article %s not stored", ta.URL)
				continue
			}
			f := shingleF1(ta.Text, a.Text)
			t.Logf("F1 %.3f  %s  %q", f, ta.URL, a.Title)
			sum += f
			if f < worst {
				worst, worstURL = f, ta.URL
			}
			if a.Title == "" || a.Section != s.Section {
				t.Errorf("%s: title %q section %q; want a title and section %q", ta.URL, a.Title, a.Section, s.Section)
			}
		}
	}
	mean := sum / float64(want)
	t.Logf("text vs ground truth: mean F1 %.3f, worst %.3f (%s)", mean, worst, worstURL)
	if mean < 0.9 || worst < 0.6 {
		t.Errorf("extracted text too far from the true text: mean F1 %.3f, worst %.3f (%s)", mean, worst, worstURL)
	}

	// A second pass over every source changes nothing.
	out = c.fetch(3, "--all")
	if !strings.Contains(out, "sources: 6 ok, 3 failed; articles: 0 new, 0 updated") {
		t.Errorf("second fetch: %s; want no new or updated articles", out)
	}
	if n, _ := st.CountArticles(context.Background()); n != want {
		t.Errorf("%d articles after a second fetch, want %d", n, want)
	}

	// OPML round trip.
	opmlOut := c.ok("export")
	for _, r := range rows {
		if !strings.Contains(opmlOut, xmlEscape(r.URL)) {
			t.Errorf("export lacks %s", r.URL)
		}
	}
	opmlFile := filepath.Join(t.TempDir(), "sources.opml")
	if err := os.WriteFile(opmlFile, []byte(opmlOut), 0o644); err != nil {
		t.Fatal(err)
	}
	c2 := newCLI(t, filepath.Join(t.TempDir(), "other.db"))
	if out := c2.ok("import", opmlFile); !strings.Contains(out, "9 added") {
		t.Errorf("import: %s", out)
	}

	// Serve the result and read it back over HTTP.
	base := serve(t, c)
	var api struct {
		Articles []struct {
			ID     int64  `json:"id"`
			URL    string `json:"url"`
			Title  string `json:"title"`
			Text   string `json:"text"`
			Source struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"source"`
		} `json:"articles"`
		NextCursor *string `json:"next_cursor"`
	}
	seen := map[int64]bool{}
	next := base + "/api/v1/articles?limit=7"
	for next != "" {
		getJSON(t, next, &api)
		for _, a := range api.Articles {
			if seen[a.ID] {
				t.Fatalf("article %d twice in the API's pages", a.ID)
			}
			seen[a.ID] = true
			if a.Source.ID == 0 || a.Source.Name == "" || a.Text == "" {
				t.Errorf("API article %d lacks source or text: %+v", a.ID, a)
			}
		}
		next = ""
		if api.NextCursor != nil {
			next = base + "/api/v1/articles?limit=7&cursor=" + url.QueryEscape(*api.NextCursor)
		}
	}
	if len(seen) != want {
		t.Errorf("API lists %d articles, want %d", len(seen), want)
	}
	home := get(t, base+"/")
	for _, a := range arts[:5] {
		if !strings.Contains(home, htmlEscape(a.Title)) {
			t.Errorf("home page lacks the headline %q", a.Title)
		}
	}
	for _, p := range []string{"/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml"} {
		if body := get(t, base+p); !strings.Contains(body, "/20") {
			t.Errorf("%s lists no article links", p)
		}
	}
	// The demo's articles are years old: the news sitemap (last two days) is empty but valid.
	if body := get(t, base+"/news-sitemap.xml"); !strings.Contains(body, "<urlset") {
		t.Errorf("/news-sitemap.xml is not a sitemap: %.200s", body)
	}
}

func xmlEscape(s string) string { return strings.ReplaceAll(s, "&", "&amp;") }

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// serve starts `spektrum serve` on a free port and returns its URL; the
// process is stopped with SIGTERM at cleanup and must exit cleanly.
func serve(t *testing.T, c *cli, extra ...string) string {
	t.Helper()
	cmd := c.command(append([]string{"serve", "--addr", "127.0.0.1:0"}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`open (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				urlc <- strings.TrimSuffix(m[1], "/")
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var base string
	select {
	case base = <-urlc:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("serve printed no URL; stderr:\n%s", errb.String())
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve did not exit cleanly on SIGTERM: %v\n%s", err, errb.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not stop within 20s of SIGTERM")
		}
	})
	return base
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	return string(b)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, u)), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestBadSources: each hostile or broken source ends with a clear error on
// that source, the others keep going, and what was stored stays intact.
func TestBadSources(t *testing.T) {
	srv := startSites(t)
	db := filepath.Join(t.TempDir(), "bad.db")
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_FETCH_TIMEOUT=2s", "SPEKTRUM_MAX_BYTES=1048576")
	var good demo.Site
	for _, s := range srv.sites {
		if !s.Broken && s.Format == "jsonfeed" {
			good = s
		}
	}
	c.addSites([]demo.Site{good})
	cases := []struct{ path, want string }{
		{"/bad/hang", "time"},
		{"/bad/trickle", "time"},
		{"/bad/huge", "limit"},
		{"/bad/429", "429"},
		{"/bad/410", "410"},
		{"/bad/404", "404"},
		{"/bad/not-a-feed.txt", "feed"},
	}
	for _, tc := range cases {
		c.ok("sources", "add", "--force", srv.URL+tc.path)
	}
	c.ok("sources", "add", srv.URL+"/bad/invalid-utf8.xml")
	c.ok("sources", "add", srv.URL+"/bad/duplicates.xml")

	out := c.fetch(3)
	if !strings.Contains(out, "sources: 3 ok, 7 failed") {
		t.Errorf("fetch summary: %s", out)
	}
	rows := c.sources()
	byURL := map[string]sourceRow{}
	for _, r := range rows {
		byURL[r.URL] = r
	}
	for _, tc := range cases {
		r := byURL[srv.URL+tc.path]
		if !strings.Contains(strings.ToLower(r.LastError), tc.want) {
			t.Errorf("%s: last_error %q; want it to mention %q", tc.path, r.LastError, tc.want)
		}
	}
	if r := byURL[srv.URL+"/bad/429"]; r.NextPollAt == nil || time.Until(*r.NextPollAt) < 100*time.Second {
		t.Errorf("429 with Retry-After: 120: next poll at %v; want at least ~2 minutes away", r.NextPollAt)
	}
	if r := byURL[good.FeedURL]; r.Articles != len(good.Articles) || r.LastError != "" {
		t.Errorf("the good source beside the bad ones: %+v; want %d articles", r, len(good.Articles))
	}
	st := openStore(t, db)
	arts := allArticles(t, st)
	urls := map[string]int{}
	for _, a := range arts {
		urls[a.URL]++
		if !utf8Valid(a.Title) || !utf8Valid(a.Text) {
			t.Errorf("article %s: invalid UTF-8 stored", a.URL)
		}
	}
	for u, n := range urls {
		if n > 1 {
			t.Errorf("%s stored %d times", u, n)
		}
	}
	for _, p := range []string{"/bad/invalid-utf8.xml", "/bad/duplicates.xml"} {
		if r := byURL[srv.URL+p]; r.LastError != "" || r.Articles == 0 {
			t.Errorf("%s: %+v; want articles and no error", p, r)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestCrashMidFetch kills a fetch with SIGKILL while it works, runs it again,
// and checks nothing was lost or stored twice.
func TestCrashMidFetch(t *testing.T) {
	srv := startSites(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	c := newCLI(t, db)
	// Slow it down so the kill lands mid-pass; a short lease so the restart
	// takes over the dead process's jobs quickly.
	c.env = append(c.env, "SPEKTRUM_PER_HOST_DELAY=150ms", "SPEKTRUM_PER_HOST_CONNS=1", "SPEKTRUM_JOB_LEASE=2s", "SPEKTRUM_WORKERS=2")
	var good []demo.Site
	want := 0
	for _, s := range srv.sites {
		if !s.Broken {
			good = append(good, s)
			want += len(s.Articles)
		}
	}
	c.addSites(good)
	st := openStore(t, db)

	cmd := c.command("fetch")
	var firstOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &firstOut, &firstOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := st.CountArticles(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("fetch stored only %d articles in 60s", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	n, _ := st.CountArticles(context.Background())
	t.Logf("killed after %d of %d articles; the killed fetch said:\n%s", n, want, firstOut.String())
	if n == want {
		t.Skip("the pass finished before the kill landed; nothing to recover")
	}

	out := c.ok("fetch")
	t.Logf("after restart: %s", out)
	arts := allArticles(t, st)
	if len(arts) != want {
		t.Fatalf("%d articles after the restart, want %d; jobs not done:\n%s", len(arts), want, unfinishedJobs(t, db))
	}
	seen := map[string]bool{}
	for _, a := range arts {
		if seen[a.URL] {
			t.Errorf("%s stored twice", a.URL)
		}
		seen[a.URL] = true
	}
}

// unfinishedJobs lists the jobs of a SQLite database that are not done, for
// a failure message: which step was left, in which state, and why.
func unfinishedJobs(t *testing.T, db string) string {
	t.Helper()
	sdb, err := sql.Open("sqlite", db)
	if err != nil {
		return err.Error()
	}
	defer sdb.Close()
	rows, err := sdb.Query(`SELECT kind, unique_key, state, attempts, run_at, locked_by, last_error FROM jobs WHERE state <> 'done' ORDER BY id`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	now := time.Now().UnixMilli()
	for rows.Next() {
		var kind, key, state, by, lastErr string
		var attempts int
		var runAt int64
		if err := rows.Scan(&kind, &key, &state, &attempts, &runAt, &by, &lastErr); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "%s %s: %s, %d attempts, due in %dms, by %q, last error %q\n", kind, key, state, attempts, runAt-now, by, lastErr)
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	return b.String()
}

// TestTwoWorkersPostgres runs two fetch processes at once on one PostgreSQL
// database: together they store every article once and fetch every article
// page once.
func TestTwoWorkersPostgres(t *testing.T) {
	db := postgresSchema(t)
	srv := startSites(t)
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_PER_HOST_DELAY=20ms", "SPEKTRUM_WORKERS=3")
	var good []demo.Site
	want := 0
	for _, s := range srv.sites {
		if !s.Broken {
			good = append(good, s)
			want += len(s.Articles)
		}
	}
	c.addSites(good)

	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			cmd := c.command("fetch")
			cmd.Stdout, cmd.Stderr = &b, &b
			if err := cmd.Run(); err != nil {
				t.Errorf("fetch %d: %v\n%s", i, err, b.String())
			}
			outs[i] = b.String()
		}()
	}
	wg.Wait()
	t.Logf("worker outputs:\n%s\n%s", outs[0], outs[1])
	total := 0
	for _, o := range outs {
		var n int
		if m := regexp.MustCompile(`articles: (\d+) new`).FindStringSubmatch(o); m != nil {
			fmt.Sscan(m[1], &n)
		}
		total += n
	}
	if total != want {
		t.Errorf("the two workers report %d new articles together, want %d (each stored once)", total, want)
	}

	st := openStore(t, db)
	arts := allArticles(t, st)
	if len(arts) != want {
		t.Fatalf("%d articles, want %d", len(arts), want)
	}
	for _, s := range good {
		for _, a := range s.Articles {
			p, _ := url.Parse(a.URL)
			if n := srv.hitCount(p.Path); n != 1 {
				t.Errorf("article page %s fetched %d times by the two workers, want once", p.Path, n)
			}
		}
	}
}

// A feed that moved permanently is stored under its new address, and a
// feed whose articles robots.txt forbids yields no articles, no requests for
// those pages, and failed articles counted on the source.
func TestRedirectAndRobots(t *testing.T) {
	srv := startSites(t)
	c := newCLI(t, filepath.Join(t.TempDir(), "moves.db"))
	c.ok("sources", "add", srv.URL+"/bad/redirect-permanent")
	c.ok("sources", "add", srv.URL+"/bad/robots-blocked.xml")
	rows := c.sources()
	if len(rows) != 2 || rows[0].URL != srv.sites[0].FeedURL {
		t.Fatalf("sources after adding a permanently redirected feed: %+v; want the first to read %s", rows, srv.sites[0].FeedURL)
	}
	// robots.txt forbids the second feed's articles: they fail, and so
	// does the pass.
	out := c.fetch(3)
	if !strings.Contains(out, "sources: 2 ok, 0 failed") {
		t.Errorf("fetch: %s", out)
	}
	rows = c.sources()
	if rows[0].Articles != len(srv.sites[0].Articles) {
		t.Errorf("redirected source: %d articles, want %d", rows[0].Articles, len(srv.sites[0].Articles))
	}
	if rows[1].Articles != 0 || rows[1].FailedJobs != 2 {
		t.Errorf("robots-blocked source: %d articles, %d failed; want 0 and 2", rows[1].Articles, rows[1].FailedJobs)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for p, n := range srv.hits {
		if strings.Contains(p, "/private/") {
			t.Errorf("%s was requested %d times although robots.txt disallows it", p, n)
		}
	}
}

// postgresSchema returns a DSN for a fresh schema on the test server,
// dropped at cleanup; it skips the test when no server is configured.
func postgresSchema(t *testing.T) string { return pgtest.DSN(t) }

// TestServeRolesPostgres runs the scale-out shape: two `serve --role worker`
// processes and one `serve --role web` on one PostgreSQL. The workers poll
// and fetch on their own schedule, share the work without doing any twice,
// and the web node serves what they stored.
func TestServeRolesPostgres(t *testing.T) {
	db := postgresSchema(t)
	srv := startSites(t)
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_PER_HOST_DELAY=20ms", "SPEKTRUM_WORKERS=2")
	var good []demo.Site
	want := 0
	for _, s := range srv.sites {
		if !s.Broken {
			good = append(good, s)
			want += len(s.Articles)
		}
	}
	c.addSites(good)

	var workers []*exec.Cmd
	var logs []*bytes.Buffer
	for range 2 {
		cmd := c.command("serve", "--role", "worker")
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, cmd)
		logs = append(logs, &b)
	}
	stop := func() {
		for i, w := range workers {
			_ = w.Process.Signal(syscall.SIGTERM)
			if err := w.Wait(); err != nil {
				t.Errorf("worker %d did not stop cleanly: %v\n%s", i, err, logs[i].String())
			}
		}
		workers = nil
	}
	t.Cleanup(func() {
		for _, w := range workers {
			_ = w.Process.Kill()
			_ = w.Wait()
		}
	})

	st := openStore(t, db)
	deadline := time.Now().Add(90 * time.Second)
	for {
		n, err := st.CountArticles(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workers stored %d of %d articles in 90s\n%s\n%s", n, want, logs[0].String(), logs[1].String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	for _, s := range good {
		for _, a := range s.Articles {
			p, _ := url.Parse(a.URL)
			if n := srv.hitCount(p.Path); n != 1 {
				t.Errorf("article page %s fetched %d times by the two workers, want once", p.Path, n)
			}
		}
	}

	base := serve(t, c, "--role", "web")
	var api struct {
		Articles []struct {
			ID int64 `json:"id"`
		} `json:"articles"`
	}
	getJSON(t, base+"/api/v1/articles?limit=100", &api)
	if len(api.Articles) != want {
		t.Errorf("the web node lists %d articles, want %d", len(api.Articles), want)
	}
}
