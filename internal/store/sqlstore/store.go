package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/slug"
	"spektrum/internal/store"
	"spektrum/internal/weburl"
)

// Article page sizes.
const (
	defaultLimit = 20
	maxLimit     = 200
)

// defaultMaxAttempts applies to jobs enqueued with MaxAttempts 0.
const defaultMaxAttempts = 5

// Store implements store.Store over a *sql.DB.
type Store struct {
	db *sql.DB
	d  Dialect
	q  queries
	// stmts holds the prepared statements (stmts.go).
	stmts stmtCache
	// writeSem holds one token when Dialect.SerializeWrites is set; nil otherwise.
	writeSem chan struct{}
	// tier is the search index's tier of the newest documents (search.go).
	tier searchTier
	// wordStats are the PostgreSQL search tables' word statistics
	// (search_stats.go).
	wordStats wordStats
}

var _ store.Store = (*Store)(nil)

// New wraps an open database. The Store owns db from now on: Close closes it.
func New(db *sql.DB, d Dialect) *Store {
	s := &Store{db: db, d: d, q: newQueries(d)}
	if d.SerializeWrites {
		s.writeSem = make(chan struct{}, 1)
	}
	return s
}

// writing waits for this process's turn to write (see
// Dialect.SerializeWrites) and returns the function that ends it.
func (s *Store) writing(ctx context.Context) (func(), error) {
	if s.writeSem == nil {
		return func() {}, nil
	}
	select {
	case s.writeSem <- struct{}{}:
		return func() { <-s.writeSem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to write: %w", ctx.Err())
	}
}

// exec runs a write statement in this process's write turn.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	done, err := s.writing(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return s.execDB(ctx, q, args...)
}

// writeRow runs a write statement with RETURNING in this process's write
// turn and hands its row to scan.
func (s *Store) writeRow(ctx context.Context, q string, args []any, scan func(*sql.Row) error) error {
	done, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer done()
	return scan(s.queryRow(ctx, q, args...))
}

// DB exposes the underlying pool, for the dialect packages and their tests.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.stmts.close(), s.db.Close())
}

// ms converts a time to stored unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms, always in UTC.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// nullID stores id 0 ("none") as NULL so foreign keys hold.
func nullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}

// inTx runs fn in a transaction. On SQLite the DSN makes it BEGIN IMMEDIATE,
// so the write lock is taken up front and waits out busy_timeout instead of
// failing when a read transaction would have to upgrade. Under a
// store.LaterDurable context the commit does not wait for the disk where
// the engine allows (Dialect.AsyncCommit).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inLockedTx(ctx, "", "", fn)
}

