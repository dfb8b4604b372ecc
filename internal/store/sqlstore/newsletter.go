package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"spektrum/internal/store"
)

// The newsletter's statements, kept together as a catalogue like queries.go.
// They are few and not on a hot path worth caching rebinds for, so each call
// rebinds its statement (a string scan) for the dialect.
const (
	subscriberCols = `id, email, language, sections, frequency, status, confirm_nonce, link_nonce,
		confirm_sent, confirm_sent_at, soft_bounces, last_digest_at, created_at, confirmed_at,
		unsubscribed_at, bounced_at`

	qSecretInsert = `INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`
	qSecret       = `SELECT value FROM secrets WHERE name = ?`

	qInsertSubscriber = `INSERT INTO newsletter_subscribers (email, language, sections, frequency, status,
		confirm_nonce, link_nonce, confirm_sent, confirm_sent_at, soft_bounces, last_digest_at, created_at,
		confirmed_at, unsubscribed_at, bounced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qUpdateSubscriber = `UPDATE newsletter_subscribers SET language = ?, sections = ?, frequency = ?, status = ?,
		confirm_nonce = ?, link_nonce = ?, confirm_sent = ?, confirm_sent_at = ?, soft_bounces = ?,
		last_digest_at = ?, confirmed_at = ?, unsubscribed_at = ?, bounced_at = ? WHERE id = ?`
	qSubscriberByID    = `SELECT ` + subscriberCols + ` FROM newsletter_subscribers WHERE id = ?`
	qSubscriberByEmail = `SELECT ` + subscriberCols + ` FROM newsletter_subscribers WHERE email = ?`
	qConfirmSubscriber = `UPDATE newsletter_subscribers SET status = 'active', confirm_nonce = '', confirmed_at = ?
		WHERE id = ? AND status = 'pending' AND confirm_nonce = ? AND confirm_nonce <> ''`
	qSubscribers = `SELECT ` + subscriberCols + ` FROM newsletter_subscribers
		WHERE (status = ? OR ? = '') AND (frequency = ? OR ? = '') AND id > ? ORDER BY id LIMIT ?`
	qCountSubscribers = `SELECT status, COUNT(*) FROM newsletter_subscribers GROUP BY status`

	// Consents and sends go first explicitly: SQLite enforces ON DELETE
	// CASCADE only with foreign_keys on, which a hand-opened connection may lack.
	qDeleteSubscriberConsents = `DELETE FROM newsletter_consents WHERE subscriber_id = ?`
	qDeleteSubscriberSends    = `DELETE FROM newsletter_sends WHERE subscriber_id = ?`
	qDeleteSubscriber         = `DELETE FROM newsletter_subscribers WHERE id = ?`

	qInsertConsent = `INSERT INTO newsletter_consents (subscriber_id, action, text, text_version, language,
		page_url, choices, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qConsents = `SELECT id, subscriber_id, action, text, text_version, language, page_url, choices, created_at
		FROM newsletter_consents WHERE subscriber_id = ? ORDER BY id`

	qCountHit = `INSERT INTO newsletter_hits (hit_key, win_start, count) VALUES (?, ?, 1)
		ON CONFLICT (hit_key, win_start) DO UPDATE SET count = newsletter_hits.count + 1 RETURNING count`
	qPurgeHits = `DELETE FROM newsletter_hits WHERE win_start < ?`

	qPlanDigests = `INSERT INTO newsletter_sends (subscriber_id, run_key, state, period_from, period_until,
			next_at, created_at)
		SELECT id, ?, 'pending', CASE WHEN last_digest_at = 0 THEN ? ELSE last_digest_at END, ?, 0, ?
		FROM newsletter_subscribers WHERE status = 'active' AND frequency = ? AND (language = ? OR ? = '')
		ON CONFLICT (subscriber_id, run_key) DO NOTHING`
	qInsertRun = `INSERT INTO newsletter_runs (run_key, frequency, created_at) VALUES (?, ?, ?)
		ON CONFLICT (run_key) DO NOTHING`
	qRuns = `SELECT id, run_key, frequency, created_at FROM newsletter_runs WHERE id < ? ORDER BY id DESC LIMIT ?`
	// The marks are rare: these counts read their partial indexes (0019).
	qBouncedCounts     = `SELECT state, COUNT(*) FROM newsletter_sends WHERE run_key = ? AND bounced_at > 0 GROUP BY state`
	qUnsubscribedCount = `SELECT COUNT(*) FROM newsletter_sends WHERE run_key = ? AND unsubscribed_at > 0`
	qLastSent          = `SELECT id, bounced_at, unsubscribed_at FROM newsletter_sends WHERE subscriber_id = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1`
	qMarkBounced       = `UPDATE newsletter_sends SET bounced_at = ? WHERE id = ? AND bounced_at = 0`
	qMarkUnsubscribed  = `UPDATE newsletter_sends SET unsubscribed_at = ? WHERE id = ? AND unsubscribed_at = 0`
	qPurgeRuns         = `DELETE FROM newsletter_runs WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM newsletter_sends n WHERE n.run_key = newsletter_runs.run_key)`
	subscriberSearch   = ` FROM newsletter_subscribers WHERE (? = '' OR email LIKE ? ESCAPE '\') AND (status = ? OR ? = '')
		AND (frequency = ? OR ? = '') AND (language = ? OR ? = '')`
	qSearchSubscribers = `SELECT ` + subscriberCols + subscriberSearch + ` AND id < ? ORDER BY id DESC LIMIT ?`
	qCountSearch       = `SELECT COUNT(*)` + subscriberSearch

	sendCols = `n.id, n.subscriber_id, n.run_key, n.state, n.period_from, n.period_until, n.attempts,
		n.next_at, n.last_error, n.message_id, n.sent_at, n.created_at, n.bounced_at, n.unsubscribed_at`

	// (The send log's locked_by and locked_until columns date from when the
	// newsletter claimed rows itself; the job queue's leases do it now.)
	qPendingSends = `SELECT ` + sendCols + ` FROM newsletter_sends n
		WHERE n.run_key = ? AND n.state = 'pending' AND n.id > ? ORDER BY n.id LIMIT ?`
	qSendByID = `SELECT ` + sendCols + `, ` + prefixedSubscriberCols + `
		FROM newsletter_sends n JOIN newsletter_subscribers s ON s.id = n.subscriber_id
		WHERE n.id = ?`
	qFinishSend = `UPDATE newsletter_sends SET state = ?, next_at = ?, attempts = ?,
		last_error = ?, message_id = ?, sent_at = ?, bounced_at = ? WHERE id = ? AND state = 'pending'`
	qAdvanceDigest = `UPDATE newsletter_subscribers SET last_digest_at = ? WHERE id = ? AND last_digest_at < ?`
	qSendCounts    = `SELECT state, COUNT(*) FROM newsletter_sends WHERE run_key = ? GROUP BY state`
	qSendsOf       = `SELECT ` + sendCols + ` FROM newsletter_sends n WHERE n.subscriber_id = ? ORDER BY n.id`
	qPurgeSends    = `DELETE FROM newsletter_sends WHERE state <> 'pending' AND created_at < ?`

	// Digests need no bodies: HTML and text are left out (empty), which
	// keeps a week of a busy outlet's articles small in memory.
	qDigestArticles = `SELECT a.id, COALESCE(a.source_id, 0), COALESCE(s.name, ''), a.url,
		a.canonical_url, a.guid, a.slug, a.title, a.author, a.published_at,
		a.updated_at, a.language, a.section, a.image, a.summary, '', '',
		a.content_hash, a.first_seen_at, a.hidden, a.sort_at, COALESCE(a.duplicate_of, 0), COALESCE(a.story_id, 0)` + correctionCols + articleFrom + `
		WHERE a.hidden = FALSE AND a.first_seen_at >= ? AND a.first_seen_at < ?
		ORDER BY a.sort_at DESC, a.id DESC LIMIT ?`
)

const prefixedSubscriberCols = `s.id, s.email, s.language, s.sections, s.frequency, s.status,
	s.confirm_nonce, s.link_nonce, s.confirm_sent, s.confirm_sent_at, s.soft_bounces, s.last_digest_at,
	s.created_at, s.confirmed_at, s.unsubscribed_at, s.bounced_at`

// Secret returns the stored secret name, storing generate's value first if
// there is none; the insert-if-absent makes concurrent first calls agree.
func (s *Store) Secret(ctx context.Context, name string, generate func() (string, error)) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.d.rebind(qSecret), name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	nv, err := generate()
	if err != nil {
		return "", fmt.Errorf("generate secret %s: %w", name, err)
	}
	if _, err := s.exec(ctx, s.d.rebind(qSecretInsert), name, nv, time.Now().UnixMilli()); err != nil {
		return "", fmt.Errorf("store secret %s: %w", name, err)
	}
	if err := s.db.QueryRowContext(ctx, s.d.rebind(qSecret), name).Scan(&v); err != nil {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	return v, nil
}

func joinSections(secs []string) string { return strings.Join(secs, ",") }

func splitSections(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func scanSubscriber(sc interface{ Scan(...any) error }, sub *store.Subscriber) error {
	var secs string
	var sentAt, last, created, confirmed, unsub, bounced int64
	err := sc.Scan(&sub.ID, &sub.Email, &sub.Language, &secs, &sub.Frequency, &sub.Status,
		&sub.ConfirmNonce, &sub.LinkNonce, &sub.ConfirmSent, &sentAt, &sub.SoftBounces, &last,
		&created, &confirmed, &unsub, &bounced)
	sub.Sections = splitSections(secs)
	sub.ConfirmSentAt, sub.LastDigestAt, sub.CreatedAt = fromMS(sentAt), fromMS(last), fromMS(created)
	sub.ConfirmedAt, sub.UnsubscribedAt, sub.BouncedAt = fromMS(confirmed), fromMS(unsub), fromMS(bounced)
	return err
}

// CreateSubscriber inserts sub and sets its ID (and CreatedAt, if zero).
func (s *Store) CreateSubscriber(ctx context.Context, sub *store.Subscriber) error {
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = time.Now().UTC()
	}
	err := s.writeRow(ctx, s.d.rebind(qInsertSubscriber), []any{sub.Email, sub.Language,
		joinSections(sub.Sections), sub.Frequency, sub.Status, sub.ConfirmNonce, sub.LinkNonce,
		sub.ConfirmSent, ms(sub.ConfirmSentAt), sub.SoftBounces, ms(sub.LastDigestAt),
		ms(sub.CreatedAt), ms(sub.ConfirmedAt), ms(sub.UnsubscribedAt), ms(sub.BouncedAt)},
		func(r *sql.Row) error { return r.Scan(&sub.ID) })
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("create subscriber: %w", store.ErrDuplicate)
		}
		return fmt.Errorf("create subscriber: %w", err)
	}
	return nil
}

