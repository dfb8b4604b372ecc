package store

import (
	"context"
	"time"
)

// Subscriber states. Only SubActive subscribers ever receive a digest; a
// pending one receives nothing but its confirmation mail.
const (
	SubPending      = "pending"      // signed up, not confirmed yet
	SubActive       = "active"       // confirmed: receives digests
	SubUnsubscribed = "unsubscribed" // withdrew consent; kept with its consent record until erased
	SubBounced      = "bounced"      // hard bounce or complaint: the address is not mailed again
)

// Digest frequencies.
const (
	Daily  = "daily"
	Weekly = "weekly"
)

// Subscriber is one newsletter address and its choices.
type Subscriber struct {
	ID        int64
	Email     string // normalised: lower-case, trimmed
	Language  string // edition language of the digests
	Sections  []string
	Frequency string // Daily or Weekly
	Status    string

	// ConfirmNonce is bound into the confirmation link; confirming clears
	// it, which makes the link single-use.
	ConfirmNonce string
	// LinkNonce is bound into unsubscribe, preferences, export and erase
	// links; changing it revokes every such link sent so far.
	LinkNonce string

	ConfirmSent    int       // confirmation mails sent since ConfirmSentAt's window began
	ConfirmSentAt  time.Time // last confirmation mail
	SoftBounces    int
	LastDigestAt   time.Time // end of the period the last digest covered; zero = none yet
	CreatedAt      time.Time
	ConfirmedAt    time.Time
	UnsubscribedAt time.Time
	BouncedAt      time.Time
}

// Consent is one entry of a subscriber's consent record: what was shown,
// where, when, and what was chosen. Entries are never changed, only added
// (and erased with the subscriber).
type Consent struct {
	ID           int64
	SubscriberID int64
	Action       string // "subscribe", "confirm", "preferences", "unsubscribe", "bounce"
	Text         string // the consent text exactly as shown ("" for actions without one)
	TextVersion  string
	Language     string // language of Text
	PageURL      string // page the form was on, or "api"
	Choices      string // JSON of the choices made
	CreatedAt    time.Time
}

// Digest send states.
const (
	SendPending = "pending" // to be sent (its digest job is queued, running or waiting to retry)
	SendSent    = "sent"
	SendEmpty   = "empty"  // nothing new in the subscriber's sections: not sent, period not advanced
	SendFailed  = "failed" // gave up after retries, or a permanent refusal
	SendSkipped = "skipped"
)

// DigestSend is one subscriber's digest of one run: the per-recipient send
// log. (SubscriberID, RunKey) is unique, so planning a run twice, or two
// processes planning it at once, yields one row per subscriber.
type DigestSend struct {
	ID           int64
	SubscriberID int64
	RunKey       string // e.g. "daily-2026-11-25"; names the run
	State        string
	PeriodFrom   time.Time // articles first seen in [PeriodFrom, PeriodUntil)
	PeriodUntil  time.Time
	Attempts     int       // tries so far (the digest job's attempts)
	NextAt       time.Time // a pending row's next try after a temporary failure
	LastError    string
	MessageID    string
	SentAt       time.Time
	CreatedAt    time.Time
	// BouncedAt and UnsubscribedAt mark the digest its recipient bounced
	// or unsubscribed after (MarkLastDigest; a refusal at sending sets
	// BouncedAt through FinishDigestSend): a run's counts in the admin.
	BouncedAt      time.Time
	UnsubscribedAt time.Time

	// Filled by DigestSend from the subscriber as it is now.
	Subscriber Subscriber
}

// DigestRun is what PlanDigests needs to queue a run.
type DigestRun struct {
	RunKey    string
	Frequency string
	Until     time.Time
	// FirstFrom is the period start for subscribers who never had a digest
	// (Until minus a day or a week).
	FirstFrom time.Time
	// Language, when set, plans only the subscribers of that edition (the
	// admin's "send now" for one edition); the run's other subscribers are
	// planned by a later call for the same RunKey.
	Language string
}

// SendCounts counts a run's send-log rows by state, and how many of its
// recipients bounced or unsubscribed after it.
type SendCounts struct {
	Pending, Sent, Empty, Failed, Skipped int
	Bounced, Unsubscribed                 int
}

// RunSummary is one digest run with its send log's counts.
type RunSummary struct {
	ID        int64
	RunKey    string
	Frequency string
	CreatedAt time.Time // when it was first planned
	Counts    SendCounts
	// BouncedSent is how many of Counts.Sent bounced later (the rest of
	// Counts.Bounced were refused while sending and are Failed).
	BouncedSent int
}

// Delivered is how many of the run's mails the server accepted that have
// not bounced since.
func (r RunSummary) Delivered() int { return r.Counts.Sent - r.BouncedSent }

// Marks MarkLastDigest sets on a send-log row.
const (
	MarkBounced      = "bounced"
	MarkUnsubscribed = "unsubscribed"
)

