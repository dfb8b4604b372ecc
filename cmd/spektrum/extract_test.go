package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedFixture = "../../internal/extract/testdata/seed-eureporter-de.html"

func gzipFile(t *testing.T, src, dst string) {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExtractCommandJSON(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "seed.html.gz")
	gzipFile(t, seedFixture, gz)
	page, err := os.ReadFile(seedFixture)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/article" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	missing := filepath.Join(dir, "missing.html")

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"extract", "--json", "--allow-private-networks", seedFixture, missing, gz, srv.URL + "/article"}, &out, &errb)
	if code != 1 {
		t.Errorf("exit %d with one unreadable input, want 1; stderr: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d JSON lines for 4 inputs, want 4:\n%s", len(lines), out.String())
	}
	for i, want := range []string{seedFixture, missing, gz, srv.URL + "/article"} {
		var obj map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &obj); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, lines[i])
		}
		if obj["file"] != want {
			t.Errorf("line %d: file = %v, want %s (lines keep the input order)", i+1, obj["file"], want)
		}
		if want == missing {
			if e, _ := obj["error"].(string); !strings.Contains(e, "no such file") {
				t.Errorf("missing file: error = %q, want the open error", e)
			}
			continue
		}
		for _, k := range []string{"url", "title", "author", "published_at", "language", "image", "site_name", "section", "text", "html"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("line %d lacks key %q", i+1, k)
			}
		}
		if !strings.HasPrefix(obj["title"].(string), "Putin und Biden") || obj["language"] != "de" || obj["section"] == "" {
			t.Errorf("line %d: title %q, language %v, section %v", i+1, obj["title"], obj["language"], obj["section"])
		}
		if !strings.Contains(obj["text"].(string), "Kreml") || strings.Contains(obj["html"].(string), "<script") {
			t.Errorf("line %d: text lacks the article or html holds a script", i+1)
		}
	}
	var fromURL map[string]any
	json.Unmarshal([]byte(lines[3]), &fromURL)
	if fromURL["url"] != srv.URL+"/article" {
		t.Errorf("URL input: url = %v, want the fetched address", fromURL["url"])
	}
}

func TestExtractCommandRefusesPrivateAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the SSRF guard let a loopback fetch through")
	}))
	defer srv.Close()
	t.Setenv("SPEKTRUM_ALLOW_PRIVATE_NETWORKS", "")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"extract", "--json", srv.URL + "/a"}, &out, &errb)
	var obj map[string]any
	if err := json.Unmarshal(out.Bytes(), &obj); err != nil || obj["error"] == nil || code != 1 {
		t.Errorf("exit %d, output %q: want one error line and exit 1", code, out.String())
	}
}

func TestExtractCommandText(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"extract", "--url", "https://www.eureporter.co/de/x", seedFixture}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if s := out.String(); !strings.HasPrefix(s, "Title:") || !strings.Contains(s, "Kreml") {
		t.Errorf("text output lacks the header or the article:\n%.300s", s)
	}
	if code := run(context.Background(), []string{"extract"}, &out, &errb); code != 2 {
		t.Errorf("extract without inputs: exit %d, want 2 (usage)", code)
	}
}

func TestBenchExtractCommand(t *testing.T) {
	// A two-page benchmark in the aeb layout: the command runs end to end
	// without the shared data.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "html"), 0o755); err != nil {
		t.Fatal(err)
	}
	gzipFile(t, seedFixture, filepath.Join(dir, "html", "aa.html.gz"))
	gzipFile(t, "../../internal/extract/testdata/meta-fr-jsonld.html", filepath.Join(dir, "html", "bb.html.gz"))
	gt := `{"aa": {"url": "https://www.eureporter.co/de/a", "articleBody": "Der Kreml"}, "bb": {"url": "https://fr.example/b", "articleBody": "x"}}`
	if err := os.WriteFile(filepath.Join(dir, "ground-truth.json"), []byte(gt), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"bench", "extract", "--dir", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"spektrum", "go-trafilatura", "speed ratio", "odd (held out)", "pages/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("bench output lacks %q:\n%s", want, out.String())
		}
	}
	if code := run(context.Background(), []string{"bench", "nope"}, &out, &errb); code != 2 {
		t.Errorf("bench nope: exit %d, want 2", code)
	}
}

// bench ingest --miniflux runs Miniflux on PostgreSQL: without --postgres it
// is a usage error, before any farm starts.
func TestBenchIngestMinifluxNeedsPostgres(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"bench", "ingest", "--miniflux", "miniflux.app"}, &out, &errb); code != 2 {
		t.Errorf("exit %d, want 2 (usage): %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "--postgres") {
		t.Errorf("the usage error does not name --postgres: %s", errb.String())
	}
}
