package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// newTestClient allows loopback (httptest) and drops pacing unless the test
// asks for it.
func newTestClient(o Options) *Client {
	o.AllowPrivateNetworks = true
	if o.PerHostDelay == 0 {
		o.PerHostDelay = -1
	}
	if o.Timeout == 0 {
		o.Timeout = 20 * time.Second
	}
	return New(o)
}

// wantError asserts err is an *Error of kind k and returns it.
func wantError(t *testing.T, err error, k ErrorKind) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want kind %v", k)
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fetch.Error", err, err)
	}
	if fe.Kind != k {
		t.Fatalf("kind = %v, want %v; error: %v", fe.Kind, k, err)
	}
	return fe
}

func TestGetBasics(t *testing.T) {
	var gotUA, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAccept = r.Header.Get("User-Agent"), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<p>Hallo</p>")
	}))
	defer srv.Close()

	cl := newTestClient(Options{UserAgent: "Spektrum/0.1 (+https://spektrum.example; news aggregator)"})
	resp, err := cl.Get(context.Background(), Request{URL: srv.URL + "/a"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != "<p>Hallo</p>" || resp.URL != srv.URL+"/a" || resp.PermanentURL != "" {
		t.Errorf("unexpected response %+v", resp)
	}
	if gotUA != "Spektrum/0.1 (+https://spektrum.example; news aggregator)" {
		t.Errorf("User-Agent = %q", gotUA)
	}
	if gotAccept != DefaultAccept {
		t.Errorf("Accept = %q, want the default", gotAccept)
	}

	if _, err := newTestClient(Options{}).Get(context.Background(), Request{URL: srv.URL, Accept: "application/json"}); err != nil {
		t.Fatal(err)
	}
	if gotUA != DefaultUserAgent || gotAccept != "application/json" {
		t.Errorf("defaults: User-Agent = %q, Accept = %q", gotUA, gotAccept)
	}
}

func TestConditionalGet(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Mon, 02 Jan 2006 15:04:05 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/etag":
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		case "/lm":
			if r.Header.Get("If-Modified-Since") == lastMod {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", lastMod)
		}
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()
	cl := newTestClient(Options{})
	ctx := context.Background()

	for _, path := range []string{"/etag", "/lm"} {
		t.Run(path, func(t *testing.T) {
			first, err := cl.Get(ctx, Request{URL: srv.URL + path})
			if err != nil {
				t.Fatal(err)
			}
			if first.NotModified || string(first.Body) != "<rss/>" {
				t.Fatalf("first fetch: %+v", first)
			}
			if first.ETag == "" && first.LastModified == "" {
				t.Fatalf("first fetch returned no validators")
			}
			second, err := cl.Get(ctx, Request{URL: srv.URL + path, ETag: first.ETag, LastModified: first.LastModified})
			if err != nil {
				t.Fatal(err)
			}
			if !second.NotModified || second.StatusCode != 304 || len(second.Body) != 0 {
				t.Fatalf("second fetch: %+v, want 304 NotModified", second)
			}
			// The validators survive a 304 that does not repeat them.
			if second.ETag != first.ETag || second.LastModified != first.LastModified {
				t.Errorf("validators after 304 = (%q, %q), want (%q, %q)", second.ETag, second.LastModified, first.ETag, first.LastModified)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/p1", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/p2", http.StatusMovedPermanently) })
	mux.HandleFunc("/p2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/t1", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/t2", http.StatusMovedPermanently) })
	mux.HandleFunc("/t2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/t3", http.StatusFound) })
	mux.HandleFunc("/t3", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "file:///etc/passwd")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "done") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cl := newTestClient(Options{MaxRedirects: 5})
	ctx := context.Background()

	resp, err := cl.Get(ctx, Request{URL: srv.URL + "/p1"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != srv.URL+"/final" || resp.PermanentURL != srv.URL+"/final" || string(resp.Body) != "done" {
		t.Errorf("permanent chain: URL %q, PermanentURL %q, body %q", resp.URL, resp.PermanentURL, resp.Body)
	}

	resp, err = cl.Get(ctx, Request{URL: srv.URL + "/t1"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != srv.URL+"/final" || resp.PermanentURL != "" {
		t.Errorf("chain with a 302: URL %q, PermanentURL %q (want empty)", resp.URL, resp.PermanentURL)
	}

	_, err = cl.Get(ctx, Request{URL: srv.URL + "/loop"})
	fe := wantError(t, err, TooManyRedirects)
	if !strings.Contains(err.Error(), "redirect loop") || IsPermanent(err) {
		t.Errorf("loop error %q (permanent %v)", fe, IsPermanent(err))
	}

	_, err = cl.Get(ctx, Request{URL: srv.URL + "/to-file"})
	wantError(t, err, BadURL)
}

func TestStatusErrors(t *testing.T) {
	retryDate := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/404":
			http.NotFound(w, r)
		case "/410":
			w.WriteHeader(http.StatusGone)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		case "/429s":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/429d":
			w.Header().Set("Retry-After", retryDate)
			w.WriteHeader(http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{})

	tests := []struct {
		path               string
		status             int
		permanent          bool
		minRetry, maxRetry time.Duration
		msg                string
	}{
		{"/404", 404, true, 0, 0, "server answered 404 Not Found; check the URL"},
		{"/410", 410, true, 0, 0, "410 Gone"},
		{"/500", 500, false, 0, 0, "retry later"},
		{"/429s", 429, false, 120 * time.Second, 120 * time.Second, "retry after 2m0s"},
		// HTTP-dates have one-second resolution and the clock moves on:
		// allow a wide window.
		{"/429d", 429, false, 60 * time.Second, 121 * time.Second, "rate limited"},
		{"/503", 503, false, 30 * time.Second, 30 * time.Second, "retry after 30s"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := cl.Get(context.Background(), Request{URL: srv.URL + tc.path})
			fe := wantError(t, err, Status)
			if fe.Status != tc.status {
				t.Errorf("Status = %d, want %d", fe.Status, tc.status)
			}
			if IsPermanent(err) != tc.permanent {
				t.Errorf("IsPermanent = %v, want %v", IsPermanent(err), tc.permanent)
			}
			if fe.RetryAfter < tc.minRetry || fe.RetryAfter > tc.maxRetry {
				t.Errorf("RetryAfter = %v, want in [%v, %v]", fe.RetryAfter, tc.minRetry, tc.maxRetry)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "fetch "+srv.URL+tc.path) {
				t.Errorf("message %q lacks %q or the URL", err, tc.msg)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"90":                            90 * time.Second,
		"soon":                          0,
		"Wed, 01 Jan 2025 12:05:00 GMT": 5 * time.Minute,
		"Wed, 01 Jan 2025 11:00:00 GMT": 0,
		"99999999999999999":             365 * 24 * time.Hour,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

// hangUntilDone blocks a handler until the client goes away, so Close does
// not wait forever.
func hangUntilDone(r *http.Request) { <-r.Context().Done() }

func TestTimeouts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hang":
			hangUntilDone(r)
		case "/trickle":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(200)
			for {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{Timeout: 500 * time.Millisecond})

	for _, path := range []string{"/hang", "/trickle"} {
		t.Run(path, func(t *testing.T) {
			start := time.Now()
			_, err := cl.Get(context.Background(), Request{URL: srv.URL + path})
			wantError(t, err, Timeout)
			if el := time.Since(start); el > 15*time.Second {
				t.Errorf("took %v; the 500ms timeout did not bound the request", el)
			}
			if !strings.Contains(err.Error(), "within 500ms") || IsPermanent(err) {
				t.Errorf("message %q (permanent %v)", err, IsPermanent(err))
			}
		})
	}
}

func TestCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hangUntilDone(r) }))
	defer srv.Close()

	t.Run("while waiting for the server", func(t *testing.T) {
		cl := newTestClient(Options{})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := cl.Get(ctx, Request{URL: srv.URL})
		wantError(t, err, Canceled)
		if !errors.Is(err, context.Canceled) || IsPermanent(err) {
			t.Errorf("err %v: want errors.Is(context.Canceled), not permanent", err)
		}
	})

	t.Run("while waiting for the host's pacing", func(t *testing.T) {
		ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer ok.Close()
		cl := newTestClient(Options{PerHostDelay: time.Hour, Timeout: 2 * time.Hour})
		if _, err := cl.Get(context.Background(), Request{URL: ok.URL}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := cl.Get(ctx, Request{URL: ok.URL})
		wantError(t, err, Canceled)
	})

	t.Run("pacing window after the deadline", func(t *testing.T) {
		// The next window to the host opens after this request's time
		// limit: a waiting request fails at once, as a timeout saying when
		// the host is free, instead of holding a worker for nothing (only a
		// NoWait first hop is answered HostBusy, which defers a job).
		ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer ok.Close()
		cl := newTestClient(Options{PerHostDelay: time.Hour, Timeout: time.Minute})
		if _, err := cl.Get(context.Background(), Request{URL: ok.URL}); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := cl.Get(context.Background(), Request{URL: ok.URL}); done <- err }()
		select {
		case err := <-done:
			if fe := wantError(t, err, Timeout); fe.RetryAfter < 59*time.Minute {
				t.Errorf("retry after %v, want the window an hour after the first request", fe.RetryAfter)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the request waited for a window past its deadline")
		}
	})

	t.Run("caller deadline", func(t *testing.T) {
		cl := newTestClient(Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := cl.Get(ctx, Request{URL: srv.URL})
		wantError(t, err, Timeout)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v: want errors.Is(context.DeadlineExceeded)", err)
		}
	})
}

func TestTooLarge(t *testing.T) {
	const limit = 1 << 20
	const gigabyte = 1 << 30
	var written atomic.Int64
	streamDone := make(chan struct{}, 1)
	chunk := bytes.Repeat([]byte("<p>spam</p>\n"), 32<<10/12)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stream":
			defer func() { streamDone <- struct{}{} }()
			// 1 GB made up on the fly from one reused chunk.
			for written.Load() < gigabyte {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		case "/announced":
			w.Header().Set("Content-Length", strconv.Itoa(gigabyte))
			w.WriteHeader(200)
			w.Write(chunk) // then the client hangs up
		case "/exact":
			w.Write(bytes.Repeat([]byte("a"), limit))
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{MaxBytes: limit})

	_, err := cl.Get(context.Background(), Request{URL: srv.URL + "/stream"})
	wantError(t, err, TooLarge)
	select {
	case <-streamDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the streaming handler is still writing 30s after the client gave up")
	}
	if n := written.Load(); n > 64<<20 {
		t.Errorf("server wrote %d bytes; the client should have hung up soon after %d", n, limit)
	}
	if !strings.Contains(err.Error(), "limit of 1048576 bytes") {
		t.Errorf("message %q", err)
	}

	_, err = cl.Get(context.Background(), Request{URL: srv.URL + "/announced"})
	wantError(t, err, TooLarge)
	if !strings.Contains(err.Error(), "announces 1073741824 bytes") {
		t.Errorf("message %q should name the announced size", err)
	}

	resp, err := cl.Get(context.Background(), Request{URL: srv.URL + "/exact"})
	if err != nil {
		t.Fatalf("a body of exactly MaxBytes must pass: %v", err)
	}
	if len(resp.Body) != limit {
		t.Errorf("body %d bytes, want %d", len(resp.Body), limit)
	}
}

func gzipped(t *testing.T, n int, chunk []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	for written := 0; written < n; written += len(chunk) {
		zw.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCompression(t *testing.T) {
	page := []byte(strings.Repeat("<p>Größere Äpfel über Öl.</p>\n", 200))
	pageGz := gzipped(t, len(page), page)
	bomb := readFixture(t, "bomb-64MiB-zeros.gz") // 64 MiB of zeros in ~64 KiB
	var sawGzip atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write(page)
			return
		}
		sawGzip.Store(true)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/page":
			w.Write(pageGz)
		case "/bomb":
			w.Write(bomb)
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{MaxBytes: 1 << 20})

	resp, err := cl.Get(context.Background(), Request{URL: srv.URL + "/page"})
	if err != nil {
		t.Fatal(err)
	}
	if !sawGzip.Load() {
		t.Fatal("the client did not offer gzip")
	}
	if !bytes.Equal(resp.Body, page) {
		t.Errorf("body is not the decompressed page (%d bytes, want %d)", len(resp.Body), len(page))
	}

	if len(bomb) > 1<<20 {
		t.Fatalf("test setup: the bomb itself (%d bytes) must be under the limit", len(bomb))
	}
	_, err = cl.Get(context.Background(), Request{URL: srv.URL + "/bomb"})
	wantError(t, err, TooLarge)
}

func TestNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := newTestClient(Options{}).Get(context.Background(), Request{URL: url})
	wantError(t, err, Network)
	if IsPermanent(err) || !strings.Contains(err.Error(), "site is up") {
		t.Errorf("err %q (permanent %v)", err, IsPermanent(err))
	}
}
