package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"spektrum/internal/auth"
	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// loginData is the login, setup and link forms' content.
type loginData struct {
	Email, Next, Token string
}

func (a *Admin) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData, errKey string) {
	tok, err := a.formToken(w, r)
	if err != nil {
		a.serverError(w, r, "form token", err)
		return
	}
	p := a.newPage(r, "admin.login", "", d)
	p.CSRF = tok
	if errKey != "" {
		p.Error = a.msg.T(p.Lang, errKey)
	}
	a.render(w, r, status, "login", p)
}

func (a *Admin) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if me, err := a.session(r); err == nil && me != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	a.showLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))}, "")
}

func (a *Admin) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	pw := r.PostFormValue("password")
	d := loginData{Email: email, Next: safeNext(r.PostFormValue("next"))}
	acct, addr := a.failKeys(r, email)
	over, err := a.throttled(ctx, acct, addr)
	if err != nil {
		a.serverError(w, r, "sign-in throttle", err)
		return
	}
	if over {
		// The same work as a check, so a throttled answer is no quicker
		// for an e-mail that has an account than for one that has none.
		auth.Verify("", pw)
		w.Header().Set("Retry-After", "900")
		a.showLogin(w, r, http.StatusTooManyRequests, d, "admin.login.throttled")
		return
	}
	u, err := a.st.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, "sign-in", err)
		return
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	if !auth.Verify(hash, pw) || u == nil {
		if err := a.countFailure(ctx, acct, addr); err != nil {
			a.serverError(w, r, "count sign-in failure", err)
			return
		}
		a.showLogin(w, r, http.StatusUnauthorized, d, "admin.login.wrong")
		return
	}
	if u.TOTPSecret != "" {
		a.askCode(w, r, u, d, http.StatusOK, "")
		return
	}
	a.finishSignIn(w, r, acct, u, d.Next)
}

func (a *Admin) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := a.endSession(w, r); err != nil {
		a.serverError(w, r, "sign out", err)
		return
	}
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

// setupOpen says whether /admin/setup may make the first admin: the start
// found no account, and there is still none.
func (a *Admin) setupOpen(r *http.Request) (bool, error) {
	if a.setupToken == "" {
		return false, nil
	}
	us, err := a.st.Users(r.Context())
	return len(us) == 0, err
}

func (a *Admin) showSetup(w http.ResponseWriter, r *http.Request, status int, d loginData, errText string) {
	tok, err := a.formToken(w, r)
	if err != nil {
		a.serverError(w, r, "form token", err)
		return
	}
	p := a.newPage(r, "admin.setup", "", d)
	p.CSRF, p.Error = tok, errText
	a.render(w, r, status, "setup", p)
}

func (a *Admin) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	open, err := a.setupOpen(r)
	if err != nil {
		a.serverError(w, r, "setup", err)
		return
	}
	if !open || !auth.Equal(r.URL.Query().Get("token"), a.setupToken) {
		a.notFound(w, r)
		return
	}
	a.showSetup(w, r, http.StatusOK, loginData{Token: r.URL.Query().Get("token")}, "")
}

