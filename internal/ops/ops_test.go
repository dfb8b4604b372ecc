package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"spektrum/internal/fetch"
	"spektrum/internal/ops/view"
	"spektrum/internal/slug"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite/sqlitetest"
)

func testStore(t *testing.T) store.Store {
	t.Helper()
	return sqlitetest.Open(t)
}

// onBothDatabases runs test on a fresh SQLite store and on a fresh
// PostgreSQL schema (pgtest: skipped where no test server is configured).
func onBothDatabases(t *testing.T, test func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) { test(t, testStore(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, pgtest.Open(t, pgtest.DSN(t))) })
}

// polls records the polls queued, standing in for the pipeline's queue.
type polls struct{ ids []int64 }

func (p *polls) EnqueuePoll(_ context.Context, id int64) (bool, error) {
	p.ids = append(p.ids, id)
	return true, nil
}

func newService(t *testing.T, allowPrivate bool) (*Service, store.Store, *polls) {
	t.Helper()
	st := testStore(t)
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: allowPrivate, PerHostDelay: -1, Timeout: 5 * time.Second})
	p := &polls{}
	return New(st, fc, p, Options{}), st, p
}

// wantCode fails unless err is an *Error with code, and returns it.
func wantCode(t *testing.T, err error, code Code) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v (%T); want an *ops.Error with code %q", err, err, code)
	}
	// The front doors add their own hints: no core message names a flag.
	if strings.Contains(err.Error(), "--") {
		t.Errorf("error %q names a command-line flag", err)
	}
	return e
}

func TestNormalizeURL(t *testing.T) {
	good := map[string]string{
		"example.com/feed":              "https://example.com/feed",
		" http://example.com/rss.xml ":  "http://example.com/rss.xml",
		"https://example.com/a#frag":    "https://example.com/a",
		"localhost:8080/feed":           "https://localhost:8080/feed",
		"127.0.0.1/feed":                "https://127.0.0.1/feed",
		"[::1]:8080/rss":                "https://[::1]:8080/rss",
		"http://intranet/feed":          "http://intranet/feed", // typed as an address: taken as given
		"www.example.org":               "https://www.example.org",
		"https://news.example/?page=2 ": "https://news.example/?page=2",
	}
	for in, want := range good {
		got, err := NormalizeURL(in)
		if err != nil || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "not-a-url", "feed", "ftp://example.com/feed", "javascript:alert(1)", "http://", "https://exa mple.com/%zz"} {
		got, err := NormalizeURL(bad)
		if err == nil {
			t.Errorf("NormalizeURL(%q) = %q; want an error", bad, got)
			continue
		}
		e := wantCode(t, err, Invalid)
		if e.Field != FieldURL || !strings.Contains(err.Error(), exampleURL) {
			t.Errorf("NormalizeURL(%q): %v (field %q); want the url field and an example of what to type", bad, err, e.Field)
		}
	}
}