// inLockedTx is inTx that first runs lock, a statement taking a lock held
// until the commit ("" for none); asyncLock is the same lock that also
// makes the commit asynchronous, run instead under store.LaterDurable to
// save a round trip ("" when there is none).
func (s *Store) inLockedTx(ctx context.Context, lock, asyncLock string, fn func(tx *sql.Tx) error) error {
	done, err := s.writing(ctx)
	if err != nil {
		return err
	}
	defer done()
	// Each first statement with the step it is, for its error (an error
	// quoting the SQL text tells an operator less).
	type step struct{ name, q string }
	first := []step{{"take the lock", lock}}
	if s.d.AsyncCommit != "" && store.IsLaterDurable(ctx) {
		first = []step{{"make the commit asynchronous", s.d.AsyncCommit}, {"take the lock", lock}}
		if asyncLock != "" {
			first = []step{{"make the commit asynchronous and take the lock", asyncLock}}
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	for _, st := range first {
		if st.q == "" {
			continue
		}
		if _, err := s.txExec(ctx, tx, st.q); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("begin transaction: %s: %w", st.name, err)
		}
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one that matters
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ---- Migrations ----

type migration struct {
	version int64
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	entries, err := fs.ReadDir(s.d.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", s.d.Name, err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number and '_'", name)
		}
		body, err := fs.ReadFile(s.d.Migrations, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the missing migrations in one transaction. The dialect's
// MigrateLock (or SQLite's immediate transaction) makes concurrent callers
// take turns, and the second finds nothing left to do.
func (s *Store) Migrate(ctx context.Context) error {
	all, err := s.migrations()
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.MigrateLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrateLock); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q.createMigrations); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.QueryContext(ctx, s.q.migrationVersions)
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		done := map[int64]bool{}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			done[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, m := range all {
			if done[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, s.q.insertMigration, m.version, m.name, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", s.d.Name, err)
	}
	return nil
}

// ---- Sources ----

func scanSource(sc interface{ Scan(...any) error }) (store.Source, error) {
	var src store.Source
	var poll, next, polled, success, created int64
	err := sc.Scan(&src.ID, &src.URL, &src.SiteURL, &src.Kind, &src.Name, &src.Section, &src.Language,
		&poll, &src.Enabled, &src.ETag, &src.LastModified, &next, &polled, &success,
		&src.LastError, &src.ErrorCount, &created, &src.Country, &src.Type, &src.Ownership, &src.Position,
		&src.ArticleCount, &src.FailedJobs)
	src.PollInterval = time.Duration(poll) * time.Millisecond
	src.NextPollAt, src.LastPolledAt, src.LastSuccess, src.CreatedAt = fromMS(next), fromMS(polled), fromMS(success), fromMS(created)
	return src, err
}

func (s *Store) querySources(ctx context.Context, q string, args ...any) ([]store.Source, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// CreateSource inserts src and sets its ID and CreatedAt (now, unless set).
func (s *Store) CreateSource(ctx context.Context, src *store.Source) error {
	if src.Kind == "" {
		src.Kind = store.KindFeed
	}
	if src.CreatedAt.IsZero() {
		src.CreatedAt = time.Now().UTC()
	}
	err := s.writeRow(ctx, s.q.insertSource, []any{
		src.URL, src.SiteURL, src.Kind, src.Name, src.Section, src.Language,
		src.PollInterval.Milliseconds(), src.Enabled, src.ETag, src.LastModified,
		ms(src.NextPollAt), ms(src.LastPolledAt), ms(src.LastSuccess), src.LastError,
		src.ErrorCount, ms(src.CreatedAt), src.Country, src.Type, src.Ownership, src.Position}, func(r *sql.Row) error { return r.Scan(&src.ID) })
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("create source %s: %w", src.URL, store.ErrDuplicate)
		}
		return fmt.Errorf("create source %s: %w", src.URL, err)
	}
	return nil
}

// UpdateSource writes the fields an editor owns (name, section, language,
// interval, paused, viewpoint) and, when the edit resumes a paused source,
// its next poll time. What a poll records (RecordPoll) is left alone, so an
// edit and a poll running at once don't undo each other.
func (s *Store) UpdateSource(ctx context.Context, src *store.Source) error {
	res, err := s.exec(ctx, s.q.updateSource,
		src.Name, src.Name, src.Section, src.Language, src.PollInterval.Milliseconds(),
		src.Enabled, ms(src.NextPollAt), src.Enabled,
		src.Country, src.Type, src.Ownership, src.Position, src.ID)
	if err != nil {
		return fmt.Errorf("update source %d: %w", src.ID, err)
	}
	return mustAffect(res, "update source", src.ID)
}

// RecordPoll writes what a poll learnt: the feed address (moved by a
// permanent redirect or found by discovery) and kind, validators, times and
// error state, and a name and site address where the source has none.
// Fields an editor owns keep whatever they were changed to while the poll ran.
func (s *Store) RecordPoll(ctx context.Context, src *store.Source) error {
	res, err := s.exec(ctx, s.q.recordPoll,
		src.URL, src.Kind, src.ETag, src.LastModified, src.SiteURL, src.Name,
		ms(src.NextPollAt), ms(src.LastPolledAt), ms(src.LastSuccess), src.LastError, src.ErrorCount, src.ID)
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("record poll of source %d: url %s: %w", src.ID, src.URL, store.ErrDuplicate)
		}
		return fmt.Errorf("record poll of source %d: %w", src.ID, err)
	}
	return mustAffect(res, "record poll of source", src.ID)
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, what string, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %d: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// Source returns one source with its counts.
func (s *Store) Source(ctx context.Context, id int64) (*store.Source, error) {
	src, err := scanSource(s.queryRow(ctx, s.q.sourceByID, id))
	if err != nil {
		return nil, notFound(err, "source %d", id)
	}
	return &src, nil
}

// SourceByURL returns the source read from url.
func (s *Store) SourceByURL(ctx context.Context, url string) (*store.Source, error) {
	src, err := scanSource(s.queryRow(ctx, s.q.sourceByURL, url))
	if err != nil {
		return nil, notFound(err, "source %s", url)
	}
	return &src, nil
}

// notFound wraps err with context, mapping sql.ErrNoRows to store.ErrNotFound.
func notFound(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// Sources returns all sources ordered by ID.
func (s *Store) Sources(ctx context.Context) ([]store.Source, error) {
	out, err := s.querySources(ctx, s.q.sources)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// DueSources returns enabled sources whose next poll is due, soonest first.
func (s *Store) DueSources(ctx context.Context, now time.Time) ([]store.Source, error) {
	out, err := s.querySources(ctx, s.q.dueSources, ms(now))
	if err != nil {
		return nil, fmt.Errorf("list due sources: %w", err)
	}
	return out, nil
}

// DeleteSource removes a source with its articles, their views, and its jobs,
// all or nothing.
func (s *Store) DeleteSource(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{s.q.deleteSourceViews, s.q.deleteSourceArticles, s.q.deleteSourceJobs} {
			if _, err := s.txExec(ctx, tx, q, id); err != nil {
				return fmt.Errorf("delete source %d: %w", id, err)
			}
		}
		res, err := s.txExec(ctx, tx, s.q.deleteSource, id)
		if err != nil {
			return fmt.Errorf("delete source %d: %w", id, err)
		}
		return mustAffect(res, "delete source", id)
	})
}

// ---- Articles ----

// ContentHash is the hash UpsertArticle stores when the caller set none.
func ContentHash(title, text string) string {
	sum := sha256.Sum256([]byte(title + "\n" + text))
	return hex.EncodeToString(sum[:])
}

// maxUpsertRounds bounds the insert/re-read loop; each round loses only to a
// concurrent writer taking the same slug or dedupe key, so a few suffice.
const maxUpsertRounds = 20

// UpsertArticle stores a by its dedupe keys; see store.Store.
func (s *Store) UpsertArticle(ctx context.Context, a *store.Article) (store.UpsertResult, error) {
	if a.CanonicalURL == "" {
		a.CanonicalURL = a.URL
	}
	if a.CanonicalURL == "" {
		return store.Unchanged, fmt.Errorf("upsert article %q: it has neither URL nor CanonicalURL", a.Title)
	}
	if a.URL == "" {
		a.URL = a.CanonicalURL
	}
	if a.Image != "" && !weburl.Valid(a.Image) {
		// The store is the last gate before every page, feed and API
		// answer: an image URL that is not http(s) (javascript:, data:)
		// is never kept, whoever built the article.
		a.Image = ""
	}
	if a.ContentHash == "" {
		a.ContentHash = ContentHash(a.Title, a.Text)
	}
	var res store.UpsertResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.upsertArticle(ctx, tx, a)
		return err
	})
	if err != nil {
		return store.Unchanged, fmt.Errorf("upsert article %s: %w", a.CanonicalURL, err)
	}
	return res, nil
}

