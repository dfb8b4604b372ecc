package front

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// bench is one handler served twice over loopback: by net/http alone (the
// reference, as serve ran before the front) and by the front.
type bench struct {
	cache    *pagecache.Cache
	ref, fr  string // addresses
	front    *Server
	serveErr chan error
	// newConns counts the connections the front's net/http saw: a request
	// answered by the front itself adds none.
	newConns atomic.Int64
	mu       sync.Mutex
	seen     []seenHit // by the page's OnHit hook
	// bigStarted and bigDone report the /big route's start and the end of
	// its writing (nil: all written).
	bigStarted chan struct{}
	bigDone    chan error
}

// seenHit is what the page's OnHit hook read of a request.
type seenHit struct {
	Method, RemoteAddr, UserAgent, Mode, Host string
	Forwarded, Missing                        []string
}

// bigSize is the length of the /big route's answer.
const bigSize = 64 << 20

func newBench(t testing.TB, srvOpts func(*http.Server)) *bench {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	var err error
	b := &bench{serveErr: make(chan error, 1), bigStarted: make(chan struct{}, 1), bigDone: make(chan error, 1)}
	if b.cache, err = pagecache.New(st, pagecache.Options{Poll: time.Hour, Stale: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	if err := b.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	page := func(status int, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pagecache.OnHit(w, func(h pagecache.Hit, status int) {
				b.mu.Lock()
				b.seen = append(b.seen, seenHit{Method: h.Method(), RemoteAddr: h.RemoteAddr(), UserAgent: h.Header("User-Agent"),
					Mode: h.Header("sec-fetch-mode"), Host: h.Header("Host"), Forwarded: h.HeaderValues("X-Forwarded-For"),
					Missing: h.HeaderValues("X-Missing")})
				b.mu.Unlock()
			})
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "public, max-age=60, s-maxage=60, stale-while-revalidate=300")
			h.Set("Content-Security-Policy", "default-src 'none'")
			h.Set("X-Frame-Options", "DENY")
			h.Add("Link", "</static/a.css>; rel=preload")
			h.Add("Link", "</static/b.js>; rel=preload")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<p>%s %s?%s</p>%s", body, r.URL.Path, r.URL.RawQuery, strings.Repeat("news ", 400))
		})
	}
	mux := http.NewServeMux()
	mux.Handle("GET /page/{name}", b.cache.Route(page(200, "page")))
	mux.Handle("GET /gone", b.cache.Route(page(410, "gone")))
	mux.Handle("GET /tiny", b.cache.Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})))
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s %s %q from %s", r.Method, r.URL.Path, body, r.RemoteAddr)
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		// More than loopback's socket buffers hold: a client that reads
		// none of it holds the writer until a timeout.
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(bigSize))
		b.bigStarted <- struct{}{}
		chunk := make([]byte, 64<<10)
		var err error
		for n := 0; n < bigSize && err == nil; n += len(chunk) {
			_, err = w.Write(chunk)
		}
		b.bigDone <- err
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "part %d\n", i) // no length: chunked
			w.(http.Flusher).Flush()
		}
	})
	h := b.cache.Front(mux)

	refLn := listen(t)
	ref := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() { _ = ref.Serve(refLn) }()
	t.Cleanup(func() { _ = ref.Close() })

	frLn := listen(t)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				b.newConns.Add(1)
			}
		}}
	if srvOpts != nil {
		srvOpts(srv)
	}
	b.front = &Server{HTTP: srv, Hits: b.cache}
	go func() { b.serveErr <- b.front.Serve(frLn) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.front.Shutdown(ctx)
	})
	b.ref, b.fr = refLn.Addr().String(), frLn.Addr().String()
	return b
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// exchange writes raw to a new connection to addr, half-closes it and
// returns everything the server sent until it closed.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	return string(out)
}

var (
	dateLine = regexp.MustCompile(`(?m)^Date: [^\r]*\r$`)
	port     = regexp.MustCompile(`from 127\.0\.0\.1:\d+`)
)

// normal blanks what differs between two connections: the date and the
// client's port the echo route prints.
func normal(s string) string {
	return port.ReplaceAllString(dateLine.ReplaceAllString(s, "Date: -\r"), "from 127.0.0.1:-")
}

