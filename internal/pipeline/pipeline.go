// Package pipeline turns sources into stored articles: it polls a source
// (fetch → feed), queues each new item, and for each item fetches the page,
// extracts the article and stores it. Both steps run as jobs from the durable
// queue (package jobs), so any process can do any step and a crash loses
// nothing; both are idempotent, so doing one twice changes nothing.
//
// The pipeline reads and writes only through its Store (the few store
// methods it needs) and reaches the network only through fetch.Client. It
// must not import web code.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/feed"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/store"
	"spektrum/internal/story"
	"spektrum/internal/translate"
)

// Job kinds this package handles.
const (
	KindPoll    = "poll"
	KindArticle = "article"
)

// Options tune a Pipeline. Zero values mean the defaults.
type Options struct {
	PollInterval time.Duration // a new source's poll interval; default 30m
	MaxBackoff   time.Duration // longest wait after repeated errors; default 24h
	MaxItems     int           // newest items taken from one poll; default 100
	MaxSitemaps  int           // child sitemaps read from a sitemap index; default 3
	// PollBatch is how many due polls a worker claims and sends at once
	// (polls.go); default 64. PollConcurrency bounds the requests of one
	// batch in flight at once; default 16. The per-host limits of the
	// fetch client hold across them.
	PollBatch, PollConcurrency int
	// StoryGroup is how many articles waiting for the story stage in this
	// process one story transaction may file (storyFiler). 0 or 1: each
	// its own, the default: grouping doubles the stage's own rate on
	// PostgreSQL but made the whole ingest slower on the farm, since the
	// group's open transaction holds up other writers longer
	// (docs/benchmarks.md, "Ingest, seventh pass").
	StoryGroup int
	Logger     *slog.Logger
	Now        func() time.Time
	// Events, when set, hears about every source polled and article
	// processed (progress bars, summaries, metrics). It must not block.
	Events func(Event)

	// Detector identifies article languages; nil keeps declared languages.
	Detector *lang.Detector
	// Editions are the site's edition languages; every article is
	// translated into each one but its own.
	Editions []string
	// Translator translates; nil records every translation as unsupported.
	Translator *translate.Service
}

// EventKind says what happened.
type EventKind int

// Event kinds.
const (
	SourcePolled EventKind = iota
	SourceFailed
	ArticleDone
	ArticleFailed
	TranslationDone    // an article reached an edition
	TranslationSkipped // an article stays in its language in an edition (Note says why)
	TranslationFailed  // a provider failed; Final says whether a retry follows
)

// Event reports one step's outcome.
type Event struct {
	Kind     EventKind
	SourceID int64
	Source   string // name
	URL      string
	Queued   int                // SourcePolled: new items queued
	Result   store.UpsertResult // ArticleDone
	Err      error              // SourceFailed, ArticleFailed
	Final    bool               // ArticleFailed: no retry will follow
	Note     string             // ArticleDone: e.g. why the feed's content was used
	Language string             // Translation*: the edition language
}

// Store is what the ingest steps read and write: a source's polling state,
// the articles it yields, their translations, and the jobs queued for the
// next steps. The SQL store satisfies it; nothing else is needed.
type Store interface {
	jobs.Enqueuer
	Source(ctx context.Context, id int64) (*store.Source, error)
	SourceByURL(ctx context.Context, url string) (*store.Source, error)
	RecordPoll(ctx context.Context, s *store.Source) error
	SourcesByID(ctx context.Context, ids []int64) ([]store.Source, error)
	RecordUnchangedPolls(ctx context.Context, worker string, ps []store.UnchangedPoll) error
	EnqueueJobs(ctx context.Context, js []*store.Job) (int, error)
	DueSources(ctx context.Context, now time.Time) ([]store.Source, error)
	UpsertArticle(ctx context.Context, a *store.Article) (store.UpsertResult, error)
	ArticleKnown(ctx context.Context, sourceID int64, guid, url string) (bool, error)
	Article(ctx context.Context, id int64) (*store.Article, error)
	Articles(ctx context.Context, q store.ArticleQuery) (store.ArticlePage, error)
	Translation(ctx context.Context, articleID int64, lang string) (*store.Translation, error)
	PutTranslation(ctx context.Context, t *store.Translation) error
	PutSignature(ctx context.Context, articleID int64, sig []uint32, bands []uint64) error
	SignatureCandidates(ctx context.Context, bands []uint64, exclude int64, limit int) ([]store.Signature, error)
	SetDuplicateOf(ctx context.Context, articleID, original int64) error
	InStoryTx(ctx context.Context, fn func(tx store.StoryTx) error) error
	AgeStories(ctx context.Context, before time.Time) (int, error)
	PutSearchDocs(ctx context.Context, articleID int64, docs []store.SearchDoc) error
	FillSearchTier(ctx context.Context, docs func(ctx context.Context, articleIDs []int64) (map[int64][]store.SearchDoc, error)) (int, error)
}

