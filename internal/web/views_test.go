package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store"
)

// TestTrendingCannotBeBought replays the attack over loopback: 300 GETs of
// one article by one reader, plus revalidations, HEADs, bots, scripts and
// prefetches by fresh "readers", must not lift it above an article three
// real readers opened; and no request writes to the database: counts reach
// it in one batch with the next flush.
func TestTrendingCannotBeBought(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	bought, read, crowd := s.visible[7], s.visible[12], s.visible[15]
	reader := func(i int) string { return fmt.Sprintf("%s reader/%d", browserUA, i) }

	var etag string
	for range 300 {
		r := s.mustGet(t, enArticle(&bought), http.StatusOK)
		etag = r.Header.Get("ETag")
	}
	for i := range 20 {
		// Fresh readers that only revalidate, look without a body, or are
		// not readers at all.
		if r := s.get(t, enArticle(&bought), "User-Agent", reader(100+i), "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Fatalf("revalidation = %d, want 304", r.StatusCode)
		}
		s.do(t, http.MethodHead, enArticle(&bought), "User-Agent", reader(200+i))
		for _, h := range [][]string{
			{"User-Agent", "curl/8.5.0 " + reader(i)},
			{"User-Agent", "python-requests/2.31 " + reader(i)},
			{"User-Agent", "Mozilla/5.0 HeadlessChrome/126.0 " + reader(i)},
			{"User-Agent", reader(300 + i), "Sec-Purpose", "prefetch"},
			{"User-Agent", reader(400 + i), "Sec-Purpose", "prefetch;prerender"},
			{"User-Agent", reader(500 + i), "Purpose", "prefetch"},
			{"User-Agent", reader(600 + i), "X-Moz", "prefetch"},
			{"User-Agent", reader(700 + i), "Sec-Fetch-Mode", "cors", "Sec-Fetch-Dest", "empty"},
			{"User-Agent", reader(800 + i), "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "iframe"},
		} {
			if r := s.get(t, enArticle(&bought), h...); r.StatusCode != http.StatusOK {
				t.Fatalf("GET with %v = %d", h, r.StatusCode)
			}
		}
	}
	for i := range 3 {
		s.get(t, enArticle(&read), "User-Agent", reader(i), "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Dest", "document")
	}
	// Twenty "browsers" behind one address: the user agent is the client's
	// to invent, so one address counts as a few readers at most.
	for i := range 20 {
		s.get(t, enArticle(&crowd), "User-Agent", reader(i))
	}

	if tr, err := s.st.Trending(ctx, s.now.Add(-trendingWindow), 10); err != nil || len(tr) != 0 {
		t.Fatalf("before a flush the store has views of %v (%v); requests must not write", articleIDs(tr), err)
	}
	if err := s.views.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err := s.st.Trending(ctx, s.now.Add(-trendingWindow), 10)
	if err != nil {
		t.Fatal(err)
	}
	// crowd: 4 (the per-address cap), read: 3, bought: 1.
	if want := []int64{crowd.ID, read.ID, bought.ID}; !slices.Equal(articleIDs(tr), want) {
		t.Fatalf("Trending = %v, want %v: the looped article must count once", articleIDs(tr), want)
	}

	// The next day the same reader counts once more, not 300 times.
	s.now = s.now.Add(24 * time.Hour)
	for range 50 {
		s.mustGet(t, enArticle(&bought), http.StatusOK)
	}
	if err := s.views.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if tr, err = s.st.Trending(ctx, s.now.Add(-trendingWindow), 10); err != nil {
		t.Fatal(err)
	}
	if want := []int64{crowd.ID, read.ID, bought.ID}; !slices.Equal(articleIDs(tr), want) {
		t.Fatalf("Trending the next day = %v, want %v (bought: 2 views)", articleIDs(tr), want)
	}
}

func articleIDs(as []store.Article) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// TestViewsBehindProxyAndCap: behind a trusted proxy each client named by
// X-Forwarded-For is a reader of its own, while the same header from an
// untrusted peer is ignored; and at the memory cap new readers are not
// counted (the counter fails closed) until the day turns.
func TestViewsBehindProxyAndCap(t *testing.T) {
	s := newSite(t, "")
	now := s.now
	clock := func() time.Time { return now }
	pending := func(v *Views) int {
		v.mu.Lock()
		defer v.mu.Unlock()
		n := 0
		for _, c := range v.pending {
			n += c
		}
		return n
	}
	req := func(remote, xff, ua string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/en/x", nil)
		r.RemoteAddr = remote
		r.Header.Set("User-Agent", ua)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		return r
	}

	v, err := NewViews(s.st, ViewsOptions{TrustedProxies: "127.0.0.1/32", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		for range 5 {
			v.count(pagecache.RequestHit(req("127.0.0.1:4000", fmt.Sprintf("6.6.6.6, 203.0.113.%d", i+1), browserUA)), 1)
		}
	}
	if n := pending(v); n != 6 {
		t.Fatalf("six clients behind the proxy, five views each = %d counted, want 6", n)
	}
	for i := range 6 {
		v.count(pagecache.RequestHit(req("198.51.100.9:4000", fmt.Sprintf("203.0.113.%d", 50+i), browserUA)), 2)
	}
	if n := pending(v); n != 7 {
		t.Fatalf("one untrusted peer forging X-Forwarded-For = %d more, want 1", n-6)
	}
	if _, err := NewViews(s.st, ViewsOptions{TrustedProxies: "not-a-cidr"}); err == nil {
		t.Fatal("a bad --trusted-proxies value was accepted")
	}

	capped, err := NewViews(s.st, ViewsOptions{MaxReaders: 6, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		capped.count(pagecache.RequestHit(req(fmt.Sprintf("192.0.2.%d:1", i+1), "", browserUA)), 3)
	}
	if n := pending(capped); n != 3 {
		t.Fatalf("with room for 6 entries (a reader and its address each) %d readers counted, want 3", n)
	}
	now = now.Add(24 * time.Hour)
	capped.count(pagecache.RequestHit(req("192.0.2.99:1", "", browserUA)), 3)
	if n := pending(capped); n != 4 {
		t.Fatalf("after the day turned: %d counted, want 4", n)
	}
}

// BenchmarkViewCount is the per-request cost of counting a view (a new
// reader each time, so the dedupe maps grow as on a busy day).
func BenchmarkViewCount(b *testing.B) {
	v, err := NewViews(nopViewStore{}, ViewsOptions{MaxReaders: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/en/x", nil)
	r.RemoteAddr = "203.0.113.9:1"
	r.Header.Set("User-Agent", browserUA)
	hit := pagecache.RequestHit(r)
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		i++
		v.count(hit, i)
	}
}

type nopViewStore struct{}

func (nopViewStore) AddViews(context.Context, []store.ViewCount) error { return nil }