func (a *Admin) handleSetup(w http.ResponseWriter, r *http.Request) {
	open, err := a.setupOpen(r)
	if err != nil {
		a.serverError(w, r, "setup", err)
		return
	}
	tok := r.PostFormValue("token")
	if !open || !auth.Equal(tok, a.setupToken) {
		a.notFound(w, r)
		return
	}
	d := loginData{Email: r.PostFormValue("email"), Token: tok}
	u, err := a.cfg.Users.AddUser(r.Context(), "setup", ops.NewUser{Email: d.Email, Role: store.RoleAdmin, Password: r.PostFormValue("password")})
	if err != nil {
		if text, ok := a.opsError(a.lang(r), err); ok {
			a.showSetup(w, r, http.StatusUnprocessableEntity, d, text)
			return
		}
		a.serverError(w, r, "setup", err)
		return
	}
	if err := a.startSession(w, r, u); err != nil {
		a.serverError(w, r, "start session", err)
		return
	}
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

func (a *Admin) handleLinkForm(w http.ResponseWriter, r *http.Request) {
	tok, err := a.formToken(w, r)
	if err != nil {
		a.serverError(w, r, "form token", err)
		return
	}
	// Following the link only shows a button: mail scanners that open
	// links sign nobody in and use up nothing.
	p := a.newPage(r, "admin.link", "", loginData{Token: r.PathValue("token")})
	p.CSRF = tok
	a.render(w, r, http.StatusOK, "link", p)
}

func (a *Admin) handleLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := a.st.UseUserToken(ctx, auth.TokenHash(r.PathValue("token")), ops.SignInPurpose, a.now())
	if errors.Is(err, store.ErrNotFound) {
		p := a.newPage(r, "admin.link", "", nil)
		p.Error = a.msg.T(p.Lang, "admin.link.used")
		a.render(w, r, http.StatusGone, "message", p)
		return
	}
	if err != nil {
		a.serverError(w, r, "sign-in link", err)
		return
	}
	u, err := a.st.User(ctx, t.UserID)
	if err != nil {
		a.serverError(w, r, "sign-in link", err)
		return
	}
	if err := a.startSession(w, r, u); err != nil {
		a.serverError(w, r, "start session", err)
		return
	}
	http.Redirect(w, r, "/admin/account", http.StatusSeeOther)
}

func (a *Admin) handleAccount(w http.ResponseWriter, r *http.Request) {
	d, err := a.accountData(current(r).user)
	if err != nil {
		a.serverError(w, r, "account", err)
		return
	}
	a.render(w, r, http.StatusOK, "account", a.newPage(r, "admin.account", "account", d))
}

// handleAccountSave sets the signed-in account's password. The current one
// is asked for when there is one, so a session left open is not enough to
// take the account over.
func (a *Admin) handleAccountSave(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	l := a.lang(r)
	fail := func(text string) {
		d, _ := a.accountData(me.user)
		p := a.newPage(r, "admin.account", "account", d)
		p.Error = text
		a.render(w, r, http.StatusUnprocessableEntity, "account", p)
	}
	if me.user.PasswordHash != "" && !auth.Verify(me.user.PasswordHash, r.PostFormValue("current")) {
		fail(a.msg.T(l, "admin.account.wrong-current"))
		return
	}
	if r.PostFormValue("password") == "" {
		fail(a.msg.T(l, "admin.err.password-short", auth.MinPassword))
		return
	}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		fail(a.msg.T(l, "admin.account.mismatch"))
		return
	}
	u, err := a.cfg.Users.ResetPassword(r.Context(), me.user.Email, me.user.Email, r.PostFormValue("password"))
	if err != nil {
		if text, ok := a.opsError(l, err); ok {
			fail(text)
			return
		}
		a.serverError(w, r, "set password", err)
		return
	}
	// Setting it ended every session, this one too: sign this browser in
	// again, with a fresh session.
	if err := a.startSession(w, r, u); err != nil {
		a.serverError(w, r, "start session", err)
		return
	}
	http.Redirect(w, r, "/admin/account?done=password", http.StatusSeeOther)
}

// totpPurpose is the token that carries a sign-in from its password to its
// code: single-use and short-lived, so a wrong code sends one back to the
// password.
const totpPurpose = "totp"

// askCode shows the second step of a sign-in: the authenticator's code.
func (a *Admin) askCode(w http.ResponseWriter, r *http.Request, u *store.User, d loginData, status int, errKey string) {
	tok, err := auth.Token()
	if err != nil {
		a.serverError(w, r, "sign-in", err)
		return
	}
	if err := a.st.CreateUserToken(r.Context(), &store.UserToken{TokenHash: auth.TokenHash(tok), UserID: u.ID, Purpose: totpPurpose,
		ExpiresAt: a.now().Add(5 * time.Minute)}); err != nil {
		a.serverError(w, r, "sign-in", err)
		return
	}
	ft, err := a.formToken(w, r)
	if err != nil {
		a.serverError(w, r, "form token", err)
		return
	}
	d.Token = tok
	p := a.newPage(r, "admin.login", "", d)
	p.CSRF = ft
	if errKey != "" {
		p.Error = a.msg.T(p.Lang, errKey)
	}
	a.render(w, r, status, "code", p)
}

