package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestPerHostConcurrency(t *testing.T) {
	const limit, requests = 2, 8
	var inFlight, maxInFlight atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{PerHostConcurrency: limit})

	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for range requests {
		wg.Go(func() {
			_, err := cl.Get(context.Background(), Request{URL: srv.URL})
			errs <- err
		})
	}
	// Wait until the limit is reached, hold it there a moment so any
	// excess request would show, then let everything through.
	deadline := time.Now().Add(15 * time.Second)
	for inFlight.Load() < limit && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if inFlight.Load() != limit {
		t.Errorf("in flight = %d, want the limit %d to be reached", inFlight.Load(), limit)
	}
	time.Sleep(200 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if m := maxInFlight.Load(); m > limit {
		t.Errorf("max in flight = %d, want at most %d", m, limit)
	}
}

// TestPerHostDelay checks the gap between requests as the host can first see
// them: when each is written to its connection. It runs on synctest's clock,
// which stands still while real work (dialling, writing, the server) goes
// on, so what it measures is the limiter's schedule and nothing else, on a
// loaded machine too.
//
// The first request leaves the limiter on time but takes 120ms to dial (a
// slow handshake, a goroutine that woke late on a busy machine). The old
// limiter booked start times in advance, so the second request, leaving on
// its own booked time, reached the host 30ms after the first: the "requests
// 31ms apart" flake. The gap must count from when a request was sent.
func TestPerHostDelay(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	synctest.Test(t, func(t *testing.T) {
		const delay, late = 150 * time.Millisecond, 120 * time.Millisecond
		cl := newTestClient(Options{PerHostConcurrency: 4, PerHostDelay: delay})
		tr := cl.http.Transport.(*http.Transport)
		tr.DisableKeepAlives = true // every request dials, and no idle connection outlives the bubble
		dial := tr.DialContext
		var dials atomic.Int32
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				time.Sleep(late)
			}
			return dial(ctx, network, addr)
		}

		var mu sync.Mutex
		var sent []time.Time
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) {
				mu.Lock()
				sent = append(sent, time.Now())
				mu.Unlock()
			},
		})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := cl.Get(ctx, Request{URL: srv.URL}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		assertGaps(t, sent, delay)
	})
	if n := hits.Load(); n != 4 {
		t.Errorf("the server saw %d requests, want 4", n)
	}
}

