package fetch

import (
	"context"
	"sync"
	"time"
)

// hostLimiter keeps us polite to each host: at most `concurrency` requests in
// flight, and request starts at least `delay` apart (or the host's
// robots.txt Crawl-delay, whichever is longer).
type hostLimiter struct {
	concurrency int
	delay       time.Duration

	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	slots      chan struct{} // buffered; a value in it is a request in flight
	nextStart  time.Time     // earliest start for the next request (reserved under hostLimiter.mu)
	crawlDelay time.Duration // robots.txt floor for the gap
	users      int           // goroutines holding or waiting for this state; guards pruning
}

// pruneAbove bounds the map: when it grows past this, idle hosts whose pacing
// window has passed are forgotten (forgetting them loses nothing).
const pruneAbove = 4096

func newHostLimiter(concurrency int, delay time.Duration) *hostLimiter {
	return &hostLimiter{concurrency: concurrency, delay: delay, hosts: make(map[string]*hostState)}
}

func (l *hostLimiter) state(host string) *hostState {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.hosts[host]
	if st == nil {
		if len(l.hosts) >= pruneAbove {
			now := time.Now()
			for h, s := range l.hosts {
				if s.users == 0 && now.After(s.nextStart) && s.crawlDelay == 0 {
					delete(l.hosts, h)
				}
			}
		}
		st = &hostState{slots: make(chan struct{}, l.concurrency)}
		l.hosts[host] = st
	}
	st.users++
	return st
}

func (l *hostLimiter) unuse(st *hostState) {
	l.mu.Lock()
	st.users--
	l.mu.Unlock()
}

// setCrawlDelay records a robots.txt Crawl-delay for host.
func (l *hostLimiter) setCrawlDelay(host string, d time.Duration) {
	st := l.state(host)
	l.mu.Lock()
	st.crawlDelay = d
	l.mu.Unlock()
	l.unuse(st)
}

// acquire waits for a free slot and for the host's pacing window, both
// abandonable through ctx. On success the caller must call release once the
// response body is consumed.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	st := l.state(host)
	select {
	case st.slots <- struct{}{}:
	case <-ctx.Done():
		l.unuse(st)
		return nil, ctx.Err()
	}
	release = func() {
		<-st.slots
		l.unuse(st)
	}

	// Reserve a start time under the lock so concurrent waiters queue up
	// one gap apart instead of all waking at the same instant.
	l.mu.Lock()
	gap := max(l.delay, st.crawlDelay)
	now := time.Now()
	start := now
	if st.nextStart.After(now) {
		start = st.nextStart
	}
	if dl, ok := ctx.Deadline(); ok && start.After(dl) {
		// The window comes after this request's deadline: don't book a
		// slot it can never use, or a queue of doomed waiters would push
		// every later request past its deadline too.
		l.mu.Unlock()
		release()
		return nil, context.DeadlineExceeded
	}
	if gap > 0 {
		st.nextStart = start.Add(gap)
	}
	l.mu.Unlock()

	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			// Give the window back if nobody queued behind it, so an
			// abandoned wait does not delay the next request.
			l.mu.Lock()
			if gap > 0 && st.nextStart.Equal(start.Add(gap)) {
				st.nextStart = start
			}
			l.mu.Unlock()
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}
