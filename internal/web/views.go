package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"spektrum/internal/clientip"
	"spektrum/internal/pagecache"
	"spektrum/internal/store"
)

// ViewStore is what the view counter needs of the store: one batched,
// additive write.
type ViewStore interface {
	AddViews(ctx context.Context, counts []store.ViewCount) error
}

// ViewsOptions configures a view counter. Zero values get defaults.
type ViewsOptions struct {
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the reader (--trusted-proxies; the rule is clientip's, shared with
	// the newsletter's sign-up limits).
	TrustedProxies string
	FlushEvery     time.Duration // default 5s
	// MaxReaders caps the day's dedupe memory, in (reader, article)
	// entries; default 200 000 (a few MB).
	MaxReaders int
	Logger     *slog.Logger
	Now        func() time.Time
}

// Limits of the view counter.
const (
	defaultFlushEvery = 5 * time.Second
	defaultMaxReaders = 200_000
	// perClientArticle caps the readers counted behind one address (IPv6:
	// one /64) per article and day. The user agent is the reader's to
	// choose, so without it one address could pose as any number of
	// readers; a few covers a household's devices.
	perClientArticle = 4
	// maxPending bounds the counts waiting for the database while it is
	// unreachable: (article, hour) pairs, not views.
	maxPending = 100_000
)

// Views counts article page views for Trending, the way privacy-minded
// analytics do (Plausible's daily-salt scheme): a reader is a hash of the
// client address and User-Agent with a random salt that lives in memory
// for one UTC day and is then forgotten, so nothing stored or kept links a
// reader to an address, or to themselves on another day.
//
// A reader counts once per article per UTC day. The day is the salt's
// lifetime, so the dedupe needs no other expiry, and a reader re-reading
// a story that day is the same interest: within the 48-hour Trending
// window one reader adds at most three views to an article (one per day
// the window touches) instead of one per request.
//
// Only full page views count: GET (not HEAD) answered 200 with the page
// (not a 304 revalidation), from a browser navigation (not a prefetch,
// prerender, fetch() or embed), by a User-Agent that is not a known bot or
// script. Counts are kept in memory and written in one batch every few
// seconds and at shutdown, so a reader never waits on the database; each
// web node flushes its own counts and the store adds them up.
//
// The day's dedupe memory is capped (MaxReaders). At the cap, views by
// readers not seen yet that day are not counted until the day turns: the
// counter fails closed, because evicting entries would let a loop of
// fresh requests count the same reader again, which is the thing this
// guards against. Reaching it is logged once a day. The price: one client
// with many addresses (an IPv6 /48 holds 65,536 /64s) or one address
// visiting tens of thousands of articles can fill the cap and freeze
// Trending for the rest of the day. It cannot buy a place in it; a
// per-address daily cap across articles would close this (not built).
type Views struct {
	st      ViewStore
	proxies clientip.Proxies
	log     *slog.Logger
	now     func() time.Time
	every   time.Duration
	max     int

	// flushMu makes flushes one at a time, so the final flush at shutdown
	// waits for one in flight to finish (or put its batch back) first.
	flushMu sync.Mutex

	mu      sync.Mutex
	day     int64    // the UTC day (days since the epoch) salt belongs to
	salt    [32]byte // random, in memory only, replaced every day
	seen    map[[16]byte]struct{}
	perAddr map[[16]byte]uint8
	full    bool // the cap was hit today (logged once)
	dropped bool // pending overflowed while the database was away (logged once a flush)
	pending map[viewKey]int
}

type viewKey struct {
	article int64
	hour    int64 // Unix hour
}

// NewViews makes a view counter writing to st. Run it (Run) to flush.
func NewViews(st ViewStore, o ViewsOptions) (*Views, error) {
	if st == nil {
		return nil, errors.New("web: the view counter needs a store")
	}
	proxies, err := clientip.ParseProxies(o.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = defaultFlushEvery
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = defaultMaxReaders
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Views{st: st, proxies: proxies, log: o.Logger.With("component", "views"), now: o.Now,
		every: o.FlushEvery, max: o.MaxReaders, day: -1, pending: map[viewKey]int{}}, nil
}

// Run flushes the counts every FlushEvery until ctx ends. The caller
// flushes once more (Flush) after the web server has stopped, so views of
// the last requests are written too.
func (v *Views) Run(ctx context.Context) error {
	t := time.NewTicker(v.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			// Yesterday's salt goes at the day's end even when nobody reads.
			v.mu.Lock()
			if v.day >= 0 && v.day != v.now().UTC().Unix()/86400 {
				v.turnDay(v.now().UTC().Unix() / 86400)
			}
			v.mu.Unlock()
			if err := v.Flush(ctx); err != nil && ctx.Err() == nil {
				v.log.WarnContext(ctx, "flush view counts; kept for the next try", "err", err)
			}
		}
	}
}

// Flush writes the counts gathered so far in one batch. On failure they
// are kept and tried again with the next flush.
func (v *Views) Flush(ctx context.Context) error {
	v.flushMu.Lock()
	defer v.flushMu.Unlock()
	v.mu.Lock()
	if len(v.pending) == 0 {
		v.mu.Unlock()
		return nil
	}
	batch := make([]store.ViewCount, 0, len(v.pending))
	for k, n := range v.pending {
		batch = append(batch, store.ViewCount{ArticleID: k.article, Hour: time.Unix(k.hour*3600, 0).UTC(), Count: n})
	}
	v.pending, v.dropped = map[viewKey]int{}, false
	v.mu.Unlock()

	if err := v.st.AddViews(ctx, batch); err != nil {
		v.mu.Lock()
		for _, c := range batch {
			v.add(viewKey{c.ArticleID, c.Hour.Unix() / 3600}, c.Count)
		}
		v.mu.Unlock()
		return fmt.Errorf("write %d view counts: %w", len(batch), err)
	}
	return nil
}

// add counts n views; v.mu is held.
func (v *Views) add(k viewKey, n int) {
	if _, ok := v.pending[k]; !ok && len(v.pending) >= maxPending {
		if !v.dropped {
			v.log.Warn("view counts are not reaching the database; dropping new ones until they do", "pending", len(v.pending))
			v.dropped = true
		}
		return
	}
	v.pending[k] += n
}

// countable reports whether r is a reader's full page view: a GET by a
// browser navigating to the page, not a prefetch or a bot.
func countable(h pagecache.Hit) bool {
	if h.Method() != http.MethodGet || isBot(h.Header("User-Agent")) {
		return false
	}
	// Speculative loads (Chrome: Sec-Purpose "prefetch" or
	// "prefetch;prerender"; older Chrome "Purpose: prefetch"; Firefox
	// "X-Moz: prefetch"; Safari "X-Purpose: preview") may never be seen.
	for _, name := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		if p := strings.ToLower(h.Header(name)); strings.Contains(p, "prefetch") || strings.Contains(p, "prerender") || strings.Contains(p, "preview") {
			return false
		}
	}
	// Browsers that send fetch metadata say what the request is for: only
	// a navigation to a document is a reader opening the page, not fetch(),
	// an <iframe> or <img> pointing at it.
	if m := h.Header("Sec-Fetch-Mode"); m != "" && m != "navigate" {
		return false
	}
	if d := h.Header("Sec-Fetch-Dest"); d != "" && d != "document" {
		return false
	}
	return true
}