// SubscriberFilter selects subscribers for the admin's list, newest first.
type SubscriberFilter struct {
	Query     string // a part of the address, in any case ("" = any)
	Status    string // "" = any
	Frequency string // "" = any
	Language  string // "" = any
	BeforeID  int64  // only IDs below it (0 = from the newest)
	Limit     int
}

// NewsletterStore is the newsletter's persistence: subscribers, their
// consent records, the digest send log, sign-up rate counters and secrets.
type NewsletterStore interface {
	// Secret returns the stored secret called name, storing generate's
	// value first if there is none. Concurrent callers get the same value.
	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)

	// CreateSubscriber inserts sub (setting ID); ErrDuplicate if the e-mail exists.
	CreateSubscriber(ctx context.Context, sub *Subscriber) error
	// UpdateSubscriber writes every field of sub but ID, Email and CreatedAt.
	UpdateSubscriber(ctx context.Context, sub *Subscriber) error
	Subscriber(ctx context.Context, id int64) (*Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*Subscriber, error)
	// ConfirmSubscriber turns a pending subscriber whose ConfirmNonce is
	// nonce active and clears the nonce, atomically: of two concurrent
	// confirmations one succeeds. ErrNotFound when nothing matched.
	ConfirmSubscriber(ctx context.Context, id int64, nonce string, at time.Time) error
	// Subscribers lists up to limit subscribers with status and frequency
	// ("" = any) and an ID above afterID, by ID.
	Subscribers(ctx context.Context, status, frequency string, afterID int64, limit int) ([]Subscriber, error)
	// CountSubscribers counts subscribers by status.
	CountSubscribers(ctx context.Context) (map[string]int, error)
	// SearchSubscribers returns up to f.Limit subscribers f selects,
	// newest (highest ID) first, and how many f selects in all.
	SearchSubscribers(ctx context.Context, f SubscriberFilter) ([]Subscriber, int, error)
	// DeleteSubscriber erases a subscriber with its consent record and send log.
	DeleteSubscriber(ctx context.Context, id int64) error

	AddConsent(ctx context.Context, c *Consent) error
	Consents(ctx context.Context, subscriberID int64) ([]Consent, error) // oldest first

	// CountHit adds one to the counter key in the window starting at window
	// and returns the new count (rate limits shared by all processes).
	CountHit(ctx context.Context, key string, window time.Time) (int, error)
	// PurgeHits deletes counters of windows that started before before.
	PurgeHits(ctx context.Context, before time.Time) (int, error)

	// PlanDigests adds a pending send-log row for every active subscriber
	// of run.Frequency (and run.Language, when set) that has none for
	// run.RunKey and returns how many it added; the run is listed by
	// DigestRuns from its first plan on. Idempotent.
	PlanDigests(ctx context.Context, run DigestRun) (int, error)
	// DigestRuns lists up to limit runs with an ID below beforeID (0 = the
	// newest), newest first, with their counts.
	DigestRuns(ctx context.Context, beforeID int64, limit int) ([]RunSummary, error)
	// MarkLastDigest marks the subscriber's most recently sent digest as
	// the one they bounced or unsubscribed after (mark MarkBounced or
	// MarkUnsubscribed), unless it is marked so already. ErrNotFound when
	// they were never sent one.
	MarkLastDigest(ctx context.Context, subscriberID int64, mark string, at time.Time) error
	// PendingDigestSends lists up to limit pending rows of runKey with an
	// ID above afterID, by ID, without their subscribers.
	PendingDigestSends(ctx context.Context, runKey string, afterID int64, limit int) ([]DigestSend, error)
	// DigestSend returns one row with its subscriber; ErrNotFound when
	// there is none (erased with its subscriber, or purged).
	DigestSend(ctx context.Context, id int64) (*DigestSend, error)
	// FinishDigestSend records the outcome of a row that is still pending:
	// SendSent (and then the subscriber's LastDigestAt becomes the row's
	// PeriodUntil, in the same transaction), SendEmpty, SendFailed,
	// SendSkipped, or SendPending with the error and NextAt of a retry; with
	// d.Attempts and d.BouncedAt. ErrNotFound if the row is no longer pending (another
	// sender recorded it first).
	FinishDigestSend(ctx context.Context, d *DigestSend) error
	DigestSendCounts(ctx context.Context, runKey string) (SendCounts, error)
	DigestSends(ctx context.Context, subscriberID int64) ([]DigestSend, error) // oldest first
	// PurgeDigestSends deletes finished send-log rows (not pending ones)
	// created before before, and the runs left without rows, and returns
	// how many rows.
	PurgeDigestSends(ctx context.Context, before time.Time) (int, error)

	// DigestArticles returns visible articles first seen in [from, until),
	// newest first, at most limit, without their bodies (HTML and Text empty).
	DigestArticles(ctx context.Context, from, until time.Time, limit int) ([]Article, error)
}
