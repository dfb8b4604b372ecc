package pipeline

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// feedHost serves feeds /feed/{k}.xml on its own loopback address, each
// with an ETag, answering 304 to a request that has it; broken feeds
// answer 500. It counts the requests it is working on at once.
type feedHost struct {
	*httptest.Server
	mu       sync.Mutex
	version  map[string]int // a feed's version: its ETag, and its items
	broken   map[string]bool
	inFlight atomic.Int32
	maxIn    atomic.Int32
	notMod   atomic.Int32
	requests atomic.Int32
	conns    atomic.Int32  // connections opened to it
	arrivals []time.Time   // when each feed request arrived, under mu
	hold     chan struct{} // when set (under mu), feed requests get no answer until it is closed
}

func startFeedHost(t *testing.T, ip int) *feedHost {
	t.Helper()
	h := &feedHost{version: map[string]int{}, broken: map[string]bool{}}
	h.Server = serveOn(t, ip, http.HandlerFunc(h.serve), func(c *http.Server) {
		c.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				h.conns.Add(1)
			}
		}
	})
	return h
}

func (h *feedHost) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/feed/") {
		http.NotFound(w, r) // robots.txt included
		return
	}
	h.requests.Add(1)
	h.mu.Lock()
	h.arrivals = append(h.arrivals, time.Now())
	hold := h.hold
	h.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
		return
	}
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for {
		m := h.maxIn.Load()
		if n <= m || h.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond) // long enough for requests to overlap, were they allowed to
	h.mu.Lock()
	v, broken := h.version[r.URL.Path], h.broken[r.URL.Path]
	h.mu.Unlock()
	if broken {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, v)
	if r.Header.Get("If-None-Match") == etag {
		h.notMod.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %s</title><link>%s/</link>`, r.URL.Path, h.URL)
	for i := range v {
		fmt.Fprintf(w, `<item><title>Item %d</title><guid>%s%s#%d</guid><description>Item %d of %s, in the feed itself.</description></item>`,
			i, h.URL, r.URL.Path, i, i, r.URL.Path)
	}
	fmt.Fprint(w, `</channel></rss>`)
}

func (h *feedHost) set(path string, version int, broken bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.version[path], h.broken[path] = version, broken
}

// writeCounter is the store, counting the batched writes of unchanged polls.
type writeCounter struct {
	store.Store
	mu     sync.Mutex
	writes []int // the polls each RecordUnchangedPolls wrote
}

func (w *writeCounter) RecordUnchangedPolls(ctx context.Context, worker string, ps []store.UnchangedPoll) error {
	w.mu.Lock()
	w.writes = append(w.writes, len(ps))
	w.mu.Unlock()
	return w.Store.RecordUnchangedPolls(ctx, worker, ps)
}

// Polls are sent and recorded in batches: the unchanged feeds (304) are
// written a batch at a time with their jobs, while a feed that changed
// has its new item queued and one that fails has its error recorded, on
// its source alone. The per-host connection limit holds across a batch.
func TestBatchedPolls(t *testing.T) {
	ctx := context.Background()
	st := &writeCounter{Store: testStore(t)}
	const feedsPerHost = 4
	var hosts []*feedHost
	var srcs []*store.Source
	for ip := range 5 {
		h := startFeedHost(t, 60+ip)
		hosts = append(hosts, h)
		for k := range feedsPerHost {
			path := fmt.Sprintf("/feed/%d.xml", k)
			h.set(path, 1, false)
			srcs = append(srcs, newSource(t, st, h.URL+path, "en"))
		}
	}
	var mu sync.Mutex
	polled, failed := map[int64]int{}, map[int64]error{}
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: -1})
	p := New(st, fc, extract.New(), Options{PollBatch: 8, PollConcurrency: 8, Events: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case SourcePolled:
			polled[e.SourceID]++
		case SourceFailed:
			failed[e.SourceID] = e.Err
		}
	}})
	pass := func() {
		t.Helper()
		ids := make([]int64, len(srcs))
		for i, s := range srcs {
			ids[i] = s.ID
		}
		if n, err := p.EnqueuePolls(ctx, ids); err != nil || n != len(srcs) {
			t.Fatalf("EnqueuePolls = %d, %v; want %d", n, err, len(srcs))
		}
		r := jobs.New(st, jobs.Options{Concurrency: 2, Poll: 10 * time.Millisecond})
		p.Register(r)
		if err := r.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pass() // every feed is new: one item each, and the validators
	if len(polled) != len(srcs) || len(failed) != 0 {
		t.Fatalf("first pass: %d sources polled, %d failed; want %d, 0", len(polled), len(failed), len(srcs))
	}
	for _, h := range hosts {
		if h.notMod.Load() != 0 {
			t.Fatalf("first pass: %d answers 304, want none", h.notMod.Load())
		}
	}

	// Then one feed has a new item and one is down; the rest are unchanged.
	changed, broken := srcs[5], srcs[10]
	hosts[1].set("/feed/1.xml", 2, false)
	hosts[2].set("/feed/2.xml", 1, true)
	st.mu.Lock()
	st.writes = nil
	st.mu.Unlock()
	clear(polled)
	start := time.Now()
	pass()

	unchanged := len(srcs) - 2
	notMod := 0
	for _, h := range hosts {
		notMod += int(h.notMod.Load())
		if m := h.maxIn.Load(); m > 2 {
			t.Errorf("host %s had %d requests in flight at once, above its limit of 2", h.URL, m)
		}
	}
	if notMod != unchanged {
		t.Errorf("%d answers 304, want %d", notMod, unchanged)
	}
	written, biggest := 0, 0
	for _, n := range st.writes {
		written += n
		biggest = max(biggest, n)
	}
	if written != unchanged || biggest < 2 || len(st.writes) >= unchanged {
		t.Errorf("the %d unchanged polls were written %v: want them all, in writes of several", unchanged, st.writes)
	}
	for _, src := range srcs {
		got, err := st.Source(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch src.ID {
		case broken.ID:
			if got.ErrorCount != 1 || !strings.Contains(got.LastError, "500") || failed[src.ID] == nil || !got.LastSuccess.Before(start) {
				t.Errorf("the broken feed: %+v (event %v), want its error recorded", got, failed[src.ID])
			}
		default:
			if got.ErrorCount != 0 || got.LastError != "" || got.LastPolledAt.Before(start) || got.LastSuccess.Before(start) ||
				!got.NextPollAt.After(start.Add(20*time.Minute)) || polled[src.ID] != 1 || got.ETag == "" {
				t.Errorf("source %s after an unchanged poll: %+v (polled %d times), want it recorded once", src.URL, got, polled[src.ID])
			}
		}
	}
	if got, _ := st.Source(ctx, changed.ID); got.ETag != `"v2"` || got.ArticleCount != 2 {
		t.Errorf("the changed feed: ETag %s, %d articles; want \"v2\" and its new item stored", got.ETag, got.ArticleCount)
	}
	if c, err := st.JobCounts(ctx, nil, time.Now()); err != nil || c.Queued != 0 || c.Running != 0 || c.Dead != 0 {
		t.Errorf("jobs left: %+v, %v", c, err)
	}
}