func (s *Store) upsertArticle(ctx context.Context, tx *sql.Tx, a *store.Article) (store.UpsertResult, error) {
	base := a.Slug
	if base == "" {
		base = slug.Make(a.Title)
	}
	if base == "" {
		base = "article" // a title of symbols or CJK alone still gets an address
	}
	src := nullID(a.SourceID)
	for range maxUpsertRounds {
		var id, firstSeen int64
		var slug, hash string
		err := s.txQueryRow(ctx, tx, s.q.articleDupe, a.SourceID, a.CanonicalURL, a.SourceID, a.GUID,
			a.SourceID, a.GUID, a.SourceID, a.URL).Scan(&id, &slug, &firstSeen, &hash)
		switch {
		case err == nil:
			a.ID, a.Slug, a.FirstSeenAt = id, slug, fromMS(firstSeen)
			if hash == a.ContentHash {
				return store.Unchanged, nil
			}
			pub := ms(a.PublishedAt)
			if _, err := s.txExec(ctx, tx, s.q.updateArticle,
				a.Title, a.Author, pub, pub, ms(a.UpdatedAt), a.Language, a.Section, a.Image,
				a.Summary, a.HTML, a.Text, a.ContentHash, pub, pub, id); err != nil {
				return store.Unchanged, fmt.Errorf("update article %d: %w", id, err)
			}
			return store.Updated, nil
		case !errors.Is(err, sql.ErrNoRows):
			return store.Unchanged, fmt.Errorf("look up dedupe keys: %w", err)
		}

		slug, err = s.freeSlug(ctx, tx, base)
		if err != nil {
			return store.Unchanged, err
		}
		firstSeen = ms(a.FirstSeenAt)
		if firstSeen == 0 {
			firstSeen = time.Now().UnixMilli()
		}
		sortAt := ms(a.PublishedAt)
		if sortAt == 0 {
			sortAt = firstSeen
		}
		err = s.txQueryRow(ctx, tx, s.q.insertArticle,
			src, a.URL, a.CanonicalURL, a.GUID, slug, a.Title, a.Author, ms(a.PublishedAt),
			ms(a.UpdatedAt), a.Language, a.Section, a.Image, a.Summary, a.HTML, a.Text,
			a.ContentHash, firstSeen, sortAt, a.Hidden).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a concurrent writer took a key or the slug: look again
		}
		if err != nil {
			return store.Unchanged, fmt.Errorf("insert article: %w", err)
		}
		a.ID, a.Slug, a.FirstSeenAt = id, slug, fromMS(firstSeen)
		return store.Created, nil
	}
	return store.Unchanged, fmt.Errorf("gave up after %d conflicting attempts; retry later", maxUpsertRounds)
}

