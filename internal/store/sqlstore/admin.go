package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"spektrum/internal/store"
)

// The admin's statements, kept together as a catalogue like newsletter.go.
const (
	userCols    = `id, email, role, password_hash, totp_secret, created_at, updated_at`
	qInsertUser = `INSERT INTO users (email, role, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`
	qUpdateUser      = `UPDATE users SET role = ?, password_hash = ?, totp_secret = ?, updated_at = ? WHERE id = ?`
	qUseTOTPStep     = `UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ?`
	qUserByID        = `SELECT ` + userCols + ` FROM users WHERE id = ?`
	qUserByEmail     = `SELECT ` + userCols + ` FROM users WHERE email = ?`
	qUsers           = `SELECT ` + userCols + ` FROM users ORDER BY id`
	qDeleteUserSess  = `DELETE FROM user_sessions WHERE user_id = ?`
	qDeleteUserToken = `DELETE FROM user_tokens WHERE user_id = ?`
	qDeleteUser      = `DELETE FROM users WHERE id = ?`

	qInsertSession = `INSERT INTO user_sessions (token_hash, user_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`
	qSession       = `SELECT token_hash, user_id, csrf, created_at, last_seen_at FROM user_sessions WHERE token_hash = ?`
	qTouchSession  = `UPDATE user_sessions SET last_seen_at = ? WHERE token_hash = ?`
	qDeleteSession = `DELETE FROM user_sessions WHERE token_hash = ?`
	qPurgeSessions = `DELETE FROM user_sessions WHERE last_seen_at < ? OR created_at < ?`

	qInsertToken = `INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, ?)`
	// One statement marks and returns the token, so two concurrent uses
	// cannot both succeed.
	qUseToken = `UPDATE user_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? AND used_at = 0
		AND expires_at > ? RETURNING token_hash, user_id, purpose, expires_at`

	qAddFailure = `INSERT INTO auth_failures (fail_key, win_start, count) VALUES (?, ?, 1)
		ON CONFLICT (fail_key, win_start) DO UPDATE SET count = auth_failures.count + 1 RETURNING count`
	qFailures      = `SELECT COALESCE(SUM(count), 0) FROM auth_failures WHERE fail_key = ? AND win_start >= ?`
	qClearFailures = `DELETE FROM auth_failures WHERE fail_key = ?`
	qPurgeFailures = `DELETE FROM auth_failures WHERE win_start < ?`

	// The newsroom's article list needs no bodies.
	qFilterArticles = `SELECT a.id, COALESCE(a.source_id, 0), COALESCE(s.name, ''), a.url,
		a.canonical_url, a.guid, a.slug, a.title, a.author, a.published_at,
		a.updated_at, a.language, a.section, a.image, a.summary, '', '',
		a.content_hash, a.first_seen_at, a.hidden, a.sort_at, COALESCE(a.duplicate_of, 0), COALESCE(a.story_id, 0)` + correctionCols + articleFrom + `
		WHERE (a.source_id = ? OR ? = 0) AND (a.section = ? OR ? = '') AND (a.language = ? OR ? = '')
		AND (a.hidden = ? OR ? = 0)
		ORDER BY a.sort_at DESC, a.id DESC LIMIT ? OFFSET ?`
	qSetHidden = `UPDATE articles SET hidden = ? WHERE id = ?`
	// "" takes a correction back (NULL: as published); a CASE flag leaves
	// a field alone.
	qCorrectArticle = `UPDATE articles SET
		title_override = CASE WHEN ? THEN NULLIF(?, '') ELSE title_override END,
		summary_override = CASE WHEN ? THEN NULLIF(?, '') ELSE summary_override END,
		section_override = CASE WHEN ? THEN NULLIF(?, '') ELSE section_override END,
		section = CASE WHEN ? AND ? <> '' THEN ? ELSE section END
		WHERE id = ?`
	qPinArticle        = `UPDATE articles SET pinned_at = ? WHERE id = ?`
	qStaleTranslations = `UPDATE translations SET content_hash = '' WHERE article_id = ?`

	qInsertAudit = `INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?) RETURNING id`
	qAudit       = `SELECT id, at, actor, action, target, detail FROM audit_log
		WHERE (id < ? OR ? = 0) ORDER BY id DESC LIMIT ?`
)

func scanUser(sc interface{ Scan(...any) error }, u *store.User) error {
	var created, updated int64
	err := sc.Scan(&u.ID, &u.Email, &u.Role, &u.PasswordHash, &u.TOTPSecret, &created, &updated)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return err
}