// UpdateSubscriber writes every field but ID, Email and CreatedAt.
func (s *Store) UpdateSubscriber(ctx context.Context, sub *store.Subscriber) error {
	res, err := s.exec(ctx, s.d.rebind(qUpdateSubscriber), sub.Language, joinSections(sub.Sections),
		sub.Frequency, sub.Status, sub.ConfirmNonce, sub.LinkNonce, sub.ConfirmSent, ms(sub.ConfirmSentAt),
		sub.SoftBounces, ms(sub.LastDigestAt), ms(sub.ConfirmedAt), ms(sub.UnsubscribedAt),
		ms(sub.BouncedAt), sub.ID)
	if err != nil {
		return fmt.Errorf("update subscriber %d: %w", sub.ID, err)
	}
	return mustAffect(res, "update subscriber", sub.ID)
}

// Subscriber returns one subscriber by ID.
func (s *Store) Subscriber(ctx context.Context, id int64) (*store.Subscriber, error) {
	var sub store.Subscriber
	if err := scanSubscriber(s.db.QueryRowContext(ctx, s.d.rebind(qSubscriberByID), id), &sub); err != nil {
		return nil, notFound(err, "subscriber %d", id)
	}
	return &sub, nil
}

// SubscriberByEmail returns the subscriber with the normalised address email.
func (s *Store) SubscriberByEmail(ctx context.Context, email string) (*store.Subscriber, error) {
	var sub store.Subscriber
	if err := scanSubscriber(s.db.QueryRowContext(ctx, s.d.rebind(qSubscriberByEmail), email), &sub); err != nil {
		// The address itself stays out of the error: errors end up in logs.
		return nil, notFound(err, "subscriber by e-mail")
	}
	return &sub, nil
}

