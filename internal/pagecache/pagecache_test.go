package pagecache

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// page is a route whose answer depends on a counter, so a test can tell a
// rendering from a cached copy.
type page struct {
	renders atomic.Int64
	status  int
	header  map[string]string
	size    int
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.renders.Add(1)
	for k, v := range p.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	size := p.size
	if size == 0 {
		size = 2000
	}
	fmt.Fprintf(w, "<p>render %d of %s?%s</p>%s", n, r.URL.Path, r.URL.RawQuery, strings.Repeat("news ", size/5))
}

type fixture struct {
	st    store.Store
	cache *Cache
	now   time.Time
	mu    sync.Mutex
	srv   *httptest.Server
	page  *page
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// newFixture serves p (opted in) and an uncached route at /bypass, behind
// Front, with a cache over a real SQLite file.
func newFixture(t *testing.T, o Options, p *page) *fixture {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	var err error
	f := &fixture{st: st, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), page: p}
	o.Now = f.clock
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if f.cache, err = New(st, o); err != nil {
		t.Fatal(err)
	}
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /page/", f.cache.Route(p))
	mux.Handle("GET /bypass", p)
	f.srv = httptest.NewServer(f.cache.Front(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// settle waits for the renderings under way to end (a copy's reader
// starts one in the background), so the next request sees what they kept.
func (f *fixture) settle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		f.cache.mu.Lock()
		n := len(f.cache.flight)
		f.cache.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d renderings still under way after 30 s", n)
		}
	}
}

type answer struct {
	status int
	header http.Header
	body   string // decoded
	raw    int    // bytes on the wire
}

// get sends a request with the given headers, without Go's transparent gzip.
func (f *fixture) get(t *testing.T, method, path string, hdr ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// Go's transparent gzip off: the test sees what the server sent.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: len(b), body: string(b)}
	if resp.Header.Get("Content-Encoding") == "gzip" && len(b) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: gzip body: %v", path, err)
		}
		d, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gzip body: %v", path, err)
		}
		a.body = string(d)
	}
	if cl := resp.Header.Get("Content-Length"); method != http.MethodHead && resp.StatusCode != http.StatusNotModified && cl != fmt.Sprint(len(b)) {
		t.Fatalf("%s: Content-Length %s, body %d bytes", path, cl, len(b))
	}
	return a
}