// CreateUser inserts u and sets its ID (and CreatedAt, if zero).
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	err := s.writeRow(ctx, s.d.rebind(qInsertUser), []any{u.Email, u.Role, u.PasswordHash, ms(u.CreatedAt), ms(u.UpdatedAt)},
		func(r *sql.Row) error { return r.Scan(&u.ID) })
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("create user: %w", store.ErrDuplicate)
		}
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// UpdateUser writes Role, PasswordHash and UpdatedAt.
func (s *Store) UpdateUser(ctx context.Context, u *store.User) error {
	res, err := s.exec(ctx, s.d.rebind(qUpdateUser), u.Role, u.PasswordHash, u.TOTPSecret, ms(u.UpdatedAt), u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return mustAffect(res, "update user", u.ID)
}

// User returns one account by ID.
func (s *Store) User(ctx context.Context, id int64) (*store.User, error) {
	var u store.User
	if err := scanUser(s.db.QueryRowContext(ctx, s.d.rebind(qUserByID), id), &u); err != nil {
		return nil, notFound(err, "user %d", id)
	}
	return &u, nil
}

// UserByEmail returns the account with the normalised address email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	var u store.User
	if err := scanUser(s.db.QueryRowContext(ctx, s.d.rebind(qUserByEmail), email), &u); err != nil {
		return nil, notFound(err, "user by e-mail") // the address stays out of logs
	}
	return &u, nil
}

// Users lists every account by ID.
func (s *Store) Users(ctx context.Context) ([]store.User, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qUsers))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		var u store.User
		if err := scanUser(rows, &u); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// DeleteUser deletes an account, its sessions and tokens (explicitly: SQLite
// cascades only with foreign_keys on).
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{qDeleteUserSess, qDeleteUserToken} {
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(qDeleteUser), id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("delete user %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se *store.Session) error {
	if _, err := s.exec(ctx, s.d.rebind(qInsertSession), se.TokenHash, se.UserID, se.CSRF, ms(se.CreatedAt), ms(se.LastSeenAt)); err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("create session: %w", store.ErrDuplicate)
		}
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the session with tokenHash.
func (s *Store) Session(ctx context.Context, tokenHash string) (*store.Session, error) {
	var se store.Session
	var created, seen int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(qSession), tokenHash).Scan(&se.TokenHash, &se.UserID, &se.CSRF, &created, &seen)
	if err != nil {
		return nil, notFound(err, "session")
	}
	se.CreatedAt, se.LastSeenAt = fromMS(created), fromMS(seen)
	return &se, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := s.exec(ctx, s.d.rebind(qTouchSession), ms(at), tokenHash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return mustAffect(res, "touch session", 0)
}

// DeleteSession ends one session; ending one that is gone is no error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.exec(ctx, s.d.rebind(qDeleteSession), tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of an account.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := s.exec(ctx, s.d.rebind(qDeleteUserSess), userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// PurgeSessions deletes idle and too old sessions.
func (s *Store) PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error) {
	res, err := s.exec(ctx, s.d.rebind(qPurgeSessions), ms(idleBefore), ms(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CreateUserToken stores a one-time token.
func (s *Store) CreateUserToken(ctx context.Context, t *store.UserToken) error {
	if _, err := s.exec(ctx, s.d.rebind(qInsertToken), t.TokenHash, t.UserID, t.Purpose, ms(t.ExpiresAt)); err != nil {
		return fmt.Errorf("create user token: %w", err)
	}
	return nil
}

// UseUserToken marks a token used and returns it, once.
func (s *Store) UseUserToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*store.UserToken, error) {
	var t store.UserToken
	var exp int64
	err := s.writeRow(ctx, s.d.rebind(qUseToken), []any{ms(now), tokenHash, purpose, ms(now)},
		func(r *sql.Row) error { return r.Scan(&t.TokenHash, &t.UserID, &t.Purpose, &exp) })
	if err != nil {
		return nil, notFound(err, "user token")
	}
	t.ExpiresAt = fromMS(exp)
	return &t, nil
}

// AddAuthFailure counts one failure of key in the window starting at win.
func (s *Store) AddAuthFailure(ctx context.Context, key string, win time.Time) (int, error) {
	var n int
	err := s.writeRow(ctx, s.d.rebind(qAddFailure), []any{key, ms(win)}, func(r *sql.Row) error { return r.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("count sign-in failure: %w", err)
	}
	return n, nil
}

// AuthFailures sums key's failures since since.
func (s *Store) AuthFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, s.d.rebind(qFailures), key, ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("read sign-in failures: %w", err)
	}
	return int(n), nil
}

// ClearAuthFailures forgets key's failures.
func (s *Store) ClearAuthFailures(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, s.d.rebind(qClearFailures), key); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}