// ConfirmSubscriber activates a pending subscriber holding nonce; see store.NewsletterStore.
func (s *Store) ConfirmSubscriber(ctx context.Context, id int64, nonce string, at time.Time) error {
	res, err := s.exec(ctx, s.d.rebind(qConfirmSubscriber), ms(at), id, nonce)
	if err != nil {
		return fmt.Errorf("confirm subscriber %d: %w", id, err)
	}
	return mustAffect(res, "confirm pending subscriber", id)
}

// Subscribers lists subscribers by ID; see store.NewsletterStore.
func (s *Store) Subscribers(ctx context.Context, status, frequency string, afterID int64, limit int) ([]store.Subscriber, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qSubscribers), status, status, frequency, frequency, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	var out []store.Subscriber
	for rows.Next() {
		var sub store.Subscriber
		if err := scanSubscriber(rows, &sub); err != nil {
			return nil, fmt.Errorf("list subscribers: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	return out, nil
}

// CountSubscribers counts subscribers by status.
func (s *Store) CountSubscribers(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, qCountSubscribers)
	if err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count subscribers: %w", err)
		}
		out[st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count subscribers: %w", err)
	}
	return out, nil
}

// DeleteSubscriber erases a subscriber, its consent record and send log, all or nothing.
func (s *Store) DeleteSubscriber(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{qDeleteSubscriberConsents, qDeleteSubscriberSends} {
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), id); err != nil {
				return fmt.Errorf("erase subscriber %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(qDeleteSubscriber), id)
		if err != nil {
			return fmt.Errorf("erase subscriber %d: %w", id, err)
		}
		return mustAffect(res, "erase subscriber", id)
	})
}

