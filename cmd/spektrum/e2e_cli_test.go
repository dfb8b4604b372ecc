package main

// End-to-end tests of the command line's own behaviour (issue 11's CLI
// defects, issue 13 item 9): help, refusals, names, discovery, exit status
// and what the public API says about failing sources.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "help.db"))

	out := c.ok("sources", "--help")
	for _, sub := range []string{"add URL", "list", "show ID", "edit ID", "pause ID", "resume ID", "remove ID"} {
		if !strings.Contains(out, "  "+sub) {
			t.Errorf("sources --help lacks %q:\n%s", sub, out)
		}
	}
	if strings.Contains(out, "unknown") {
		t.Errorf("sources --help:\n%s", out)
	}
	if h := c.ok("help", "sources"); h != out {
		t.Errorf("help sources differs from sources --help:\n%s", h)
	}

	// Every command: a line saying what it does, its own flags, the few
	// settings it uses, and where the rest are; never all of them.
	for name, d := range docs {
		args := append(strings.Fields(name), "--help")
		out := c.ok(args...)
		summary := strings.ToUpper(d.summary[:1]) + d.summary[1:] + "."
		if !strings.HasPrefix(out, "Usage: spektrum "+name) || !strings.Contains(out, "\n"+summary+"\n") {
			t.Errorf("%s --help does not start with its usage and one line saying what it does:\n%s", name, out)
		}
		if !strings.Contains(out, "spektrum help settings") {
			t.Errorf("%s --help does not say where the settings are:\n%s", name, out)
		}
		if n := strings.Count(out, "(env SPEKTRUM_"); n > 12 {
			t.Errorf("%s --help lists %d settings; want its own flags and the few it uses", name, n)
		}
	}
	add := c.ok("sources", "add", "--help")
	for _, want := range []string{"-force", "-section", "-allow-private-networks", "-db"} {
		if !strings.Contains(add, want) {
			t.Errorf("sources add --help lacks %s:\n%s", want, add)
		}
	}
	if strings.Contains(add, "smtp-url") || strings.Contains(add, "translate-openai-model") {
		t.Errorf("sources add --help lists unrelated settings:\n%s", add)
	}
	if fetch := c.ok("fetch", "--help"); !strings.Contains(fetch, "3 when some sources or articles") {
		t.Errorf("fetch --help does not document its exit status:\n%s", fetch)
	}
	settings := c.ok("help", "settings")
	for _, want := range []string{"--db", "SPEKTRUM_SMTP_URL", "--newsletter-hour", "--allow-private-networks"} {
		if !strings.Contains(settings, want) {
			t.Errorf("help settings lacks %s", want)
		}
	}
	if _, errs, code := c.run("sources", "add", "--nope", "x"); code != 2 || !strings.Contains(errs, "sources add --help") {
		t.Errorf("an unknown flag: exit %d, %q; want 2 and where to read the flags", code, errs)
	}
}

func TestSourcesRefusalsAndNames(t *testing.T) {
	srv := startSites(t)
	c := newCLI(t, filepath.Join(t.TempDir(), "names.db"))

	// A word is not a web address: refused with what to type, nothing
	// fetched, no resolver text.
	_, errs, code := c.run("sources", "add", "not-a-url")
	if code != 1 || !strings.Contains(errs, "not a web address") || !strings.Contains(errs, "https://www.example.org/feed.xml") ||
		strings.Contains(errs, "lookup") || strings.Contains(errs, "https://not-a-url") {
		t.Errorf("sources add not-a-url: exit %d, stderr %q; want a clear refusal saying what to type", code, errs)
	}

	// One message, said once.
	_, errs, code = c.run("sources", "show", "99")
	if code != 1 || strings.Count(errs, "99") != 1 || !strings.Contains(errs, "no source #99") || !strings.Contains(errs, "sources list") {
		t.Errorf("sources show 99: exit %d, stderr %q; want one clear message", code, errs)
	}
	if _, errs, code = c.run("fetch", "--source", "99"); code != 1 || !strings.Contains(errs, "no source #99") {
		t.Errorf("fetch --source 99: exit %d, stderr %q", code, errs)
	}

	// Forced sources on one host get names that tell them apart.
	c.ok("sources", "add", "--force", srv.URL+"/bad/404")
	c.ok("sources", "add", "--force", srv.URL+"/bad/410")
	rows := c.sources()
	host := strings.TrimPrefix(srv.URL, "http://")
	if len(rows) != 2 || rows[0].Name != host+"/bad/404" || rows[1].Name != host+"/bad/410" {
		t.Errorf("forced sources: %+v; want them named %s/bad/404 and …/410", rows, host)
	}

	// A site under a path that announces no feed: its feed is found
	// under that path, not only at the host's root.
	feedXML, err := os.ReadFile("../../internal/ops/testdata/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/site/x/index.xml", func(w http.ResponseWriter, r *http.Request) { w.Write(feedXML) })
	mux.HandleFunc("/site/x/{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><html><head><title>Site X</title></head><body><p>Hello.</p></body></html>")
	})
	sub := httptest.NewServer(mux)
	defer sub.Close()
	out := c.ok("sources", "add", sub.URL+"/site/x/")
	if !strings.Contains(out, sub.URL+"/site/x/index.xml") {
		t.Errorf("adding a home page under a path: %s; want its feed at /site/x/index.xml", out)
	}
}