// Pipeline holds the dependencies of the ingest steps.
type Pipeline struct {
	st   Store
	fc   *fetch.Client
	ex   *extract.Extractor
	san  *extract.Sanitizer
	opts Options
	// sites is the per-site template memory used by extraction.
	sites *siteProfiles
	// stages follow every stored article as jobs of their own (stages.go).
	stages []Stage
	// story is the story step's settings: story.DefaultOptions, the
	// offline command's, so `spektrum cluster` gives what the stage
	// gives. Only tests change them.
	story story.Options
	// filer groups this process's story steps (storygroup.go).
	filer storyFiler
}

// New returns a Pipeline.
func New(st Store, fc *fetch.Client, ex *extract.Extractor, opts Options) *Pipeline {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 30 * time.Minute
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 24 * time.Hour
	}
	if opts.MaxItems <= 0 {
		opts.MaxItems = 100
	}
	if opts.MaxSitemaps <= 0 {
		opts.MaxSitemaps = 3
	}
	if opts.PollBatch <= 0 {
		opts.PollBatch = 64
	}
	if opts.PollConcurrency <= 0 {
		opts.PollConcurrency = 16
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Events == nil {
		opts.Events = func(Event) {}
	}
	p := &Pipeline{st: st, fc: fc, ex: ex, san: extract.NewSanitizer(), opts: opts, sites: newSiteProfiles(),
		story: story.DefaultOptions()}
	p.AddStage(Stage{Kind: KindTranslations, Run: p.EnqueueTranslations})
	p.AddStage(Stage{Kind: KindDedupe, Run: p.dedupe})
	p.AddStage(Stage{Kind: KindStory, After: KindDedupe, Run: p.fileStory})
	p.AddStage(Stage{Kind: KindSearch, Run: p.index})
	return p
}

// Register installs the pipeline's job handlers on r.
func (p *Pipeline) Register(r *jobs.Runner) {
	r.HandleBatch(KindPoll, p.opts.PollBatch, p.handlePolls)
	r.Handle(KindArticle, p.handleArticle)
	r.Handle(KindTranslate, p.handleTranslate)
	for _, s := range p.stages {
		r.Handle(s.Kind, p.stageHandler(s))
	}
	r.Every(KindDuePolls, jobs.Interval{Every: 30 * time.Second}, p.handleDuePolls)
	r.Every(KindAgeStories, jobs.Interval{Every: time.Hour}, p.handleAgeStories)
}

// KindDuePolls is the periodic job that queues the polls of due sources.
// The poll jobs' unique keys keep each source's poll single.
const KindDuePolls = "due-polls"

func (p *Pipeline) handleDuePolls(ctx context.Context, _ *store.Job) error {
	n, err := p.EnqueueDue(ctx)
	if n > 0 {
		p.opts.Logger.InfoContext(ctx, "polls queued", "sources", n)
	}
	return err
}

// Kinds lists the job kinds of the pipeline and its built-in stages.
func Kinds() []string {
	return []string{KindPoll, KindArticle, KindTranslations, KindDedupe, KindStory, KindTranslate, KindSearch}
}

type pollPayload struct {
	SourceID int64 `json:"source_id"`
}

