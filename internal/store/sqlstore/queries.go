package sqlstore

// The query catalogue: every statement sqlstore runs, written once with ?
// placeholders. New rebinds the fixed ones for the dialect once; the few
// assembled at run time (IN lists, article filters) are built from the
// fragments here and rebound per call.

// sourceCols end with the source's article count, kept by triggers
// (migration 0023), and its dead jobs, counted (jobs_source makes that a
// short index walk per source).
const sourceCols = `s.id, s.url, s.site_url, s.kind, s.name, s.section, s.language,
	s.poll_interval, s.enabled, s.etag, s.last_modified, s.next_poll_at,
	s.last_polled_at, s.last_success, s.last_error, s.error_count, s.created_at,
	s.country, s.outlet_type, s.ownership, s.position,
	s.article_count,
	(SELECT COUNT(*) FROM jobs j WHERE j.source_id = s.id AND j.state = 'dead')`

const articleCols = articleHeadCols + `a.html, a.text` + articleTailCols

// articleCardCols are articleCols for a listing of cards (ArticleQuery.Cards):
// empty in place of the HTML and text, which a card does not show. Reading
// them was most of a listing's cost: 2–8 kB each, TOASTed on PostgreSQL
// (docs/benchmarks.md, "A million articles").
const articleCardCols = articleHeadCols + `'', ''` + articleTailCols

const (
	articleHeadCols = `a.id, COALESCE(a.source_id, 0), COALESCE(s.name, ''), a.url,
	a.canonical_url, a.guid, a.slug, a.title, a.author, a.published_at,
	a.updated_at, a.language, a.section, a.image, a.summary, `
	articleTailCols = `,
	a.content_hash, a.first_seen_at, a.hidden, a.sort_at, COALESCE(a.duplicate_of, 0), COALESCE(a.story_id, 0)` + correctionCols
)

// correctionCols are an editor's corrections (migration 0016), last of
// every article row scanArticle reads.
const correctionCols = `, COALESCE(a.title_override, ''), COALESCE(a.summary_override, ''), a.pinned_at`

const articleFrom = ` FROM articles a LEFT JOIN sources s ON s.id = a.source_id`

const jobCols = `id, kind, unique_key, COALESCE(source_id, 0), payload, state,
	attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at`

// Fragments for queries assembled at run time.
const (
	qArticlesBase = `SELECT ` + articleCols + articleFrom + ` WHERE a.hidden = FALSE`
	qCardsBase    = `SELECT ` + articleCardCols + articleFrom + ` WHERE a.hidden = FALSE`
	// qArticleTexts and qTranslationTexts fill in the text of the cards
	// whose lead is empty: a card shows the start of the text then.
	qArticleTexts     = `SELECT id, text FROM articles WHERE id IN (%s)`
	qTranslationTexts = `SELECT article_id, text FROM translations WHERE language = ? AND article_id IN (%s)`
	qArticlesTail     = ` ORDER BY a.sort_at DESC, a.id DESC LIMIT ?`

	// Claim: the inner SELECT picks the job, the first due (queued) one or
	// the first whose lease lapsed, each found on its own so that each can
	// be read in the order of the index on (state, run_at): one condition
	// with OR made the database gather and sort every due job for every
	// claim (2 ms a claim with 2,000 queued on SQLite, growing with the
	// queue). Each %s pair is the kind filter and the dialect's
	// row-locking clause.
	qClaim = `UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?,
		attempts = attempts + 1, deferred = FALSE, updated_at = ?
	WHERE id = (SELECT id FROM (
		SELECT id, run_at FROM (SELECT id, run_at FROM jobs
			WHERE %s state = 'queued' AND run_at <= ? ORDER BY run_at, id LIMIT 1%s) due
		UNION ALL
		SELECT id, run_at FROM (SELECT id, run_at FROM jobs
			WHERE %s state = 'running' AND locked_until < ? AND attempts < max_attempts
			ORDER BY run_at, id LIMIT 1%s) lapsed
		) candidates ORDER BY run_at, id LIMIT 1)
	RETURNING ` + jobCols

	// Waiting: retries waiting out a backoff, not jobs deferred until
	// their host is free (migration 0022), which are due in moments.
	qJobCounts = `SELECT state, COUNT(*),
		COALESCE(SUM(CASE WHEN state = 'queued' AND run_at > ? AND deferred = FALSE THEN 1 ELSE 0 END), 0)
	FROM jobs %s GROUP BY state`
)