// The extractor names the input it could not read, once and plainly.
func TestExtractNamesTheInput(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "x.db"))
	page := filepath.Join(t.TempDir(), "short.html")
	body := "<html><head><title>Menu</title></head><body><article><p>Home " + strings.Repeat("News Sport Weather Culture Business Opinion ", 20) + "and one sentence.</p></article></body></html>"
	if err := os.WriteFile(page, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := c.run("extract", page)
	if code != 1 || !strings.Contains(errs, "spektrum extract: "+page+": ") || strings.Contains(errs, "extract :") || !strings.Contains(errs, "has 1 sentence,") {
		t.Errorf("extract of a page without an article: exit %d, stderr %q; want the file named once and a plain reason", code, errs)
	}
}

// Issue 13 item 9 through the real binary: a source that fails with a
// refused connection shows its full error to the editor and only a short
// category in the public API, whose sources have the fields of
// `sources list --json` (without last_error).
func TestPublicSourcesHideInternals(t *testing.T) {
	srv := startSites(t)
	c := newCLI(t, filepath.Join(t.TempDir(), "public.db"))
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c.ok("sources", "add", "--force", closed.URL+"/feed.xml")
	c.ok("sources", "add", srv.sites[0].SourceURL)
	if out := c.fetch(3); !strings.Contains(out, "sources: 1 ok, 1 failed") {
		t.Errorf("fetch: %s", out)
	}

	var cliRows []map[string]any
	if err := json.Unmarshal([]byte(c.ok("sources", "list", "--json")), &cliRows); err != nil {
		t.Fatal(err)
	}
	if le, _ := cliRows[0]["last_error"].(string); !strings.Contains(le, "connection refused") || cliRows[0]["problem"] != "site unreachable" {
		t.Errorf("sources list --json, failing source: %v; want the full error and its category", cliRows[0])
	}

	base := serve(t, c)
	body := get(t, base+"/api/v1/sources")
	for _, leak := range []string{"dial", "tcp", "connect:", "refused", "lookup", "check the host name"} {
		if strings.Contains(body, leak) {
			t.Errorf("/api/v1/sources carries %q:\n%s", leak, body)
		}
	}
	var api struct {
		Sources []map[string]any `json:"sources"`
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil || len(api.Sources) != 2 {
		t.Fatalf("/api/v1/sources: %v\n%s", err, body)
	}
	if api.Sources[0]["problem"] != "site unreachable" || api.Sources[0]["state"] != "failing" || api.Sources[1]["problem"] != "" {
		t.Errorf("/api/v1/sources: %v", api.Sources)
	}
	keys := func(m map[string]any) string {
		var k []string
		for n := range m {
			if n != "last_error" {
				k = append(k, n)
			}
		}
		sort.Strings(k)
		return strings.Join(k, ",")
	}
	for i := range api.Sources {
		if a, b := keys(api.Sources[i]), keys(cliRows[i]); a != b {
			t.Errorf("source %d: the API has fields %s, sources list --json %s; want one shape", i, a, b)
		}
	}
}
