package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// flushEvery is how long the unchanged polls of a batch wait to be written
// while other polls of the batch still run: a slow feed (up to the fetch
// timeout) holds the others' records no longer than this.
const flushEvery = time.Second

// handlePolls polls a batch of sources claimed together. Most polls find
// their feed unchanged (304), and such a poll is only its request: the
// batch reads its sources in one query, sends the conditional requests
// (PollConcurrency at a time; the fetch client's per-host delay and
// connection limit still hold, a busy host defers its poll as before), and
// records the unchanged ones — next poll, last checked, the job's
// completion — in one transaction for all of them. A poll that finds
// something (new items, an error, a moved feed) goes on alone as it always
// did, and its outcome is its own: one feed's error holds no other.
//
// With no per-host delay, the batch's feeds of one host go one after the
// other, the hosts side by side. A batch is claimed in queue order, which
// holds a host's feeds together (they were queued together); sent all at
// once they found the host busy with their neighbours (its one request on
// its way, its connections taken) and were deferred, to be claimed, read
// and deferred again, though each could have gone the moment the one
// before it was answered. One after the other, each finds the host free
// and reuses the connection the one before kept alive. A host with a delay
// is asked for all of its feeds at once, as before: it takes one, and the
// others wait for their turns (a caller back for its turn waits alongside
// the one before it, not after it) or are deferred to them.
func (p *Pipeline) handlePolls(ctx context.Context, js []*store.Job) []error {
	outs := make([]error, len(js))
	srcIDs := make([]int64, len(js))
	var ids []int64
	for i, j := range js {
		var pl pollPayload
		if err := json.Unmarshal(j.Payload, &pl); err != nil {
			outs[i] = jobs.Permanent(fmt.Errorf("poll job payload: %w", err))
			continue
		}
		srcIDs[i] = pl.SourceID
		ids = append(ids, pl.SourceID)
	}
	srcs, err := p.st.SourcesByID(ctx, ids)
	if err != nil {
		for i := range outs {
			if outs[i] == nil {
				outs[i] = err
			}
		}
		return outs
	}
	byID := make(map[int64]*store.Source, len(srcs))
	for i := range srcs {
		byID[srcs[i].ID] = &srcs[i]
	}

	un := &unchanged{p: p, worker: js[0].LockedBy, failed: map[int]error{}}
	stopFlusher := un.flushEvery(ctx, flushEvery)
	sem := make(chan struct{}, p.opts.PollConcurrency)
	var wg sync.WaitGroup
	poll := func(i int) (timedOut bool) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			outs[i] = ctx.Err()
			return false
		}
		defer func() { <-sem }()
		timedOut, outs[i] = p.pollOne(ctx, i, js[i], byID[srcIDs[i]], un)
		return timedOut
	}
	for _, run := range byHost(js, srcIDs, byID, outs) {
		if len(run) > 1 && p.fc.HostGap(fetch.HostKey(byID[srcIDs[run[0]]].URL)) > 0 {
			// With a delay the host takes one of them now and gives the
			// others turns a delay apart: asked together, as before, a
			// caller back for its turn waits for its window alongside the
			// one before it rather than after it.
			for _, i := range run {
				wg.Go(func() { poll(i) })
			}
			continue
		}
		wg.Go(func() {
			for k, i := range run {
				start := time.Now()
				if !poll(i) {
					continue
				}
				// The host let this poll time out. Its other feeds would each
				// wait as long in turn, holding this worker and a poll slot
				// (a batch of 64 on a host that accepts and never answers:
				// half an hour). They go back to the queue for as long as
				// this one waited, not counted as failures: each takes its
				// own turn later, between other work.
				until := p.opts.Now().Add(time.Since(start))
				for _, rest := range run[k+1:] {
					outs[rest] = fmt.Errorf("another feed of its host timed out in this batch: %w", jobs.Defer(until))
				}
				return
			}
		})
	}
	wg.Wait()
	stopFlusher()
	un.flush(ctx)
	for i, err := range un.failed {
		outs[i] = err
	}
	return outs
}