// isBot keeps crawlers, link previewers and scripts out of the view
// counts. It is a heuristic on the User-Agent only: a compact list of
// words their User-Agents carry.
func isBot(ua string) bool {
	if ua == "" {
		return true
	}
	ua = strings.ToLower(ua)
	for _, s := range []string{"bot", "crawl", "spider", "slurp", "facebookexternalhit", "preview", "fetch", "curl",
		"wget", "python-requests", "python-urllib", "aiohttp", "httpx", "go-http-client", "okhttp", "java/", "libwww",
		"scrapy", "axios", "headless", "phantomjs", "puppeteer", "playwright", "selenium", "feed", "monitor", "lighthouse",
		"httpclient", "postman"} {
		if strings.Contains(ua, s) {
			return true
		}
	}
	return false
}

// count records one view of article by r's reader, unless this reader's
// view of it was counted today already.
func (v *Views) count(h pagecache.Hit, article int64) {
	addr := v.proxies.KeyOf(h.RemoteAddr(), func() []string { return h.HeaderValues("X-Forwarded-For") })
	now := v.now().UTC()
	day := now.Unix() / 86400
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.turnDay(day) {
		return
	}
	reader := v.hash("reader", addr, h.Header("User-Agent"), article)
	if _, ok := v.seen[reader]; ok {
		return
	}
	client := v.hash("client", addr, "", article)
	if v.perAddr[client] >= perClientArticle {
		return
	}
	if len(v.seen)+len(v.perAddr) >= v.max {
		if !v.full {
			v.log.Warn("view counter is full for today; new readers are not counted until the day turns", "entries", v.max)
			v.full = true
		}
		return
	}
	v.seen[reader] = struct{}{}
	v.perAddr[client]++
	v.add(viewKey{article, now.Unix() / 3600}, 1)
}

// turnDay starts a new day's salt and forgets the old day's readers when
// day is not the current one; v.mu is held. It reports false when there is
// no salt to count with.
func (v *Views) turnDay(day int64) bool {
	if day == v.day {
		return true
	}
	v.day, v.full = -1, false
	v.seen, v.perAddr = nil, nil
	clear(v.salt[:])
	if _, err := rand.Read(v.salt[:]); err != nil {
		return false // no randomness: count nothing rather than use a guessable salt
	}
	v.day = day
	v.seen, v.perAddr = map[[16]byte]struct{}{}, map[[16]byte]uint8{}
	return true
}

func (v *Views) hash(kind, addr, ua string, article int64) [16]byte {
	h := sha256.New()
	h.Write(v.salt[:])
	h.Write([]byte(kind + "\x00" + addr + "\x00" + ua + "\x00"))
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(article))
	h.Write(id[:])
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

// statusRecorder remembers the status a handler answered with, so a view
// is counted only for a full page (200), never for a 304 revalidation.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
