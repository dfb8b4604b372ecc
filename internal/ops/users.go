package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"spektrum/internal/auth"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// UserStore is what the account operations read and write; the SQL store
// is one.
type UserStore interface {
	CreateUser(ctx context.Context, u *store.User) error
	UpdateUser(ctx context.Context, u *store.User) error
	UserByEmail(ctx context.Context, email string) (*store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	DeleteUser(ctx context.Context, id int64) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	CreateUserToken(ctx context.Context, t *store.UserToken) error
	AddAudit(ctx context.Context, e *store.AuditEntry) error
}

// Account codes (see Code).
const (
	// NoUser: no account has Email.
	NoUser Code = "no_user"
	// UserExists: an account already has Email.
	UserExists Code = "user_exists"
	// LastAdmin: the change would leave the outlet without an admin.
	LastAdmin Code = "last_admin"
)

// FieldEmail, FieldRole and FieldPassword are the fields an account
// operation's Invalid error can name.
const (
	FieldEmail    = "email"
	FieldRole     = "role"
	FieldPassword = "password"
)

// SignInPurpose is the purpose of a one-time sign-in link's token.
const SignInPurpose = "signin"

// SignInLinkTTL is how long a one-time sign-in link works.
const SignInLinkTTL = 24 * time.Hour

// Users runs the account operations: the CLI's `users` commands and the
// admin's users page. Each change is written to the audit log under actor.
type Users struct {
	st  UserStore
	now func() time.Time
}

// NewUsers returns the account operations on st; now may be nil.
func NewUsers(st UserStore, now func() time.Time) *Users {
	if now == nil {
		now = time.Now
	}
	return &Users{st: st, now: now}
}

// NewUser is an account to create.
type NewUser struct {
	Email    string
	Role     string // store.RoleAdmin or store.RoleEditor
	Password string // "" = none yet: sign in with a one-time link
}

// ParseEmail is an account's e-mail in its stored form (the newsletter's
// one rule for addresses, lower-cased).
func ParseEmail(op, raw string) (string, error) {
	e, err := newsletter.ParseAddress(raw)
	if err != nil {
		return "", &Error{Code: Invalid, Op: op, Field: FieldEmail, Value: raw, Err: err}
	}
	return strings.ToLower(e), nil
}

func checkRole(op, role string) error {
	if role != store.RoleAdmin && role != store.RoleEditor {
		return invalid(op, FieldRole, role, "role %q: use admin or editor", role)
	}
	return nil
}

func hashPassword(op, pw string) (string, error) {
	if err := auth.CheckPassword(pw); err != nil {
		return "", &Error{Code: Invalid, Op: op, Field: FieldPassword, Err: err}
	}
	return auth.Hash(pw)
}

// AddUser creates an account.
func (u *Users) AddUser(ctx context.Context, actor string, req NewUser) (*store.User, error) {
	const op = "add user"
	email, err := ParseEmail(op, req.Email)
	if err != nil {
		return nil, err
	}
	if err := checkRole(op, req.Role); err != nil {
		return nil, err
	}
	usr := &store.User{Email: email, Role: req.Role, CreatedAt: u.now().UTC()}
	if req.Password != "" {
		if usr.PasswordHash, err = hashPassword(op, req.Password); err != nil {
			return nil, err
		}
	}
	if err := u.st.CreateUser(ctx, usr); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return nil, &Error{Code: UserExists, Op: op, Value: email, Err: err}
		}
		return nil, fmt.Errorf("add user: %w", err)
	}
	return usr, u.audit(ctx, actor, "user.add", email, "role "+usr.Role)
}