// AddConsent appends c to its subscriber's consent record and sets c.ID.
func (s *Store) AddConsent(ctx context.Context, c *store.Consent) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	err := s.writeRow(ctx, s.d.rebind(qInsertConsent), []any{c.SubscriberID, c.Action, c.Text,
		c.TextVersion, c.Language, c.PageURL, c.Choices, ms(c.CreatedAt)},
		func(r *sql.Row) error { return r.Scan(&c.ID) })
	if err != nil {
		return fmt.Errorf("record %s consent of subscriber %d: %w", c.Action, c.SubscriberID, err)
	}
	return nil
}

// Consents returns a subscriber's consent record, oldest first.
func (s *Store) Consents(ctx context.Context, subscriberID int64) ([]store.Consent, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qConsents), subscriberID)
	if err != nil {
		return nil, fmt.Errorf("read consents of subscriber %d: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []store.Consent
	for rows.Next() {
		var c store.Consent
		var at int64
		if err := rows.Scan(&c.ID, &c.SubscriberID, &c.Action, &c.Text, &c.TextVersion, &c.Language,
			&c.PageURL, &c.Choices, &at); err != nil {
			return nil, fmt.Errorf("read consents of subscriber %d: %w", subscriberID, err)
		}
		c.CreatedAt = fromMS(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read consents of subscriber %d: %w", subscriberID, err)
	}
	return out, nil
}

// CountHit increments and returns the counter key in window.
func (s *Store) CountHit(ctx context.Context, key string, window time.Time) (int, error) {
	var n int
	err := s.writeRow(ctx, s.d.rebind(qCountHit), []any{key, ms(window)},
		func(r *sql.Row) error { return r.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("count sign-up attempt: %w", err)
	}
	return n, nil
}

// PurgeHits deletes counters of windows that started before before.
func (s *Store) PurgeHits(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, s.d.rebind(qPurgeHits), ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge sign-up counters: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge sign-up counters: %w", err)
	}
	return int(n), nil
}

// PlanDigests queues run for every active subscriber of its frequency; see store.NewsletterStore.
func (s *Store) PlanDigests(ctx context.Context, run store.DigestRun) (int, error) {
	if run.RunKey == "" || run.Until.IsZero() {
		return 0, fmt.Errorf("plan digests: run needs a key and an end time, got %+v", run)
	}
	now := time.Now().UnixMilli()
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(qInsertRun), run.RunKey, run.Frequency, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(qPlanDigests), run.RunKey, ms(run.FirstFrom), ms(run.Until),
			now, run.Frequency, run.Language, run.Language)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("plan digests %s: %w", run.RunKey, err)
	}
	return int(n), nil
}

func scanSend(sc interface{ Scan(...any) error }, d *store.DigestSend, withSub bool) error {
	var from, until, next, sent, created, bounced, unsub int64
	dst := []any{&d.ID, &d.SubscriberID, &d.RunKey, &d.State, &from, &until, &d.Attempts, &next,
		&d.LastError, &d.MessageID, &sent, &created, &bounced, &unsub}
	var err error
	if withSub {
		err = scanSubscriber(scanAppend{sc, dst}, &d.Subscriber)
	} else {
		err = sc.Scan(dst...)
	}
	d.PeriodFrom, d.PeriodUntil, d.NextAt = fromMS(from), fromMS(until), fromMS(next)
	d.SentAt, d.CreatedAt = fromMS(sent), fromMS(created)
	d.BouncedAt, d.UnsubscribedAt = fromMS(bounced), fromMS(unsub)
	return err
}