// byHost groups the places of a batch's polls to send by the host each
// feed is on (as the fetch client's limiter counts hosts), in the order
// they were claimed; a bad payload or a source removed since it was
// queued (which completes) is left out.
func byHost(js []*store.Job, srcIDs []int64, byID map[int64]*store.Source, outs []error) [][]int {
	var runs [][]int
	at := map[string]int{} // a host's run in runs
	for i := range js {
		src := byID[srcIDs[i]]
		if outs[i] != nil || src == nil {
			continue
		}
		h := fetch.HostKey(src.URL)
		k, ok := at[h]
		if !ok {
			k = len(runs)
			at[h] = k
			runs = append(runs, nil)
		}
		runs[k] = append(runs[k], i)
	}
	return runs
}

// handlePoll is a batch of one poll.
func (p *Pipeline) handlePoll(ctx context.Context, j *store.Job) error {
	return p.handlePolls(ctx, []*store.Job{j})[0]
}

// pollOne polls one source of a batch: an unchanged feed is handed to un
// and its job reported Completed (or failed by handlePolls if un's write
// fails); anything else is recorded here, as a poll alone would be.
//
// timedOut reports that the host took the request and did not answer it
// within the fetch timeout.
func (p *Pipeline) pollOne(ctx context.Context, i int, j *store.Job, src *store.Source, un *unchanged) (timedOut bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = jobs.Permanent(fmt.Errorf("panic in poll of source %d: %v", src.ID, r))
		}
	}()
	resp, err := p.fc.Get(ctx, pollRequest(src))
	var fe *fetch.Error
	timedOut = errors.As(err, &fe) && fe.Kind == fetch.Timeout
	if err == nil && resp.NotModified {
		now := p.opts.Now()
		un.add(i, store.UnchangedPoll{
			JobID: j.ID, SourceID: src.ID, ETag: resp.ETag, LastModified: resp.LastModified,
			PolledAt: now, NextPollAt: now.Add(jitter(interval(src, p.opts.PollInterval))),
		}, Event{Kind: SourcePolled, SourceID: src.ID, Source: src.Name, URL: src.URL})
		return false, jobs.Completed()
	}
	queued := 0
	if err == nil {
		queued, err = p.readFeed(ctx, src, resp)
	}
	return timedOut, p.recordPoll(ctx, src, queued, err)
}

// unchanged gathers a batch's unchanged polls and writes them together.
type unchanged struct {
	p      *Pipeline
	worker string

	mu      sync.Mutex
	polls   []store.UnchangedPoll
	events  []Event
	index   []int         // each poll's place in the batch
	failed  map[int]error // polls whose write failed, by place
	writing sync.Mutex    // one flush at a time, in order
}

func (u *unchanged) add(i int, poll store.UnchangedPoll, e Event) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.polls = append(u.polls, poll)
	u.events = append(u.events, e)
	u.index = append(u.index, i)
}

// flush writes the polls gathered so far in one transaction. A failed
// write fails their jobs, to be retried after the usual backoff.
func (u *unchanged) flush(ctx context.Context) {
	u.writing.Lock()
	defer u.writing.Unlock()
	u.mu.Lock()
	polls, events, index := u.polls, u.events, u.index
	u.polls, u.events, u.index = nil, nil, nil
	u.mu.Unlock()
	if len(polls) == 0 {
		return
	}
	// A batch cut short by shutdown still records the polls it made.
	err := u.p.st.RecordUnchangedPolls(context.WithoutCancel(ctx), u.worker, polls)
	if err != nil {
		u.p.opts.Logger.Warn("record unchanged polls", "polls", len(polls), "err", err)
		u.mu.Lock()
		for _, i := range index {
			u.failed[i] = err
		}
		u.mu.Unlock()
		return
	}
	for _, e := range events {
		u.p.opts.Events(e)
	}
}

// flushEvery flushes every d until the returned stop is called.
func (u *unchanged) flushEvery(ctx context.Context, d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				u.flush(ctx)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