// freeSlug returns base, or base-2, base-3, ... whichever is not taken yet.
func (s *Store) freeSlug(ctx context.Context, tx *sql.Tx, base string) (string, error) {
	// Most titles are new: one indexed lookup. The LIKE below reads the
	// whole slug index (a LIKE prefix uses no index on either engine
	// under every collation), so it runs only for a title seen before.
	var n int
	if err := s.txQueryRow(ctx, tx, s.q.articleSlugTaken, base).Scan(&n); err != nil {
		return "", fmt.Errorf("look up slug %s: %w", base, err)
	}
	if n == 0 {
		return base, nil
	}
	// Slugs hold only [a-z0-9-], so base carries no LIKE wildcards.
	rows, err := s.txQuery(ctx, tx, s.q.articleSlugs, base, base+"-%")
	if err != nil {
		return "", fmt.Errorf("read slugs like %s: %w", base, err)
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var sl string
		if err := rows.Scan(&sl); err != nil {
			return "", fmt.Errorf("read slugs like %s: %w", base, err)
		}
		taken[sl] = true
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read slugs like %s: %w", base, err)
	}
	if !taken[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		if c := base + "-" + strconv.Itoa(n); !taken[c] {
			return c, nil
		}
	}
}

func scanArticle(sc interface{ Scan(...any) error }) (store.Article, error) {
	a, _, err := scanArticleSort(sc)
	return a, err
}

