// Package store owns Spektrum's data model and the Store interface that every
// other package reads and writes through. Implementations live in
// store/sqlite (embedded, the default) and store/postgres (several processes
// on one server); both share the SQL in store/sqlstore and obey the one
// conformance suite in store/storetest.
//
// This package must not import pipeline or web code: dependencies point down
// to it, never up from it.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Errors every implementation returns (wrapped) so callers can test with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	// ErrBadCursor means an ArticleQuery.Cursor was not produced by this store
	// (or was mangled); callers should restart from the first page.
	ErrBadCursor = errors.New("bad cursor")
	// ErrInUse means a row cannot go because others still name it (a
	// section articles, sources or subscribers use).
	ErrInUse = errors.New("in use")
)

// Source kinds.
const (
	KindFeed        = "feed"         // RSS, Atom, RDF or JSON Feed
	KindSitemap     = "sitemap"      // sitemap.xml or sitemap index
	KindNewsSitemap = "news-sitemap" // Google News sitemap
)

// Source is one place articles come from.
type Source struct {
	ID       int64
	URL      string // the URL the feed/sitemap is read from (after discovery)
	SiteURL  string // the site's home page, if known
	Kind     string // KindFeed, KindSitemap, KindNewsSitemap
	Name     string
	Section  string // section slug articles are filed under by default ("" = none)
	Language string // declared language code, "" = detect

	PollInterval time.Duration
	Enabled      bool

	// Viewpoint: what the editor says about the outlet (package viewpoint
	// owns the rules; "" = not said). Country is ISO 3166-1 alpha-2, Type
	// one of viewpoint.Types, Position a step of the outlet's scale; a
	// position the scale no longer has is kept and shown as unknown.
	Country   string
	Type      string
	Ownership string
	Position  string

	// Polling state.
	ETag         string
	LastModified string
	NextPollAt   time.Time
	LastPolledAt time.Time // zero until the first poll
	LastSuccess  time.Time
	LastError    string // "" when the last poll succeeded
	ErrorCount   int    // consecutive failed polls

	CreatedAt time.Time

	// Computed by Source/Sources: number of stored articles.
	ArticleCount int
	// Computed by Source/Sources: number of this source's jobs that failed for
	// good (state dead), e.g. article pages that could not be read.
	FailedJobs int
}

// Article is one stored, extracted, sanitized article.
type Article struct {
	ID           int64
	SourceID     int64
	SourceName   string // filled on read
	URL          string // where it was fetched from (after redirects)
	CanonicalURL string // dedupe key within the source; defaults to URL
	GUID         string // the feed item's id; dedupe key within the source
	Slug         string // unique URL slug on the site, set by the store if empty
	Title        string
	Author       string
	PublishedAt  time.Time // zero if unknown (the store then uses FirstSeenAt for ordering)
	UpdatedAt    time.Time
	Language     string
	Section      string // section slug, "" = none
	Image        string
	Summary      string // plain-text lead
	HTML         string // sanitized body HTML; never raw source HTML
	Text         string // plain text of the body
	ContentHash  string // hash of Title+Text; an unchanged re-fetch is not an update
	FirstSeenAt  time.Time
	Hidden       bool
	// DuplicateOf is the article whose text this one nearly repeats, set
	// by the near-duplicate stage; 0 for an original.
	DuplicateOf int64
	// StoryID is the story the story stage filed it under; 0 until then.
	StoryID int64
	// An editor's corrections (ArticleCorrection). Title and Summary
	// above are what readers see, the correction where there is one;
	// SourceTitle and SourceSummary are what the source published, kept
	// and refreshed by re-fetches, which never undo a correction.
	// ContentHash then folds the correction in, so the translate stage
	// translates a corrected article again.
	SourceTitle, SourceSummary string
	TitleCorrected             bool
	SummaryCorrected           bool
	// PinnedAt is when an editor pinned the article to the front page
	// (zero: not pinned); pinned articles lead it, newest pin first.
	PinnedAt time.Time
}

// ArticleCorrection is an editor's change to an article, kept beside what
// the source published (store.Store.CorrectArticle). Nil fields stay as
// they are; "" takes a correction back.
type ArticleCorrection struct {
	Title   *string
	Summary *string
	// Section moves the article (a slug; "" takes the move back, and the
	// next re-fetch files it by its source again).
	Section *string
}

// Date is when the article counts as published: its own date, or when
// Spektrum first saw it if the source gave none. Listings sort by it and
// its page address carries it.
func (a *Article) Date() time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt.UTC()
	}
	return a.FirstSeenAt.UTC()
}

// Path is the article's address within an edition, /yyyy/mm/dd/slug: the
// site serves it there and the newsletter links to it, so both take it
// from here.
func (a *Article) Path() string {
	t := a.Date()
	return fmt.Sprintf("/%04d/%02d/%02d/%s", t.Year(), int(t.Month()), t.Day(), url.PathEscape(a.Slug))
}

