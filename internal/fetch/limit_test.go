package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
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

func TestPerHostDelay(t *testing.T) {
	const delay = 150 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	cl := newTestClient(Options{PerHostConcurrency: 4, PerHostDelay: delay})

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := cl.Get(context.Background(), Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assertGaps(t, starts, delay/2)
}

// assertGaps checks that consecutive server-side start times are at least
// min apart. min is well below the configured gap: the client enforces the
// gap before sending, and scheduling jitter can only shorten what the server
// sees by a little.
func assertGaps(t *testing.T, starts []time.Time, min time.Duration) {
	t.Helper()
	if len(starts) < 2 {
		t.Fatalf("only %d requests recorded", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < min {
			t.Errorf("requests %d and %d started %v apart, want at least %v", i-1, i, gap, min)
		}
	}
}

func TestHostLimiterCancel(t *testing.T) {
	l := newHostLimiter(1, 0)
	release, err := l.acquire(context.Background(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := l.acquire(ctx, "example.com"); err != context.Canceled {
		t.Fatalf("waiting for a busy slot: err = %v, want context.Canceled", err)
	}
	// Another host is not held up by the busy one.
	r2, err := l.acquire(context.Background(), "other.example")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	release()
	r3, err := l.acquire(context.Background(), "example.com")
	if err != nil {
		t.Fatalf("slot not returned after release: %v", err)
	}
	r3()
}