// scanArticleSort is scanArticle that also returns the stored sort key, which
// a page cursor must carry exactly.
func scanArticleSort(sc interface{ Scan(...any) error }) (store.Article, int64, error) {
	var a store.Article
	var pub, upd, first, sortAt, pinned int64
	var title, summary string
	err := sc.Scan(&a.ID, &a.SourceID, &a.SourceName, &a.URL, &a.CanonicalURL, &a.GUID, &a.Slug,
		&a.Title, &a.Author, &pub, &upd, &a.Language, &a.Section, &a.Image, &a.Summary,
		&a.HTML, &a.Text, &a.ContentHash, &first, &a.Hidden, &sortAt, &a.DuplicateOf, &a.StoryID,
		&title, &summary, &pinned)
	a.PublishedAt, a.UpdatedAt, a.FirstSeenAt, a.PinnedAt = fromMS(pub), fromMS(upd), fromMS(first), fromMS(pinned)
	applyCorrection(&a, title, summary)
	return a, sortAt, err
}

// applyCorrection shows an editor's corrections in place of what the
// source published, which stays in SourceTitle and SourceSummary. The hash
// as read folds the corrections in: the translate stage compares it with
// the hash its translation was made from, so a corrected (or re-corrected)
// article is translated again, and an unchanged one is not.
func applyCorrection(a *store.Article, title, summary string) {
	a.SourceTitle, a.SourceSummary = a.Title, a.Summary
	if title == "" && summary == "" {
		return
	}
	if title != "" {
		a.Title, a.TitleCorrected = title, true
	}
	if summary != "" {
		a.Summary, a.SummaryCorrected = summary, true
	}
	a.ContentHash = ContentHash(a.ContentHash, "correction\n"+title+"\n"+summary)
}

// ArticleKnown reports whether this source has stored an article with this GUID or URL.
func (s *Store) ArticleKnown(ctx context.Context, sourceID int64, guid, url string) (bool, error) {
	var n int
	var err error
	if guid != "" {
		err = s.queryRow(ctx, s.q.articleKnownGUID, sourceID, guid, url, url).Scan(&n)
	} else {
		err = s.queryRow(ctx, s.q.articleKnownURL, sourceID, url, url).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("check article known (source %d, guid %q, url %s): %w", sourceID, guid, url, err)
	}
	return n > 0, nil
}

// Article returns one article by ID, hidden or not.
func (s *Store) Article(ctx context.Context, id int64) (*store.Article, error) {
	a, err := scanArticle(s.queryRow(ctx, s.q.articleByID, id))
	if err != nil {
		return nil, notFound(err, "article %d", id)
	}
	return &a, nil
}

// ArticleBySlug returns one article by slug, hidden or not.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (*store.Article, error) {
	a, err := scanArticle(s.queryRow(ctx, s.q.articleBySlug, slug))
	if err != nil {
		return nil, notFound(err, "article %q", slug)
	}
	return &a, nil
}

// encodeCursor and decodeCursor keep the keyset position opaque to callers.
func encodeCursor(sortAt, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(sortAt, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (sortAt, id int64, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, fmt.Errorf("cursor %q: %w", c, store.ErrBadCursor)
	}
	a, b, ok := strings.Cut(string(raw), ":")
	sortAt, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, fmt.Errorf("cursor %q: %w", c, store.ErrBadCursor)
	}
	return sortAt, id, nil
}

// Articles returns one page of visible articles, newest first, using keyset
// pagination on (sort_at, id) so deep pages cost the same as the first.
func (s *Store) Articles(ctx context.Context, q store.ArticleQuery) (store.ArticlePage, error) {
	page, err := s.listArticles(ctx, "", nil, q)
	if err != nil {
		return store.ArticlePage{}, fmt.Errorf("list articles: %w", err)
	}
	return page, nil
}

