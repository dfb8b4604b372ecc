package translate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"spektrum/internal/store/sqlite/sqlitetest"
)

// benchDoc is an article of n paragraphs with a link each.
func benchDoc(n int, salt string) Document {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `<p>The city council met on Tuesday %s-%d to discuss the <a href="https://example.org/%d">new budget</a> for schools and libraries.</p>`, salt, i, i)
	}
	return Document{Title: "Council meets " + salt, Summary: "The budget was discussed.", HTML: b.String()}
}

// BenchmarkCachedSegments: a re-fetched article whose every segment is in
// the cache (SQLite store): what the cache costs per segment.
func BenchmarkCachedSegments(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.Open(b)
	f := &countingTranslator{}
	svc := New(st, []Translator{f}, Options{})
	doc := benchDoc(30, "x")
	if _, err := svc.Translate(ctx, "en", "de", doc); err != nil {
		b.Fatal(err)
	}
	segs := 0
	for b.Loop() {
		res, err := svc.Translate(ctx, "en", "de", doc)
		if err != nil || res.Chars != 0 {
			b.Fatalf("cached translation: %v, %d chars", err, res.Chars)
		}
		segs += res.Segments
	}
	b.ReportMetric(float64(segs)/b.Elapsed().Seconds(), "segments/s")
}

// BenchmarkApertium: uncached segments through the real apertium-apy
// (en→es), so the figure is the engine's throughput here.
func BenchmarkApertium(b *testing.B) {
	ctx := context.Background()
	svc := New(sqlitetest.Open(b), []Translator{NewApertium(apertiumURL(b), HTTPOptions{})}, Options{})
	segs, chars, i := 0, int64(0), 0
	for b.Loop() {
		i++
		res, err := svc.Translate(ctx, "en", "es", benchDoc(10, fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		segs += res.Segments
		chars += res.Chars
	}
	b.ReportMetric(float64(segs)/b.Elapsed().Seconds(), "segments/s")
	b.ReportMetric(float64(chars)/b.Elapsed().Seconds(), "chars/s")
}

// countingTranslator echoes its input: the provider side costs nothing, so
// cache benchmarks measure the cache.
type countingTranslator struct{}

func (countingTranslator) Name() string                                  { return "echo" }
func (countingTranslator) Supports(context.Context, string, string) bool { return true }
func (countingTranslator) Translate(_ context.Context, _, _ string, segs []string) ([]string, error) {
	return segs, nil
}