func TestEncodingsConditionalAndHead(t *testing.T) {
	f := newFixture(t, Options{}, &page{header: map[string]string{"Cache-Control": "public, max-age=60", "X-Frame-Options": "DENY"}})
	gz := f.get(t, "GET", "/page/a?x=1", "Accept-Encoding", "gzip, deflate, br")
	if gz.status != 200 || gz.header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(gz.body, "<p>render 1 of /page/a?x=1</p>") {
		t.Fatalf("first answer: %d %q %.40q", gz.status, gz.header.Get("Content-Encoding"), gz.body)
	}
	if gz.raw >= len(gz.body)/2 {
		t.Fatalf("gzip body is %d bytes for %d plain", gz.raw, len(gz.body))
	}
	if v := gz.header.Values("Vary"); len(v) != 1 || v[0] != "Accept-Encoding" {
		t.Fatalf("Vary = %q, want Accept-Encoding once", v)
	}
	if gz.header.Get("X-Frame-Options") != "DENY" || gz.header.Get("Cache-Control") != "public, max-age=60" || gz.header.Get("Etag") == "" {
		t.Fatalf("headers not kept: %v", gz.header)
	}
	for _, ae := range []string{"identity", "", "gzip;q=0", "br, gzip; q=0.000", "deflate"} {
		plain := f.get(t, "GET", "/page/a?x=1", "Accept-Encoding", ae)
		if plain.header.Get("Content-Encoding") != "" || plain.body != gz.body || plain.raw != len(gz.body) {
			t.Fatalf("Accept-Encoding %q: encoding %q, body %d bytes (want the same page, identity)", ae, plain.header.Get("Content-Encoding"), plain.raw)
		}
		if plain.header.Get("Etag") != gz.header.Get("Etag") {
			t.Fatalf("ETag differs between encodings: %q, %q", plain.header.Get("Etag"), gz.header.Get("Etag"))
		}
	}
	if x := f.get(t, "GET", "/page/a?x=1", "Accept-Encoding", "x-gzip;q=0.5"); x.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("x-gzip;q=0.5 not honoured")
	}
	head := f.get(t, "HEAD", "/page/a?x=1", "Accept-Encoding", "gzip")
	if head.status != 200 || head.raw != 0 || head.header.Get("Content-Length") != fmt.Sprint(gz.raw) {
		t.Fatalf("HEAD: %d, %d bytes, Content-Length %s (want %d)", head.status, head.raw, head.header.Get("Content-Length"), gz.raw)
	}
	nm := f.get(t, "GET", "/page/a?x=1", "If-None-Match", `"other", `+gz.header.Get("Etag"))
	if nm.status != http.StatusNotModified || nm.raw != 0 || nm.header.Get("Etag") != gz.header.Get("Etag") {
		t.Fatalf("If-None-Match: %d, %d bytes", nm.status, nm.raw)
	}
	if m := f.get(t, "GET", "/page/a?x=1", "If-None-Match", `W/"nope"`); m.status != 200 {
		t.Fatalf("a stale ETag got %d", m.status)
	}
	if n := f.page.renders.Load(); n != 1 {
		t.Fatalf("rendered %d times, want once for all of these", n)
	}
	// Query and path are part of the key.
	if b := f.get(t, "GET", "/page/a?x=2"); !strings.HasPrefix(b.body, "<p>render 2 of /page/a?x=2") {
		t.Fatalf("another query: %.40q", b.body)
	}
	// A first request that is HEAD or conditional still fills the cache
	// with the full page.
	if h := f.get(t, "HEAD", "/page/b", "If-None-Match", `W/"old"`); h.status != 200 || h.raw != 0 {
		t.Fatalf("HEAD on a miss: %d, %d bytes", h.status, h.raw)
	}
	if b := f.get(t, "GET", "/page/b"); !strings.HasPrefix(b.body, "<p>render 3 of /page/b") {
		t.Fatalf("after HEAD: %.40q", b.body)
	}
	// Routes that do not opt in are never cached.
	f.get(t, "GET", "/bypass")
	f.get(t, "GET", "/bypass")
	if n := f.page.renders.Load(); n != 5 {
		t.Fatalf("renders = %d, want 5 (the bypass route twice)", n)
	}
}

func TestGenerationAndStaleness(t *testing.T) {
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxAge: time.Minute}, &page{})
	ctx := context.Background()
	render := func(want int64) {
		t.Helper()
		f.get(t, "GET", "/page/x")
		f.settle(t) // a rendering it started in the background
		if n := f.page.renders.Load(); n != want {
			t.Fatalf("renders = %d, want %d", n, want)
		}
	}
	render(1)
	render(1)
	// A write elsewhere: this node keeps its copy until it reads the
	// generation, and then only until Stale after the last read that
	// found the copy's generation (t=0) less the lead (Stale/4), when the
	// page is rendered anew.
	if _, err := f.st.BumpPageGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	render(1)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	render(1)
	f.advance(749 * time.Millisecond)
	render(1)
	f.advance(time.Millisecond)
	render(2)
	render(2)
	// Without a read for longer than Stale (Run's reads late), a request
	// reads the generation itself before anything is served from memory:
	// unchanged, the copy (render 2) answers, nothing is rendered.
	aside := f.cache.Stats().Aside
	f.advance(1100 * time.Millisecond)
	render(2)
	render(2)
	// A write, and Run's reads late again: the request's own read finds
	// it, and the page is rendered anew.
	if _, err := f.st.BumpPageGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(1100 * time.Millisecond)
	render(3)
	render(3)
	if n := f.cache.Stats().Aside - aside; n != 0 {
		t.Fatalf("Stats().Aside counted %d requests rendered uncached, want 0 (the database answered)", n)
	}
	// MaxAge ends an entry no write replaced: render 3 was made just now.
	f.advance(59 * time.Second)
	_ = f.cache.Refresh(ctx)
	render(3)
	f.advance(time.Second)
	_ = f.cache.Refresh(ctx)
	render(4)
	if _, err := New(f.st, Options{Stale: time.Second, MaxStale: time.Millisecond * 999}); err == nil {
		t.Fatal("MaxStale shorter than Stale was accepted")
	}
	if _, err := New(f.st, Options{Poll: time.Second, Stale: time.Millisecond}); err == nil {
		t.Fatal("Stale shorter than Poll was accepted")
	}
}

