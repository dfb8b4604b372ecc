package pagecache

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"spektrum/internal/store"
)

// Store is what the cache needs of the database: the page generation.
type Store interface {
	PageGeneration(ctx context.Context) (int64, error)
}

// ScopedStore is a Store that also says what each move of the generation
// touched (internal/store's PageChanges, migration 0032): the current
// generation and, read in the same statement, the scopes of each
// generation after after. A generation in (after, gen] without scopes
// touched everything. With it, an entry whose page registered its scopes
// (Scope) outlives the moves that touched none of them.
//
// epoch changes when the database may have lost commits it had answered
// for (internal/store: a PostgreSQL crash loses the asynchronous commits
// of store.LaterDurable, and new writes reuse their generations): the
// cache then ends every entry, as when the generation goes back. A Store
// without PageChanges must never lose a generation it has answered.
type ScopedStore interface {
	Store
	PageChanges(ctx context.Context, after int64) (gen int64, epoch string, scopes map[int64][]string, err error)
}

// maxMoves is how many generations' scopes a cache remembers, for entries
// rendered while the generation moved (store); older moves touch all. As
// many as the store reads back: remembering more would keep nothing more.
const maxMoves = store.MaxPageChanges

// Options configures a cache. Zero values get the defaults in brackets.
type Options struct {
	MaxBytes int64 // memory for bodies and headers [64 MiB]
	// Poll is how often the generation is read [250 ms]; Stale how old
	// the last successful read may be before entries are no longer
	// served [1 s]: the longest a change stays invisible on this node.
	Poll, Stale time.Duration
	// MaxStale bounds stale-while-revalidate [5 × Stale]: while another
	// request renders a page anew, its readers are answered from the last
	// rendering up to MaxStale after the changes that rendering lacks,
	// instead of queueing behind a rendering slower than Stale (a node
	// under overload). A reader no rendering is under way for gets the
	// page within Stale, as always. MaxStale = Stale turns this off.
	MaxStale time.Duration
	// MaxAge bounds an entry's life when no write changes it [60 s];
	// ShortMaxAge that of errors and redirects [10 s].
	MaxAge, ShortMaxAge time.Duration
	// Webhook, when set, is POSTed {"generation":N} each time this node
	// sees the generation change, e.g. to purge a CDN. Every node with it
	// set calls it; set it on one.
	Webhook    string
	HTTPClient *http.Client // for the webhook [a client with a 10 s timeout]
	Logger     *slog.Logger
	Now        func() time.Time
}

const (
	defaultMaxBytes    = 64 << 20
	defaultPoll        = 250 * time.Millisecond
	defaultStale       = time.Second
	defaultMaxStale    = 5 // × Stale
	defaultMaxAge      = 60 * time.Second
	defaultShortMaxAge = 10 * time.Second
	minGzip            = 512     // smaller bodies gain nothing from gzip
	entryOverhead      = 1 << 10 // map, list and header bookkeeping, roughly
	maxEntryShare      = 8       // no entry takes more than 1/8 of MaxBytes
	webhookTimeout     = 10 * time.Second
	maxBodyBytes       = 16 << 20 // a larger answer is passed through, not kept
	// An ended generation's copy is rendered anew from Stale/minLeadShare
	// to Stale/maxLeadShare before its deadline (see lead).
	minLeadShare = 4
	maxLeadShare = 2
)

