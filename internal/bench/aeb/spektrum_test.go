package aeb

import (
	"testing"
	"time"

	"spektrum/internal/extract"
)

// BenchmarkSpektrum runs the project's extractor and go-trafilatura over the
// whole set on one goroutine, interleaved in each op so both see the same
// machine load; the ratio of their pages/s is the figure to compare, as
// absolute speed depends on whoever else is using the machine.
func BenchmarkSpektrum(b *testing.B) {
	pages, err := Load(dataDir(b))
	if err != nil {
		b.Fatal(err)
	}
	ours := Spektrum(extract.New())
	var (
		res, ref        Result
		passes          int
		spent, refSpent time.Duration
	)
	for b.Loop() {
		r, d := Run(pages, ours)
		g, gd := Run(pages, GoTrafilatura)
		if passes == 0 {
			res, ref = r, g
		}
		spent += d
		refSpent += gd
		passes++
	}
	n := float64(passes * len(pages))
	b.ReportMetric(n/spent.Seconds(), "pages/s")
	b.ReportMetric(n/refSpent.Seconds(), "trafilatura-pages/s")
	b.ReportMetric(refSpent.Seconds()/spent.Seconds(), "speed-ratio")
	b.ReportMetric(res.F1, "F1")
	b.ReportMetric(res.Precision, "precision")
	b.ReportMetric(res.Recall, "recall")
	b.ReportMetric(res.Accuracy, "accuracy")
	b.ReportMetric(ref.F1, "trafilatura-F1")
	b.ReportMetric(ref.Accuracy, "trafilatura-accuracy")
}

// TestSpektrumHalves checks the extractor against the benchmark on both
// halves: it must stay ahead of go-trafilatura run in the same process, on
// the development half and on the held-out half alike.
func TestSpektrumHalves(t *testing.T) {
	pages, err := Load(dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	ours := Spektrum(extract.New())
	even, odd := Halves(pages)
	if len(even)+len(odd) != len(pages) || len(even)-len(odd) > 1 {
		t.Fatalf("Halves split %d pages into %d and %d", len(pages), len(even), len(odd))
	}
	for name, set := range map[string][]Page{"even (dev)": even, "odd (held out)": odd} {
		r, _ := Run(set, ours)
		g, _ := Run(set, GoTrafilatura)
		t.Logf("%s: spektrum F1 %.4f P %.4f R %.4f acc %.3f; go-trafilatura F1 %.4f acc %.3f", name, r.F1, r.Precision, r.Recall, r.Accuracy, g.F1, g.Accuracy)
		if r.F1 < g.F1 {
			t.Errorf("%s: F1 %.4f is below go-trafilatura's %.4f on the same pages", name, r.F1, g.F1)
		}
		if r.Accuracy < 0.30 {
			t.Errorf("%s: exact-match accuracy %.3f is below the 0.30 target", name, r.Accuracy)
		}
	}
}