// assertGaps checks that consecutive send times are at least min apart.
func assertGaps(t *testing.T, starts []time.Time, min time.Duration) {
	t.Helper()
	if len(starts) < 2 {
		t.Fatalf("only %d requests recorded", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < min {
			t.Errorf("requests %d and %d sent %v apart, want at least %v", i-1, i, gap, min)
		}
	}
}

// A request with NoWait never waits for a busy host: it fails at once with
// HostBusy, sends nothing, and says when to come back; other hosts are not
// held up, and coming back then finds the host free.
func TestNoWaitHostBusy(t *testing.T) {
	arrived := make(chan string, 10)
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.URL.Path
		if r.URL.Path == "/slow" {
			<-hold
		}
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	byIP := fmt.Sprintf("http://127.0.0.1:%d", port)
	byName := fmt.Sprintf("http://localhost:%d", port) // another host name: its own slots

	synctest.Test(t, func(t *testing.T) {
		const delay = time.Second
		cl := newTestClient(Options{PerHostConcurrency: 1, PerHostDelay: delay})
		cl.http.Transport.(*http.Transport).DisableKeepAlives = true
		slow := make(chan error, 1)
		go func() { _, err := cl.Get(context.Background(), Request{URL: byIP + "/slow"}); slow <- err }()
		if p := <-arrived; p != "/slow" {
			t.Fatalf("first request %s", p)
		}

		_, err := cl.Get(context.Background(), Request{URL: byIP + "/a", NoWait: true})
		fe := wantError(t, err, HostBusy)
		if fe.RetryAfter < delay || !strings.Contains(err.Error(), "in flight") {
			t.Errorf("busy slot: %v (retry after %v); want the in-flight reason and at least the pacing gap %v", err, fe.RetryAfter, delay)
		}
		if IsPermanent(err) {
			t.Error("HostBusy must not be permanent")
		}
		if _, err := cl.Get(context.Background(), Request{URL: byName + "/other", NoWait: true}); err != nil {
			t.Errorf("another host waited for the busy one: %v", err)
		}
		if p := <-arrived; p != "/other" {
			t.Fatalf("the busy host got %s", p)
		}

		close(hold)
		if err := <-slow; err != nil {
			t.Fatal(err)
		}
		// The slot is free, the pacing window not yet open.
		_, err = cl.Get(context.Background(), Request{URL: byIP + "/a", NoWait: true})
		fe = wantError(t, err, HostBusy)
		if !strings.Contains(err.Error(), "per-host delay") {
			t.Errorf("paced: %v; want the pacing reason", err)
		}
		time.Sleep(fe.RetryAfter)
		if _, err := cl.Get(context.Background(), Request{URL: byIP + "/a", NoWait: true}); err != nil {
			t.Errorf("came back when told, still busy: %v", err)
		}
		if p := <-arrived; p != "/a" {
			t.Errorf("want /a sent once, got %s", p)
		}
	})
	select {
	case p := <-arrived:
		t.Errorf("a request turned away was sent anyway: %s", p)
	default:
	}
}

// Callers turned away from one busy host are told to come back one window
// apart, not all at the same moment.
func TestBusyAnswersAreStaggered(t *testing.T) {
	const gap = time.Second
	l := newHostLimiter(1, gap)
	tk, err := l.acquire(context.Background(), "example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	tk.sent(time.Now())
	var last time.Time
	for i := range 4 {
		_, err := l.acquire(context.Background(), "example.com", false)
		var be *busyError
		if !errors.As(err, &be) {
			t.Fatalf("asking #%d: err = %v, want busy", i, err)
		}
		if i > 0 && be.until.Sub(last) < gap {
			t.Errorf("answer #%d comes back %v after the one before, want at least %v", i, be.until.Sub(last), gap)
		}
		last = be.until
	}
	tk.release()
}

// A NoWait article request whose robots.txt another request is reading is
// turned away instead of waiting for it.
func TestNoWaitRobotsBeingRead(t *testing.T) {
	hold := make(chan struct{})
	reading := make(chan struct{}, 1)
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			reading <- struct{}{}
			<-hold
			return
		}
		pages.Add(1)
	}))
	defer srv.Close()
	synctest.Test(t, func(t *testing.T) {
		cl := newTestClient(Options{})
		cl.http.Transport.(*http.Transport).DisableKeepAlives = true
		// The first request starts reading robots.txt and waits for it:
		// that is its own first step.
		first := make(chan error, 1)
		go func() {
			_, err := cl.Get(context.Background(), Request{URL: srv.URL + "/first", Robots: true, NoWait: true})
			first <- err
		}()
		<-reading // the first request is waiting for robots.txt
		_, err := cl.Get(context.Background(), Request{URL: srv.URL + "/a", Robots: true, NoWait: true})
		wantError(t, err, HostBusy)
		if !strings.Contains(err.Error(), "robots.txt") {
			t.Errorf("err = %v, want it to say robots.txt is being read", err)
		}
		close(hold)
		if err := <-first; err != nil {
			t.Fatalf("the request that started reading robots.txt: %v", err)
		}
		// Blocking callers wait for the verdict.
		if _, err := cl.Get(context.Background(), Request{URL: srv.URL + "/a", Robots: true}); err != nil {
			t.Fatal(err)
		}
	})
	if n := pages.Load(); n != 2 {
		t.Errorf("%d page requests, want 2 (/first and /a once)", n)
	}
}

func TestHostLimiterCancel(t *testing.T) {
	l := newHostLimiter(1, 0)
	held, err := l.acquire(context.Background(), "example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	held.sent(time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := l.acquire(ctx, "example.com", true); err != context.Canceled {
		t.Fatalf("waiting for a busy slot: err = %v, want context.Canceled", err)
	}
	// Another host is not held up by the busy one.
	r2, err := l.acquire(context.Background(), "other.example", true)
	if err != nil {
		t.Fatal(err)
	}
	r2.release()
	held.release()
	r3, err := l.acquire(context.Background(), "example.com", true)
	if err != nil {
		t.Fatalf("slot not returned after release: %v", err)
	}
	r3.release()
}