// Cache is one web node's page cache. Make it with New, run Run, put Front
// around the site's handler and Route around each route that opts in.
type Cache struct {
	st  Store
	o   Options
	log *slog.Logger

	// Times are nanoseconds since epoch on the monotonic clock, so a
	// wall-clock step cannot stretch the staleness bound.
	epoch   time.Time
	gen     atomic.Int64 // the generation last read
	checked atomic.Int64 // when the last successful read started

	mu      sync.Mutex
	entries map[key]*list.Element // of *entry
	lru     list.List             // front = most recently used
	bytes   int64
	flight  map[key]*call

	hits, misses atomic.Uint64
	// aside counts the requests rendered uncached because the last
	// successful read of the generation was older than Stale; asideSince
	// is when that began (0: it has not), for one log line per episode.
	aside      atomic.Uint64
	asideSince atomic.Int64

	readMu  sync.Mutex
	reading *readCall // a read of the generation under way for requests (readNow)

	// The moves read, under mu: moves[g] is what generation g touched (nil:
	// everything) for every g in (movesFloor, gen]; what lies at or below
	// movesFloor touched everything, as far as this node knows.
	moves      map[int64][]string
	movesFloor int64
	// dbEpoch is the epoch of the last read (ScopedStore), under mu;
	// resetAt is when the last read that found the generations this node
	// knew gone (an epoch changed, the generation went back) returned: a
	// rendering begun before may show what the database lost.
	dbEpoch string
	resetAt int64
	kept    atomic.Uint64 // entries kept across moves that touched none of their scopes

	// gzips holds gzip writers between renderings: a new one at
	// BestCompression allocates about 1 MB of tables, and while an
	// ingest moves the generation a node renders several pages a second,
	// so each rendering's writer made most of what its collector had to
	// do (docs/benchmarks.md, "Load while working, fifth pass").
	gzips sync.Pool // of *gzip.Writer
}

type readCall struct {
	done chan struct{}
	err  error
}

type key struct{ path, query string }

type call struct {
	began int64 // on the cache's clock: the rendering holds every change committed before
	done  chan struct{}
	e     *entry // nil: the answer was not cacheable
}

// New makes a cache reading the generation from st.
func New(st Store, o Options) (*Cache, error) {
	if st == nil {
		return nil, errors.New("pagecache: a store is required")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = defaultMaxBytes
	}
	if o.Poll <= 0 {
		o.Poll = defaultPoll
	}
	if o.Stale <= 0 {
		o.Stale = defaultStale
	}
	if o.Stale < o.Poll {
		return nil, fmt.Errorf("pagecache: Stale (%s) must be at least Poll (%s), or entries would lapse between reads", o.Stale, o.Poll)
	}
	if o.MaxStale == 0 {
		o.MaxStale = defaultMaxStale * o.Stale
	}
	if o.MaxStale < o.Stale {
		return nil, fmt.Errorf("pagecache: MaxStale (%s) must be at least Stale (%s)", o.MaxStale, o.Stale)
	}
	if o.MaxAge <= 0 {
		o.MaxAge = defaultMaxAge
	}
	if o.ShortMaxAge <= 0 {
		o.ShortMaxAge = defaultShortMaxAge
	}
	if o.Webhook != "" && !strings.HasPrefix(o.Webhook, "http://") && !strings.HasPrefix(o.Webhook, "https://") {
		return nil, fmt.Errorf("pagecache: the purge webhook %q must be an http(s) URL", o.Webhook)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: webhookTimeout}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Cache{st: st, o: o, log: o.Logger.With("component", "pagecache"), epoch: o.Now(),
		entries: map[key]*list.Element{}, flight: map[key]*call{}, moves: map[int64][]string{}}, nil
}

