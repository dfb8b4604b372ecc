package fetch

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// hostLimiter keeps us polite to each host: at most `concurrency` requests in
// flight, and requests sent at least `delay` apart (or the host's robots.txt
// Crawl-delay, whichever is longer).
//
// The gap is measured from the moment the previous request was actually
// written to its connection, not from a start time booked in advance: a
// booked schedule lets a request that left late (a slow dial, a goroutine
// that woke late on a busy machine) arrive right before the next one, which
// left on time. So only one request to a host is "on its way" (left the
// limiter, not yet written) at a time, and the next window opens a gap after
// it was written.
//
// Callers either wait for their turn (acquire with wait) or, as queue
// workers do, ask without waiting and hear when to come back (a *busyError):
// a worker must not sit idle on one busy host while other hosts' work waits.
// The limits are per process: several processes each keep their own.
type hostLimiter struct {
	concurrency int
	delay       time.Duration

	mu    sync.Mutex
	hosts map[string]*hostState
}

type hostState struct {
	inFlight   []*hostTicket // requests holding a slot, oldest first
	sending    *hostTicket   // the request on its way (left the limiter, not yet written); nil if none
	nextStart  time.Time     // the pacing window: earliest send of the next request
	promised   time.Time     // the latest time a busy answer told a caller to come back
	promises   []time.Time   // the turns busy answers gave, oldest first, until their callers came back
	avg        time.Duration // moving average of how long a request holds a slot; 0 until one finished
	crawlDelay time.Duration // robots.txt floor for the gap
	users      int           // goroutines holding or asking for this state; guards pruning
	changed    chan struct{} // closed (and replaced) when a slot frees or a request was sent
}

// hostTicket is one request's hold on a slot.
type hostTicket struct {
	l     *hostLimiter
	st    *hostState
	host  string
	start time.Time
	done  bool
}

const (
	// pruneAbove bounds the map: when it grows past this, idle hosts whose
	// pacing window has passed are forgotten (forgetting them loses nothing).
	pruneAbove = 4096
	// minBusyRetry is the shortest "come back in": sooner would only have
	// the caller ask again for nothing.
	minBusyRetry = 100 * time.Millisecond
)

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
				if s.users == 0 && now.After(s.nextStart) && now.After(s.promised) && s.crawlDelay == 0 {
					delete(l.hosts, h)
				}
			}
		}
		st = &hostState{changed: make(chan struct{})}
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
	st.users--
	l.mu.Unlock()
}

// gap is the pacing gap for st; call with l.mu held.
func (l *hostLimiter) gap(st *hostState) time.Duration { return max(l.delay, st.crawlDelay) }

// gapFor is the pacing gap for host.
func (l *hostLimiter) gapFor(host string) time.Duration {
	st := l.state(host)
	l.mu.Lock()
	defer l.mu.Unlock()
	st.users--
	return l.gap(st)
}

// broadcast wakes every waiter of st; call with l.mu held.
func broadcast(st *hostState) {
	close(st.changed)
	st.changed = make(chan struct{})
}