// Section is a slug with its display names and its place in the menu.
type Section struct {
	Slug string
	// Name is the default name, in the site's language ("" = made from the
	// slug); edition.SectionName decides what each edition shows.
	Name string
	// Names are the editor's names per edition language (ISO 639-1), which
	// win over Name in that edition. Sections and Section fill it; nil when
	// there are none.
	Names map[string]string
	// Position orders the menu: placed sections (> 0) first by position,
	// then the unplaced ones (0) by name.
	Position int
	// OffMenu keeps the section out of the menu and the front page's
	// blocks; its page and feeds stay.
	OffMenu      bool
	ArticleCount int // visible articles, computed on read
}

// UpsertResult says what UpsertArticle did.
type UpsertResult int

// UpsertArticle results.
const (
	Unchanged UpsertResult = iota // same content already stored
	Created
	Updated
)

func (r UpsertResult) String() string {
	switch r {
	case Created:
		return "created"
	case Updated:
		return "updated"
	}
	return "unchanged"
}

// ArticleQuery selects visible articles, newest first (by PublishedAt, or
// FirstSeenAt when unknown, then ID).
type ArticleQuery struct {
	Section  string // "" = all
	SourceID int64  // 0 = all
	Limit    int    // <= 0 means 20; capped at 200 by implementations
	Cursor   string // opaque, from a previous page's NextCursor; "" = first page
	Since    time.Time
	Exclude  int64 // leave out this article id (related articles)
	// OriginalsOnly leaves out articles marked as near-duplicate copies of
	// another (listings show a story's text once).
	OriginalsOnly bool
	// PinnedOnly lists only articles an editor pinned to the front page.
	PinnedOnly bool
	// Cards lists for cards, which show the lead and not the text: HTML is
	// left empty, and Text too unless Summary is blank (a card shows the
	// start of the text then). Everything else is as without it.
	Cards bool
}

// ArticlePage is one page of an ArticleQuery.
type ArticlePage struct {
	Articles   []Article
	NextCursor string // "" when there are no more
}

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobDead    = "dead" // failed MaxAttempts times; kept for inspection
)

// Job is one unit of background work in the durable queue.
type Job struct {
	ID          int64
	Kind        string
	UniqueKey   string // at most one queued or running job per key (any job kept, with OnceKeyPrefix); "" = no limit
	SourceID    int64  // the source this job works for, 0 = none; jobs go when their source goes
	Payload     []byte // JSON
	State       string
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LockedBy    string
	LockedUntil time.Time
	LastError   string
	CreatedAt   time.Time
}

// OnceKeyPrefix starts a UniqueKey that no two kept jobs may share, done
// ones included (until PurgeJobs deletes them): a periodic job's occurrence
// is enqueued under such a key so it is created once per period.
const OnceKeyPrefix = "once:"

// JobCounts summarises the queue.
type JobCounts struct {
	Queued, Running, Done, Dead int
	// Waiting counts queued jobs whose RunAt is in the future because
	// they wait out a retry's backoff. Jobs deferred until their host is
	// free (DeferJob) are not waiting: they are due in moments, whichever
	// process deferred them, so a pass to the end waits for them.
	Waiting int
}