// Run reads the generation every Poll until ctx ends. Until the first
// read succeeds, and whenever reads fail for longer than Stale, nothing is
// served from the cache.
func (c *Cache) Run(ctx context.Context) error {
	t := time.NewTicker(c.o.Poll)
	defer t.Stop()
	failing := false
	for {
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			if !failing {
				c.log.WarnContext(ctx, "read page generation; serving uncached pages until it works", "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		select {
		case <-ctx.Done():
			// What the node's cache did, for benchmarks (scripts/bench-load.sh
			// counts the renderings of a run with it).
			st := c.Stats()
			c.log.Info("page cache stopped", "hits", st.Hits, "misses", st.Misses, "aside", st.Aside, "kept", st.Kept)
			return nil
		case <-t.C:
		}
	}
}

// Refresh reads the generation once. On a change, the entries of the
// generation that ended get their deadline (Stale after the start of the
// last read that found it current): until then they may answer readers
// while one request renders the page anew (see lookup). Entries past their
// deadline are dropped, and the webhook is called.
//
// Why keep them: on a site that is ingesting, the generation moves several
// times a second, so without them every reader of a popular page would
// queue behind its rendering several times a second (issue 10's load test
// measured p99 3.6× the idle one from that queue).
//
// With a ScopedStore, an entry whose scopes none of the moves since the
// last read touched is stamped with the new generation instead: it is
// still what a rendering now would make (see Scope).
func (c *Cache) Refresh(ctx context.Context) error {
	start := c.clock()
	after := c.gen.Load()
	var (
		g      int64
		epoch  string
		scopes map[int64][]string
		err    error
	)
	if sst, ok := c.st.(ScopedStore); ok {
		g, epoch, scopes, err = sst.PageChanges(ctx, after)
	} else {
		g, err = c.st.PageGeneration(ctx)
	}
	if err != nil {
		return err
	}
	if since := c.asideSince.Swap(0); since != 0 {
		c.log.Warn("the page generation was read again; serving from the cache", "after", time.Duration(c.clock()-since).Round(time.Millisecond))
	}
	c.mu.Lock()
	if start < c.checked.Load() {
		// A read that began later (Run's and a request's may overlap)
		// has landed already: this one's answer is older.
		c.mu.Unlock()
		return nil
	}
	last := c.checked.Load() // the start of the last read that found old
	old := c.gen.Swap(g)
	c.checked.Store(start)
	// The generations this node knew are gone: the database lost commits
	// (a crash under asynchronous commit) and the numbers after what it
	// kept may be reused by other writes. Every entry ends, whatever its
	// scopes and even if the number read is the one known.
	reset := old != 0 && (g < old || epoch != c.dbEpoch)
	c.dbEpoch = epoch
	if reset {
		c.resetAt = c.clock()
	}
	if old != g || reset {
		c.noteMoves(old, after, g, scopes, reset)
		// What (old, g] touched, once: each entry is then tested in the
		// length of its own scopes, under c.mu, however many moves a bulk
		// write made.
		moved := touchSet{all: true}
		if old != 0 && !reset {
			moved = c.touchedIn(old, g)
		}
		for k, el := range c.entries {
			e := el.Value.(*entry)
			if e.until == 0 && e.gen == old && e.scopes != nil && !moved.touches(e.scopes) {
				e.gen = g // no move touched what its page shows
				c.kept.Add(1)
				continue
			}
			if e.until == 0 && e.gen == old {
				// It holds every change committed before the last read
				// that found old, and before its rendering began.
				e.until = max(last, e.made) + int64(c.o.Stale)
			}
			if e.until == 0 || e.until+c.revalidating() <= start {
				c.remove(k, el) // of no generation read, or past every deadline
			}
		}
	}
	c.mu.Unlock()
	if (old != g || reset) && old != 0 && c.o.Webhook != "" {
		go c.callWebhook(g)
	}
	return nil
}

// noteMoves records what the generations in (old, g] touched, as read by
// a read that asked for those after after; c.mu must be held. Whatever the
// read did not cover (a first read, a read that began before another
// landed, generations without scopes, a reset) touched everything.
func (c *Cache) noteMoves(old, after, g int64, scopes map[int64][]string, reset bool) {
	if old == 0 || reset || g < old || g-old > maxMoves {
		// Nothing known before g: start over.
		clear(c.moves)
		c.movesFloor = g
		return
	}
	for x := old + 1; x <= g; x++ {
		c.moves[x] = nil
		if x > after {
			if sc, ok := scopes[x]; ok && len(sc) > 0 {
				c.moves[x] = sc
			}
		}
	}
	for c.movesFloor < g-maxMoves {
		delete(c.moves, c.movesFloor+1)
		c.movesFloor++
	}
}

// touchSet is what the moves in a range of generations touched: all, or
// the union of their scopes.
type touchSet struct {
	all    bool
	scopes map[string]struct{}
}

// touches reports whether a page that registered scopes may have changed.
func (s touchSet) touches(scopes []string) bool {
	if s.all {
		return true
	}
	for _, b := range scopes {
		if _, ok := s.scopes[b]; ok {
			return true
		}
	}
	return false
}

// touchedIn returns what the moves in (from, to] touched: everything if
// one of them did, or one this node did not read; c.mu must be held.
func (c *Cache) touchedIn(from, to int64) touchSet {
	if from < c.movesFloor || to < from || to > c.gen.Load() {
		return touchSet{all: true}
	}
	s := touchSet{scopes: map[string]struct{}{}}
	for x := from + 1; x <= to; x++ {
		sc, ok := c.moves[x]
		if !ok || sc == nil {
			return touchSet{all: true}
		}
		for _, a := range sc {
			s.scopes[a] = struct{}{}
		}
	}
	return s
}

// remove drops an entry; c.mu must be held.
func (c *Cache) remove(k key, el *list.Element) {
	c.lru.Remove(el)
	delete(c.entries, k)
	c.bytes -= el.Value.(*entry).size
}

// Purge drops every entry of this node (the generation in the database is
// the store's to bump: `spektrum cache purge` does, for all nodes).
func (c *Cache) Purge() {
	c.mu.Lock()
	clear(c.entries)
	c.lru.Init()
	c.bytes = 0
	c.mu.Unlock()
}

// Stats are counters for /metrics and benchmarks.
type Stats struct {
	Hits, Misses uint64
	Aside        uint64 // requests rendered uncached: the generation not read within Stale
	Kept         uint64 // times an entry outlived a move that touched none of its scopes
	Entries      int
	Bytes        int64
	Generation   int64
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Aside: c.aside.Load(), Kept: c.kept.Load(), Entries: len(c.entries), Bytes: c.bytes, Generation: c.gen.Load()}
}

