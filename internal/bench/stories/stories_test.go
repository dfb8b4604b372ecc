package stories

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"spektrum/internal/story"
)

func TestBCubedByHand(t *testing.T) {
	// Truth {a,b,c} {d}; predicted {a,b} {c,d}.
	s := BCubed([]string{"1", "1", "2", "2"}, []string{"x", "x", "x", "y"})
	// Precision: a 1, b 1, c 1/2, d 1/2 → 0.75. Recall: a 2/3, b 2/3, c 1/3, d 1 → 2/3.
	if math.Abs(s.P-0.75) > 1e-9 || math.Abs(s.R-2.0/3) > 1e-9 {
		t.Fatalf("BCubed = %+v, want P 0.75 R 0.667", s)
	}
}

// devPath finds the shared benchmark data from this package's directory.
func devPath(t testing.TB) string {
	p := filepath.Join("..", "..", "..", "..", "shared", "bench", "stories", "dev.tsv")
	if d := os.Getenv("SPEKTRUM_BENCH_DIR"); d != "" {
		p = filepath.Join(d, "stories", "dev.tsv")
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("story benchmark data not found at %s", p)
	}
	return p
}

// The scorer reproduces the data set's published reference figures for
// the trivial clusterings.
func TestReferenceFigures(t *testing.T) {
	items, err := Load(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	single, one := make([]string, len(items)), make([]string, len(items))
	truth := make([]string, len(items))
	for i, it := range items {
		single[i], one[i], truth[i] = it.Item.ID, "all", it.Story
	}
	if s := BCubed(single, truth); math.Abs(s.F1-0.027) > 0.0015 {
		t.Errorf("every item alone: %v, want F1 0.027", s)
	}
	if s := BCubed(one, truth); math.Abs(s.F1-0.082) > 0.0015 {
		t.Errorf("all in one: %v, want F1 0.082", s)
	}
}

func TestDevFigures(t *testing.T) {
	items, err := Load(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("default options: %v", Run(items, story.DefaultOptions()))
}

// TestSweep prints figures over a grid of settings on the dev half; run it
// by hand with SPEKTRUM_STORY_SWEEP=1 when tuning.
func TestSweep(t *testing.T) {
	if os.Getenv("SPEKTRUM_STORY_SWEEP") == "" {
		t.Skip("set SPEKTRUM_STORY_SWEEP=1 to sweep the clustering settings")
	}
	items, err := Load(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []float64{0.08, 0.10, 0.12, 0.15, 0.18} {
		for _, m := range []float64{0.3, 0.4, 0.5} {
			o := story.DefaultOptions()
			o.Threshold, o.MergeThreshold = th, m
			t.Logf("threshold %.2f merge %.2f: %v", th, m, Run(items, o))
		}
	}
}

// TestMixedFigures clusters the dev half with every third headline in
// Spanish (apertium-apy, as scripts/test.sh starts it).
func TestMixedFigures(t *testing.T) {
	base := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL")
	if base == "" {
		t.Skip("SPEKTRUM_TRANSLATE_APERTIUM_URL is not set")
	}
	items, err := Load(devPath(t))
	if err != nil {
		t.Fatal(err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = t.TempDir()
	}
	mixed, err := Mixed(context.Background(), items, base, filepath.Join(cache, "spektrum"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mixed en/es, default options: %v", Run(mixed, story.DefaultOptions()))
	if os.Getenv("SPEKTRUM_STORY_SWEEP") != "" {
		for _, th := range []float64{0.06, 0.08, 0.10, 0.12} {
			o := story.DefaultOptions()
			o.Threshold = th
			t.Logf("mixed threshold %.2f: %v", th, Run(mixed, o))
		}
	}
}