// same checks that both servers answer raw alike, Date aside, and returns
// the answer.
func (b *bench) same(t *testing.T, raw string) string {
	t.Helper()
	want := normal(exchange(t, b.ref, raw))
	got := normal(exchange(t, b.fr, raw))
	if got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-300)
		t.Fatalf("for %.300q the answers differ at byte %d of %d/%d: the front's\n%.600q\nnet/http's\n%.600q", raw, i,
			len(got), len(want), got[from:], want[from:])
	}
	return got
}

func get(path string, hdr ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: news.example\r\n" + strings.Join(hdr, "") + "\r\n"
}

// TestHitsAsNetHTTPWritesThem: every kind of answer from the cache is the
// same bytes from the front as from net/http, and the front answered it
// without net/http.
func TestHitsAsNetHTTPWritesThem(t *testing.T) {
	b := newBench(t, nil)
	b.same(t, get("/page/a?x=1")) // rendered, through net/http both times
	b.same(t, get("/gone"))
	b.same(t, get("/tiny"))
	etag := ""
	if m := regexp.MustCompile(`Etag: (\S+)\r`).FindStringSubmatch(exchange(t, b.ref, get("/page/a?x=1"))); m != nil {
		etag = m[1]
	} else {
		t.Fatal("no ETag on a cached page")
	}
	before := b.newConns.Load()
	for _, raw := range []string{
		get("/page/a?x=1", "Accept-Encoding: gzip\r\n"),
		get("/page/a?x=1", "Accept-Encoding: br, gzip;q=0.5\r\n"),
		get("/page/a?x=1", "Accept-Encoding: gzip;q=0\r\n"),
		get("/page/a?x=1"),
		get("/page/a?x=1", "If-None-Match: "+etag+"\r\n", "Accept-Encoding: gzip\r\n"),
		get("/page/a?x=1", "If-None-Match: \"other\"\r\n", "Accept-Encoding: gzip\r\n"),
		strings.Replace(get("/page/a?x=1", "Accept-Encoding: gzip\r\n"), "GET", "HEAD", 1),
		strings.Replace(get("/page/a?x=1", "If-None-Match: "+etag+"\r\n"), "GET", "HEAD", 1),
		get("/gone", "Accept-Encoding: gzip\r\n"),
		get("/tiny", "Accept-Encoding: gzip\r\n", "Connection: keep-alive\r\n"),
		// Two on one connection (pipelined), then the end.
		get("/page/a?x=1", "Accept-Encoding: gzip\r\n") + get("/tiny"),
	} {
		out := b.same(t, raw)
		if !strings.HasPrefix(out, "HTTP/1.1 ") {
			t.Fatalf("for %q: %q", raw, out)
		}
	}
	if n := b.newConns.Load() - before; n != 0 {
		t.Fatalf("%d of the hits reached net/http; the front should have answered them all", n)
	}
	out := b.same(t, get("/page/a?x=1", "If-None-Match: "+etag+"\r\n"))
	if !strings.HasPrefix(out, "HTTP/1.1 304 ") || strings.Contains(out, "Content-Type") {
		t.Fatalf("revalidation: %q", out)
	}
}

// TestOthersGoToNetHTTP: misses, other methods, bodies and whatever the
// front does not read itself are net/http's, with the same answers, and a
// connection carries on after a miss.
func TestOthersGoToNetHTTP(t *testing.T) {
	b := newBench(t, nil)
	for _, raw := range []string{
		get("/echo"),
		"POST /echo HTTP/1.1\r\nHost: news.example\r\nContent-Length: 5\r\n\r\nhello" + get("/echo"),
		"POST /echo HTTP/1.1\r\nHost: news.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		get("/stream"),
		get("/stream", "Connection: close\r\n") + get("/tiny"),
		"GET /tiny HTTP/1.0\r\n\r\n",
		get("/nothing-here"),
		get("/page/%61"), // net/http unescapes the path
		"DELETE /page/a HTTP/1.1\r\nHost: news.example\r\n\r\n",
	} {
		out := b.same(t, raw)
		if strings.Contains(raw, "/echo") && !strings.Contains(out, "from 127.0.0.1:") {
			t.Fatalf("for %q: %q", raw, out)
		}
	}
	// A miss, a hit, a miss and a hit on one connection.
	b.same(t, get("/page/b"))
	out := b.same(t, get("/echo")+get("/page/b")+get("/nothing")+get("/page/b"))
	if n := strings.Count(out, "HTTP/1.1 "); n != 4 {
		t.Fatalf("%d answers on one connection, want 4: %q", n, out)
	}
	// The handler sees the client's address, not the in-memory pipe's.
	c, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, get("/echo"))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if !strings.HasSuffix(string(body), "from "+c.LocalAddr().String()) {
		t.Fatalf("echo: %q, want the client's address %s", body, c.LocalAddr())
	}
}