func (c *Cache) callWebhook(gen int64) {
	body, _ := json.Marshal(map[string]int64{"generation": gen}) // a map of int64 always marshals
	ctx, cancel := context.WithTimeout(context.Background(), webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Webhook, bytes.NewReader(body))
	if err != nil {
		c.log.Warn("purge webhook", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		c.log.Warn("purge webhook", "url", c.o.Webhook, "err", err)
		return
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		c.log.Warn("purge webhook answered with an error", "url", c.o.Webhook, "status", resp.StatusCode)
	}
}

// clock is the time since the cache was made, monotonic.
func (c *Cache) clock() int64 { return int64(c.o.Now().Sub(c.epoch)) }

// current returns the generation entries may be served at, or 0 when the
// last successful read is older than Stale, and the start of a read that
// found it current (Refresh stores the generation before the start, so the
// start loaded first is never later than the read that found gen).
func (c *Cache) current(now int64) (gen, seen int64) {
	seen = c.checked.Load()
	if now-seen > int64(c.o.Stale) {
		return 0, seen
	}
	return c.gen.Load(), seen
}

// readNow reads the generation for a request that found the last read
// older than Stale (Run's reads are late: a starved node or database), or
// waits for such a read under way, so that the request is answered from
// the cache: one database round trip shared by every reader waiting,
// where rendering each of them uncached, as the cache used to, took the
// database connections and the CPU that the late read was waiting for,
// and a node that fell behind stayed behind (docs/benchmarks.md, "Load
// while working, third pass"). The caller checks the bound again: a read
// it joined may have begun too early.
func (c *Cache) readNow() error {
	c.readMu.Lock()
	if rc := c.reading; rc != nil {
		c.readMu.Unlock()
		<-rc.done
		return rc.err
	}
	rc := &readCall{done: make(chan struct{})}
	c.reading = rc
	c.readMu.Unlock()
	// Not the request's context: the readers who joined must not fail
	// because this one left. MaxStale bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), c.o.MaxStale)
	rc.err = c.Refresh(ctx)
	cancel()
	c.readMu.Lock()
	c.reading = nil
	c.readMu.Unlock()
	close(rc.done)
	return rc.err
}

// stepAside counts a request rendered uncached because the generation
// could not be read within Stale, and says so once per episode.
func (c *Cache) stepAside(now int64) {
	c.aside.Add(1)
	if c.checked.Load() != 0 && c.asideSince.CompareAndSwap(0, now) {
		c.log.Warn("the page generation could not be read within the staleness bound; rendering requests uncached until it is",
			"last_read_ago", time.Duration(now-c.checked.Load()).Round(time.Millisecond), "bound", c.o.Stale)
	}
}

// lookup returns the entry for k of generation gen and whether it is
// fresh: of gen and within its MaxAge. A stale entry it returns is kept
// until its replacement is stored, and answers readers only while another
// request renders the new one (RouteFor): one of gen past its MaxAge, or
// one of an ended generation before its deadline (Stale after the last
// read that found it current, so a change still shows within Stale) or,
// past it, within MaxStale (stale-while-revalidate: only a reader who
// arrives while a rendering is under way gets it). Any other is dropped.
func (c *Cache) lookup(k key, gen, now int64) (*entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.entries[k]
	if el == nil {
		return nil, false
	}
	e := el.Value.(*entry)
	if e.gen > gen && e.until == 0 {
		// Stamped by a read that landed after this request loaded the
		// generation (kept by its scopes, or rendered since): newer. One
		// a later read ended (until set) is not: it is dropped below.
		c.lru.MoveToFront(el)
		if now < e.expires {
			e.hitAt = now
			return e, true
		}
		return e, false
	}
	if e.gen != gen || e.until != 0 {
		// An ended copy may be of the generation loaded, too, when the
		// database lost generations and reused their numbers (Refresh's
		// reset): its deadline holds all the same.
		if e.gen <= gen && e.until != 0 && now < e.until+c.revalidating() {
			c.lru.MoveToFront(el)
			if now >= e.until {
				return e, false // only while another request renders it
			}
			// The copy answers as if it were current, and no request
			// renders the page, until its deadline is near or, sooner,
			// Stale less the lead after it was rendered: however often
			// the generation moves, a page is rendered at most once per
			// Stale less the lead (¾ s), not once per Poll, and a page
			// not rendered that recently is rendered at once.
			lead := c.lead(e)
			fresh := now < e.expires && now < min(e.until, e.made+int64(c.o.Stale))-lead
			if fresh {
				e.hitAt = now
			}
			return e, fresh
		}
		c.remove(k, el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	if now < e.expires {
		e.hitAt = now
		return e, true
	}
	return e, false
}

// answersWhileRendered reports whether e, a copy lookup found not fresh,
// may answer the reader who starts its next rendering, that rendering then
// running in the background: past its MaxAge, or of an ended generation
// before its deadline and either rendered less than Stale ago or read as
// current within the last Stale/4 (a busy page kept across moves by its
// scopes). A quiet page's copy, rendered longer ago and not read lately,
// does not: its first reader waits for the page, so an editor who saves
// and reloads sees the change. c.mu must be held.
func (c *Cache) answersWhileRendered(e *entry, now int64) bool {
	if e.until == 0 {
		return true
	}
	stale := int64(c.o.Stale)
	return now < e.until && (now < e.made+stale || now-e.hitAt < stale/minLeadShare)
}

// lead is how long before an ended generation's copy stops answering its
// page is rendered anew: long enough for the rendering to be done before
// the deadline (twice what the last one took), so readers never queue
// behind it, and no more than half of Stale, so the copy still saves most
// renderings while the generation moves.
func (c *Cache) lead(e *entry) int64 {
	stale := int64(c.o.Stale)
	return min(max(stale/minLeadShare, 2*e.took), stale/maxLeadShare)
}

// revalidating is how long past its deadline an ended generation's copy
// may still answer while its page is rendered anew: MaxStale less Stale.
func (c *Cache) revalidating() int64 { return int64(c.o.MaxStale - c.o.Stale) }

func (c *Cache) store(e *entry) {
	if e.size > c.o.MaxBytes/maxEntryShare {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.made < c.resetAt {
		// Rendered before a read found the generations this node knew
		// gone: it may show what the database lost, under a number now
		// reused. An ended copy, whatever its number.
		e.until = max(e.seen, e.made) + int64(c.o.Stale)
		if e.gen > c.gen.Load() || c.clock() >= e.until+c.revalidating() {
			return
		}
	} else if cur := c.gen.Load(); e.gen < cur && e.scopes != nil && !c.touchedIn(e.gen, cur).touches(e.scopes) {
		// The generation moved while the page was rendered, but touched
		// nothing it shows: it is current.
		e.gen = cur
		c.kept.Add(1)
	}
	if e.until == 0 && e.gen != c.gen.Load() {
		// The generation moved on while the page was rendered: keep it as
		// a copy of an ended generation, to answer while the next one is
		// rendered. It holds every change committed before its rendering
		// began. A rendering slower than Stale (a node under overload) is
		// still kept, for stale-while-revalidate within MaxStale: dropping
		// it made every reader queue behind the next rendering, itself
		// slower than Stale, and so on (docs/benchmarks.md, "Load while
		// working", issue 10).
		e.until = max(e.seen, e.made) + int64(c.o.Stale)
		if e.gen > c.gen.Load() || c.clock() >= e.until+c.revalidating() {
			return
		}
	}
	if el := c.entries[e.key]; el != nil {
		if old := el.Value.(*entry); old.gen > e.gen || old.gen == e.gen && old.made > e.made {
			return // a newer copy arrived while this one was rendered
		}
		c.bytes -= el.Value.(*entry).size
		c.lru.Remove(el)
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.bytes += e.size
	for c.bytes > c.o.MaxBytes {
		el := c.lru.Back()
		old := el.Value.(*entry)
		c.lru.Remove(el)
		delete(c.entries, old.key)
		c.bytes -= old.size
	}
}

// Front answers requests whose page is in the cache before next (the
// router and everything around it) runs; everything else goes to next.
func (c *Cache) Front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		e := c.fresh(r.URL.Path, r.URL.RawQuery)
		if e == nil {
			next.ServeHTTP(w, r) // the route renders it, or answers from a stale copy meanwhile
			return
		}
		c.hits.Add(1)
		e.serve(w, r)
	})
}

// fresh returns the entry that answers a GET or HEAD of path?query
// straight away, nil when the route must run.
func (c *Cache) fresh(path, query string) *entry {
	now := c.clock()
	gen, _ := c.current(now)
	if gen == 0 {
		return nil
	}
	k := key{path, query}
	e, fresh := c.lookup(k, gen, now)
	if fresh {
		return e
	}
	if e == nil {
		return nil
	}
	// A stale copy answers straight away too while another request renders
	// its page (the route would serve it then, through net/http's slower
	// path; internal/front answers only what this returns).
	c.mu.Lock()
	rendering := c.flight[k] != nil
	c.mu.Unlock()
	if !rendering {
		return nil
	}
	return e
}

// Route opts a route into the cache with the default MaxAge: a miss
// renders the page once (concurrent requests for it wait) and keeps it.
func (c *Cache) Route(h http.Handler) http.Handler { return c.RouteFor(h, 0) }

// RouteFor is Route with its own MaxAge, for answers that change with
// something no write announces (0: the default).
func (c *Cache) RouteFor(h http.Handler, maxAge time.Duration) http.Handler {
	if maxAge <= 0 {
		maxAge = c.o.MaxAge
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		now := c.clock()
		gen, seen := c.current(now)
		if gen == 0 && c.readNow() == nil {
			gen, seen = c.current(now)
		}
		if gen == 0 {
			c.stepAside(now)
			h.ServeHTTP(w, r)
			return
		}
		k := key{r.URL.Path, r.URL.RawQuery}
		// Front has looked already, but the entry may have arrived since,
		// and a route reached without Front must still be served.
		e, fresh := c.lookup(k, gen, now)
		if fresh {
			c.hits.Add(1)
			e.serve(w, r)
			return
		}
		c.mu.Lock()
		if fl := c.flight[k]; fl != nil && (e != nil || now-fl.began <= int64(c.o.Stale)) {
			c.mu.Unlock()
			if e != nil {
				// Past its MaxAge, or of an ended generation within
				// its deadline or MaxStale: good while the new copy is
				// being rendered.
				c.hits.Add(1)
				e.serve(w, r)
				return
			}
			// The rendering under way began within Stale before this
			// reader came, so it holds every change the reader must see:
			// wait for it, even if it ends late. One that began longer
			// ago (a rendering slower than Stale) does not; this request
			// renders the page anew below.
			select {
			case <-fl.done:
			case <-r.Context().Done():
				return // the client left; nothing to answer
			}
			if fl.e != nil {
				c.hits.Add(1)
				fl.e.serve(w, r)
				return
			}
			h.ServeHTTP(w, r) // not cacheable: render for this reader too
			return
		}
		fl := &call{began: now, done: make(chan struct{})}
		c.flight[k] = fl
		if e != nil && c.answersWhileRendered(e, now) {
			// This reader gets the copy too, and the page is rendered
			// anew in the background: a reader who waited for it stalled
			// its connection for as long as the rendering took, on a busy
			// node hundreds of milliseconds at every move, and a
			// closed-loop client (wrk) counts such a stall as all the
			// requests it could not send meanwhile (docs/benchmarks.md,
			// "Load while working, sixth pass").
			c.mu.Unlock()
			c.misses.Add(1)
			hdr := w.Header().Clone() // what the handlers around this one set, before the copy's answer adds to it
			// Its own request, made now: net/http owns r again once
			// this handler returns.
			bg := r.Clone(context.WithoutCancel(r.Context()))
			go c.revalidate(h, bg, hdr, k, gen, seen, now, maxAge, fl)
			c.hits.Add(1)
			e.serve(w, r)
			return
		}
		c.mu.Unlock()
		c.misses.Add(1)

		fl.e = c.render(h, w, r, k, gen, seen, now, maxAge)
		c.mu.Lock()
		if c.flight[k] == fl { // not taken over by a later rendering
			delete(c.flight, k)
		}
		c.mu.Unlock()
		close(fl.done)
	})
}

// render runs h for r into memory and answers the client from what it
// wrote; it returns the entry made of it, nil when it may not be kept (and
// then it has answered the client as h did).
func (c *Cache) render(h http.Handler, w http.ResponseWriter, r *http.Request, k key, gen, seen, now int64, maxAge time.Duration) *entry {
	e, rec := c.renderEntry(r.Context(), h, r, w.Header().Clone(), k, gen, seen, now, maxAge)
	if e == nil {
		rec.replay(w, r)
		return nil
	}
	e.serve(w, r)
	c.store(e)
	return e
}

// revalidate renders the page of r anew with no reader waiting for it
// (RouteFor has answered from the copy) and keeps it; fl is its flight,
// ended here. r is the reader's request cloned without its cancellation:
// the reader is long gone when it ends. A rendering slower than MaxStale is
// abandoned, as no reader could be given its page any more.
func (c *Cache) revalidate(h http.Handler, r *http.Request, hdr http.Header, k key, gen, seen, now int64, maxAge time.Duration, fl *call) {
	defer func() {
		if p := recover(); p != nil {
			// net/http recovers a handler's panic for a reader's request;
			// here nothing would, and the node would stop.
			c.log.Error("rendering a page in the background panicked", "path", k.path, "panic", p)
			fl.e = nil
		}
		c.mu.Lock()
		if c.flight[k] == fl {
			delete(c.flight, k)
		}
		c.mu.Unlock()
		close(fl.done)
	}()
	ctx, cancel := context.WithTimeout(r.Context(), c.o.MaxStale)
	defer cancel()
	e, _ := c.renderEntry(ctx, h, r, hdr, k, gen, seen, now, maxAge)
	if e != nil {
		c.store(e)
	}
	fl.e = e
}

// renderEntry runs h for r, with ctx, into memory and builds its entry;
// nil with what h wrote when the answer may not be kept. hdr is what the
// handlers around h had set on the response.
func (c *Cache) renderEntry(ctx context.Context, h http.Handler, r *http.Request, hdr http.Header, k key, gen, seen, now int64, maxAge time.Duration) (*entry, *recorder) {
	// The handler renders the plain, full page: compression and
	// conditional answers are the cache's, per request.
	in := r.Clone(ctx)
	in.Method = http.MethodGet
	for _, name := range []string{"Accept-Encoding", "If-None-Match", "If-Modified-Since", "Range", "If-Range"} {
		in.Header.Del(name)
	}
	rec := &recorder{header: hdr}
	h.ServeHTTP(rec, in)
	took := c.clock() - now
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	e, ok := c.build(rec, k, gen, now, maxAge)
	if !ok {
		return nil, rec
	}
	e.seen, e.made, e.took = seen, now, took
	return e, rec
}

// build makes an entry of a recorded answer, if it may be kept.
func (c *Cache) build(rec *recorder, k key, gen, now int64, maxAge time.Duration) (*entry, bool) {
	switch rec.status {
	case http.StatusOK:
	case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusNotFound, http.StatusGone:
		maxAge = min(maxAge, c.o.ShortMaxAge)
	default:
		return nil, false
	}
	hd := rec.header
	cc := strings.ToLower(hd.Get("Cache-Control"))
	if rec.overflow || hd.Get("Set-Cookie") != "" || strings.Contains(cc, "no-store") || strings.Contains(cc, "private") ||
		hd.Get("Content-Encoding") != "" {
		return nil, false
	}
	e := &entry{key: k, gen: gen, expires: now + int64(maxAge), status: rec.status, plain: rec.body.Bytes(), onHit: rec.onHit}
	if rec.scoped && !rec.everything && len(rec.scopes) > 0 {
		e.scopes = rec.scopes
	}
	if e.status == http.StatusOK {
		e.etag = hd.Get("ETag")
		if e.etag == "" {
			sum := sha256.Sum256(e.plain)
			e.etag = `W/"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
		}
	}
	if len(e.plain) >= minGzip && compressible(hd.Get("Content-Type")) {
		var buf bytes.Buffer
		zw, _ := c.gzips.Get().(*gzip.Writer)
		if zw == nil {
			zw, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression) // only fails on a bad level
		} else {
			zw.Reset(&buf)
		}
		_, _ = zw.Write(e.plain) // writes to memory cannot fail
		_ = zw.Close()
		zw.Reset(nil) // let go of buf
		c.gzips.Put(zw)
		if buf.Len() < len(e.plain) {
			e.gz = buf.Bytes()
		}
	}
	for name, vals := range hd {
		switch name {
		case "Content-Length", "Content-Encoding", "Etag", "Vary", "Date", "Transfer-Encoding":
			continue
		}
		e.header = append(e.header, field{name, vals})
	}
	if e.etag != "" {
		e.header = append(e.header, field{"Etag", []string{e.etag}})
	}
	vary := hd.Values("Vary")
	if e.gz != nil && !varies(vary) {
		vary = append(vary[:len(vary):len(vary)], "Accept-Encoding")
	}
	if len(vary) > 0 {
		e.header = append(e.header, field{"Vary", vary})
	}
	e.plainLen = []string{strconv.Itoa(len(e.plain))}
	e.gzLen = []string{strconv.Itoa(len(e.gz))}
	e.size = int64(len(e.plain)+len(e.gz)) + entryOverhead
	for _, f := range e.header {
		for _, v := range f.vals {
			e.size += int64(len(f.name) + len(v))
		}
	}
	e.buildRaw()
	return e, true
}

func varies(vals []string) bool {
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "Accept-Encoding") {
				return true
			}
		}
	}
	return false
}

func compressible(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "javascript")
}

// OnHit registers fn to be called for every answer served from the entry
// being rendered into w, with the status sent (200, or 304 for a
// revalidation), the first one included. It reports false when w is not
// being cached; the handler then does its own counting.
func OnHit(w http.ResponseWriter, fn func(h Hit, status int)) bool {
	for {
		switch v := w.(type) {
		case *recorder:
			v.onHit = fn
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return false
		}
	}
}

// Scope registers what the page being rendered into w shows, in the
// store's scopes ("article:<id>", "section:<slug>", "story:<id>"; see
// ScopedStore): a move of the generation that touches none of them leaves
// its entry current. A page that never calls it, or that calls Unscoped,
// is touched by every move. A scope left out is a change that page never
// shows until MaxAge, so a page registers every scope of what it read, and
// calls Unscoped for anything it read that no scope covers. It reports
// false when w is not being cached.
func Scope(w http.ResponseWriter, scopes ...string) bool {
	rc := recorderOf(w)
	if rc == nil {
		return false
	}
	rc.scoped = true
	rc.scopes = append(rc.scopes, scopes...)
	return true
}

// Unscoped marks the page being rendered into w as touched by every move,
// whatever scopes it registered (a page that shows something no scope
// names: the site's newest articles).
func Unscoped(w http.ResponseWriter) {
	if rc := recorderOf(w); rc != nil {
		rc.everything = true
	}
}

func recorderOf(w http.ResponseWriter) *recorder {
	for {
		switch v := w.(type) {
		case *recorder:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
}
