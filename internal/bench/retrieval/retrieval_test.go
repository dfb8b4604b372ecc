package retrieval

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store/sqlite"
)

// The known-item method end to end on a small synthetic corpus in a real
// SQLite file: every query comes from its doc's own distinctive words, so
// the doc is found, nearly always first.
func TestKnownItemOnSynthetic(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	docs := Synthetic(120, 7)
	ids, _, err := Index(ctx, st, "en", docs, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	qs := KnownItemQueries(docs)
	for i, q := range qs[:5] {
		if n := len(strings.Fields(q)); n != 3 {
			t.Errorf("query %d %q has %d words, want 3", i, q, n)
		}
	}
	mrr, first, err := MRR(ctx, st, "en", ids, qs)
	if err != nil {
		t.Fatal(err)
	}
	if mrr < 0.9 || first < 100 {
		t.Errorf("MRR@10 %.3f, first %d of %d; want ≥ 0.9", mrr, first, len(qs))
	}
	lat, cpu, err := Time(ctx, st, "en", LatencyQueries(docs, 50, 3))
	if err != nil || len(lat) == 0 || lat.Quantile(0.99) < lat.Quantile(0.5) || len(cpu) != len(lat) || cpu[len(cpu)-1] <= 0 {
		t.Errorf("Time: %d latencies, %d CPU times, %v", len(lat), len(cpu), err)
	}
}

func TestQuantile(t *testing.T) {
	var l Latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i))
	}
	if l.Quantile(0.99) != 99 || l.Quantile(0.5) != 50 || l.Quantile(1) != 100 || (Latencies{}).Quantile(0.5) != 0 {
		t.Errorf("quantiles %v %v %v", l.Quantile(0.99), l.Quantile(0.5), l.Quantile(1))
	}
}