// queries holds the fixed statements, rebound for one dialect.
type queries struct {
	createMigrations, migrationVersions, insertMigration string

	insertSource, updateSource, recordPoll, sourceByID, sourceByURL, sources, dueSources string
	deleteSourceViews, deleteSourceArticles, deleteSourceJobs, deleteSource              string

	articleDupe, articleSlugTaken, articleSlugs, insertArticle, updateArticle    string
	articleKnownGUID, articleKnownURL, articleByID, articleBySlug, countArticles string

	ensureSection, sections, sectionBySlug string

	recordView, addViews, trending string

	enqueue, extendLease, completeJob, failJob, purgeJobs, buryJobs string

	deferJob string
}

func newQueries(d Dialect) queries {
	q := queries{
		createMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at BIGINT NOT NULL)`,
		migrationVersions: `SELECT version FROM schema_migrations`,
		insertMigration:   `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,

		insertSource: `INSERT INTO sources (url, site_url, kind, name, section, language,
			poll_interval, enabled, etag, last_modified, next_poll_at, last_polled_at,
			last_success, last_error, error_count, created_at,
			country, outlet_type, ownership, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		// An edit writes what an editor owns: never the address, kind or
		// validators a poll learns; the next poll time only when the edit
		// resumes a paused source (SET expressions see the old row); an
		// empty name keeps the one a poll may have taken from the feed.
		updateSource: `UPDATE sources SET name = CASE WHEN ? = '' THEN name ELSE ? END,
			section = ?, language = ?, poll_interval = ?,
			next_poll_at = CASE WHEN enabled = FALSE AND ? = TRUE THEN ? ELSE next_poll_at END,
			enabled = ?, country = ?, outlet_type = ?, ownership = ?, position = ?
			WHERE id = ?`,
		// A poll writes what a poll owns; the name and site address only
		// where the source has none.
		recordPoll: `UPDATE sources SET url = ?, kind = ?, etag = ?, last_modified = ?,
			site_url = CASE WHEN site_url = '' THEN ? ELSE site_url END,
			name = CASE WHEN name = '' THEN ? ELSE name END,
			next_poll_at = ?, last_polled_at = ?, last_success = ?, last_error = ?, error_count = ?
			WHERE id = ?`,
		sourceByID:  `SELECT ` + sourceCols + ` FROM sources s WHERE s.id = ?`,
		sourceByURL: `SELECT ` + sourceCols + ` FROM sources s WHERE s.url = ?`,
		sources:     `SELECT ` + sourceCols + ` FROM sources s ORDER BY s.id`,
		dueSources: `SELECT ` + sourceCols + ` FROM sources s
			WHERE s.enabled = TRUE AND s.next_poll_at <= ? ORDER BY s.next_poll_at, s.id`,
		deleteSourceViews: `DELETE FROM views WHERE article_id IN
			(SELECT id FROM articles WHERE source_id = ?)`,
		deleteSourceArticles: `DELETE FROM articles WHERE source_id = ?`,
		deleteSourceJobs:     `DELETE FROM jobs WHERE source_id = ?`,
		deleteSource:         `DELETE FROM sources WHERE id = ?`,

		// The first matching key wins: canonical URL, then source+GUID, then URL.
		// Every dedupe key is scoped to the article's source (0 = none):
		// an article belongs to the source that fetched it, and another
		// source can neither overwrite nor suppress it (migration 0004).
		// One indexed lookup per key (canonical URL, GUID, URL), best key
		// first: written as one WHERE with OR, both engines scanned every
		// article of the source, which made each stored article cost in
		// proportion to its source's archive.
		articleDupe: `SELECT id, slug, first_seen_at, content_hash FROM (
				SELECT id, slug, first_seen_at, content_hash, 0 AS k FROM articles
					WHERE COALESCE(source_id, 0) = ? AND canonical_url = ?
				UNION ALL
				SELECT id, slug, first_seen_at, content_hash, 1 AS k FROM articles
					WHERE source_id = ? AND guid = ? AND guid <> ''
				UNION ALL
				SELECT id, slug, first_seen_at, content_hash, 1 AS k FROM articles
					WHERE source_id IS NULL AND CAST(? AS BIGINT) = 0 AND guid = ? AND guid <> ''
				UNION ALL
				SELECT id, slug, first_seen_at, content_hash, 2 AS k FROM articles
					WHERE COALESCE(source_id, 0) = ? AND url = ?
			) dupe ORDER BY k, id LIMIT 1`,
		articleSlugTaken: `SELECT COUNT(*) FROM articles WHERE slug = ?`,
		articleSlugs:     `SELECT slug FROM articles WHERE slug = ? OR slug LIKE ?`,
		// DO NOTHING without a target covers every unique index: a concurrent
		// twin (any dedupe key) or a slug taken meanwhile. The caller re-reads
		// to tell which.
		insertArticle: `INSERT INTO articles (source_id, url, canonical_url, guid, slug, title,
			author, published_at, updated_at, language, section, image, summary, html, text,
			content_hash, first_seen_at, sort_at, hidden)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`,
		// Dedupe keys, slug, first-seen time and hidden flag are kept; empty
		// optional fields do not erase what an earlier fetch found.
		updateArticle: `UPDATE articles SET title = ?,
			author = COALESCE(NULLIF(?, ''), author),
			published_at = CASE WHEN CAST(? AS BIGINT) = 0 THEN published_at ELSE CAST(? AS BIGINT) END,
			updated_at = ?,
			language = COALESCE(NULLIF(?, ''), language),
			section = COALESCE(section_override, NULLIF(?, ''), section),
			image = COALESCE(NULLIF(?, ''), image),
			summary = ?, html = ?, text = ?, content_hash = ?,
			sort_at = CASE WHEN CAST(? AS BIGINT) = 0 THEN (CASE WHEN published_at = 0 THEN first_seen_at ELSE published_at END) ELSE CAST(? AS BIGINT) END
			WHERE id = ?`,
		articleKnownGUID: `SELECT COUNT(*) FROM articles WHERE COALESCE(source_id, 0) = ?
			AND ((guid = ? AND guid <> '') OR url = ? OR canonical_url = ?)`,
		articleKnownURL: `SELECT COUNT(*) FROM articles WHERE COALESCE(source_id, 0) = ?
			AND (url = ? OR canonical_url = ?)`,
		articleByID:   `SELECT ` + articleCols + articleFrom + ` WHERE a.id = ?`,
		articleBySlug: `SELECT ` + articleCols + articleFrom + ` WHERE a.slug = ?`,
		countArticles: `SELECT COUNT(*) FROM articles`,

		ensureSection: `INSERT INTO sections (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING`,
		// Menu order: placed sections by position, then the unplaced
		// (position 0) by name (migration 0018); visible_count is kept by
		// triggers (migration 0025).
		sections: `SELECT c.slug, c.name, c.position, c.off_menu, c.visible_count
			FROM sections c ORDER BY CASE WHEN c.position = 0 THEN 1 ELSE 0 END, c.position, c.name, c.slug`,
		sectionBySlug: `SELECT c.slug, c.name, c.position, c.off_menu, c.visible_count
			FROM sections c WHERE c.slug = ?`,

		// INSERT ... SELECT so a view of a missing article inserts nothing and
		// is reported, instead of failing on the foreign key.
		recordView: `INSERT INTO views (article_id, hour, count)
			SELECT id, CAST(? AS BIGINT), 1 FROM articles WHERE id = ?
			ON CONFLICT (article_id, hour) DO UPDATE SET count = views.count + 1`,
		addViews: `INSERT INTO views (article_id, hour, count)
			SELECT id, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM articles WHERE id = ?
			ON CONFLICT (article_id, hour) DO UPDATE SET count = views.count + excluded.count`,
		trending: `SELECT ` + articleCols + articleFrom + `
			JOIN (SELECT article_id, SUM(count) AS n FROM views WHERE hour >= ? GROUP BY article_id) t
				ON t.article_id = a.id
			WHERE a.hidden = FALSE
			ORDER BY t.n DESC, a.sort_at DESC, a.id DESC LIMIT ?`,

		enqueue: `INSERT INTO jobs (kind, unique_key, source_id, payload, state, attempts,
			max_attempts, run_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, // a conflict on either key index (jobs_unique_key, jobs_once_key)
		extendLease: `UPDATE jobs SET locked_until = ?, updated_at = ?
			WHERE id = ? AND locked_by = ? AND state = 'running'`,
		completeJob: `UPDATE jobs SET state = 'done', locked_until = 0, updated_at = ?
			WHERE id = ? AND locked_by = ? AND state = 'running'`,
		// retryAt = 0 means "do not retry".
		failJob: `UPDATE jobs SET
			state = CASE WHEN attempts >= max_attempts OR CAST(? AS BIGINT) = 0 THEN 'dead' ELSE 'queued' END,
			run_at = CASE WHEN attempts >= max_attempts OR CAST(? AS BIGINT) = 0 THEN run_at ELSE CAST(? AS BIGINT) END,
			last_error = ?, locked_until = 0, updated_at = ?
			WHERE id = ? AND locked_by = ? AND state = 'running'`,
		purgeJobs: `DELETE FROM jobs WHERE state = 'done' AND updated_at < ?`,
		// deferJob gives the attempt back: the job never got to run.
		deferJob: `UPDATE jobs SET state = 'queued', run_at = ?, deferred = TRUE,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
			locked_until = 0, updated_at = ?
			WHERE id = ? AND locked_by = ? AND state = 'running'`,
		// buryJobs: a job whose lease lapsed on its last attempt took its
		// worker down with it each time (a crash, a kill, memory); running
		// it again would only take down the next one.
		buryJobs: `UPDATE jobs SET state = 'dead', locked_until = 0, updated_at = ?,
			last_error = 'its worker stopped without finishing on every attempt (crash, kill or out of memory); see the worker logs'
			WHERE state = 'running' AND locked_until < ? AND attempts >= max_attempts`,
	}
	for _, p := range []*string{
		&q.createMigrations, &q.migrationVersions, &q.insertMigration,
		&q.insertSource, &q.updateSource, &q.recordPoll, &q.sourceByID, &q.sourceByURL, &q.sources, &q.dueSources,
		&q.deleteSourceViews, &q.deleteSourceArticles, &q.deleteSourceJobs, &q.deleteSource,
		&q.articleDupe, &q.articleSlugTaken, &q.articleSlugs, &q.insertArticle, &q.updateArticle,
		&q.articleKnownGUID, &q.articleKnownURL, &q.articleByID, &q.articleBySlug, &q.countArticles,
		&q.ensureSection, &q.sections, &q.sectionBySlug,
		&q.recordView, &q.addViews, &q.trending,
		&q.enqueue, &q.extendLease, &q.completeJob, &q.failJob, &q.purgeJobs, &q.buryJobs,
		&q.deferJob,
	} {
		*p = d.rebind(*p)
	}
	return q
}