// List returns every account, by ID.
func (u *Users) List(ctx context.Context) ([]store.User, error) {
	us, err := u.st.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// Get returns the account with email; NoUser when there is none.
func (u *Users) Get(ctx context.Context, email string) (*store.User, error) {
	const op = "user"
	e, err := ParseEmail(op, email)
	if err != nil {
		return nil, err
	}
	usr, err := u.st.UserByEmail(ctx, e)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NoUser, Op: op, Value: e, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return usr, nil
}

// Remove deletes an account and ends its sessions. The last admin cannot
// be removed: nobody could manage accounts afterwards.
func (u *Users) Remove(ctx context.Context, actor, email string) (*store.User, error) {
	usr, err := u.Get(ctx, email)
	if err != nil {
		return nil, err
	}
	if usr.Role == store.RoleAdmin {
		if err := u.keepAnAdmin(ctx, "remove user", usr); err != nil {
			return nil, err
		}
	}
	if err := u.st.DeleteUser(ctx, usr.ID); err != nil {
		return nil, fmt.Errorf("remove user: %w", err)
	}
	return usr, u.audit(ctx, actor, "user.remove", usr.Email, "")
}

// SetRole changes an account's role; the last admin stays one.
func (u *Users) SetRole(ctx context.Context, actor, email, role string) (*store.User, error) {
	const op = "change role"
	if err := checkRole(op, role); err != nil {
		return nil, err
	}
	usr, err := u.Get(ctx, email)
	if err != nil {
		return nil, err
	}
	if usr.Role == role {
		return usr, nil
	}
	if usr.Role == store.RoleAdmin {
		if err := u.keepAnAdmin(ctx, op, usr); err != nil {
			return nil, err
		}
	}
	usr.Role, usr.UpdatedAt = role, u.now().UTC()
	if err := u.st.UpdateUser(ctx, usr); err != nil {
		return nil, fmt.Errorf("change role: %w", err)
	}
	// The sessions of a demoted admin end: its pages were an admin's.
	if err := u.st.DeleteUserSessions(ctx, usr.ID); err != nil {
		return nil, err
	}
	return usr, u.audit(ctx, actor, "user.role", usr.Email, role)
}

func (u *Users) keepAnAdmin(ctx context.Context, op string, usr *store.User) error {
	us, err := u.st.Users(ctx)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	for _, o := range us {
		if o.Role == store.RoleAdmin && o.ID != usr.ID {
			return nil
		}
	}
	return &Error{Code: LastAdmin, Op: op, Value: usr.Email, Err: errors.New("the outlet needs at least one admin")}
}

// ResetPassword sets an account's password (or, with "", removes it, so
// only a sign-in link signs it in) and ends its sessions everywhere.
func (u *Users) ResetPassword(ctx context.Context, actor, email, password string) (*store.User, error) {
	const op = "reset password"
	usr, err := u.Get(ctx, email)
	if err != nil {
		return nil, err
	}
	hash := ""
	if password != "" {
		if hash, err = hashPassword(op, password); err != nil {
			return nil, err
		}
	}
	usr.PasswordHash, usr.UpdatedAt = hash, u.now().UTC()
	if err := u.st.UpdateUser(ctx, usr); err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	if err := u.st.DeleteUserSessions(ctx, usr.ID); err != nil {
		return nil, err
	}
	return usr, u.audit(ctx, actor, "user.reset-password", usr.Email, "")
}

// SignInToken makes a one-time sign-in token for an account, valid for
// SignInLinkTTL; the front door builds the link (/admin/link/TOKEN).
func (u *Users) SignInToken(ctx context.Context, usr *store.User) (string, error) {
	tok, err := auth.Token()
	if err != nil {
		return "", err
	}
	t := &store.UserToken{TokenHash: auth.TokenHash(tok), UserID: usr.ID, Purpose: SignInPurpose, ExpiresAt: u.now().Add(SignInLinkTTL)}
	if err := u.st.CreateUserToken(ctx, t); err != nil {
		return "", err
	}
	return tok, nil
}

// Audit records a change in the audit log; the admin calls it for the
// operations that do not record themselves (sources).
func (u *Users) Audit(ctx context.Context, actor, action, target, detail string) error {
	return u.audit(ctx, actor, action, target, detail)
}

func (u *Users) audit(ctx context.Context, actor, action, target, detail string) error {
	if err := u.st.AddAudit(ctx, &store.AuditEntry{At: u.now().UTC(), Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		return fmt.Errorf("%s done, but not logged: %w", action, err)
	}
	return nil
}

// SetTOTP turns an account's second factor on (a base32 key) or off ("").
func (u *Users) SetTOTP(ctx context.Context, actor, email, secret string) (*store.User, error) {
	usr, err := u.Get(ctx, email)
	if err != nil {
		return nil, err
	}
	usr.TOTPSecret, usr.UpdatedAt = secret, u.now().UTC()
	if err := u.st.UpdateUser(ctx, usr); err != nil {
		return nil, fmt.Errorf("set second factor: %w", err)
	}
	action := "user.totp-on"
	if secret == "" {
		action = "user.totp-off"
	}
	return usr, u.audit(ctx, actor, action, usr.Email, "")
}
