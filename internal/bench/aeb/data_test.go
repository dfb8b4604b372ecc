package aeb

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dataDir returns the benchmark data directory or skips the test: CI
// checkouts need not carry /work/shared.
func dataDir(tb testing.TB) string {
	tb.Helper()
	dir := DefaultDir()
	if dir == "" {
		tb.Skipf("aeb benchmark data not found (no ../shared/bench/aeb beside the module root, $%s unset or empty); skipping", EnvDir)
	}
	return dir
}

// published holds the upstream README's figures by output file name, with
// the full-precision values upstream's evaluate.py prints for the bundled
// files (computed with CPython 3.11), which the scorer must hit exactly.
var published = map[string]struct {
	f1, accuracy      float64 // the README's three-decimal figures; accuracy < 0 when not published
	exactF1, exactAcc float64 // evaluate.py's unrounded values on the bundled file; 0 when unknown
}{
	"AutoExtract.json":    {0.970, 0.470, 0.9700220999071368, 0.4696132596685083},
	"rs_trafilatura.json": {0.970, -1, 0.9699545488747071, 0.287292817679558},
	"go_trafilatura.json": {0.960, -1, 0.9596842463451244, 0.287292817679558},
	"trafilatura.json":    {0.958, -1, 0.9575025204943414, 0.292817679558011},
	"readability_js.json": {0.947, -1, 0.9467476387190945, 0.16574585635359115},
	"go_readability.json": {0.934, -1, 0, 0},
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func TestPublishedScores(t *testing.T) {
	dir := dataDir(t)
	pages, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 181 {
		t.Errorf("Load: %d pages, want 181", len(pages))
	}
	truth := TruthMap(pages)
	files, err := filepath.Glob(filepath.Join(dir, "output", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no output/*.json in %s", dir)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			pred, err := LoadOutput(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(pred) != len(truth) {
				t.Errorf("%d predictions for %d pages", len(pred), len(truth))
			}
			got := Score(truth, pred)
			t.Logf("F1=%.4f P=%.4f R=%.4f acc=%.4f", got.F1, got.Precision, got.Recall, got.Accuracy)
			want, ok := published[name]
			if !ok {
				t.Logf("%s has no published figure; not checked", name)
				return
			}
			if round3(got.F1) != want.f1 {
				t.Errorf("F1 = %.4f, published %.3f", got.F1, want.f1)
			}
			if want.accuracy >= 0 && round3(got.Accuracy) != want.accuracy {
				t.Errorf("accuracy = %.4f, published %.3f", got.Accuracy, want.accuracy)
			}
			if want.exactF1 != 0 && (got.F1 != want.exactF1 || got.Accuracy != want.exactAcc) {
				t.Errorf("F1, accuracy = %v, %v; evaluate.py gives %v, %v", got.F1, got.Accuracy, want.exactF1, want.exactAcc)
			}
		})
	}
}

func TestLoadMissingDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(%q) error = %v, want a not-exist error", missing, err)
	}
	if _, err := Load(""); err == nil {
		t.Error(`Load("") succeeded`)
	}
}

// write creates a fixture file, failing the test rather than testing nothing.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadOutputLayouts(t *testing.T) {
	dir := t.TempDir()
	bare := filepath.Join(dir, "bare.json")
	wrapped := filepath.Join(dir, "wrapped.json")
	write(t, bare, `{"ab12": {"articleBody": "Grüße"}, "cd34": {"articleBody": null}, "ef56": {}}`)
	write(t, wrapped, `{"version": "1.0", "output": {"ab12": {"articleBody": "Grüße"}}}`)
	for path, want := range map[string]map[string]string{
		bare:    {"ab12": "Grüße", "cd34": "", "ef56": ""},
		wrapped: {"ab12": "Grüße"},
	} {
		got, err := LoadOutput(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got[k], v)
			}
		}
	}
}

func TestDefaultDirFromEnv(t *testing.T) {
	bench := t.TempDir()
	aeb := filepath.Join(bench, "aeb")
	if err := os.Mkdir(aeb, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(aeb, "ground-truth.json"), `{}`)
	t.Setenv(EnvDir, bench)
	if got := DefaultDir(); got != aeb {
		t.Errorf("DefaultDir with %s=bench dir = %q, want %q", EnvDir, got, aeb)
	}
	t.Setenv(EnvDir, aeb)
	if got := DefaultDir(); got != aeb {
		t.Errorf("DefaultDir with %s=aeb dir = %q, want %q", EnvDir, got, aeb)
	}
}

// BenchmarkGoTrafilatura extracts every page with go-trafilatura on one
// goroutine; one op is a pass over the whole set. It reports pages/s and the
// benchmark's scores, comparable with the published go_trafilatura row.
func BenchmarkGoTrafilatura(b *testing.B) {
	pages, err := Load(dataDir(b))
	if err != nil {
		b.Fatal(err)
	}
	var (
		res    Result
		passes int
		spent  time.Duration
	)
	for b.Loop() {
		r, d := Run(pages, GoTrafilatura)
		if passes == 0 {
			res = r // output is deterministic; score the first pass only
		}
		spent += d
		passes++
	}
	b.ReportMetric(float64(passes*len(pages))/spent.Seconds(), "pages/s")
	b.ReportMetric(res.F1, "F1")
	b.ReportMetric(res.Precision, "precision")
	b.ReportMetric(res.Recall, "recall")
	b.ReportMetric(res.Accuracy, "accuracy")
	b.ReportMetric(float64(res.Errors), "errors")
}
