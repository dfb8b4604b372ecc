package store

import (
	"context"
	"time"
)

// Roles of an admin account.
const (
	RoleAdmin  = "admin"  // everything, users and settings included
	RoleEditor = "editor" // the newsroom's work: sources, articles, …; not users or settings
)

// User is one account of the admin.
type User struct {
	ID           int64
	Email        string // normalised: lower-case, trimmed
	Role         string // RoleAdmin or RoleEditor
	PasswordHash string // PHC string (argon2id); "" until a password is set
	TOTPSecret   string // base32 key of the second factor; "" = none
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is one signed-in browser. Only a hash of its token is stored, so
// the table signs nobody in.
type Session struct {
	TokenHash  string
	UserID     int64
	CSRF       string // the synchronizer token its forms carry
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// UserToken is a one-time token of an account (a sign-in link), stored as
// a hash.
type UserToken struct {
	TokenHash string
	UserID    int64
	Purpose   string
	ExpiresAt time.Time
}

// AuditEntry is one change made through the admin or the CLI.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // the account's e-mail, or "cli"
	Action string // "source.add", "user.remove", …
	Target string
	Detail string
}

// AdminStore holds the admin's accounts, sessions, sign-in tokens and
// failure counters, and the audit log.
type AdminStore interface {
	// CreateUser inserts u and sets its ID; ErrDuplicate if the e-mail exists.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes Role, PasswordHash, TOTPSecret and UpdatedAt.
	UpdateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	Users(ctx context.Context) ([]User, error) // ordered by ID
	// UseTOTPStep records that a code of time step step signed the account
	// in; ErrNotFound when that step (or a later one) was used already, so
	// a code works once, even on two nodes at the same moment.
	UseTOTPStep(ctx context.Context, userID, step int64) error
	// DeleteUser deletes an account with its sessions and tokens.
	DeleteUser(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, tokenHash string) (*Session, error)
	// TouchSession records activity; ErrNotFound when the session is gone.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions ends every session of an account (a new password,
	// a removed account).
	DeleteUserSessions(ctx context.Context, userID int64) error
	// PurgeSessions deletes sessions idle since idleBefore or created
	// before createdBefore.
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)

	CreateUserToken(ctx context.Context, t *UserToken) error
	// UseUserToken marks the token used and returns it, once: a second use,
	// an expired or unknown token give ErrNotFound.
	UseUserToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*UserToken, error)

	// AddAuthFailure counts a failed sign-in under key in the window
	// starting at win and returns the window's count.
	AddAuthFailure(ctx context.Context, key string, win time.Time) (int, error)
	// AuthFailures sums key's failures in windows starting at or after since.
	AuthFailures(ctx context.Context, key string, since time.Time) (int, error)
	// ClearAuthFailures forgets key's failures (after a successful sign-in).
	ClearAuthFailures(ctx context.Context, key string) error
	// PurgeAuthFailures deletes windows that started before before.
	PurgeAuthFailures(ctx context.Context, before time.Time) (int, error)

	// FilterArticles lists articles for the newsroom, hidden ones too,
	// newest first, without their bodies (HTML and Text are empty).
	FilterArticles(ctx context.Context, f ArticleFilter) ([]Article, error)
	// SetArticleHidden hides an article from the site, feeds and API, or
	// shows it again; ErrNotFound when there is none.
	SetArticleHidden(ctx context.Context, id int64, hidden bool) error
	// CorrectArticle stores an editor's correction of an article (see
	// ArticleCorrection); ErrNotFound when there is none.
	CorrectArticle(ctx context.Context, id int64, c ArticleCorrection) error
	// PinArticle pins an article to the front page at at, or unpins it
	// (at zero); ErrNotFound when there is none.
	PinArticle(ctx context.Context, id int64, at time.Time) error
	// StaleTranslations marks an article's translations as out of date
	// (they stay shown until the translate stage replaces them).
	StaleTranslations(ctx context.Context, articleID int64) error

	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit lists entries newest first, with IDs below beforeID (0 = from
	// the newest).
	Audit(ctx context.Context, beforeID int64, limit int) ([]AuditEntry, error)
}

// ArticleFilter selects articles for the newsroom's list. Zero fields
// select everything.
type ArticleFilter struct {
	SourceID int64
	Section  string
	Language string
	Hidden   *bool // only hidden (true) or only visible (false) ones
	Offset   int
	Limit    int // <= 0 means 50; capped at 200
}