// scanAppend scans into its own destinations followed by the caller's, so
// scanSubscriber can fill the joined columns after the send's.
type scanAppend struct {
	sc    interface{ Scan(...any) error }
	first []any
}

func (a scanAppend) Scan(dst ...any) error { return a.sc.Scan(append(a.first, dst...)...) }

// PendingDigestSends lists pending rows of runKey; see store.NewsletterStore.
func (s *Store) PendingDigestSends(ctx context.Context, runKey string, afterID int64, limit int) ([]store.DigestSend, error) {
	if limit <= 0 {
		limit = 1
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qPendingSends), runKey, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read pending digests of run %s: %w", runKey, err)
	}
	defer rows.Close()
	var out []store.DigestSend
	for rows.Next() {
		var d store.DigestSend
		if err := scanSend(rows, &d, false); err != nil {
			return nil, fmt.Errorf("read pending digests of run %s: %w", runKey, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending digests of run %s: %w", runKey, err)
	}
	return out, nil
}

// DigestSend returns one send-log row with its subscriber.
func (s *Store) DigestSend(ctx context.Context, id int64) (*store.DigestSend, error) {
	var d store.DigestSend
	err := scanSend(s.db.QueryRowContext(ctx, s.d.rebind(qSendByID), id), &d, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read digest %d: %w", id, err)
	}
	return &d, nil
}

// FinishDigestSend records the outcome of a pending row; see store.NewsletterStore.
func (s *Store) FinishDigestSend(ctx context.Context, d *store.DigestSend) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(qFinishSend), d.State, ms(d.NextAt), d.Attempts, d.LastError,
			d.MessageID, ms(d.SentAt), ms(d.BouncedAt), d.ID)
		if err != nil {
			return fmt.Errorf("record digest %d: %w", d.ID, err)
		}
		if err := mustAffect(res, "record pending digest", d.ID); err != nil {
			return err
		}
		if d.State == store.SendSent {
			until := ms(d.PeriodUntil)
			if _, err := tx.ExecContext(ctx, s.d.rebind(qAdvanceDigest), until, d.SubscriberID, until); err != nil {
				return fmt.Errorf("advance last digest of subscriber %d: %w", d.SubscriberID, err)
			}
		}
		return nil
	})
}

// DigestSendCounts counts a run's rows by state.
func (s *Store) DigestSendCounts(ctx context.Context, runKey string) (store.SendCounts, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qSendCounts), runKey)
	if err != nil {
		return store.SendCounts{}, fmt.Errorf("count digests of run %s: %w", runKey, err)
	}
	defer rows.Close()
	var c store.SendCounts
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return store.SendCounts{}, fmt.Errorf("count digests of run %s: %w", runKey, err)
		}
		switch st {
		case store.SendPending:
			c.Pending = n
		case store.SendSent:
			c.Sent = n
		case store.SendEmpty:
			c.Empty = n
		case store.SendFailed:
			c.Failed = n
		case store.SendSkipped:
			c.Skipped = n
		}
	}
	if err := rows.Err(); err != nil {
		return store.SendCounts{}, fmt.Errorf("count digests of run %s: %w", runKey, err)
	}
	if _, err := s.markCounts(ctx, runKey, &c); err != nil {
		return store.SendCounts{}, err
	}
	return c, nil
}

// markCounts adds a run's bounced and unsubscribed counts to c and returns
// how many of the bounced had been sent.
func (s *Store) markCounts(ctx context.Context, runKey string, c *store.SendCounts) (int, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qBouncedCounts), runKey)
	if err != nil {
		return 0, fmt.Errorf("count bounces of run %s: %w", runKey, err)
	}
	defer rows.Close()
	sent := 0
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return 0, fmt.Errorf("count bounces of run %s: %w", runKey, err)
		}
		c.Bounced += n
		if st == store.SendSent {
			sent = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count bounces of run %s: %w", runKey, err)
	}
	if err := s.db.QueryRowContext(ctx, s.d.rebind(qUnsubscribedCount), runKey).Scan(&c.Unsubscribed); err != nil {
		return 0, fmt.Errorf("count unsubscribes of run %s: %w", runKey, err)
	}
	return sent, nil
}