func (a *Admin) handleLoginCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := loginData{Next: safeNext(r.PostFormValue("next"))}
	t, err := a.st.UseUserToken(ctx, auth.TokenHash(r.PostFormValue("token")), totpPurpose, a.now())
	if errors.Is(err, store.ErrNotFound) {
		a.showLogin(w, r, http.StatusUnauthorized, d, "admin.login.expired")
		return
	}
	if err != nil {
		a.serverError(w, r, "sign-in", err)
		return
	}
	u, err := a.st.User(ctx, t.UserID)
	if err != nil {
		a.serverError(w, r, "sign-in", err)
		return
	}
	d.Email = u.Email
	acct, addr := a.failKeys(r, u.Email)
	if over, err := a.throttled(ctx, acct, addr); err != nil || over {
		if err != nil {
			a.serverError(w, r, "sign-in throttle", err)
			return
		}
		w.Header().Set("Retry-After", "900")
		a.showLogin(w, r, http.StatusTooManyRequests, d, "admin.login.throttled")
		return
	}
	step, ok := auth.VerifyTOTP(u.TOTPSecret, r.PostFormValue("code"), a.now())
	if ok {
		// A code works once: a second use (replay, or two nodes at once) fails here.
		if err := a.st.UseTOTPStep(ctx, u.ID, step); errors.Is(err, store.ErrNotFound) {
			ok = false
		} else if err != nil {
			a.serverError(w, r, "sign-in", err)
			return
		}
	}
	if !ok {
		if err := a.countFailure(ctx, acct, addr); err != nil {
			a.serverError(w, r, "count sign-in failure", err)
			return
		}
		a.showLogin(w, r, http.StatusUnauthorized, d, "admin.login.wrong-code")
		return
	}
	a.finishSignIn(w, r, acct, u, d.Next)
}

// totpData is the account page's second-factor part.
type totpData struct {
	User   *store.User
	Secret string // a new key offered for enrolment
	URI    string
}

func (a *Admin) accountData(u *store.User) (totpData, error) {
	d := totpData{User: u}
	if u.TOTPSecret == "" {
		s, err := auth.NewTOTPSecret()
		if err != nil {
			return d, err
		}
		d.Secret, d.URI = s, auth.TOTPURI(a.cfg.SiteName, u.Email, s)
	}
	return d, nil
}

// handleTOTP turns the second factor on (with the offered key and a code
// from it, proving the app has it) or off (with a current code).
func (a *Admin) handleTOTP(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	l := a.lang(r)
	secret := me.user.TOTPSecret
	turnOn := secret == ""
	if turnOn {
		secret = r.PostFormValue("secret")
	}
	if _, ok := auth.VerifyTOTP(secret, r.PostFormValue("code"), a.now()); !ok || len(secret) < 16 {
		d, err := a.accountData(me.user)
		if err != nil {
			a.serverError(w, r, "account", err)
			return
		}
		p := a.newPage(r, "admin.account", "account", d)
		p.Error = a.msg.T(l, "admin.login.wrong-code")
		a.render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	if !turnOn {
		secret = ""
	}
	if _, err := a.cfg.Users.SetTOTP(r.Context(), me.user.Email, me.user.Email, secret); err != nil {
		a.serverError(w, r, "second factor", err)
		return
	}
	done := "totp-on"
	if !turnOn {
		done = "totp-off"
	}
	http.Redirect(w, r, "/admin/account?done="+done, http.StatusSeeOther)
}

// finishSignIn ends a sign-in that passed every check (password, and the
// second factor where the account has one): the failure count is cleared,
// a new session starts and the browser goes where it was going.
func (a *Admin) finishSignIn(w http.ResponseWriter, r *http.Request, acct string, u *store.User, next string) {
	if err := a.st.ClearAuthFailures(r.Context(), acct); err != nil {
		a.serverError(w, r, "sign-in", err)
		return
	}
	if err := a.startSession(w, r, u); err != nil {
		a.serverError(w, r, "start session", err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