// listArticles runs the article listing: the base query, then extra (a
// filter with its arguments, e.g. an edition's), then q's filters, cursor
// and limit.
func (s *Store) listArticles(ctx context.Context, extra string, extraArgs []any, q store.ArticleQuery) (store.ArticlePage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	var b strings.Builder
	if q.Cards {
		b.WriteString(qCardsBase)
	} else {
		b.WriteString(qArticlesBase)
	}
	b.WriteString(extra)
	args := append([]any(nil), extraArgs...)
	if q.Section != "" {
		b.WriteString(` AND a.section = ?`)
		args = append(args, q.Section)
	}
	if q.SourceID != 0 {
		b.WriteString(` AND a.source_id = ?`)
		args = append(args, q.SourceID)
	}
	if !q.Since.IsZero() {
		b.WriteString(` AND a.sort_at >= ?`)
		args = append(args, ms(q.Since))
	}
	if q.Exclude != 0 {
		b.WriteString(` AND a.id <> ?`)
		args = append(args, q.Exclude)
	}
	if q.OriginalsOnly {
		b.WriteString(` AND a.duplicate_of IS NULL`)
	}
	if q.PinnedOnly {
		b.WriteString(` AND a.pinned_at > 0`)
	}
	if q.Cursor != "" {
		sortAt, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return store.ArticlePage{}, err
		}
		b.WriteString(` AND (a.sort_at, a.id) < (?, ?)`)
		args = append(args, sortAt, id)
	}
	b.WriteString(qArticlesTail)
	args = append(args, limit+1) // one extra row says whether a next page exists

	rows, err := s.query(ctx, s.d.rebind(b.String()), args...)
	if err != nil {
		return store.ArticlePage{}, err
	}
	defer rows.Close()
	var page store.ArticlePage
	var lastSort int64
	for rows.Next() {
		a, sortAt, err := scanArticleSort(rows)
		if err != nil {
			return store.ArticlePage{}, err
		}
		if len(page.Articles) == limit {
			page.NextCursor = encodeCursor(lastSort, page.Articles[limit-1].ID)
			break
		}
		page.Articles = append(page.Articles, a)
		lastSort = sortAt
	}
	if err := rows.Err(); err != nil {
		return store.ArticlePage{}, err
	}
	if q.Cards {
		if err := s.fillLeadlessTexts(ctx, page.Articles); err != nil {
			return store.ArticlePage{}, err
		}
	}
	return page, nil
}

// fillLeadlessTexts reads the text of the cards in as whose lead is empty
// (the card shows the start of the text then), in one query; most
// articles have a lead, and then there is no query.
func (s *Store) fillLeadlessTexts(ctx context.Context, as []store.Article) error {
	byID := map[int64]*store.Article{}
	var args []any
	for i := range as {
		if strings.TrimSpace(as[i].Summary) == "" {
			byID[as[i].ID] = &as[i]
			args = append(args, as[i].ID)
		}
	}
	if len(args) == 0 {
		return nil
	}
	return s.readTexts(ctx, s.d.rebind(fmt.Sprintf(qArticleTexts, placeholders(len(args)))), args, func(id int64, text string) {
		if a := byID[id]; a != nil {
			a.Text = text
		}
	})
}

// readTexts runs q, which selects an id and a text, and hands each row to set.
func (s *Store) readTexts(ctx context.Context, q string, args []any, set func(id int64, text string)) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return fmt.Errorf("read texts: %w", err)
		}
		set(id, text)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read texts: %w", err)
	}
	return nil
}

// CountArticles counts all stored articles, hidden ones included.
func (s *Store) CountArticles(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, s.q.countArticles).Scan(&n); err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// ---- Sections ----

// EnsureSection inserts sec unless its slug exists; an existing name is kept.
func (s *Store) EnsureSection(ctx context.Context, sec store.Section) error {
	if sec.Slug == "" {
		return fmt.Errorf("ensure section %q: empty slug", sec.Name)
	}
	if _, err := s.exec(ctx, s.q.ensureSection, sec.Slug, sec.Name); err != nil {
		return fmt.Errorf("ensure section %s: %w", sec.Slug, err)
	}
	return nil
}

// Sections and Section are in sections.go, with the editor's changes.

// ---- Views ----