type articlePayload struct {
	SourceID int64     `json:"source_id"`
	Item     feed.Item `json:"item"`
	// Site is the source's site URL as the poll knew it when it queued
	// the item. The poll stores the source (and a site URL it learned from
	// the feed) only after every item is queued, and article jobs may run
	// before that; a linkless item's address is made on the site.
	Site string `json:"site,omitempty"`
}

// EnqueuePoll queues a poll of one source now; false if one is already queued.
func (p *Pipeline) EnqueuePoll(ctx context.Context, sourceID int64) (bool, error) {
	return jobs.Enqueue(ctx, p.st, KindPoll, pollKey(sourceID), sourceID, pollPayload{sourceID})
}

func pollKey(sourceID int64) string { return fmt.Sprintf("poll:%d", sourceID) }

// enqueueChunk bounds the polls queued in one transaction, so that SQLite's
// one writer is not held for long by thousands of sources falling due.
const enqueueChunk = 500

// EnqueuePolls queues a poll of each source now, a few hundred in one
// transaction, and returns how many were queued (a source whose poll is
// queued already is skipped).
func (p *Pipeline) EnqueuePolls(ctx context.Context, sourceIDs []int64) (int, error) {
	n := 0
	for chunk := range slices.Chunk(sourceIDs, enqueueChunk) {
		js := make([]*store.Job, len(chunk))
		for i, id := range chunk {
			b, err := json.Marshal(pollPayload{id})
			if err != nil {
				return n, fmt.Errorf("enqueue polls: encode payload: %w", err)
			}
			js[i] = &store.Job{Kind: KindPoll, UniqueKey: pollKey(id), SourceID: id, Payload: b}
		}
		k, err := p.st.EnqueueJobs(ctx, js)
		n += k
		if err != nil {
			return n, fmt.Errorf("enqueue polls: %w", err)
		}
	}
	return n, nil
}

// EnqueueDue queues a poll of every source that is due and returns how many
// were queued. Several processes may call it at once: a source's poll is
// queued at most once.
func (p *Pipeline) EnqueueDue(ctx context.Context) (int, error) {
	due, err := p.st.DueSources(ctx, p.opts.Now())
	if err != nil {
		return 0, fmt.Errorf("list due sources: %w", err)
	}
	ids := make([]int64, len(due))
	for i, s := range due {
		ids[i] = s.ID
	}
	return p.EnqueuePolls(ctx, ids)
}

// recordPoll records the outcome of a poll that changed something (new
// items, an error, a moved feed; handlePolls records the unchanged ones in
// batches). A source that can't be read is not a failed job: the error is
// recorded on the source, which is polled again after a backoff, and the
// job completes.
func (p *Pipeline) recordPoll(ctx context.Context, src *store.Source, queued int, perr error) error {
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the job will be retried, nothing recorded
	}
	if d := p.deferBusy(perr); d != nil {
		return d // nothing was sent and nothing is recorded
	}
	now := p.opts.Now()
	src.LastPolledAt = now
	if perr != nil {
		src.ErrorCount++
		src.LastError = perr.Error()
		src.NextPollAt = now.Add(p.backoff(src, perr))
		p.opts.Events(Event{Kind: SourceFailed, SourceID: src.ID, Source: src.Name, URL: src.URL, Err: perr})
		p.opts.Logger.Warn("poll failed", "source", src.ID, "url", src.URL, "err", perr)
	} else {
		src.ErrorCount = 0
		src.LastError = ""
		src.LastSuccess = now
		src.NextPollAt = now.Add(jitter(interval(src, p.opts.PollInterval)))
		p.opts.Events(Event{Kind: SourcePolled, SourceID: src.ID, Source: src.Name, URL: src.URL, Queued: queued})
	}
	if err := p.st.RecordPoll(ctx, src); err != nil {
		return fmt.Errorf("save source %d after poll: %w", src.ID, err)
	}
	return nil
}

func interval(src *store.Source, def time.Duration) time.Duration {
	if src.PollInterval > 0 {
		return src.PollInterval
	}
	return def
}