// Store is the whole persistence API. Implementations are safe for concurrent use.
type Store interface {
	TranslationStore // translations, the segment cache, budgets (translation.go)
	DuplicateStore   // near-duplicate signatures and copies (duplicates.go)
	StoryStore       // stories and the story stage's state (stories.go)
	NewsletterStore  // subscribers, consent records, digest send log (newsletter.go)
	GenerationStore  // the page generation web nodes' caches check (generation.go)
	AdminStore       // accounts, sessions, sign-in throttling, audit log (admin.go)
	SearchStore      // the full-text index (search.go)
	SectionStore     // the editor's section changes (sections.go)
	SettingsStore    // site settings and ad slots the admin edits (settings.go)
	// Migrate brings the schema to the newest version; safe to run concurrently
	// from several processes and idempotent.
	Migrate(ctx context.Context) error
	Close() error

	// Sources.
	CreateSource(ctx context.Context, s *Source) error // sets ID, CreatedAt; ErrDuplicate if URL exists
	// UpdateSource writes the fields an editor owns; RecordPoll those a poll
	// owns (address, kind, validators, times, errors; name and site URL only
	// where empty), so an edit saved while a poll runs survives it.
	UpdateSource(ctx context.Context, s *Source) error
	RecordPoll(ctx context.Context, s *Source) error
	Source(ctx context.Context, id int64) (*Source, error)
	SourceByURL(ctx context.Context, url string) (*Source, error)
	Sources(ctx context.Context) ([]Source, error)    // ordered by ID
	DeleteSource(ctx context.Context, id int64) error // deletes its articles too
	DueSources(ctx context.Context, now time.Time) ([]Source, error)
	// SourcesByID returns those of ids that exist, in no particular order:
	// what a batch of polls reads in one query.
	SourcesByID(ctx context.Context, ids []int64) ([]Source, error)
	// RecordUnchangedPolls records, in one transaction, polls answered
	// "not modified": each source's validators and times, its error state
	// cleared, and each poll's job completed if worker still holds it. Only
	// what a poll owns is written, as with RecordPoll; a source deleted
	// meanwhile is skipped.
	RecordUnchangedPolls(ctx context.Context, worker string, ps []UnchangedPoll) error

	// Articles.
	// UpsertArticle stores a by its dedupe keys, all scoped to a.SourceID:
	// within one source the same CanonicalURL, GUID or URL is the same
	// article. An article belongs to the source that fetched it: another
	// source's article with the same keys is never updated or merged into.
	// It sets a.ID (and Slug, FirstSeenAt when created). Safe against
	// concurrent upserts of the same article: exactly one row results.
	UpsertArticle(ctx context.Context, a *Article) (UpsertResult, error)
	// ArticleKnown reports whether this source has stored an article with
	// this GUID or URL (as URL or canonical URL); other sources' articles
	// never count, so no source can keep another's article out.
	ArticleKnown(ctx context.Context, sourceID int64, guid, url string) (bool, error)
	Article(ctx context.Context, id int64) (*Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	Articles(ctx context.Context, q ArticleQuery) (ArticlePage, error)
	CountArticles(ctx context.Context) (int, error)

	// Sections.
	EnsureSection(ctx context.Context, sec Section) error // insert if missing (unplaced), keep existing name
	// Sections lists every section in menu order (Section.Position), with
	// their names per edition and visible article counts.
	Sections(ctx context.Context) ([]Section, error)
	Section(ctx context.Context, slug string) (*Section, error)

	// Views: anonymous counts per article and hour, for the Trending box.
	RecordView(ctx context.Context, articleID int64, at time.Time) error
	// AddViews adds a batch of counts (a web node's views since its last
	// flush) in one transaction, each to its article and hour, additively,
	// so several nodes can flush their own counts. Counts for articles
	// deleted meanwhile are dropped, not reported.
	AddViews(ctx context.Context, counts []ViewCount) error
	Trending(ctx context.Context, since time.Time, limit int) ([]Article, error)

	// Jobs: the durable queue.
	// Enqueue adds j; if j.UniqueKey is set and a queued or running job has the
	// same key (any kept job, for a key with OnceKeyPrefix), it does nothing
	// and returns false.
	Enqueue(ctx context.Context, j *Job) (bool, error)
	// Claim takes the next runnable job of one of kinds (queued with RunAt <=
	// now, or running with an expired lease), marks it running for lease by
	// worker and increments Attempts. Returns ErrNotFound when none is runnable.
	// Two concurrent Claims never return the same job.
	Claim(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration) (*Job, error)
	// ClaimJobs is Claim for up to limit jobs of one kind in one statement,
	// taken in the order Claim takes them, for a kind whose jobs are worked
	// in batches (the pipeline's polls). No runnable job is an empty result,
	// not an error. Two concurrent claims never return the same job.
	ClaimJobs(ctx context.Context, worker, kind string, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// EnqueueJobs is Enqueue for several jobs in one transaction; it
	// returns how many were added (the others' keys were taken).
	EnqueueJobs(ctx context.Context, js []*Job) (int, error)
	// CompleteJobs marks done, in one transaction, the jobs among ids that
	// worker still holds, and returns how many those were.
	CompleteJobs(ctx context.Context, worker string, ids []int64) (int, error)
	// DeferJobs is DeferJob for several jobs in one transaction; it returns
	// how many worker still held.
	DeferJobs(ctx context.Context, worker string, ds []JobDeferral) (int, error)
	// ExtendLease renews a running job's lease; ErrNotFound if worker no longer holds it.
	ExtendLease(ctx context.Context, id int64, worker string, until time.Time) error
	// CompleteJob marks a job done; ErrNotFound if worker no longer holds it.
	CompleteJob(ctx context.Context, id int64, worker string) error
	// FailJob records err; the job is queued again at retryAt, or dead when
	// its attempts are used up (or retryAt is zero).
	FailJob(ctx context.Context, id int64, worker string, errMsg string, retryAt time.Time) error
	// DeferJob queues a job worker holds again at runAt and gives back the
	// attempt its claim counted: the job could not start (its host was busy)
	// and did not fail. ErrNotFound if worker no longer holds it.
	DeferJob(ctx context.Context, id int64, worker string, runAt time.Time) error
	JobCounts(ctx context.Context, kinds []string, now time.Time) (JobCounts, error)
	// PurgeJobs deletes done jobs finished before cutoff.
	PurgeJobs(ctx context.Context, before time.Time) (int, error)
}

// JobDeferral puts one job back in the queue until RunAt (DeferJobs).
type JobDeferral struct {
	ID    int64
	RunAt time.Time
}

// UnchangedPoll is one poll answered "not modified" (RecordUnchangedPolls):
// the job that did it and what the source learnt.
type UnchangedPoll struct {
	JobID, SourceID    int64
	ETag, LastModified string // the validators to send next time
	PolledAt           time.Time
	NextPollAt         time.Time
}

// ViewCount is a number of views of one article in one hour (Hour is
// truncated to the hour when stored).
type ViewCount struct {
	ArticleID int64
	Hour      time.Time
	Count     int
}