// TestBadRequestsAsNetHTTP: malformed and ambiguous requests, the material
// of request smuggling, get net/http's own answers, even for a cached page.
func TestBadRequestsAsNetHTTP(t *testing.T) {
	b := newBench(t, nil)
	b.same(t, get("/page/a"))
	for _, raw := range []string{
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + get("/echo"),
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nContent-Length: 4\r\n\r\n" + get("/echo"),
		"GET /page/a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET /page/a HTTP/1.1\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news example\r\n\r\n",
		"GET /page/a HTTP/1.1\nHost: news.example\n\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\n X-Folded: yes\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nX Bad: yes\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nX-Bad : yes\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nX-Bad: a\rb\r\n\r\n",
		"GET /page/a  HTTP/1.1\r\nHost: news.example\r\n\r\n",
		"GET http://news.example/page/a HTTP/1.1\r\nHost: news.example\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nExpect: 100-continue\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
		"GET /page/a HTTP/1.1\r\nHost: news.example\r\nX-Long: " + strings.Repeat("x", readSize) + "\r\n\r\n",
		"GET /page/a HTTP/2.0\r\nHost: news.example\r\n\r\n",
		"garbage\r\n\r\n",
	} {
		b.same(t, raw)
	}
}

// TestHitsCountAsBefore: a page's OnHit hook (view counting) reads of a
// hit the front answers what it reads of the request net/http made for the
// miss before it, the client's address included.
func TestHitsCountAsBefore(t *testing.T) {
	b := newBench(t, nil)
	b.same(t, get("/page/v"))
	b.mu.Lock()
	b.seen = nil
	b.mu.Unlock()
	c, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	head := []string{"User-Agent:  Mozilla/5.0 reader\t\r\n", "X-Forwarded-For: 192.0.2.1\r\n", "sec-fetch-mode: navigate\r\n",
		"x-forwarded-for:198.51.100.2, 203.0.113.3\r\n", "User-Agent: second\r\n"}
	_, _ = io.WriteString(c, get("/page/v?q=1", head...))
	_, _ = io.WriteString(c, get("/page/v", head...))
	br := bufio.NewReader(c)
	for range 2 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.seen) != 2 {
		t.Fatalf("the hook saw %d requests, want 2 (a miss rendered, then a hit)", len(b.seen))
	}
	want := seenHit{Method: "GET", RemoteAddr: c.LocalAddr().String(), UserAgent: "Mozilla/5.0 reader", Mode: "navigate",
		Forwarded: []string{"192.0.2.1", "198.51.100.2, 203.0.113.3"}}
	if !reflect.DeepEqual(b.seen[0], want) {
		t.Fatalf("the miss's request, through net/http: %+v, want %+v", b.seen[0], want)
	}
	if !reflect.DeepEqual(b.seen[1], b.seen[0]) {
		t.Fatalf("the hit's request: %+v, want as net/http's %+v", b.seen[1], b.seen[0])
	}
	if b.newConns.Load() != 1 {
		t.Fatalf("net/http saw %d connections, want 1 (the miss's)", b.newConns.Load())
	}
}

// TestTimeoutsAndShutdown: a head that never ends is dropped after
// ReadHeaderTimeout; Shutdown closes idle connections, finishes and ends
// Serve with http.ErrServerClosed.
func TestTimeoutsAndShutdown(t *testing.T) {
	b := newBench(t, func(s *http.Server) { s.ReadHeaderTimeout = 50 * time.Millisecond })
	b.same(t, get("/page/s"))
	slow, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	_, _ = io.WriteString(slow, "GET /page/s HTTP/1.1\r\nHost: news.exa")
	if n, err := io.Copy(io.Discard, slow); err != nil || n != 0 {
		t.Fatalf("an unfinished head: %d bytes answered, %v; want the connection closed", n, err)
	}

	idle, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	_, _ = io.WriteString(idle, get("/page/s"))
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if err := b.front.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, br); err != nil || n != 0 {
		t.Fatalf("an idle connection at shutdown: %d bytes, %v; want it closed", n, err)
	}
	if err := <-b.serveErr; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	if _, err := net.Dial("tcp", b.fr); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
}