// acquire takes a slot for one request to host. With wait it waits for a free
// slot and the pacing window, abandonable through ctx; a window that opens
// only after ctx's deadline fails at once with a *busyError instead of
// holding the caller for nothing. Without wait it never waits: a busy host
// gives a *busyError saying when to come back.
//
// On success the caller must call sent once the request is written and
// release once the response body is consumed (release alone if it never got
// that far).
func (l *hostLimiter) acquire(ctx context.Context, host string, wait bool) (*hostTicket, error) {
	st := l.state(host)
	first, hasTurn := true, false
	var onItsWaySince time.Time // when a caller that does not wait began waiting for a write
	for {
		l.mu.Lock()
		now := time.Now()
		if first && !wait {
			hasTurn = l.takeTurn(st, now)
			first = false
		}
		slotFree := len(st.inFlight) < l.concurrency && st.sending == nil
		if slotFree && !now.Before(st.nextStart) {
			t := &hostTicket{l: l, st: st, host: host, start: now}
			st.inFlight = append(st.inFlight, t)
			st.sending = t
			l.mu.Unlock()
			return t, nil
		}
		canWait := slotFree && st.nextStart.Sub(now) <= l.waitFor(st, hasTurn)
		if !slotFree && st.sending != nil && len(st.inFlight) < l.concurrency && l.gap(st) == 0 {
			// With no gap to keep, the request on its way holds the next
			// one back only until it is written, a moment: wait for that
			// rather than be sent away for minBusyRetry (a poll batch on
			// another worker sending the same host's feeds in turn would
			// have its poll deferred for nothing). Only for maxShortWait,
			// though: the request ahead may be dialling a host that drops
			// connections, for up to the fetch timeout, and a caller that
			// does not wait must not be held that long.
			if onItsWaySince.IsZero() {
				onItsWaySince = now
			}
			canWait = now.Sub(onItsWaySince) < maxShortWait
		}
		if !wait && !canWait {
			err := l.busy(st, host, now)
			st.promised = err.until
			st.promises = append(st.promises, err.until)
			st.users--
			l.mu.Unlock()
			return nil, err
		}
		// The earliest moment anything can go: the pacing window, and a gap
		// after the request on its way (which is not written yet).
		earliest := st.nextStart
		if st.sending != nil {
			earliest = later(earliest, now.Add(l.gap(st)))
		}
		if dl, ok := ctx.Deadline(); ok && earliest.After(dl) {
			err := l.busy(st, host, now)
			st.users--
			l.mu.Unlock()
			return nil, err
		}
		changed := st.changed
		l.mu.Unlock()

		var timer *time.Timer
		var fire <-chan time.Time
		if slotFree {
			timer = time.NewTimer(earliest.Sub(now))
			fire = timer.C
		} else if !wait && !onItsWaySince.IsZero() {
			timer = time.NewTimer(maxShortWait - now.Sub(onItsWaySince))
			fire = timer.C
		}
		select {
		case <-changed:
		case <-fire:
		case <-ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			l.unuse(st)
			return nil, ctx.Err()
		}
	}
}

// shortWait is how long a caller that does not wait waits all the same
// for a free slot's pacing window: a caller told to come back when the
// window opens finds it a few milliseconds later than said whenever the
// request before it took that long to be written (the window counts from
// the write). Sent away again, it would queue behind every caller told
// since, and the window would pass unused (a farm of 4 hosts at 2 s got
// 52% of hosts÷delay, 72% with the wait). Waiting a fraction of the gap
// costs a worker little. Call with l.mu held.
func (l *hostLimiter) shortWait(st *hostState) time.Duration {
	return min(l.gap(st)/4, maxShortWait)
}

// waitFor is how long a caller that does not wait waits for a free slot's
// pacing window: shortWait, or a whole gap for a caller coming back for a
// turn a busy answer gave it. Each window opens a gap after the request
// before it was written, so on a loaded machine the windows drift later
// than the turns promised at the start of a long queue (tens of ms a
// window); a caller on time for its turn but past shortWait would be sent
// to the back and its window would pass unused. Call with l.mu held.
func (l *hostLimiter) waitFor(st *hostState, hasTurn bool) time.Duration {
	if hasTurn {
		return l.gap(st)
	}
	return l.shortWait(st)
}

// takeTurn reports whether a caller arriving at now is one a busy answer
// told to come back about now (its turn is at most shortWait away), and if
// so crosses that turn off. Turns a gap past that nobody came back for
// (the job was deleted, or ran elsewhere) are forgotten. Callers are not
// told apart: whoever arrives first for a turn takes it. Call with l.mu
// held.
func (l *hostLimiter) takeTurn(st *hostState, now time.Time) bool {
	gap := l.gap(st)
	i := 0
	for i < len(st.promises) && st.promises[i].Before(now.Add(-gap)) {
		i++
	}
	st.promises = st.promises[i:]
	if len(st.promises) > 0 && !st.promises[0].After(now.Add(l.shortWait(st))) {
		st.promises = st.promises[1:]
		return true
	}
	return false
}