// jitter spreads polls by ±10% so sources added together don't stay in step.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// backoff doubles the interval per consecutive error, honours Retry-After
// and caps at MaxBackoff.
func (p *Pipeline) backoff(src *store.Source, err error) time.Duration {
	d := interval(src, p.opts.PollInterval)
	for i := 1; i < src.ErrorCount && d < p.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(jitter(d), p.opts.MaxBackoff)
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.RetryAfter > d {
		d = min(fe.RetryAfter, 7*24*time.Hour)
	}
	return d
}

// deferBusy turns a fetch its host turned away (HostBusy: nothing was sent)
// into a deferral of the job to when the host is expected to take it, so
// that no worker waits on one host while other hosts' work waits, and the
// wait costs the job no attempt. Only a job's first request asks without
// waiting; the rest of its requests (discovery, sitemaps, redirects) are
// part of its turn. nil if err is anything else.
func (p *Pipeline) deferBusy(err error) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) || fe.Kind != fetch.HostBusy {
		return nil
	}
	return fmt.Errorf("%v: %w", fe, jobs.Defer(p.opts.Now().Add(fe.RetryAfter)))
}

// pollRequest is the conditional request of a poll of src. A poll's first
// request does not wait for a busy host (deferBusy).
func pollRequest(src *store.Source) fetch.Request {
	return fetch.Request{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified, NoWait: true}
}