// BenchmarkHit is the front's own cost of a hit, over loopback.
func BenchmarkHit(b *testing.B) {
	bb := newBench(b, nil)
	c0, err := net.Dial("tcp", bb.fr) // the first request renders
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.WriteString(c0, get("/page/a"))
	if _, err := http.ReadResponse(bufio.NewReader(c0), nil); err != nil {
		b.Fatal(err)
	}
	c0.Close()
	c, err := net.Dial("tcp", bb.fr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte(get("/page/a", "Accept-Encoding: gzip\r\n"))
	br := bufio.NewReader(c)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
}

// TestSlowClientsOnTheMissPath: a client that sends its head slowly and
// one that reads a miss's answer slowly (not at all) are cut off by the
// server's ReadHeaderTimeout and WriteTimeout, as net/http would, and
// hold up nobody meanwhile: while both are stuck, another client's miss
// and hit are answered. Nothing is timed but the server's own timeouts;
// the waits for them are only guards against hanging.
func TestSlowClientsOnTheMissPath(t *testing.T) {
	const timeout = 10 * time.Second // long next to a miss and a hit, even on a loaded machine
	b := newBench(t, func(s *http.Server) { s.ReadHeaderTimeout, s.WriteTimeout = timeout, timeout })

	// The slow reader asks for a big page net/http renders and reads none
	// of it: the front's copy to it blocks once the socket is full.
	reader, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := io.WriteString(reader, get("/big")); err != nil {
		t.Fatal(err)
	}
	guard := time.After(2 * time.Minute)
	select {
	case <-b.bigStarted:
	case <-guard:
		t.Fatal("the big page was never asked for")
	}

	// The slow sender sends part of a head, a byte at a time, and never
	// finishes it.
	sender, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	trickled := make(chan struct{})
	go func() {
		defer close(trickled)
		for _, c := range []byte("GET /page/slow HTTP/1.1\r\nHost: news.example\r\nX-Pad: " + strings.Repeat("x", 400)) {
			if _, err := sender.Write([]byte{c}); err != nil {
				return // the server hung up
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	// Meanwhile another client: a miss, then the hit it made, on one
	// connection, then a page on a new one.
	c, err := net.Dial("tcp", b.fr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for range 2 {
		if _, err := io.WriteString(c, get("/page/meanwhile")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "/page/meanwhile") {
			t.Fatalf("another client while two are slow: %d %.80q %v", resp.StatusCode, body, err)
		}
	}
	if got := exchange(t, b.fr, get("/tiny")); !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") {
		t.Fatalf("a new client while two are slow: %.80q", got)
	}
	// ... and it was meanwhile: neither slow client has been cut off yet.
	select {
	case err := <-b.bigDone:
		t.Fatalf("the slow reader's page was done (%v) before the other client was served: want it stuck", err)
	default:
	}
	_ = sender.SetReadDeadline(time.Now().Add(time.Millisecond))
	if n, err := sender.Read(make([]byte, 1)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the slow sender's connection was answered or closed (%d bytes, %v) before the other client was served", n, err)
	}
	if b.newConns.Load() != 3 {
		t.Fatalf("net/http saw %d connections, want 3 (the pipes of the big page's, the miss's and /tiny's connections)", b.newConns.Load())
	}

	// The write timeout ends the slow reader's answer: the page's writes
	// fail, and the client gets less than all of it, then the end.
	select {
	case err := <-b.bigDone:
		if err == nil {
			t.Fatal("the big page was written whole to a client that read none of it")
		}
	case <-guard:
		t.Fatal("the big page's writes never failed: no write timeout")
	}
	_ = reader.SetReadDeadline(time.Now().Add(time.Minute)) // a guard: the server must have closed it
	n, err := io.Copy(io.Discard, reader)
	if n >= bigSize || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the slow reader got %d of %d bytes, %v: want the connection closed short", n, bigSize, err)
	}

	// The header timeout ends the slow sender's connection, unanswered.
	_ = sender.SetReadDeadline(time.Now().Add(time.Minute)) // a guard, as above
	if n, err := io.Copy(io.Discard, sender); n != 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the slow sender: %d bytes answered, %v; want the connection closed unanswered", n, err)
	}
	select {
	case <-trickled:
	case <-guard:
		t.Fatal("the slow sender was never cut off")
	}
}