func TestWhatIsNotKept(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      *page
		keep   bool
		maxAge time.Duration
	}{
		{"server error", &page{status: 500}, false, 0},
		{"bad request", &page{status: 400}, false, 0},
		{"no-store", &page{header: map[string]string{"Cache-Control": "no-store"}}, false, 0},
		{"private", &page{header: map[string]string{"Cache-Control": "private, max-age=10"}}, false, 0},
		{"cookie", &page{header: map[string]string{"Set-Cookie": "csrf=abc"}}, false, 0},
		{"not found, briefly", &page{status: 404}, true, 10 * time.Second},
		{"redirect, briefly", &page{status: 301, header: map[string]string{"Location": "/page/y"}}, true, 10 * time.Second},
		{"page", &page{}, true, 60 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Options{Stale: time.Hour, Poll: time.Hour}, tc.p)
			first := f.get(t, "GET", "/page/x", "Accept-Encoding", "gzip")
			second := f.get(t, "GET", "/page/x", "Accept-Encoding", "gzip")
			if first.status != second.status || (tc.p.status != 0 && first.status != tc.p.status) {
				t.Fatalf("status %d then %d", first.status, second.status)
			}
			want := int64(2)
			if tc.keep {
				want = 1
			}
			if n := tc.p.renders.Load(); n != want {
				t.Fatalf("renders = %d, want %d", n, want)
			}
			if !tc.keep {
				if first.header.Get("Content-Encoding") != "" || !strings.Contains(first.body, "render 1") {
					t.Fatalf("an answer not kept must go out as rendered: %q %.30q", first.header.Get("Content-Encoding"), first.body)
				}
				return
			}
			f.advance(tc.maxAge - time.Second)
			f.get(t, "GET", "/page/x")
			if n := tc.p.renders.Load(); n != 1 {
				t.Fatalf("renders = %d before max age", n)
			}
			f.advance(2 * time.Second)
			f.get(t, "GET", "/page/x")
			if n := tc.p.renders.Load(); n != 2 {
				t.Fatalf("renders = %d after max age %s, want 2", n, tc.maxAge)
			}
		})
	}
}

func TestMemoryBound(t *testing.T) {
	const max = 64 << 10
	f := newFixture(t, Options{MaxBytes: max}, &page{size: 4000})
	for i := range 200 {
		f.get(t, "GET", fmt.Sprintf("/page/%d", i), "Accept-Encoding", "gzip")
	}
	st := f.cache.Stats()
	if st.Bytes > max || st.Entries == 0 || st.Entries >= 200 {
		t.Fatalf("stats %+v with MaxBytes %d", st, max)
	}
	// The most recent ones are still there, the first ones not.
	before := f.page.renders.Load()
	f.get(t, "GET", "/page/199")
	if f.page.renders.Load() != before {
		t.Fatal("the newest entry was evicted")
	}
	f.get(t, "GET", "/page/0")
	if f.page.renders.Load() != before+1 {
		t.Fatal("the oldest entry was kept beyond the bound")
	}
	// Too big for the cache: answered, not kept.
	big := newFixture(t, Options{MaxBytes: 64 << 10}, &page{size: 20000})
	// (Counted in the cache, not by renders: a second request arriving while
	// the first one's rendering is still being handed out may share it.)
	big.get(t, "GET", "/page/big")
	big.get(t, "GET", "/page/big")
	if st := big.cache.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Fatalf("an entry over an eighth of the cache was kept: %+v", st)
	}
}

// blocking renders only when released, to hold a miss in flight.
type blocking struct {
	page
	release chan struct{}
	started atomic.Int64 // renderings begun, released or not
}

func (b *blocking) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.started.Add(1)
	<-b.release
	b.page.ServeHTTP(w, r)
}

// waitStarted waits until n renderings have begun: a rendering started in
// the background begins on its own goroutine, after the reader who
// started it may already have its answer.
func (b *blocking) waitStarted(t *testing.T, n int64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); b.started.Load() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d renderings begun after 30 s, want %d", b.started.Load(), n)
		}
	}
}

func TestConcurrentMissesRenderOnce(t *testing.T) {
	b := &blocking{release: make(chan struct{})}
	f := newFixture(t, Options{}, &b.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(b))
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = f.get(t, "GET", "/page/hot").body
		}()
	}
	time.Sleep(100 * time.Millisecond) // let them all arrive
	close(b.release)
	wg.Wait()
	if n := b.renders.Load(); n != 1 {
		t.Fatalf("20 concurrent misses rendered %d times", n)
	}
	for i, body := range bodies {
		if body != bodies[0] || !strings.Contains(body, "render 1") {
			t.Fatalf("reader %d got %.30q", i, body)
		}
	}
}

