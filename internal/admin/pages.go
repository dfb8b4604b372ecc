package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/auth"
	"spektrum/internal/ops"
	"spektrum/internal/ops/view"
	"spektrum/internal/store"
	"spektrum/internal/viewpoint"
)

// opsError is an operation's refusal in the UI's language, or false for an
// error that is not a refusal (the server's fault).
func (a *Admin) opsError(l string, err error) (string, bool) {
	var e *ops.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.Code {
	case ops.Invalid:
		switch e.Field {
		case ops.FieldURL:
			return a.msg.T(l, "admin.err.url", e.Value), true
		case ops.FieldSection:
			return a.msg.T(l, "admin.err.section", e.Value), true
		case ops.FieldLanguage:
			return a.msg.T(l, "admin.err.language", e.Value), true
		case ops.FieldEmail:
			return a.msg.T(l, "admin.err.email", e.Value), true
		case ops.FieldRole:
			return a.msg.T(l, "admin.err.role", e.Value), true
		case ops.FieldPassword:
			if errors.Is(e.Err, auth.ErrPasswordLong) {
				return a.msg.T(l, "admin.err.password-long", auth.MaxPassword), true
			}
			return a.msg.T(l, "admin.err.password-short", auth.MinPassword), true
		case "name":
			return a.msg.T(l, "admin.err.name"), true
		case "poll_interval":
			return a.msg.T(l, "admin.err.interval"), true
		}
		return e.Error(), true
	case ops.NotFound:
		return a.msg.T(l, "admin.err.no-source", e.SourceID), true
	case ops.Duplicate:
		return a.msg.T(l, "admin.err.duplicate", e.OtherName, e.URL), true
	case ops.Unreadable:
		return a.msg.T(l, "admin.err.unreadable", e.URL, a.problem(l, e.Problem)), true
	case ops.Private:
		return a.msg.T(l, "admin.err.private", e.URL), true
	case ops.NoUser:
		return a.msg.T(l, "admin.err.no-user", e.Value), true
	case ops.UserExists:
		return a.msg.T(l, "admin.err.user-exists", e.Value), true
	case ops.LastAdmin:
		return a.msg.T(l, "admin.err.last-admin", e.Value), true
	}
	return e.Error(), true
}

// problem is a failure's category (ops/view) in words of the UI's language.
func (a *Admin) problem(l string, p view.Problem) string {
	if p == view.NoProblem {
		return ""
	}
	if code, ok := strings.CutPrefix(string(p), "site answered "); ok {
		return a.msg.T(l, "admin.problem.status", code)
	}
	key := "admin.problem." + strings.NewReplacer(" ", "-", ".", "").Replace(string(p))
	if a.msg.Has(l, key) {
		return a.msg.T(l, key)
	}
	return string(p)
}

func (a *Admin) handleHome(w http.ResponseWriter, r *http.Request) {
	ss, err := a.cfg.Sources.Sources(r.Context())
	if err != nil {
		a.serverError(w, r, "list sources", err)
		return
	}
	n, err := a.st.CountArticles(r.Context())
	if err != nil {
		a.serverError(w, r, "count articles", err)
		return
	}
	d := struct{ Sources, Failing, Paused, Articles int }{Sources: len(ss), Articles: n}
	for i := range ss {
		switch view.State(&ss[i]) {
		case view.StateFailing:
			d.Failing++
		case view.StatePaused:
			d.Paused++
		}
	}
	a.render(w, r, http.StatusOK, "home", a.newPage(r, "admin.home", "home", d))
}

// sourceRow is a source as the admin's pages show it.
type sourceRow struct {
	view.Source
	Interval    time.Duration
	ProblemText string
}

func (a *Admin) row(l string, s *store.Source) sourceRow {
	v := view.Of(s)
	return sourceRow{Source: v, Interval: s.PollInterval, ProblemText: a.problem(l, v.Problem)}
}

type sourcesData struct {
	Sources  []sourceRow
	Sections []store.Section
	Form     url.Values // the add form's values after a refusal
	VP       vpChoices
}

// vpChoices are the viewpoint form's choices (part_viewpoint.html).
type vpChoices struct {
	Types []string
	Steps []string // the outlet's scale
	Off   string   // a position in the form the scale does not have
}

func (a *Admin) vpChoices(form url.Values) vpChoices {
	sc := a.cfg.Sources.Scale()
	c := vpChoices{Types: viewpoint.Types(), Steps: sc.Steps}
	if p := form.Get("position"); p != "" && !sc.Has(p) {
		c.Off = p
	}
	return c
}

// vpFields are a form's viewpoint fields as an edit, each "" clearing one.
func vpFields(r *http.Request) ops.Edit {
	f := func(k string) *string { v := r.PostFormValue(k); return &v }
	return ops.Edit{Country: f("country"), Type: f("type"), Ownership: f("ownership"), Position: f("position")}
}

