package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
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

// TestSoak (issue 13, "How it is checked") fetches hostile sources, slow
// hosts and normal ones together through the real pipeline, queue and
// fetcher on SQLite, polling on schedule as `serve` does, until every normal
// site has published all it will and every hostile source has failed:
//
//   - normal sites publish a new item on each poll; every item is stored,
//     each page fetched once;
//   - a slow site's pages answer after a second, two at a time; its articles
//     all arrive and no job spends an attempt waiting for it;
//   - a site that never answers, a malformed feed, an endless body and a
//     deeply nested XML feed fail as sources, with backoff (polled less
//     often than the normal sources), and cost the others nothing;
//   - the normal sources keep their schedule: each is polled again and
//     again while a request to the host that does not answer is
//     outstanding (it answers nothing until they have been, then drops
//     the connection);
//   - the requests made stay bounded, and so does the heap.
//
// What it checks is counted in events, not timed, so a loaded machine only
// makes it slower; the deadlines only keep a broken build from hanging.
// It takes about 20 s; -short skips it.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: about 20 s")
	}
	const (
		interval   = 2 * time.Second // every source's poll interval
		tick       = 100 * time.Millisecond
		normalMax  = 8 // items a normal site has published by the end
		hangPolls  = 2 // polls of each normal source while the hanging host holds a request
		slowItems  = 6
		maxBytes   = 24 << 20 // the deep feed (20 MB) gets to the parser
		deepLevels = 1800000  // 20 MB nested 1.8M deep: 2.8 GB in gofeed before feed bounded depth
	)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute) // a guard against hanging only
	defer cancel()

	var normals []*newsSite
	for i := range 3 {
		s := startSite(t, 20+i, fmt.Sprintf("Normal %d", i), normalMax, 0)
		s.shown.Store(2)
		s.growing.Store(true)
		normals = append(normals, s)
	}
	slow := startSite(t, 30, "Slow Courier", slowItems, time.Second)
	release := make(chan struct{}) // closed once the normal sources were polled while the hanging host held a request
	hanging := startHostile(t, 40, hangUntil(release))
	hostile := map[string]*hostileSite{
		"hanging":   hanging,
		"malformed": startHostile(t, 41, malformed),
		"endless":   startHostile(t, 42, endless),
		"deep":      startHostile(t, 43, deepFeed(deepLevels)),
	}

	st := testStore(t)
	var (
		mu         sync.Mutex
		late       = map[int64]time.Duration{} // worst lateness of a due poll, per source
		polls      = map[int64]int{}
		failures   = map[int64]int{}
		duringHang = map[int64]int{} // polls of normal sources finished while a request to the hanging host was open
		released   bool
		normalIDs  = map[int64]bool{} // written before the runner starts
		artFail    []Event
		attempts   []string
	)
	events := func(e Event) {
		switch e.Kind {
		case SourcePolled, SourceFailed:
			// The source still holds the poll time this poll was due at:
			// handlePoll reports before it saves the next one.
			src, err := st.Source(context.WithoutCancel(ctx), e.SourceID)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				late[e.SourceID] = max(late[e.SourceID], time.Since(src.NextPollAt))
			}
			if e.Kind == SourcePolled {
				polls[e.SourceID]++
				if hanging.open.Load() > 0 && normalIDs[e.SourceID] {
					duringHang[e.SourceID]++
					if len(duringHang) == len(normals) && !released {
						polledEnough := true
						for _, n := range duringHang {
							polledEnough = polledEnough && n >= hangPolls
						}
						if polledEnough {
							close(release)
							released = true
						}
					}
				}
			} else {
				failures[e.SourceID]++
			}
		case ArticleFailed:
			mu.Lock()
			defer mu.Unlock()
			artFail = append(artFail, e)
		}
	}
	// The fetch timeout is only a guard: the slow site's one-second pages
	// need room on a loaded machine under -race (at 3 s one timed out once,
	// at load 14), and the hanging host holds its request until the normal
	// sources have been polled meanwhile; should they never be, the
	// timeout ends the hang and the check below fails.
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostConcurrency: 2, PerHostDelay: 20 * time.Millisecond,
		Timeout: 3 * time.Minute, MaxBytes: maxBytes})
	p := New(st, fc, extract.New(), Options{Events: events, PollInterval: interval, MaxBackoff: time.Minute})
	// Enough workers that the hostile sources' real work (a hanging host
	// holds one for the whole fetch timeout, parsing the deep feed takes a
	// while) plus the slow host's two slots cannot occupy them all: what is
	// checked is that nobody waits on a busy host, not that a pool smaller
	// than the hostile work keeps up.
	r := jobs.New(st, jobs.Options{Concurrency: 8, Poll: 50 * time.Millisecond, Lease: time.Minute})
	p.Register(r)
	var slowestPoll time.Duration // the longest a poll took, on this machine now
	r.Handle(KindPoll, func(ctx context.Context, j *store.Job) error {
		start := time.Now()
		err := p.handlePoll(ctx, j)
		if j.SourceID <= 3 { // the normal sites, added first
			mu.Lock()
			slowestPoll = max(slowestPoll, time.Since(start))
			mu.Unlock()
		}
		return err
	})
	r.Handle(KindArticle, func(ctx context.Context, j *store.Job) error {
		if j.Attempts != 1 {
			mu.Lock()
			attempts = append(attempts, fmt.Sprintf("job %d at attempt %d", j.ID, j.Attempts))
			mu.Unlock()
		}
		return p.handleArticle(ctx, j)
	})

	ids := map[string]int64{}
	add := func(name, u string) {
		// As an import adds it: named, on the pipeline's poll interval.
		src := newSource(t, st, u, "en")
		src.Name, src.PollInterval = name, interval
		if err := st.UpdateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		ids[name] = src.ID
	}
	for _, s := range normals {
		add(s.name, s.URL+"/feed.xml")
		normalIDs[ids[s.name]] = true
	}
	add(slow.name, slow.URL+"/feed.xml")
	for name, h := range hostile {
		add(name, h.URL+"/feed.xml")
	}

	var peak, livePeak atomic.Uint64
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
		metrics.Read(live)
		if v := live[0].Value.Uint64(); v > livePeak.Load() {
			livePeak.Store(v)
		}
	}

	runErr := make(chan error, 1)
	go func() { runErr <- r.Run(ctx) }()
	// The scheduler of `serve`, ticking faster, until every normal site has
	// published all its items and every hostile source has failed.
	finished := func() bool {
		for _, s := range normals {
			if int(s.shown.Load()) < normalMax {
				return false
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for name := range hostile {
			if failures[ids[name]] == 0 {
				return false
			}
		}
		return true
	}
	for !finished() {
		if ctx.Err() != nil {
			t.Fatalf("the soak did not finish: normal sites showed %d/%d/%d of %d items; failures %v",
				normals[0].shown.Load(), normals[1].shown.Load(), normals[2].shown.Load(), normalMax, failures)
		}
		if _, err := p.EnqueueDue(ctx); err != nil {
			t.Fatal(err)
		}
		sample()
		time.Sleep(tick)
	}
	// No new polls now; let the queue drain (the slow host's pages, the
	// last articles), still sampling memory.
	for {
		c, err := st.JobCounts(ctx, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sample()
		if c.Queued == 0 && c.Running == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the queue did not drain: %+v", c)
		}
		time.Sleep(tick)
	}
	cancel()
	<-runErr

	mu.Lock()
	defer mu.Unlock()
	bg := context.Background()
	// Nothing lost: every item published by a normal or slow site is stored,
	// and every page was asked for once.
	for _, s := range append(append([]*newsSite(nil), normals...), slow) {
		id := ids[s.name]
		page, err := st.Articles(bg, store.ArticleQuery{SourceID: id, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		shown := int(s.shown.Load())
		if len(page.Articles) != shown {
			t.Errorf("%s: %d articles stored, want the %d it published", s.name, len(page.Articles), shown)
		}
		if n := int(s.pageHits.Load()); n != shown {
			t.Errorf("%s: %d page requests, want %d (each page once)", s.name, n, shown)
		}
		if failures[id] > 0 {
			t.Errorf("%s: %d failed polls", s.name, failures[id])
		}
	}
	minNormalPolls := -1
	for _, s := range normals {
		id := ids[s.name]
		// Keeping the schedule: the normal sources are polled again and
		// again while the hanging host holds a worker (it lets go only
		// then, or at the fetch timeout), and while the others back off. (How late a due poll ran
		// is logged below; it depends on the machine's load, so it is not
		// checked.)
		if duringHang[id] < hangPolls {
			t.Errorf("%s: polled %d times while a request to the hanging host was open, want at least %d", s.name, duringHang[id], hangPolls)
		}
		if minNormalPolls < 0 || polls[id] < minNormalPolls {
			minNormalPolls = polls[id]
		}
	}
	if len(artFail) > 0 {
		t.Errorf("article failures: %v", artFail)
	}
	if len(attempts) > 0 {
		t.Errorf("article jobs spent attempts: %v", attempts)
	}
	// The hostile sources failed as sources, backing off: bounded requests.
	for name, h := range hostile {
		id := ids[name]
		src, err := st.Source(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d requests, %d bytes sent, %d polls ok, %d failed; last error: %.160s", name, h.hits.Load(), h.bytes.Load(), polls[id], failures[id], src.LastError)
		// At most two requests a poll (robots.txt and the feed), and the
		// backoff polls a failing source less often than the normal ones,
		// which were polled on the same clock.
		if n := h.hits.Load(); n > 2*int64(polls[id]+failures[id]) {
			t.Errorf("%s: %d requests in %d polls", name, n, polls[id]+failures[id])
		}
		if failures[id] > 1 && polls[id]+failures[id] >= minNormalPolls {
			t.Errorf("%s: polled %d times (%d failed) while the normal sources were polled %d times or more: hostile sources must back off",
				name, polls[id]+failures[id], failures[id], minNormalPolls)
		}
		if failures[id] == 0 || src.LastError == "" {
			t.Errorf("%s: the poll did not fail with a recorded error (%d failures, last error %q)", name, failures[id], src.LastError)
		}
	}
	if e := hostile["endless"].bytes.Load(); e > hostile["endless"].hits.Load()*(maxBytes+16<<20) {
		t.Errorf("the endless body sent %d bytes in %d requests: the size limit did not stop reading", e, hostile["endless"].hits.Load())
	}
	c, err := st.JobCounts(bg, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Dead != 0 {
		t.Errorf("jobs %+v: none may be dead", c)
	}
	t.Logf("heap in use: %d MiB before, %d MiB at the peak (live after a collection: %d MiB at most); polls %v (%v while the hanging host held one), worst lateness %v, longest normal poll %v",
		base.HeapInuse>>20, peak.Load()>>20, livePeak.Load()>>20, polls, duringHang, late, slowestPoll)
	// Issue 13: a 20 MB hostile feed costs at most 100 MB extra, several
	// at once well under 400 MB for the process. Here the deep feed and the
	// endless body (each read whole, to the 24 MB limit, before anything
	// parses it) may be in memory at once, with everything else going on.
	// What the peak holds is mostly garbage not yet collected: the heap
	// live after a collection peaked 30-55 MiB above the start (the bodies
	// in flight), while the heap in use, which the collector (GOGC 100)
	// lets grow to twice the live heap before it runs, peaked 110-140 MiB
	// above it, depending on when collections fell (docs/benchmarks.md,
	// "mend2"). The garbage was less the bodies than their copies: the test
	// server's 20 MB per request, and fetch joining a body cut off at the
	// limit before throwing it away; neither is made now.
	if extra := int64(peak.Load()) - int64(base.HeapInuse); extra > 300<<20 {
		t.Errorf("the heap grew by %d MiB during the soak, want under 300 MiB", extra>>20)
	}
}

// hostileSite is a source on its own loopback address whose every request
// is answered by one hostile handler.
type hostileSite struct {
	*httptest.Server
	hits  atomic.Int64
	bytes atomic.Int64
	open  atomic.Int64 // requests being answered now
}

func startHostile(t *testing.T, ip int, h func(s *hostileSite, w http.ResponseWriter, r *http.Request)) *hostileSite {
	t.Helper()
	s := &hostileSite{}
	s.Server = serveOn(t, ip, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.open.Add(1)
		defer s.open.Add(-1)
		h(s, w, r)
	}))
	return s
}

func (s *hostileSite) write(w http.ResponseWriter, b []byte) error {
	n, err := w.Write(b)
	s.bytes.Add(int64(n))
	return err
}

// hangUntil answers nothing until release is closed (or the client gives
// up), then drops the connection unanswered.
func hangUntil(release <-chan struct{}) func(*hostileSite, http.ResponseWriter, *http.Request) {
	return func(_ *hostileSite, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = c.Close()
		}
	}
}

func malformed(s *hostileSite, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	_ = s.write(w, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><title>a &bogus; <b>unclosed</channel></item>`+"\x00\x01"))
}

// endless streams a feed that never ends, until the reader hangs up.
func endless(s *hostileSite, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/rss+xml")
	chunk := []byte(strings.Repeat("<item><title>more</title></item>", 2048))
	if s.write(w, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>`)) != nil {
		return
	}
	for r.Context().Err() == nil {
		if s.write(w, chunk) != nil {
			return
		}
	}
}

// deepFeed is an RSS feed whose item carries an extension element nested
// levels deep, the shape that made gofeed take gigabytes (issue 13 item 2).
func deepFeed(levels int) func(*hostileSite, http.ResponseWriter, *http.Request) {
	// Made once, as bytes: converting a 20 MB string on each request put
	// 20 MB of the test server's garbage in the heap the soak measures.
	body := []byte(`<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><title>Deep</title><item><title>Deep</title><description>Deep item.</description>` +
		strings.Repeat("<x:a>", levels) + strings.Repeat("</x:a>", levels) + `</item></channel></rss>`)
	return func(s *hostileSite, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_ = s.write(w, body)
	}
}