func TestOnHitAndWebhook(t *testing.T) {
	var calls []int
	var mu sync.Mutex
	hooked := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !OnHit(w, func(_ Hit, status int) { mu.Lock(); calls = append(calls, status); mu.Unlock() }) {
			t.Error("OnHit: not under the cache")
		}
		_, _ = io.WriteString(w, "counted page")
	})
	got := make(chan int64, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int64
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&m) != nil {
			t.Errorf("webhook: %s with a bad body", r.Method)
		}
		got <- m["generation"]
	}))
	defer hook.Close()
	f := newFixture(t, Options{Webhook: hook.URL}, &page{})
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(hooked))
	first := f.get(t, "GET", "/p")
	f.get(t, "HEAD", "/p")
	f.get(t, "GET", "/p", "If-None-Match", first.header.Get("Etag"))
	mu.Lock()
	if fmt.Sprint(calls) != "[200 200 304]" {
		t.Fatalf("hook saw %v, want [200 200 304] (the rendering, a HEAD, a revalidation)", calls)
	}
	mu.Unlock()
	if OnHit(httptest.NewRecorder(), func(Hit, int) {}) {
		t.Fatal("OnHit claimed a writer outside the cache")
	}

	gen, err := f.st.BumpPageGeneration(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		if g != gen {
			t.Fatalf("webhook got generation %d, want %d", g, gen)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the webhook was not called on a new generation")
	}
	if _, err := New(f.st, Options{Webhook: "ftp://x"}); err == nil {
		t.Fatal("an ftp webhook was accepted")
	}
}

// discard is the cheapest ResponseWriter, so the benchmark measures the
// cache's own work on a hit.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }

// benchCache is a cache with opts on st, its generation read once.
func benchCache(b *testing.B, st Store, opts Options) *Cache {
	b.Helper()
	c, err := New(st, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkHit(b *testing.B) {
	c := benchCache(b, sqlitetest.Open(b), Options{Stale: time.Hour})
	p := &page{size: 20000}
	h := c.Front(c.Route(p))
	req := httptest.NewRequest("GET", "/en/2026/01/02/a-story", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	h.ServeHTTP(&discard{h: http.Header{}}, req)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
	if p.renders.Load() != 1 {
		b.Fatalf("rendered %d times", p.renders.Load())
	}
}

// TestExpiredServedWhileRendering: past its MaxAge (same generation), a
// page is rendered anew by one request while the others are answered from
// the old copy instead of queueing behind it.
func TestExpiredServedWhileRendering(t *testing.T) {
	b := &blocking{release: make(chan struct{}, 2)}
	f := newFixture(t, Options{Stale: time.Hour, Poll: time.Hour}, &b.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(b))
	b.release <- struct{}{}
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("first: %.30q", body)
	}
	f.advance(61 * time.Second)
	// The first reader past MaxAge gets the copy at once, without waiting
	// for the rendering it starts in the background (it used to wait).
	first := make(chan string, 1)
	go func() { first <- f.get(t, "GET", "/hot").body }()
	select {
	case body := <-first:
		if !strings.Contains(body, "render 1") {
			t.Fatalf("the reader who found the copy past its MaxAge got %.30q, want the copy at once", body)
		}
	case <-time.After(10 * time.Second):
		b.release <- struct{}{}
		t.Fatal("the reader who found the copy past its MaxAge waited for the rendering")
	}
	b.waitStarted(t, 2)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("a reader during the re-rendering got %.30q, want the old copy", body)
	}
	b.release <- struct{}{}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 2") || b.started.Load() != 2 {
		t.Fatalf("after: %.30q, %d renderings begun; want render 2, kept", body, b.started.Load())
	}
}