func (a *Admin) showSources(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	ctx := r.Context()
	ss, err := a.cfg.Sources.Sources(ctx)
	if err != nil {
		a.serverError(w, r, "list sources", err)
		return
	}
	secs, err := a.st.Sections(ctx)
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	p := a.newPage(r, "admin.sources", "sources", nil)
	d := sourcesData{Sections: secs, Form: form, VP: a.vpChoices(form)}
	for i := range ss {
		d.Sources = append(d.Sources, a.row(p.Lang, &ss[i]))
	}
	p.Data, p.Error = d, errText
	a.render(w, r, status, "sources", p)
}

func (a *Admin) handleSources(w http.ResponseWriter, r *http.Request) {
	a.showSources(w, r, http.StatusOK, url.Values{}, "")
}

func (a *Admin) handleSourceAdd(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	req := ops.AddRequest{URL: r.PostFormValue("url"), Name: r.PostFormValue("name"), Section: strings.TrimSpace(r.PostFormValue("section")),
		Language: strings.TrimSpace(r.PostFormValue("language")), Force: r.PostFormValue("force") != "",
		Country: r.PostFormValue("country"), Type: r.PostFormValue("type"), Ownership: r.PostFormValue("ownership"), Position: r.PostFormValue("position")}
	src, err := a.cfg.Sources.AddSource(r.Context(), req)
	if err != nil {
		a.failOr(w, r, "add source", err, a.opsError, func(status int, text string) {
			a.showSources(w, r, status, r.PostForm, text)
		})
		return
	}
	a.audit(r, me, "source.add", src, src.URL)
	http.Redirect(w, r, "/admin/sources/"+strconv.FormatInt(src.ID, 10)+"?done=added", http.StatusSeeOther)
}

func (a *Admin) audit(r *http.Request, me *who, action string, src *store.Source, detail string) {
	target := "#" + strconv.FormatInt(src.ID, 10) + " " + src.Name
	if err := a.cfg.Users.Audit(r.Context(), me.user.Email, action, target, detail); err != nil {
		a.log.ErrorContext(r.Context(), "audit log not written", "action", action, "err", err)
	}
}

type sourceData struct {
	S        sourceRow
	Sections []store.Section
	Form     url.Values
	VP       vpChoices
}

func (a *Admin) showSource(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	src, err := a.cfg.Sources.Source(ctx, id)
	if err != nil {
		a.fail(w, r, "read source", err)
		return
	}
	secs, err := a.st.Sections(ctx)
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	p := a.newPage(r, "admin.source", "sources", nil)
	if form == nil {
		form = url.Values{"name": {src.Name}, "section": {src.Section}, "language": {src.Language}, "interval": {shortDuration(src.PollInterval)},
			"country": {src.Country}, "type": {src.Type}, "ownership": {src.Ownership}, "position": {src.Position}}
	}
	p.Data, p.Error = sourceData{S: a.row(p.Lang, src), Sections: secs, Form: form, VP: a.vpChoices(form)}, errText
	a.render(w, r, status, "source", p)
}

func (a *Admin) handleSource(w http.ResponseWriter, r *http.Request) {
	a.showSource(w, r, http.StatusOK, nil, "")
}

func (a *Admin) handleSourceEdit(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	l := a.lang(r)
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	name, section, language := r.PostFormValue("name"), strings.TrimSpace(r.PostFormValue("section")), strings.TrimSpace(r.PostFormValue("language"))
	e := vpFields(r)
	e.Name, e.Section, e.Language = &name, &section, &language
	// A position the outlet's scale no longer has is kept through other
	// edits, as the CLI keeps it: only a changed one is checked.
	if old, err := a.cfg.Sources.Source(r.Context(), id); err == nil && *e.Position == old.Position {
		e.Position = nil
	}
	if iv := strings.TrimSpace(r.PostFormValue("interval")); iv != "" {
		d, err := time.ParseDuration(iv)
		if err != nil {
			a.showSource(w, r, http.StatusUnprocessableEntity, r.PostForm, a.msg.T(l, "admin.err.interval"))
			return
		}
		e.PollInterval = &d
	}
	src, err := a.cfg.Sources.EditSource(r.Context(), id, e)
	if err != nil {
		a.failOr(w, r, "edit source", err, a.opsError, func(status int, text string) {
			a.showSource(w, r, status, r.PostForm, text)
		})
		return
	}
	a.audit(r, me, "source.edit", src, "name="+src.Name+" section="+src.Section+" language="+src.Language+" interval="+src.PollInterval.String()+
		" country="+src.Country+" type="+src.Type+" position="+src.Position+" ownership="+src.Ownership)
	http.Redirect(w, r, "/admin/sources/"+strconv.FormatInt(src.ID, 10)+"?done=saved", http.StatusSeeOther)
}