// A NoWait fetch whose own redirect has to wait past its time limit for
// the same host is a timeout, never HostBusy: HostBusy defers a job without
// costing an attempt, so a redirect on a slow-paced host would otherwise
// defer the job for ever, a request sent every round.
func TestNoWaitRedirectPastDeadlineIsTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusMovedPermanently)
		}
	}))
	defer srv.Close()
	cl := newTestClient(Options{PerHostDelay: time.Hour, Timeout: time.Minute})
	_, err := cl.Get(context.Background(), Request{URL: srv.URL + "/a", NoWait: true})
	wantError(t, err, Timeout)
}

// A caller told to come back when the window opens, who finds it a little
// later than said (the request before it was written after a delay, and the
// window counts from the write), waits those moments instead of being sent
// to the back of the line: the window would otherwise pass unused.
func TestNoWaitComingBackWhenToldIsServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = time.Second
		l := newHostLimiter(2, delay)
		ctx := context.Background()
		t0 := time.Now()
		a, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.acquire(ctx, "h", false)
		var be *busyError
		if !errors.As(err, &be) {
			t.Fatalf("second caller while the first is on its way: %v, want busy", err)
		}
		time.Sleep(50 * time.Millisecond) // the first request is written late
		a.sent(time.Now())
		a.release()
		time.Sleep(time.Until(be.until))
		b, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatalf("came back when told (%v after the first), turned away again: %v", be.until.Sub(t0), err)
		}
		if got := time.Since(t0); got != delay+50*time.Millisecond {
			t.Errorf("the second request left %v after the first, want %v (the gap after the write)", got, delay+50*time.Millisecond)
		}
		b.release()

		// A window farther off than the short wait is still an answer.
		_, err = l.acquire(ctx, "h", false)
		if !errors.As(err, &be) {
			t.Fatalf("a caller a whole gap early: %v, want busy", err)
		}
	})
}

// A caller held back only by the pacing is told to come back a little
// before its window and, coming back then, waits for the window and leaves
// as it opens (not when it was woken, which is late on a busy machine and
// would push every later window back). Held back by the slots, it comes
// back when a slot should be free, not before.
func TestNoWaitComesBackEarlyForItsWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 2 * time.Second
		l := newHostLimiter(2, delay)
		ctx := context.Background()
		t0 := time.Now()
		a, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatal(err)
		}
		a.sent(t0)
		_, err = l.acquire(ctx, "h", false)
		var be *busyError
		if !errors.As(err, &be) {
			t.Fatalf("second caller within the gap: %v, want busy", err)
		}
		if !be.until.Equal(t0.Add(delay)) || !be.retryAt().Before(be.until) || be.until.Sub(be.retryAt()) > l.shortWait(l.state("h")) {
			t.Fatalf("told to come back at +%v for the window at +%v; want a little before it, within the short wait",
				be.retryAt().Sub(t0), be.until.Sub(t0))
		}
		time.Sleep(time.Until(be.retryAt()))
		b, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatalf("came back when told, turned away: %v", err)
		}
		if got := time.Since(t0); got != delay {
			t.Errorf("the second request left %v after the first, want the gap %v", got, delay)
		}
		b.sent(time.Now())
		// Both slots taken: a third caller is told to come back no earlier
		// than its turn.
		_, err = l.acquire(ctx, "h", false)
		if !errors.As(err, &be) {
			t.Fatalf("third caller with both slots taken: %v, want busy", err)
		}
		if be.retryAt() != be.until {
			t.Errorf("held back by the slots, told to come back %v before its turn", be.until.Sub(be.retryAt()))
		}
		a.release()
		b.release()
	})
}