// PurgeAuthFailures deletes windows older than before.
func (s *Store) PurgeAuthFailures(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, s.d.rebind(qPurgeFailures), ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge sign-in failures: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// AddAudit appends an entry to the audit log and sets its ID (and At, if zero).
func (s *Store) AddAudit(ctx context.Context, e *store.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	err := s.writeRow(ctx, s.d.rebind(qInsertAudit), []any{ms(e.At), e.Actor, e.Action, e.Target, e.Detail},
		func(r *sql.Row) error { return r.Scan(&e.ID) })
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// Audit lists entries newest first.
func (s *Store) Audit(ctx context.Context, beforeID int64, limit int) ([]store.AuditEntry, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qAudit), beforeID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// FilterArticles lists articles for the newsroom, hidden ones too.
func (s *Store) FilterArticles(ctx context.Context, f store.ArticleFilter) ([]store.Article, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	hidden, anyHidden := false, 0
	if f.Hidden != nil {
		hidden, anyHidden = *f.Hidden, 1
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(qFilterArticles), f.SourceID, f.SourceID, f.Section, f.Section,
		f.Language, f.Language, hidden, anyHidden, f.Limit, max(f.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("filter articles: %w", err)
	}
	defer rows.Close()
	var out []store.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("filter articles: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("filter articles: %w", err)
	}
	return out, nil
}

// SetArticleHidden hides or shows an article, and refreshes its story's
// counts, dates and representative in the same transaction: a story's
// figures count visible articles only (storyTx.refresh), and the front
// page ranks stories by them. It runs as a story step (InStoryTx) because
// it reads the story's articles and writes the story row, as steps do; a
// step filing another article meanwhile could otherwise write figures
// counted before the hide.
func (s *Store) SetArticleHidden(ctx context.Context, id int64, hidden bool) error {
	err := s.InStoryTx(ctx, func(st store.StoryTx) error {
		t := st.(*storyTx)
		res, err := t.tx.ExecContext(ctx, s.d.rebind(qSetHidden), hidden, id)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "article", id); err != nil {
			return err
		}
		var storyID sql.NullInt64
		if err := t.tx.QueryRowContext(ctx, s.d.rebind(`SELECT story_id FROM articles WHERE id = ?`), id).Scan(&storyID); err != nil {
			return err
		}
		if !storyID.Valid {
			return nil
		}
		return t.refresh(ctx, storyID.Int64)
	})
	if err != nil {
		return fmt.Errorf("hide article %d: %w", id, err)
	}
	return nil
}

// UseTOTPStep records a used time step, once.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := s.exec(ctx, s.d.rebind(qUseTOTPStep), step, userID, step)
	if err != nil {
		return fmt.Errorf("use TOTP step: %w", err)
	}
	return mustAffect(res, "use TOTP step of user", userID)
}

// CorrectArticle stores an editor's correction beside what the source
// published.
func (s *Store) CorrectArticle(ctx context.Context, id int64, c store.ArticleCorrection) error {
	val := func(p *string) (bool, string) {
		if p == nil {
			return false, ""
		}
		return true, *p
	}
	t, title := val(c.Title)
	u, summary := val(c.Summary)
	m, section := val(c.Section)
	res, err := s.exec(ctx, s.d.rebind(qCorrectArticle), t, title, u, summary, m, section, m, section, section, id)
	if err != nil {
		return fmt.Errorf("correct article %d: %w", id, err)
	}
	return mustAffect(res, "correct article", id)
}

// PinArticle pins an article to the front page, or unpins it (at zero).
func (s *Store) PinArticle(ctx context.Context, id int64, at time.Time) error {
	res, err := s.exec(ctx, s.d.rebind(qPinArticle), ms(at), id)
	if err != nil {
		return fmt.Errorf("pin article %d: %w", id, err)
	}
	return mustAffect(res, "pin article", id)
}

// StaleTranslations marks an article's translations out of date.
func (s *Store) StaleTranslations(ctx context.Context, articleID int64) error {
	if _, err := s.exec(ctx, s.d.rebind(qStaleTranslations), articleID); err != nil {
		return fmt.Errorf("mark translations of article %d stale: %w", articleID, err)
	}
	return nil
}