// When the generation moves, readers get the copy of the ended generation
// without a rendering until its deadline (Stale after the last read that
// found the old generation current) is near; from then on the page is
// rendered anew in the background while every reader, the one who started
// it included, still gets the copy, and past the deadline readers wait for
// the rendering: a change still shows within Stale. A later generation's copy is never overwritten by an older one.
// (Stale-while-revalidate is off here, MaxStale = Stale:
// TestLateRenderingKeptForStaleWhileRevalidate has it on.)
func TestPreviousGenerationServedWhileRendering(t *testing.T) {
	b := &blocking{release: make(chan struct{}, 4)}
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxStale: time.Second}, &b.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(b))
	ctx := context.Background()
	b.release <- struct{}{}
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("first: %.30q", body)
	}
	waitRendering := func() {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			f.cache.mu.Lock()
			n := len(f.cache.flight)
			f.cache.mu.Unlock()
			if n > 0 {
				return
			}
		}
		t.Fatal("no rendering started")
	}
	bump := func() {
		t.Helper()
		if _, err := f.st.BumpPageGeneration(ctx); err != nil {
			t.Fatal(err)
		}
	}
	refresh := func() {
		t.Helper()
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A write; this node reads it 300 ms after its previous read (t=0), so
	// the copy of render 1 may answer until t=1 s.
	f.advance(300 * time.Millisecond)
	bump()
	refresh()
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") || b.renders.Load() != 1 {
		t.Fatalf("right after the move: %.30q after %d renderings, want the copy and no rendering", body, b.renders.Load())
	}
	// Within the lead (Stale/4 by default) of the deadline a request
	// starts the page's rendering in the background and gets the copy at
	// once; so do readers meanwhile.
	f.advance(500 * time.Millisecond) // t=800 ms
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("the reader within the lead got %.30q, want the copy at once", body)
	}
	waitRendering()
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("a reader during the re-rendering got %.30q, want the previous generation's copy", body)
	}
	// 1 s after the last read that found the old generation, its copy is
	// no longer good: readers wait for the rendering.
	f.advance(200 * time.Millisecond) // t=1 s
	refresh()                         // unchanged, keeps the cache serving
	waiter := make(chan string)
	go func() { waiter <- f.get(t, "GET", "/hot").body }()
	time.Sleep(50 * time.Millisecond) // let it arrive (if it is late, it gets render 2 all the same)
	b.release <- struct{}{}
	if body := <-waiter; !strings.Contains(body, "render 2") {
		t.Fatalf("a reader past Stale got %.30q, want to wait for render 2", body)
	}
	if n := b.renders.Load(); n != 2 {
		t.Fatalf("%d renderings, want 2", n)
	}

	// A rendering that ends after the generation moved on is kept as the
	// previous generation's copy (readers get it while the next one is
	// rendered), but it never replaces a newer copy.
	bump()
	refresh() // at t=1 s: render 2's copy answers until t=2 s
	// t=1.7 s: within the lead, and render 2 (begun at 0.8 s) less than
	// Stale old, so its copy answers while render 3 is under way.
	f.advance(700 * time.Millisecond)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 2") {
		t.Fatalf("t=1.7 s: %.30q, want render 2's copy while render 3 is under way", body)
	}
	waitRendering()
	bump()
	refresh() // render 3 is of an ended generation before it is done; begun at t=1.7 s, it answers until t=2.7 s
	b.release <- struct{}{}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 3") || b.renders.Load() != 3 {
		t.Fatalf("right after render 3: %.30q after %d renderings, want render 3 and no rendering", body, b.renders.Load())
	}
	f.advance(800 * time.Millisecond) // t=2.5 s, within the lead of render 3's deadline
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 3") {
		t.Fatalf("t=2.5 s: %.30q, want render 3's copy while render 4 is under way", body)
	}
	waitRendering()
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 3") {
		t.Fatalf("a reader while generation 4 renders got %.30q, want render 3 (of the previous generation)", body)
	}
	b.release <- struct{}{}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 4") {
		t.Fatalf("after render 4: %.30q", body)
	}
	old := &entry{key: key{"/hot", ""}, gen: f.cache.gen.Load() - 1, seen: f.cache.checked.Load(), size: 1}
	f.cache.store(old)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 4") {
		t.Fatalf("after an older copy was offered: %.30q, want render 4 kept", body)
	}

	// Generations that move faster than pages render: a copy two
	// generations old still answers within its deadline, with no
	// rendering until the deadline is near.
	for range 2 {
		bump()
		f.advance(100 * time.Millisecond)
		refresh() // t=2.6 s (render 4, begun at 2.5 s, answers until 3.5 s), 2.7 s
	}
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 4") || b.renders.Load() != 4 {
		t.Fatalf("two generations on: %.30q after %d renderings, want render 4 and no rendering", body, b.renders.Load())
	}
	f.advance(600 * time.Millisecond)
	refresh() // t=3.3 s
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 4") {
		t.Fatalf("t=3.3 s: %.30q, want render 4's copy while render 5 is under way", body)
	}
	waitRendering()
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 4") {
		t.Fatalf("a reader two generations on got %.30q, want render 4", body)
	}
	b.release <- struct{}{}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 5") {
		t.Fatalf("after render 5: %.30q", body)
	}
}

