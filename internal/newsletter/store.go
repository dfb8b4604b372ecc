package newsletter

import (
	"context"
	"time"

	"spektrum/internal/edition"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// Store is everything the newsletter asks of the store: its own tables
// (subscribers, consent records, the digest send log, sign-up counters, the
// signing secret), the articles and sections a digest carries, and the job
// queue its mails and digests go through. Declared here, at its consumer,
// so its reach is plain; store.Store satisfies it.
type Store interface {
	SubscriberStore
	DigestStore
	// jobs.Store: the newsletter queues its confirmation mails and digest
	// sends and runs them (digest.go) on the shared job queue.
	jobs.Store
	// edition.Store: the translation rows a digest in another edition
	// shows (the newsletter hands the store on to internal/edition).
	edition.Store

	// Secret returns the stored secret called name, storing generate's
	// value first: the links' signing key when Config.Secret is unset.
	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)
	// CountHit and PurgeHits keep the sign-up allowance's counters, shared
	// by every process.
	CountHit(ctx context.Context, key string, window time.Time) (int, error)
	PurgeHits(ctx context.Context, before time.Time) (int, error)
	// Sections are what a reader picks from on the sign-up and preference
	// pages and what a digest groups its articles by.
	Sections(ctx context.Context) ([]store.Section, error)
}

// SubscriberStore keeps subscribers and their consent records: sign-up,
// confirmation, preferences, export, erasure and bounces.
type SubscriberStore interface {
	CreateSubscriber(ctx context.Context, sub *store.Subscriber) error
	UpdateSubscriber(ctx context.Context, sub *store.Subscriber) error
	Subscriber(ctx context.Context, id int64) (*store.Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*store.Subscriber, error)
	ConfirmSubscriber(ctx context.Context, id int64, nonce string, at time.Time) error
	Subscribers(ctx context.Context, status, frequency string, afterID int64, limit int) ([]store.Subscriber, error)
	DeleteSubscriber(ctx context.Context, id int64) error
	AddConsent(ctx context.Context, c *store.Consent) error
	Consents(ctx context.Context, subscriberID int64) ([]store.Consent, error)
}

// DigestStore keeps the digest send log and reads the articles a digest
// carries.
type DigestStore interface {
	PlanDigests(ctx context.Context, run store.DigestRun) (int, error)
	PendingDigestSends(ctx context.Context, runKey string, afterID int64, limit int) ([]store.DigestSend, error)
	DigestSend(ctx context.Context, id int64) (*store.DigestSend, error)
	FinishDigestSend(ctx context.Context, d *store.DigestSend) error
	DigestSendCounts(ctx context.Context, runKey string) (store.SendCounts, error)
	DigestSends(ctx context.Context, subscriberID int64) ([]store.DigestSend, error)
	PurgeDigestSends(ctx context.Context, before time.Time) (int, error)
	// MarkLastDigest counts a bounce or an unsubscribe against the run
	// that last mailed the subscriber (the admin's past sends).
	MarkLastDigest(ctx context.Context, subscriberID int64, mark string, at time.Time) error
	DigestArticles(ctx context.Context, from, until time.Time, limit int) ([]store.Article, error)
}
