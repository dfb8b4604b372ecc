package pagecache

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store/sqlite/sqlitetest"
)

// BenchmarkMovingGeneration: one popular page read 400 times a second (on
// the cache's clock) while the generation moves at every read of it
// (every 250 ms), as on a site that is ingesting. It reports the
// renderings per 1,000 requests and per second of that clock; each
// rendering here is a 20 kB page gzipped, the cache's own share of a real
// one (which also runs templates and queries). The renderings come every
// 500–750 ms, by where the reads fall: the copy's deadline counts from the
// last read that found its generation, up to a Poll before it was made.
func BenchmarkMovingGeneration(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.Open(b)
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := benchCache(b, st, Options{Now: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p := &page{size: 20000}
	h := c.Front(c.Route(p))
	req := httptest.NewRequest("GET", "/en/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	w := &discard{h: http.Header{}}
	const perRead = 100 // requests between two reads: 400 a second
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%perRead == perRead-1 {
			// The write and the read are not the requests' cost.
			b.StopTimer()
			if _, err := st.BumpPageGeneration(ctx); err != nil {
				b.Fatal(err)
			}
			if err := c.Refresh(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		mu.Lock()
		now = now.Add(250 * time.Millisecond / perRead)
		mu.Unlock()
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	n := float64(p.renders.Load())
	b.ReportMetric(1000*n/float64(b.N), "renders/1000req")
	b.ReportMetric(n/(float64(b.N)/(4*perRead)), "renders/s")
}