// BenchmarkAppendHit is BenchmarkHit for the front (internal/front): the
// answer's head appended to a reused buffer, the body the cache's own.
func BenchmarkAppendHit(b *testing.B) {
	c := benchCache(b, sqlitetest.Open(b), Options{Stale: time.Hour})
	p := &page{size: 20000}
	req := httptest.NewRequest("GET", "/en/2026/01/02/a-story", nil)
	c.Route(p).ServeHTTP(&discard{h: http.Header{}}, req)
	rq := &Raw{Path: "/en/2026/01/02/a-story", AcceptEncoding: []string{"gzip, deflate, br"},
		Date: []byte("Mon, 30 Nov 2026 10:00:00 GMT")}
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		head, body, ok := c.AppendHit(buf[:0], rq)
		if !ok || len(body) == 0 {
			b.Fatal("not a hit")
		}
		buf = head
	}
}

// TestRenderedOncePerStaleWhileTheGenerationMoves: a generation that moves
// at every read (a site ingesting) costs a page one rendering per Stale
// less the lead, not one per read, and no answer is older than Stale.
func TestRenderedOncePerStaleWhileTheGenerationMoves(t *testing.T) {
	const poll, stale = 100 * time.Millisecond, time.Second
	f := newFixture(t, Options{Poll: poll, Stale: stale}, &page{})
	ctx := context.Background()
	start := f.clock()
	made := map[string]time.Duration{} // render → when, on the fake clock
	const steps = 60                   // 6 s, a move at each read
	for range steps {
		if _, err := f.st.BumpPageGeneration(ctx); err != nil {
			t.Fatal(err)
		}
		f.advance(poll)
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		for range 2 { // readers between two reads
			now := f.clock().Sub(start)
			body := f.get(t, "GET", "/page/hot").body
			f.settle(t) // a rendering it started in the background
			which, _, _ := strings.Cut(strings.TrimPrefix(body, "<p>"), " of ")
			at, ok := made[which]
			if !ok {
				made[which], at = now, now
			}
			// The page rendered at `at` holds every change read by then;
			// the first it lacks came within the next Poll.
			if age := now - at; age >= stale {
				t.Fatalf("at %s: %s made at %s, %s old (bound %s)", now, which, at, age, stale)
			}
		}
	}
	// One rendering per 800 ms (the lead is 250 ms, the moves come every
	// 100 ms) over 6 s: 8, where every move used to cost one: 60.
	if n := f.page.renders.Load(); n > 9 || n < 6 {
		t.Fatalf("%d renderings in %d moves of the generation, want 6–9", n, steps)
	}
}

// TestChangeOnAQuietSiteRendersAtOnce: the once-per-¾ s limit only holds
// back a page rendered that recently; a change to a page rendered longer
// ago is rendered at the first request after the read that finds it.
func TestChangeOnAQuietSiteRendersAtOnce(t *testing.T) {
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second}, &page{})
	ctx := context.Background()
	f.get(t, "GET", "/page/x")
	for range 20 { // 2 s without a change
		f.advance(100 * time.Millisecond)
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.get(t, "GET", "/page/x")
	// The editor who read it changes something half a second later (a
	// page read within Stale/4 of the move is busy: rendered in the
	// background, TestBusyPageRenderedInTheBackground).
	f.advance(500 * time.Millisecond)
	if _, err := f.st.BumpPageGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.page.renders.Load(); n != 1 {
		t.Fatalf("%d renderings before the change", n)
	}
	f.advance(100 * time.Millisecond)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if body := f.get(t, "GET", "/page/x").body; !strings.Contains(body, "render 2") {
		t.Fatalf("the first request after the move got %.30q, want it rendered anew", body)
	}
}