// maxShortWait caps shortWait for long gaps (a robots.txt Crawl-delay).
const maxShortWait = 250 * time.Millisecond

// busy says when st is worth asking again; call with l.mu held. Answers are
// staggered behind earlier ones, so the callers told to come back arrive one
// window apart rather than all at once.
func (l *hostLimiter) busy(st *hostState, host string, now time.Time) *busyError {
	gap := l.gap(st)
	until := st.nextStart
	reason := fmt.Sprintf("the host %s takes its next request %s after the last one (per-host delay)", host, gap)
	if st.sending != nil {
		until = later(until, now.Add(gap))
	}
	step := gap
	if len(st.inFlight) >= l.concurrency {
		reason = fmt.Sprintf("the host %s has %d requests in flight, the per-host limit", host, len(st.inFlight))
		// The oldest request is expected to finish when it has taken as
		// long as requests to this host take on average; once it has run
		// past that (or before any finished), after as long again as it
		// has taken so far: a few questions per slow request, not one
		// every moment.
		elapsed := now.Sub(st.inFlight[0].start)
		free := now.Add(st.avg - elapsed)
		if st.avg <= elapsed {
			free = now.Add(elapsed)
		}
		until = later(until, free)
		// Slots free about every est/concurrency: one caller per free slot.
		step = max(gap, max(st.avg, elapsed)/time.Duration(l.concurrency))
	}
	if !st.promised.Before(now) {
		until = later(until, st.promised.Add(step))
	}
	until = later(until, now.Add(minBusyRetry))
	// A caller told to come back at until arrives late by however long it
	// takes to be woken and claim its job again, and since each window opens
	// a gap after the last request was written, that lateness adds up over
	// every request to the host (on a loaded machine 50–100 ms a 2 s gap).
	// So a caller held back only by the pacing comes back a little early,
	// within shortWait, and acquire has it wait the rest: the window is
	// used when it opens. (Held back by the slots, it comes back when one
	// should be free: early, it would find none and go to the back.)
	retry := until
	if len(st.inFlight) < l.concurrency {
		retry = later(until.Add(-l.shortWait(st)/2), now.Add(minBusyRetry))
	}
	return &busyError{until: until, retry: retry, reason: reason}
}

// sent records that t's request was written at at: the next window to the
// host opens a gap later. Safe to call more than once and after release.
func (t *hostTicket) sent(at time.Time) {
	l, st := t.l, t.st
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.sending != t {
		return
	}
	st.sending = nil
	st.nextStart = later(st.nextStart, at.Add(l.gap(st)))
	broadcast(st)
}

// release gives t's slot back.
func (t *hostTicket) release() {
	l, st := t.l, t.st
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.done {
		return
	}
	t.done = true
	now := time.Now()
	if st.sending == t {
		// Never written (the dial failed, the caller gave up): it may still
		// have reached the host, so the gap counts from now.
		st.sending = nil
		st.nextStart = later(st.nextStart, now.Add(l.gap(st)))
	}
	st.inFlight = slices.DeleteFunc(st.inFlight, func(x *hostTicket) bool { return x == t })
	d := now.Sub(t.start)
	if st.avg == 0 {
		st.avg = d
	} else {
		st.avg = (3*st.avg + d) / 4
	}
	st.users--
	broadcast(st)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// busyError says a host cannot take a request now, and when to ask again.
type busyError struct {
	until  time.Time // the caller's turn (what busy answers are staggered by)
	retry  time.Time // when to come back: until, or a little before it to wait for it
	reason string
}

// retryAt is when the caller should ask again.
func (e *busyError) retryAt() time.Time {
	if e.retry.IsZero() {
		return e.until
	}
	return e.retry
}

func (e *busyError) Error() string { return e.reason }