func (a *Admin) handleSourceAction(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	var (
		src  *store.Source
		err  error
		done string
	)
	switch r.PathValue("action") {
	case "pause":
		done = "paused"
		src, err = a.cfg.Sources.PauseSource(ctx, id)
	case "resume":
		done = "resumed"
		src, err = a.cfg.Sources.ResumeSource(ctx, id)
	case "remove":
		done = "removed"
		src, err = a.cfg.Sources.RemoveSource(ctx, id)
	case "fetch":
		done = "fetching"
		var queued bool
		if queued, err = a.cfg.Sources.FetchNow(ctx, id); err == nil {
			if !queued {
				done = "queued"
			}
			src, err = a.cfg.Sources.Source(ctx, id)
		}
	default:
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, r.PathValue("action")+" source", err)
		return
	}
	a.audit(r, me, "source."+r.PathValue("action"), src, "")
	to := "/admin/sources/" + strconv.FormatInt(id, 10)
	if done == "removed" {
		to = "/admin/sources"
	}
	http.Redirect(w, r, to+"?done="+done, http.StatusSeeOther)
}

type usersData struct {
	Users []store.User
	Me    int64
	Form  url.Values
	Link  string // a one-time sign-in link just made, shown once
}

func (a *Admin) showUsers(w http.ResponseWriter, r *http.Request, status int, d usersData, errText string) {
	us, err := a.cfg.Users.List(r.Context())
	if err != nil {
		a.serverError(w, r, "list users", err)
		return
	}
	d.Users, d.Me = us, current(r).user.ID
	if d.Form == nil {
		d.Form = url.Values{}
	}
	p := a.newPage(r, "admin.users", "users", d)
	p.Error = errText
	a.render(w, r, status, "users", p)
}

func (a *Admin) handleUsers(w http.ResponseWriter, r *http.Request) {
	a.showUsers(w, r, http.StatusOK, usersData{}, "")
}

func (a *Admin) signInLink(r *http.Request, u *store.User) (string, error) {
	tok, err := a.cfg.Users.SignInToken(r.Context(), u)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(a.cfg.BaseURL, "/") + "/admin/link/" + tok, nil
}

func (a *Admin) handleUserAdd(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	u, err := a.cfg.Users.AddUser(r.Context(), me.user.Email, ops.NewUser{Email: r.PostFormValue("email"), Role: r.PostFormValue("role"), Password: r.PostFormValue("password")})
	if err != nil {
		a.failOr(w, r, "add user", err, a.opsError, func(status int, text string) {
			a.showUsers(w, r, status, usersData{Form: r.PostForm}, text)
		})
		return
	}
	d := usersData{}
	if u.PasswordHash == "" {
		if d.Link, err = a.signInLink(r, u); err != nil {
			a.serverError(w, r, "sign-in link", err)
			return
		}
	}
	// The link is shown on this answer only, never put in a URL.
	r.URL.RawQuery = "done=user-added"
	a.showUsers(w, r, http.StatusOK, d, "")
}

func (a *Admin) handleUserAction(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	u, err := a.st.User(ctx, id)
	if err != nil {
		a.fail(w, r, "read user", err)
		return
	}
	done := ""
	d := usersData{}
	switch r.PathValue("action") {
	case "remove":
		done = "user-removed"
		_, err = a.cfg.Users.Remove(ctx, me.user.Email, u.Email)
	case "role":
		done = "role"
		_, err = a.cfg.Users.SetRole(ctx, me.user.Email, u.Email, r.PostFormValue("role"))
	case "link":
		// A new link takes the old password away: the link is for someone
		// who lost it.
		if _, err = a.cfg.Users.ResetPassword(ctx, me.user.Email, u.Email, ""); err == nil {
			d.Link, err = a.signInLink(r, u)
		}
		if err == nil {
			r.URL.RawQuery = ""
			a.showUsers(w, r, http.StatusOK, d, "")
			return
		}
	default:
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.failOr(w, r, "change user", err, a.opsError, func(status int, text string) {
			a.showUsers(w, r, status, d, text)
		})
		return
	}
	if u.ID == me.user.ID && done != "role" {
		http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/users?done="+done, http.StatusSeeOther)
}

func (a *Admin) handleAudit(w http.ResponseWriter, r *http.Request) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const size = 50
	es, err := a.st.Audit(r.Context(), before, size)
	if err != nil {
		a.serverError(w, r, "read audit log", err)
		return
	}
	d := struct {
		Entries []store.AuditEntry
		Older   int64
	}{Entries: es}
	if len(es) == size {
		d.Older = es[len(es)-1].ID
	}
	a.render(w, r, http.StatusOK, "audit", a.newPage(r, "admin.audit", "audit", d))
}

// shortDuration writes 30m rather than 30m0s, as an editor would.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