// TestLateRenderingKeptForStaleWhileRevalidate: a rendering that ends
// later than Stale after it began (a node under overload) is kept, not
// dropped: the reader who asked for it gets it, and while the next
// rendering is under way the other readers get it too, up to MaxStale
// after the changes it lacks, and never later. Readers with no copy left
// wait only for a rendering that began within Stale before they came.
func TestLateRenderingKeptForStaleWhileRevalidate(t *testing.T) {
	b := &blocking{release: make(chan struct{}, 4)}
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second, MaxStale: 3 * time.Second}, &b.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(b))
	ctx := context.Background()
	step := func(d time.Duration, bump bool) {
		t.Helper()
		f.advance(d)
		if bump {
			if _, err := f.st.BumpPageGeneration(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waitStarted := func(n int64) { t.Helper(); b.waitStarted(t, n) }
	get := func() string { return f.get(t, "GET", "/hot").body }
	which := func(body string) string { s, _, _ := strings.Cut(strings.TrimPrefix(body, "<p>"), " of "); return s }

	b.release <- struct{}{}
	if w := which(get()); w != "render 1" {
		t.Fatalf("first: %s", w)
	}
	step(300*time.Millisecond, true) // a change at t=0.3 s: render 1 answers until t=1 s
	step(500*time.Millisecond, false)
	// t=0.8 s: within the lead, render 2 begins in the background (and
	// takes 1.2 s); the reader who started it gets render 1 at once.
	if w := which(get()); w != "render 1" {
		t.Fatalf("t=0.8 s, within the lead: %s, want render 1 at once", w)
	}
	waitStarted(2)
	step(700*time.Millisecond, true) // t=1.5 s, another change
	if w := which(get()); w != "render 1" {
		t.Fatalf("t=1.5 s, render 2 under way: %s, want render 1 (stale while revalidating, within MaxStale)", w)
	}
	// internal/front's fast path answers it too, while the rendering is
	// under way (and only then: see below).
	if _, body, ok := f.cache.AppendHit(nil, &Raw{Path: "/hot"}); !ok || which(string(body)) != "render 1" {
		t.Fatalf("t=1.5 s, AppendHit: ok %v, %.30q; want render 1", ok, body)
	}
	f.advance(500 * time.Millisecond) // t=2 s
	b.release <- struct{}{}
	f.settle(t)
	// No rendering under way: a stale copy is not answered on the fast
	// path, the route renders the page.
	if _, _, ok := f.cache.AppendHit(nil, &Raw{Path: "/hot"}); ok {
		t.Fatal("t=2 s, no rendering under way: AppendHit answered from the stale copy")
	}
	// Render 2 began at 0.8 s and lacks the change of 1.5 s: it is kept,
	// answering readers while render 3 is under way, until 0.8+3 s. It is
	// past its deadline (1.8 s), so the reader who finds no rendering
	// under way renders the page and waits for it.
	leader := make(chan string, 1)
	go func() { leader <- get() }()
	waitStarted(3)
	if w := which(get()); w != "render 2" {
		t.Fatalf("t=2 s, render 3 under way: %s, want the late render 2, kept", w)
	}
	step(1700*time.Millisecond, false) // t=3.7 s
	if w := which(get()); w != "render 2" {
		t.Fatalf("t=3.7 s, render 3 under way: %s, want render 2 (within MaxStale of 0.8 s)", w)
	}
	// At t=3.9 s render 2 is past MaxStale, and render 3, begun at 2 s,
	// more than Stale before: the reader renders the page itself.
	step(200*time.Millisecond, false)
	late := make(chan string, 1)
	go func() { late <- get() }()
	waitStarted(4)
	b.release <- struct{}{}
	b.release <- struct{}{}
	got := []string{which(<-leader), which(<-late)}
	if got[1] == "render 2" || got[0] == "render 2" || got[0] == got[1] {
		t.Fatalf("renders 3 and 4 went to %v, want one each and no render 2", got)
	}
	f.cache.mu.Lock()
	n := len(f.cache.flight)
	f.cache.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d renderings still registered after both ended", n)
	}
	// (Which of the two is numbered 3 depends on which was released first.)
	if w := which(get()); w != got[1] || b.started.Load() != 4 {
		t.Fatalf("after both: %s, %d renderings begun; want %s (begun later) kept and no rendering", w, b.started.Load(), got[1])
	}
}

// unreadable is a real store whose generation read can be made to fail,
// as when the database is away.
type unreadable struct {
	Store
	fail atomic.Bool
}

func (u *unreadable) PageGeneration(ctx context.Context) (int64, error) {
	if u.fail.Load() {
		return 0, fmt.Errorf("database away")
	}
	return u.Store.PageGeneration(ctx)
}

// TestUnreadableGenerationRendersUncached: when the generation cannot be
// read (Run's reads fail, and the request's own read too), nothing is
// served from memory: every request is rendered, and counted.
func TestUnreadableGenerationRendersUncached(t *testing.T) {
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second}, &page{})
	u := &unreadable{Store: f.st}
	c, err := New(u, Options{Poll: 100 * time.Millisecond, Stale: time.Second, Now: f.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.cache = c
	f.srv.Config.Handler = c.Front(c.Route(f.page))
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for want := int64(1); want <= 2; want++ {
		if body := f.get(t, "GET", "/x").body; !strings.Contains(body, "render 1") {
			t.Fatalf("while readable: %.30q", body)
		}
	}
	u.fail.Store(true)
	f.advance(1100 * time.Millisecond)
	for want := 2; want <= 3; want++ {
		if body := f.get(t, "GET", "/x").body; !strings.Contains(body, fmt.Sprintf("render %d", want)) {
			t.Fatalf("unreadable: %.30q, want render %d", body, want)
		}
	}
	if n := c.Stats().Aside; n != 2 {
		t.Fatalf("Stats().Aside = %d, want 2", n)
	}
	// Readable again and unchanged: the request's own read finds the
	// generation render 1 was made at, so it answers again; what was
	// rendered meanwhile was not kept.
	u.fail.Store(false)
	if body := f.get(t, "GET", "/x").body; !strings.Contains(body, "render 1") || f.page.renders.Load() != 3 {
		t.Fatalf("readable again: %.30q after %d renderings, want render 1 from memory", body, f.page.renders.Load())
	}
}

// panicky panics while rendering once armed, as a handler with a bug would.
type panicky struct {
	page
	armed atomic.Bool
}

func (p *panicky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.armed.Load() {
		panic("a bug in a handler")
	}
	p.page.ServeHTTP(w, r)
}

// TestBackgroundRenderingPanics: a rendering begun in the background has no
// net/http around it to recover a panic; the cache does, so the node stays
// up, the copy keeps answering, and the next reader renders again.
func TestBackgroundRenderingPanics(t *testing.T) {
	p := &panicky{}
	f := newFixture(t, Options{}, &p.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(p))
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("first: %.30q", body)
	}
	p.armed.Store(true)
	f.advance(61 * time.Second) // past MaxAge: the next reader gets the copy and starts a rendering
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("past MaxAge: %.30q, want the copy", body)
	}
	f.settle(t) // the panicking rendering ended and let go of its flight
	p.armed.Store(false)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 1") {
		t.Fatalf("after the panic: %.30q, want the copy again", body)
	}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 2") {
		t.Fatalf("after a good rendering: %.30q, want render 2", body)
	}
}