// DigestRuns lists runs newest first with their counts; see store.NewsletterStore.
func (s *Store) DigestRuns(ctx context.Context, beforeID int64, limit int) ([]store.RunSummary, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qRuns), beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("list digest runs: %w", err)
	}
	var out []store.RunSummary
	for rows.Next() {
		var r store.RunSummary
		var at int64
		if err := rows.Scan(&r.ID, &r.RunKey, &r.Frequency, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list digest runs: %w", err)
		}
		r.CreatedAt = fromMS(at)
		out = append(out, r)
	}
	err = rows.Err()
	rows.Close() // before the counts' queries: SQLite may have one connection
	if err != nil {
		return nil, fmt.Errorf("list digest runs: %w", err)
	}
	for i := range out {
		c, err := s.DigestSendCounts(ctx, out[i].RunKey)
		if err != nil {
			return nil, err
		}
		out[i].Counts = c
		if out[i].BouncedSent, err = s.markCounts(ctx, out[i].RunKey, &store.SendCounts{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkLastDigest marks a subscriber's last sent digest; see store.NewsletterStore.
func (s *Store) MarkLastDigest(ctx context.Context, subscriberID int64, mark string, at time.Time) error {
	q := qMarkBounced
	switch mark {
	case store.MarkBounced:
	case store.MarkUnsubscribed:
		q = qMarkUnsubscribed
	default:
		return fmt.Errorf("mark last digest of subscriber %d: unknown mark %q", subscriberID, mark)
	}
	var id, bounced, unsub int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(qLastSent), subscriberID).Scan(&id, &bounced, &unsub)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("last digest of subscriber %d: %w", subscriberID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("last digest of subscriber %d: %w", subscriberID, err)
	}
	if _, err := s.exec(ctx, s.d.rebind(q), ms(at), id); err != nil {
		return fmt.Errorf("mark digest %d %s: %w", id, mark, err)
	}
	return nil
}

// likeEscape makes s a literal part of a LIKE pattern (escape character \).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// SearchSubscribers lists the subscribers f selects, newest first; see store.NewsletterStore.
func (s *Store) SearchSubscribers(ctx context.Context, f store.SubscriberFilter) ([]store.Subscriber, int, error) {
	if f.Limit <= 0 {
		f.Limit = defaultLimit
	}
	before := f.BeforeID
	if before <= 0 {
		before = math.MaxInt64
	}
	// Addresses are stored lower-case (ASCII local parts, punycode
	// domains), so lower-casing the query makes LIKE case-blind on both
	// engines (PostgreSQL's LIKE minds case).
	q := strings.ToLower(strings.TrimSpace(f.Query))
	args := []any{q, "%" + likeEscape(q) + "%", f.Status, f.Status, f.Frequency, f.Frequency, f.Language, f.Language}
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(qCountSearch), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count subscribers: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qSearchSubscribers), append(args, before, f.Limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search subscribers: %w", err)
	}
	defer rows.Close()
	var out []store.Subscriber
	for rows.Next() {
		var sub store.Subscriber
		if err := scanSubscriber(rows, &sub); err != nil {
			return nil, 0, fmt.Errorf("search subscribers: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search subscribers: %w", err)
	}
	return out, total, nil
}

// DigestSends returns a subscriber's send log, oldest first.
func (s *Store) DigestSends(ctx context.Context, subscriberID int64) ([]store.DigestSend, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qSendsOf), subscriberID)
	if err != nil {
		return nil, fmt.Errorf("read send log of subscriber %d: %w", subscriberID, err)
	}
	defer rows.Close()
	var out []store.DigestSend
	for rows.Next() {
		var d store.DigestSend
		if err := scanSend(rows, &d, false); err != nil {
			return nil, fmt.Errorf("read send log of subscriber %d: %w", subscriberID, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read send log of subscriber %d: %w", subscriberID, err)
	}
	return out, nil
}

// PurgeDigestSends deletes finished send-log rows created before before.
func (s *Store) PurgeDigestSends(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, s.d.rebind(qPurgeSends), ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge send log: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge send log: %w", err)
	}
	if _, err := s.exec(ctx, s.d.rebind(qPurgeRuns), ms(before)); err != nil {
		return 0, fmt.Errorf("purge digest runs: %w", err)
	}
	return int(n), nil
}

// DigestArticles returns visible articles first seen in [from, until), newest first.
func (s *Store) DigestArticles(ctx context.Context, from, until time.Time, limit int) ([]store.Article, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qDigestArticles), ms(from), ms(until), limit)
	if err != nil {
		return nil, fmt.Errorf("digest articles: %w", err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("digest articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("digest articles: %w", err)
	}
	return out, nil
}
