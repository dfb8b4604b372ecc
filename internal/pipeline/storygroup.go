package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"spektrum/internal/store"
)

// storyFiler files the articles that workers of this process hand to the
// story stage in groups: the first worker to arrive leads, takes every
// article waiting (its own first) and files them one after the other in
// one story transaction (store.StoryStore.InStoryTx), then hands the lead
// to the first worker that arrived meanwhile. Why: the story step is
// serial per database, and on PostgreSQL each step paid a begin, the
// lock, a commit and the lock's hand-over from one backend (and one
// client goroutine, which must be scheduled) to the next; 84–88% of busy
// backends waited on that lock (docs/benchmarks.md, "Ingest, sixth
// pass"). A group pays them once. Nothing waits for a group to fill: a
// group is whoever queued while the previous one ran, so a lone article
// is filed at once, as before. Options.StoryGroup bounds a group: the
// lock (and on SQLite the one write lock) is held for all of it.
//
// The articles of a group are filed in the order they queued, each seeing
// the ones before it, exactly as steps taking turns on the lock in that
// order would; no other step interleaves (the group holds the lock). An
// article whose step fails is taken out and the rest filed again in a
// fresh transaction (fileGroup), so one bad article costs the others a
// retry, not their filing.
type storyFiler struct {
	mu    sync.Mutex
	queue []*fileRequest
	// leading is set while some goroutine files a group or has been
	// handed the lead; cleared only with the queue empty.
	leading bool
}

type fileRequest struct {
	a *store.Article
	// done receives the request's outcome, or the lead. Buffered: the
	// sender never waits.
	done chan fileOutcome
}

type fileOutcome struct {
	err  error
	lead bool // file the queue's head group; the outcome comes later
}

// file files a (through run, which files a group of at most limit articles
// and returns an error per article) and returns its outcome.
func (f *storyFiler) file(ctx context.Context, a *store.Article, limit int, run func(context.Context, []*store.Article) []error) error {
	for {
		retry, err := f.fileOnce(ctx, a, limit, run)
		// A group fails as a whole when its leader's context ends (its
		// job stopped): the others' steps did not fail, so they queue
		// again rather than wait for a retry of their own.
		if !retry || ctx.Err() != nil {
			return err
		}
	}
}

func (f *storyFiler) fileOnce(ctx context.Context, a *store.Article, limit int, run func(context.Context, []*store.Article) []error) (retry bool, err error) {
	r := &fileRequest{a: a, done: make(chan fileOutcome, 1)}
	f.mu.Lock()
	f.queue = append(f.queue, r)
	lead := !f.leading
	f.leading = true
	f.mu.Unlock()
	if !lead {
		select {
		case o := <-r.done:
			if !o.lead {
				return o.err != nil && isContextErr(o.err), o.err
			}
		case <-ctx.Done():
			return false, f.abandon(r, ctx.Err())
		}
	}
	// The leader is the queue's head: it queued into an empty queue, or
	// was handed the lead as the head and the head leaves only here.
	f.mu.Lock()
	group := slices.Clone(f.queue[:min(len(f.queue), limit)])
	f.queue = slices.Delete(f.queue, 0, len(group))
	f.mu.Unlock()
	errs := make([]error, len(group))
	defer func() {
		// Even if run panicked: every member hears, the lead passes on.
		p := recover()
		if p != nil {
			for i := range errs {
				errs[i] = fmt.Errorf("file article %d under a story: panic: %v", group[i].a.ID, p)
			}
		}
		for i, g := range group[1:] {
			g.done <- fileOutcome{err: errs[i+1]}
		}
		f.handOver()
		if p != nil {
			panic(p)
		}
	}()
	arts := make([]*store.Article, len(group))
	for i, g := range group {
		arts[i] = g.a
	}
	copy(errs, run(ctx, arts))
	return false, errs[0]
}

// handOver gives the lead to the queue's head, or drops it.
func (f *storyFiler) handOver() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		f.leading = false
		return
	}
	f.queue[0].done <- fileOutcome{lead: true}
}

// abandon takes r, whose caller stopped waiting, out of the queue. Taken
// into a group already, r waits for the group's outcome (a group ends
// when its statements do); handed the lead, it passes the lead on.
func (f *storyFiler) abandon(r *fileRequest, err error) error {
	f.mu.Lock()
	i := slices.Index(f.queue, r)
	if i < 0 {
		f.mu.Unlock()
		return (<-r.done).err
	}
	f.queue = slices.Delete(f.queue, i, i+1)
	select {
	case o := <-r.done:
		if o.lead {
			f.mu.Unlock()
			f.handOver()
			return err
		}
	default:
	}
	f.mu.Unlock()
	return err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fileGroup files arts, in order, in one story transaction and returns an
// error per article. An article whose step fails is left out and the
// others filed again in a fresh transaction: the transaction is lost with
// the failure (on PostgreSQL nothing more runs in it), and filing the
// rest without it is what steps taking turns would have left, since the
// failed step's writes were rolled back. When what failed is the
// transaction itself (begin, lock, commit) or the context, every article
// gets the error.
func (p *Pipeline) fileGroup(ctx context.Context, arts []*store.Article) []error {
	errs := make([]error, len(arts))
	pending := make([]int, 0, len(arts))
	for i, a := range arts {
		if a.StoryID == 0 { // filed already: it stays where it is
			pending = append(pending, i)
		}
	}
	for len(pending) > 0 {
		failed := -1
		err := p.st.InStoryTx(ctx, func(tx store.StoryTx) error {
			for k, i := range pending {
				if err := p.fileInTx(ctx, tx, arts[i]); err != nil {
					failed = k
					return err
				}
			}
			return nil
		})
		if err == nil {
			return errs
		}
		if failed < 0 || ctx.Err() != nil {
			for _, i := range pending {
				errs[i] = fmt.Errorf("file article %d under a story: %w", arts[i].ID, err)
			}
			return errs
		}
		i := pending[failed]
		errs[i] = fmt.Errorf("file article %d under a story: %w", arts[i].ID, err)
		pending = slices.Delete(pending, failed, failed+1)
	}
	return errs
}