// site serves a feed under a path, a home page that announces nothing, a
// page that is not a feed, and failures.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	feedXML, err := os.ReadFile("testdata/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/site/x/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feedXML)
	})
	mux.HandleFunc("/site/x/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/site/x/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `<!doctype html><html><head><title>Site X</title></head><body><p>Home of site X.</p></body></html>`)
	})
	mux.HandleFunc("/plain.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "just some text, no feed") })
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</ti`)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAddSource(t *testing.T) {
	srv := site(t)
	ctx := context.Background()
	svc, st, _ := newService(t, true)

	// A home page under a path that announces no feed: the usual paths
	// under that path are tried before the host's root.
	src, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/", Section: "eu-politics"})
	if err != nil {
		t.Fatal(err)
	}
	if src.URL != srv.URL+"/site/x/feed.xml" || src.SiteURL != srv.URL+"/site/x/" || src.Name != "Site X News" || src.Language != "de" || src.Kind != store.KindFeed {
		t.Errorf("added %+v; want the feed under /site/x/, named by its title, in de", src)
	}
	if secs, _ := st.Sections(ctx); len(secs) != 1 || secs[0].Slug != "eu-politics" || secs[0].Name != slug.Name("eu-politics") {
		t.Errorf("sections %+v; want eu-politics created", secs)
	}

	// The same feed again, by its page or itself.
	for _, u := range []string{srv.URL + "/site/x/", srv.URL + "/site/x/feed.xml"} {
		_, err = svc.AddSource(ctx, AddRequest{URL: u})
		if e := wantCode(t, err, Duplicate); e.OtherID != src.ID || e.OtherName != "Site X News" {
			t.Errorf("duplicate %s: %+v; want it to name source #%d", u, e, src.ID)
		}
	}

	// What cannot be read is refused with its category, unless forced.
	cases := []struct {
		path    string
		problem view.Problem
	}{
		{"/down", view.StatusProblem(503)},
		{"/plain.txt", view.NotAFeed},
		{"/broken.xml", view.MalformedFeed},
		{"/nothing-here", view.StatusProblem(404)},
	}
	for _, tc := range cases {
		_, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + tc.path})
		if e := wantCode(t, err, Unreadable); e.Problem != tc.problem || e.URL != srv.URL+tc.path || e.Err == nil {
			t.Errorf("%s: %+v; want problem %q, the URL and the cause", tc.path, e, tc.problem)
		}
	}

	// Forced sources get names that tell them apart: host:port and path.
	host := strings.TrimPrefix(srv.URL, "http://")
	a, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/down", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/nothing-here/", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != host+"/down" || b.Name != host+"/nothing-here" {
		t.Errorf("forced sources named %q and %q; want %q and %q", a.Name, b.Name, host+"/down", host+"/nothing-here")
	}
	if !strings.Contains(a.LastError, "503") || view.ProblemOf(a.LastError) != view.StatusProblem(503) {
		t.Errorf("forced source's last error %q; want the probe's", a.LastError)
	}
	// The same default name twice gets a number.
	c, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/down?x=1", Force: true, Name: ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name == a.Name || c.Name == b.Name {
		t.Errorf("third forced source named %q, like another", c.Name)
	}

	// Bad fields.
	_, err = svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/", Section: "EU Politics"})
	if e := wantCode(t, err, Invalid); e.Field != FieldSection {
		t.Errorf("bad section: field %q", e.Field)
	}
	_, err = svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/", Language: "deutsch"})
	if e := wantCode(t, err, Invalid); e.Field != FieldLanguage {
		t.Errorf("bad language: field %q", e.Field)
	}
	_, err = svc.AddSource(ctx, AddRequest{URL: "not-a-url"})
	wantCode(t, err, Invalid)
}

func TestAddSourcePrivate(t *testing.T) {
	srv := site(t)
	svc, _, _ := newService(t, false)
	_, err := svc.AddSource(context.Background(), AddRequest{URL: srv.URL + "/site/x/feed.xml"})
	if e := wantCode(t, err, Private); e.Problem != view.AddressNotAllowed {
		t.Errorf("private address: %+v", e)
	}
	src, err := svc.AddSource(context.Background(), AddRequest{URL: srv.URL + "/site/x/feed.xml", Force: true})
	if err != nil || view.ProblemOf(src.LastError) != view.AddressNotAllowed {
		t.Errorf("forced private source: %+v, %v; want it added with the refusal as its last error", src, err)
	}
}

func TestSourceLifecycle(t *testing.T) {
	srv := site(t)
	ctx := context.Background()
	svc, st, queued := newService(t, true)
	src, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/feed.xml"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = svc.Source(ctx, 99)
	if e := wantCode(t, err, NotFound); e.SourceID != 99 || err.Error() != "there is no source #99" {
		t.Errorf("missing source: %q (%+v); want one plain sentence", err, e)
	}
	for name, op := range map[string]func(context.Context, int64) (*store.Source, error){
		"pause": svc.PauseSource, "resume": svc.ResumeSource, "remove": svc.RemoveSource,
	} {
		if _, err := op(ctx, 99); CodeOf(err) != NotFound {
			t.Errorf("%s 99: %v; want not_found", name, err)
		}
	}
	if _, err := svc.FetchNow(ctx, 99); CodeOf(err) != NotFound {
		t.Errorf("fetch now 99: %v; want not_found", err)
	}

	p, err := svc.PauseSource(ctx, src.ID)
	if err != nil || p.Enabled || view.State(p) != view.StatePaused {
		t.Fatalf("pause: %+v, %v", p, err)
	}
	if due, _ := st.DueSources(ctx, time.Now().Add(time.Hour)); len(due) != 0 {
		t.Errorf("a paused source is due: %+v", due)
	}
	if r, err := svc.ResumeSource(ctx, src.ID); err != nil || !r.Enabled {
		t.Fatalf("resume: %+v, %v", r, err)
	}
	if due, _ := st.DueSources(ctx, time.Now().Add(time.Second)); len(due) != 1 {
		t.Errorf("a resumed source is not due at once: %+v", due)
	}

	name, section, none, hour := "Renamed", "world", "", time.Hour
	e, err := svc.EditSource(ctx, src.ID, Edit{Name: &name, Section: &section, Language: &none, PollInterval: &hour})
	if err != nil || e.Name != "Renamed" || e.Section != "world" || e.Language != "" || e.PollInterval != time.Hour {
		t.Fatalf("edit: %+v, %v", e, err)
	}
	second := time.Second
	if _, err := svc.EditSource(ctx, src.ID, Edit{PollInterval: &second}); CodeOf(err) != Invalid {
		t.Errorf("a 1s poll interval: %v; want invalid", err)
	}

	if ok, err := svc.FetchNow(ctx, src.ID); err != nil || !ok || len(queued.ids) != 1 || queued.ids[0] != src.ID {
		t.Errorf("fetch now: %v, %v, queued %v", ok, err, queued.ids)
	}

	var out bytes.Buffer
	if err := svc.ExportOPML(ctx, &out, "test"); err != nil || !strings.Contains(out.String(), src.URL) || !strings.Contains(out.String(), `text="World"`) {
		t.Errorf("export: %v\n%s", err, out.String())
	}

	if r, err := svc.RemoveSource(ctx, src.ID); err != nil || r.ID != src.ID {
		t.Errorf("remove: %+v, %v", r, err)
	}
	if _, err := svc.Source(ctx, src.ID); CodeOf(err) != NotFound {
		t.Errorf("removed source still there: %v", err)
	}
}

func TestImportOPML(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newService(t, true)
	f, err := os.Open("testdata/sources.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := svc.ImportOPML(ctx, f)
	if err != nil || len(res) != 3 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if s := res[0].Source; res[0].Err != nil || s.Name != "Daily One" || s.Language != "de" || s.Section != "wirtschaft-boerse" {
		t.Errorf("first outline: %+v, %v", s, res[0].Err)
	}
	if s := res[1].Source; res[1].Err != nil || s.Name != "two.example/rss" {
		t.Errorf("untitled outline: %+v, %v; want it named by host and path", s, res[1].Err)
	}
	if CodeOf(res[2].Err) != Invalid {
		t.Errorf("outline with a bad URL: %v; want invalid", res[2].Err)
	}
	// Again: everything is already there.
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.ImportOPML(ctx, f)
	if CodeOf(res[0].Err) != Duplicate || CodeOf(res[1].Err) != Duplicate {
		t.Errorf("second import: %v, %v; want duplicates", res[0].Err, res[1].Err)
	}
	if _, err := svc.ImportOPML(ctx, strings.NewReader("<html>no</html>")); CodeOf(err) != Invalid {
		t.Errorf("import of HTML: %v; want invalid", err)
	}
}