// readFeed parses what a poll of src fetched (not a 304) and queues unknown
// items, newest first.
func (p *Pipeline) readFeed(ctx context.Context, src *store.Source, resp *fetch.Response) (int, error) {
	f, err := feed.Parse(resp.Body, resp.URL)
	if errors.Is(err, feed.ErrNotFeed) {
		// Added by its home page (or the feed moved): look for the feed
		// the page announces and switch the source to it.
		link, lerr := Discover(ctx, p.fc, resp, false)
		if lerr != nil {
			return 0, lerr
		}
		if other, err := p.st.SourceByURL(ctx, link.URL); err == nil && other.ID != src.ID {
			return 0, fmt.Errorf("%s announces the feed %s, which source #%d %q already reads; remove one of the two sources", resp.URL, link.URL, other.ID, other.Name)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
		src.URL, src.Kind = link.URL, KindOf(link.Feed.Format)
		if src.SiteURL == "" {
			src.SiteURL = resp.URL
		}
		f, resp = link.Feed, link.Resp
	} else if err != nil {
		return 0, fmt.Errorf("read %s: %w", resp.URL, err)
	}
	if resp.PermanentURL != "" && resp.PermanentURL != src.URL {
		if other, err := p.st.SourceByURL(ctx, resp.PermanentURL); errors.Is(err, store.ErrNotFound) {
			src.URL = resp.PermanentURL
		} else if err == nil && other.ID != src.ID {
			p.opts.Logger.Warn("source moved to a URL another source has", "source", src.ID, "url", resp.PermanentURL, "other", other.ID)
		}
	}
	// The validators are kept only once every item is queued: saved after a
	// failure half-way, they would turn the next poll into a 304 and the
	// items not yet queued would be lost.
	etag, lastMod := resp.ETag, resp.LastModified
	if f.Format == "sitemapindex" {
		f, err = p.readSitemaps(ctx, f)
		if err != nil {
			return 0, err
		}
	}
	if src.Name == "" {
		src.Name = f.Title
	}
	if src.SiteURL == "" {
		src.SiteURL = f.SiteURL
	}
	items := newest(f.Items, p.opts.MaxItems)
	queued := 0
	for _, it := range items {
		if it.URL == "" && it.Content == "" && it.Summary == "" {
			continue // nothing to fetch and nothing to show
		}
		if it.Language == "" {
			it.Language = f.Language
		}
		known, err := p.st.ArticleKnown(ctx, src.ID, it.GUID, it.URL)
		if err != nil {
			return queued, err
		}
		if known {
			continue
		}
		ok, err := jobs.Enqueue(ctx, p.st, KindArticle, articleKey(src.ID, it), src.ID, articlePayload{SourceID: src.ID, Item: it, Site: src.SiteURL})
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	src.ETag, src.LastModified = etag, lastMod
	return queued, nil
}

func articleKey(sourceID int64, it feed.Item) string {
	id := it.GUID
	if id == "" {
		id = it.URL
	}
	if id == "" {
		id = it.Title
	}
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("article:%d:%s", sourceID, hex.EncodeToString(sum[:12]))
}

// newest sorts items newest first (undated ones keep their order, after the
// dated) and keeps at most n.
func newest(items []feed.Item, n int) []feed.Item {
	out := append([]feed.Item(nil), items...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := itemTime(out[i]), itemTime(out[j])
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.After(b)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func itemTime(it feed.Item) time.Time {
	if !it.Published.IsZero() {
		return it.Published
	}
	return it.Updated
}

func (p *Pipeline) readSitemaps(ctx context.Context, index *feed.Feed) (*feed.Feed, error) {
	out := &feed.Feed{Format: "sitemap", Title: index.Title, SiteURL: index.SiteURL, Language: index.Language}
	var lastErr error
	read := 0
	for i, u := range index.Sitemaps {
		// Count tries, not successes: an index of thousands of dead
		// children must not hold a worker for hours.
		if read == p.opts.MaxSitemaps || i == 2*p.opts.MaxSitemaps {
			break
		}
		resp, err := p.fc.Get(ctx, fetch.Request{URL: u})
		if err != nil {
			lastErr = err
			continue
		}
		f, err := feed.Parse(resp.Body, resp.URL)
		if err != nil {
			lastErr = fmt.Errorf("read sitemap %s: %w", u, err)
			continue
		}
		read++
		if f.Format == "newssitemap" {
			out.Format = "newssitemap"
		}
		out.Items = append(out.Items, f.Items...)
	}
	if read == 0 && lastErr != nil {
		return nil, fmt.Errorf("sitemap index: no child sitemap could be read: %w", lastErr)
	}
	return out, nil
}

// KindOf is the source kind (store.Kind*) of a parsed feed's format.
func KindOf(f feed.Format) string {
	switch f {
	case "sitemap", "sitemapindex":
		return store.KindSitemap
	case "newssitemap":
		return store.KindNewsSitemap
	}
	return store.KindFeed
}

// maxDiscoverTries bounds the feed links followed from one page: a hostile
// page can announce thousands of "feeds". Guesses are a short fixed list
// (feed.Discover) and are all tried.
const maxDiscoverTries = 12

// Getter fetches; *fetch.Client is one.
type Getter interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Discovered is a feed found through a page's links.
type Discovered struct {
	URL  string // the feed's address, after a permanent redirect
	Resp *fetch.Response
	Feed *feed.Feed
}

// Discover follows the feed links a page announces (and, with guess, the
// usual feed paths) and returns the first that parses. Polls use it without
// guesses (a source added by its home page); adding a source uses it with
// them. Its error wraps feed.ErrNotFeed.
func Discover(ctx context.Context, fc Getter, page *fetch.Response, guess bool) (*Discovered, error) {
	links := feed.Discover([]byte(page.Text()), page.URL)
	var tried []string
	var lastErr error
	announced := 0
	for _, l := range links {
		if l.Guess && !guess {
			continue
		}
		if !l.Guess {
			if announced == maxDiscoverTries {
				break
			}
			announced++
		}
		tried = append(tried, l.URL)
		resp, err := fc.Get(ctx, fetch.Request{URL: l.URL})
		if err != nil {
			lastErr = err
			continue
		}
		f, err := feed.Parse(resp.Body, resp.URL)
		if err != nil {
			lastErr = err
			continue
		}
		u := l.URL
		if resp.PermanentURL != "" {
			u = resp.PermanentURL
		}
		return &Discovered{URL: u, Resp: resp, Feed: f}, nil
	}
	msg := fmt.Sprintf("%s is a web page, not a feed, and announces no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)", page.URL)
	if len(tried) > 0 {
		msg = fmt.Sprintf("%s is a web page, not a feed; no feed found at %s", page.URL, strings.Join(tried, ", "))
		if lastErr != nil {
			msg += " (last: " + lastErr.Error() + ")"
		}
	}
	return nil, fmt.Errorf("%s; add the feed or sitemap URL itself: %w", msg, feed.ErrNotFeed)
}
