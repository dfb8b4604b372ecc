package admin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"spektrum/internal/auth"
	"spektrum/internal/store"
)

// csrfCookie carries the double-submit token of the forms shown before
// sign-in (login, setup, sign-in link), which have no session to hold one.
const csrfCookie = "spektrum_admin_csrf"

// csrfField is the hidden form field every POST carries.
const csrfField = "csrf"

// who is the signed-in account of a request.
type who struct {
	user *store.User
	sess *store.Session
}

type whoKey struct{}

func current(r *http.Request) *who {
	w, _ := r.Context().Value(whoKey{}).(*who)
	return w
}

// sameOrigin says whether a request comes from our own pages. Browsers send
// Sec-Fetch-Site; older ones send Origin on POST; a request with neither
// (not a browser) is left to the token check.
func (a *Admin) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		return s == "same-origin" || s == "none"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if o == "null" {
		return false
	}
	if o == a.origin {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// public wraps the pages shown before sign-in: their POSTs must come from
// our origin and carry the double-submit token.
func (a *Admin) public(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		if r.Method == http.MethodPost {
			if !a.sameOrigin(r) {
				a.forbidden(w, r, "admin.csrf")
				return
			}
			c, err := r.Cookie(csrfCookie)
			if err != nil || c.Value == "" || !auth.Equal(c.Value, r.PostFormValue(csrfField)) {
				a.forbidden(w, r, "admin.csrf")
				return
			}
		}
		h(w, r)
	})
}

// signedIn wraps the pages behind sign-in: no session sends a GET to the
// login page (and a POST gets 403); role, when set, is required (403
// otherwise); a POST must come from our origin with the session's token.
func (a *Admin) signedIn(role string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		me, err := a.session(r)
		if err != nil {
			a.serverError(w, r, "read session", err)
			return
		}
		if me == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/admin/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			a.forbidden(w, r, "admin.signed-out")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), whoKey{}, me))
		if r.Method == http.MethodPost && (!a.sameOrigin(r) || !auth.Equal(me.sess.CSRF, r.PostFormValue(csrfField))) {
			a.forbidden(w, r, "admin.csrf")
			return
		}
		if role != "" && me.user.Role != role {
			a.forbidden(w, r, "admin.admins-only")
			return
		}
		h(w, r)
	})
}

// session returns the request's live session and account, or nil. An
// expired session is deleted when seen.
func (a *Admin) session(r *http.Request) (*who, error) {
	c, err := r.Cookie(a.cookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	ctx := r.Context()
	h := auth.TokenHash(c.Value)
	s, err := a.st.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	if now.Sub(s.LastSeenAt) > IdleTimeout || now.Sub(s.CreatedAt) > AbsoluteTimeout {
		return nil, a.st.DeleteSession(ctx, h)
	}
	u, err := a.st.User(ctx, s.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if err := a.st.TouchSession(ctx, h, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return &who{user: u, sess: s}, nil
}

// startSession signs u in: the browser's old session, if any, ends, and a
// new token is made (no fixation).
func (a *Admin) startSession(w http.ResponseWriter, r *http.Request, u *store.User) error {
	ctx := r.Context()
	if c, err := r.Cookie(a.cookie); err == nil && c.Value != "" {
		if err := a.st.DeleteSession(ctx, auth.TokenHash(c.Value)); err != nil {
			return err
		}
	}
	tok, err := auth.Token()
	if err != nil {
		return err
	}
	csrf, err := auth.Token()
	if err != nil {
		return err
	}
	now := a.now()
	if err := a.st.CreateSession(ctx, &store.Session{TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, CreatedAt: now, LastSeenAt: now}); err != nil {
		return err
	}
	http.SetCookie(w, a.newCookie(a.cookie, tok, int(AbsoluteTimeout/time.Second)))
	return nil
}

func (a *Admin) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(a.cookie); err == nil && c.Value != "" {
		if err := a.st.DeleteSession(r.Context(), auth.TokenHash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, a.newCookie(a.cookie, "", -1))
	return nil
}

func (a *Admin) newCookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode}
}

// formToken returns the double-submit token for a form shown before
// sign-in, setting its cookie when the browser has none.
func (a *Admin) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	tok, err := auth.Token()
	if err != nil {
		return "", err
	}
	c := a.newCookie(csrfCookie, tok, 0)
	c.Path = "/admin/"
	http.SetCookie(w, c)
	return tok, nil
}

// failKeys are the counters a sign-in of email from r counts against:
// keyed hashes, so the table holds neither addresses nor e-mails.
func (a *Admin) failKeys(r *http.Request, email string) (acct, addr string) {
	mac := func(s string) string {
		m := hmac.New(sha256.New, []byte(a.keyHash))
		m.Write([]byte(s))
		return hex.EncodeToString(m.Sum(nil)[:16])
	}
	return "acct:" + mac(strings.ToLower(strings.TrimSpace(email))), "addr:" + mac(a.proxies.Key(r))
}

// throttled says whether sign-ins for these keys are over their limits.
func (a *Admin) throttled(ctx context.Context, acct, addr string) (bool, error) {
	since := a.now().Add(-failWindow)
	n, err := a.st.AuthFailures(ctx, acct, since)
	if err != nil || n >= MaxAccountFailures {
		return err == nil, err
	}
	n, err = a.st.AuthFailures(ctx, addr, since)
	return err == nil && n >= MaxAddrFailures, err
}

func (a *Admin) countFailure(ctx context.Context, acct, addr string) error {
	win := a.now().Truncate(time.Minute)
	if _, err := a.st.AddAuthFailure(ctx, acct, win); err != nil {
		return err
	}
	_, err := a.st.AddAuthFailure(ctx, addr, win)
	return err
}

// safeNext is where to go after sign-in: a path inside the admin, never
// another site (//evil.example, /\evil.example, https://…).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/admin/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/admin/"
	}
	return next
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
}