// RecordView counts one view of an article in the hour containing at.
func (s *Store) RecordView(ctx context.Context, articleID int64, at time.Time) error {
	res, err := s.exec(ctx, s.q.recordView, at.UTC().Truncate(time.Hour).UnixMilli(), articleID)
	if err != nil {
		return fmt.Errorf("record view of article %d: %w", articleID, err)
	}
	return mustAffect(res, "record view of article", articleID)
}

// AddViews adds a batch of view counts in one transaction with one
// prepared statement: a web node's flush is one database write, whatever
// its size.
func (s *Store) AddViews(ctx context.Context, counts []store.ViewCount) error {
	if len(counts) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q.addViews)
		if err != nil {
			return fmt.Errorf("add views: %w", err)
		}
		defer stmt.Close()
		for _, c := range counts {
			if c.Count <= 0 {
				continue
			}
			if _, err := stmt.ExecContext(ctx, c.Hour.UTC().Truncate(time.Hour).UnixMilli(), c.Count, c.ArticleID); err != nil {
				return fmt.Errorf("add %d views of article %d: %w", c.Count, c.ArticleID, err)
			}
		}
		return nil
	})
}

// Trending returns visible articles by views counted in hours from since's
// hour on, most viewed first, ties newest first.
func (s *Store) Trending(ctx context.Context, since time.Time, limit int) ([]store.Article, error) {
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, maxLimit)
	rows, err := s.query(ctx, s.q.trending, since.UTC().Truncate(time.Hour).UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("trending articles: %w", err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("trending articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("trending articles: %w", err)
	}
	return out, nil
}

// ---- Jobs ----

func scanJob(sc interface{ Scan(...any) error }) (store.Job, error) {
	var j store.Job
	var runAt, lockedUntil, created int64
	err := sc.Scan(&j.ID, &j.Kind, &j.UniqueKey, &j.SourceID, &j.Payload, &j.State, &j.Attempts,
		&j.MaxAttempts, &runAt, &j.LockedBy, &lockedUntil, &j.LastError, &created)
	j.RunAt, j.LockedUntil, j.CreatedAt = fromMS(runAt), fromMS(lockedUntil), fromMS(created)
	return j, err
}

// Enqueue adds j (setting ID, State, CreatedAt, and defaults for RunAt and
// MaxAttempts). It returns false, and changes nothing, when a queued or
// running job holds the same UniqueKey, or any kept job a key with
// store.OnceKeyPrefix.
func (s *Store) Enqueue(ctx context.Context, j *store.Job) (bool, error) {
	if j.Kind == "" {
		return false, errors.New("enqueue job: empty kind")
	}
	now := time.Now().UTC()
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = defaultMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	var id int64
	err := s.writeRow(ctx, s.q.enqueue, []any{j.Kind, j.UniqueKey, nullID(j.SourceID), j.Payload,
		j.MaxAttempts, ms(j.RunAt), ms(now), ms(now)}, func(r *sql.Row) error { return r.Scan(&id) })
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue %s job %q: %w", j.Kind, j.UniqueKey, err)
	}
	j.ID, j.State, j.Attempts, j.CreatedAt = id, store.JobQueued, 0, fromMS(ms(now))
	return true, nil
}

// kindFilter returns "kind IN (?, ...) AND" and its args; no kinds means any.
func kindFilter(kinds []string) (string, []any) {
	if len(kinds) == 0 {
		return "", nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = k
	}
	return "kind IN (" + placeholders(len(kinds)) + ") AND", args
}