// Windows open a gap after the request before was written, so on a loaded
// machine they drift later than the turns promised at the start of a queue.
// A caller coming back for its turn waits for the drifted window (up to a
// gap) instead of being sent to the back of the line; a caller nobody gave
// a turn still only waits the short wait.
func TestNoWaitTurnSurvivesDriftedWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = time.Second
		l := newHostLimiter(1, delay)
		ctx := context.Background()
		t0 := time.Now()
		a, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatal(err)
		}
		a.sent(t0)
		a.release()
		_, err = l.acquire(ctx, "h", false)
		var be *busyError
		if !errors.As(err, &be) {
			t.Fatalf("second caller within the gap: %v, want busy", err)
		}
		// The window drifts 400 ms, past the short wait (requests written late).
		drift := 400 * time.Millisecond
		st := l.state("h")
		l.mu.Lock()
		st.nextStart = st.nextStart.Add(drift)
		l.mu.Unlock()
		l.unuse(st)
		time.Sleep(time.Until(be.retryAt()))
		// Someone without a turn, arriving at the same moment, is turned away.
		if _, err := newHostLimiterLike(l, st).acquire(ctx, "h", false); !errors.As(err, new(*busyError)) {
			t.Fatalf("a caller without a turn, the window %v away: %v, want busy", time.Until(st.nextStart), err)
		}
		b, err := l.acquire(ctx, "h", false)
		if err != nil {
			t.Fatalf("came back for its turn, the window drifted %v: turned away: %v", drift, err)
		}
		if got := time.Since(t0); got != delay+drift {
			t.Errorf("left %v after the first, want at the drifted window %v", got, delay+drift)
		}
		b.release()
	})
}

// newHostLimiterLike is a limiter whose host h is in st's pacing state but
// has given no turns.
func newHostLimiterLike(l *hostLimiter, st *hostState) *hostLimiter {
	o := newHostLimiter(l.concurrency, l.delay)
	l.mu.Lock()
	o.hosts["h"] = &hostState{nextStart: st.nextStart, changed: make(chan struct{})}
	l.mu.Unlock()
	return o
}

// With no per-host delay, a caller that does not wait, asking while
// another request to the host is on its way (left the limiter, not yet
// written) with a connection to spare, waits the moment until it is
// written and goes, rather than being told the host is busy; with a delay
// to keep, or no connection to spare, it is told to come back.
func TestNoWaitWaitsForTheRequestOnItsWayWithNoDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		l := newHostLimiter(2, 0)
		first, err := l.acquire(ctx, "a.example", false)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			t   *hostTicket
			err error
		}
		got := make(chan result, 1)
		go func() {
			tk, err := l.acquire(ctx, "a.example", false)
			got <- result{tk, err}
		}()
		synctest.Wait()
		select {
		case r := <-got:
			t.Fatalf("asked while the first request was on its way: %v, %v; want it to wait for the write", r.t, r.err)
		default:
		}
		first.sent(time.Now())
		synctest.Wait()
		r := <-got
		if r.err != nil {
			t.Fatalf("after the first request was written: %v, want a slot", r.err)
		}
		// Both connections are taken now: the next is sent away.
		if _, err := l.acquire(ctx, "a.example", false); !isBusy(err) {
			t.Errorf("with both connections in flight: %v, want a busy answer", err)
		}
		first.release()
		r.t.release()

		paced := newHostLimiter(2, time.Second)
		if _, err := paced.acquire(ctx, "b.example", false); err != nil {
			t.Fatal(err)
		}
		if _, err := paced.acquire(ctx, "b.example", false); !isBusy(err) {
			t.Errorf("with a 1s delay and a request on its way: %v, want a busy answer", err)
		}
	})
}

// The wait for a request on its way is a moment's: when the request ahead
// is not written within maxShortWait (dialling a host that drops
// connections, say), a caller that does not wait is told the host is busy
// rather than held for the request's whole timeout.
func TestNoWaitGivesUpOnARequestStuckOnItsWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		l := newHostLimiter(2, 0)
		first, err := l.acquire(ctx, "a.example", false)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := l.acquire(ctx, "a.example", false); !isBusy(err) {
			t.Fatalf("with the request ahead never written: %v, want a busy answer", err)
		}
		if waited := time.Since(start); waited < maxShortWait || waited > 2*maxShortWait {
			t.Errorf("waited %v for the request ahead, want about maxShortWait (%v)", waited, maxShortWait)
		}
		first.release()
	})
}

func isBusy(err error) bool {
	var b *busyError
	return errors.As(err, &b)
}