// TestBusyPageRenderedInTheBackground: a page rendered long ago but read
// as current just before a move (a busy page kept across moves, by its
// scopes or a quiet generation) is rendered in the background for the
// reader who finds its copy due; only a page no one read lately is
// rendered for that reader (TestChangeOnAQuietSiteRendersAtOnce).
func TestBusyPageRenderedInTheBackground(t *testing.T) {
	b := &blocking{release: make(chan struct{}, 2)}
	f := newFixture(t, Options{Poll: 100 * time.Millisecond, Stale: time.Second}, &b.page)
	f.srv.Config.Handler = f.cache.Front(f.cache.Route(b))
	ctx := context.Background()
	b.release <- struct{}{}
	f.get(t, "GET", "/hot") // render 1 at t=0
	for range 20 {          // 2 s of readers, no change
		f.advance(100 * time.Millisecond)
		if err := f.cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		f.get(t, "GET", "/hot")
	}
	if _, err := f.st.BumpPageGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	f.advance(50 * time.Millisecond)
	if err := f.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() { got <- f.get(t, "GET", "/hot").body }()
	select {
	case body := <-got:
		if !strings.Contains(body, "render 1") {
			t.Fatalf("the first reader after the move got %.30q, want the copy", body)
		}
	case <-time.After(10 * time.Second):
		b.release <- struct{}{}
		t.Fatal("the first reader after a move on a busy page waited for the rendering")
	}
	b.release <- struct{}{}
	f.settle(t)
	if body := f.get(t, "GET", "/hot").body; !strings.Contains(body, "render 2") {
		t.Fatalf("after the background rendering: %.30q", body)
	}
}