// Claim takes the next runnable job of kinds (any kind when empty) in one
// statement; see store.Store.
func (s *Store) Claim(ctx context.Context, worker string, kinds []string, now time.Time, lease time.Duration) (*store.Job, error) {
	filter, kargs := kindFilter(kinds)
	q := s.d.rebind(fmt.Sprintf(qClaim, filter, s.d.ClaimLock, filter, s.d.ClaimLock))
	args := append([]any{worker, ms(now.Add(lease)), ms(now)}, kargs...)
	args = append(args, ms(now))
	args = append(args, kargs...)
	args = append(args, ms(now))
	var j store.Job
	err := s.writeRow(ctx, q, args, func(r *sql.Row) (err error) {
		j, err = scanJob(r)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		// Nothing to do: the moment to dead-letter jobs whose lease lapsed on
		// their last attempt (Claim no longer takes them), so they neither
		// sit as "running" for ever nor take down another worker.
		if _, err := s.exec(ctx, s.q.buryJobs, ms(now), ms(now)); err != nil {
			return nil, fmt.Errorf("claim %v: dead-letter jobs that outlived their workers: %w", kinds, err)
		}
		return nil, fmt.Errorf("claim %v: no runnable job: %w", kinds, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("claim %v: %w", kinds, err)
	}
	return &j, nil
}

// ExtendLease renews worker's lease on job id until until.
func (s *Store) ExtendLease(ctx context.Context, id int64, worker string, until time.Time) error {
	res, err := s.exec(ctx, s.q.extendLease, ms(until), ms(time.Now()), id, worker)
	if err != nil {
		return fmt.Errorf("extend lease of job %d: %w", id, err)
	}
	return mustAffect(res, "extend lease of job held by "+worker+", job", id)
}

// CompleteJob marks job id done, if worker still holds it.
func (s *Store) CompleteJob(ctx context.Context, id int64, worker string) error {
	res, err := s.exec(ctx, s.q.completeJob, ms(time.Now()), id, worker)
	if err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	return mustAffect(res, "complete job held by "+worker+", job", id)
}

// FailJob records errMsg and queues job id again at retryAt, or marks it dead
// when its attempts are used up or retryAt is zero.
func (s *Store) FailJob(ctx context.Context, id int64, worker string, errMsg string, retryAt time.Time) error {
	r := ms(retryAt)
	res, err := s.exec(ctx, s.q.failJob, r, r, r, errMsg, ms(time.Now()), id, worker)
	if err != nil {
		return fmt.Errorf("fail job %d: %w", id, err)
	}
	return mustAffect(res, "fail job held by "+worker+", job", id)
}

// DeferJob queues job id, held by worker, again at runAt without counting
// the attempt it was claimed for.
func (s *Store) DeferJob(ctx context.Context, id int64, worker string, runAt time.Time) error {
	res, err := s.exec(ctx, s.q.deferJob, ms(runAt), ms(time.Now()), id, worker)
	if err != nil {
		return fmt.Errorf("defer job %d: %w", id, err)
	}
	return mustAffect(res, "defer job held by "+worker+", job", id)
}

// JobCounts counts jobs of kinds (all when empty) by state; Waiting counts
// queued jobs not yet due at now.
func (s *Store) JobCounts(ctx context.Context, kinds []string, now time.Time) (store.JobCounts, error) {
	filter, kargs := kindFilter(kinds)
	where := ""
	if filter != "" {
		where = "WHERE " + strings.TrimSuffix(filter, " AND")
	}
	q := s.d.rebind(fmt.Sprintf(qJobCounts, where))
	rows, err := s.query(ctx, q, append([]any{ms(now)}, kargs...)...)
	if err != nil {
		return store.JobCounts{}, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	var c store.JobCounts
	for rows.Next() {
		var state string
		var n, waiting int
		if err := rows.Scan(&state, &n, &waiting); err != nil {
			return store.JobCounts{}, fmt.Errorf("count jobs: %w", err)
		}
		switch state {
		case store.JobQueued:
			c.Queued, c.Waiting = n, waiting
		case store.JobRunning:
			c.Running = n
		case store.JobDone:
			c.Done = n
		case store.JobDead:
			c.Dead = n
		}
	}
	if err := rows.Err(); err != nil {
		return store.JobCounts{}, fmt.Errorf("count jobs: %w", err)
	}
	return c, nil
}

// PurgeJobs deletes done jobs finished before cutoff and says how many.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, s.q.purgeJobs, ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge jobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge jobs: %w", err)
	}
	return int(n), nil
}
