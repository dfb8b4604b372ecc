package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"spektrum/internal/lang"
	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// page is what every admin template gets.
type page struct {
	Lang     string
	Title    string // i18n key of the page's title
	SiteName string
	Style    string
	AdminCSS string
	Nav      string // the current nav item
	User     string // the signed-in e-mail, "" before sign-in
	IsAdmin  bool
	CSRF     string
	Notice   string // an i18n key: what just happened
	Error    string // a sentence, already in Lang
	Data     any

	// Sections and Editions say whether those pages are served (nav).
	Sections, Editions bool
}

func (a *Admin) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"T": func(l, key string, args ...any) string { return a.msg.T(l, key, args...) },
		"N": func(l string, n int) string { return a.msg.Number(l, n) },
		// inc is a 0-based index counted from 1.
		"inc": func(i int) int { return i + 1 },
		"int": func(n int64) int { return int(n) },
		// percent is a share (0–1) as a whole per cent.
		"percent": func(f float64) int { return int(f*100 + 0.5) },
		// TOr is key's text, or fallback where the catalogue has none
		// (a step of an outlet's own scale).
		"TOr": func(l, key, fallback string) string {
			if a.msg.Has(l, key) {
				return a.msg.T(l, key)
			}
			return fallback
		},
		// langName names an edition's language in the UI's ("Deutsch (de)").
		"langName": func(code, in string) string { return lang.Name(code, in) + " (" + code + ")" },
		"join":     strings.Join,
		"when": func(l string, t time.Time) string {
			if t.IsZero() {
				return a.msg.T(l, "admin.never")
			}
			return a.msg.DateTime(l, t)
		},
	}
	// part_*.html are pieces several pages share.
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/part_*.html")
	if err != nil {
		return nil, fmt.Errorf("admin: parse templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("admin: parse %s: %w", n, err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "page_"), ".html")] = t
	}
	return out, nil
}

// lang is the UI language for r: the browser's choice among the
// catalogue's languages, else the site's.
func (a *Admin) lang(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return a.msg.Lang(a.cfg.Language)
	}
	_, i, conf := a.matcher.Match(tags...)
	if conf == language.No || i == 0 {
		return a.msg.Lang(a.cfg.Language)
	}
	return a.langs[i-1]
}

func (a *Admin) newPage(r *http.Request, title, nav string, data any) *page {
	p := &page{Lang: a.lang(r), Title: title, SiteName: a.siteName(r.Context()), Style: a.cfg.StyleURL, AdminCSS: a.cssPath, Nav: nav, Data: data,
		Sections: a.cfg.Sections != nil, Editions: a.cfg.Translation != nil}
	if me := current(r); me != nil {
		p.User, p.IsAdmin, p.CSRF = me.user.Email, me.user.Role == "admin", me.sess.CSRF
	}
	if n := r.URL.Query().Get("done"); n != "" && noticeKeys[n] {
		p.Notice = "admin.done." + n
	}
	return p
}

// siteName is the outlet's name as the settings page set it for every
// edition, else the flag's: the admin is named as the site is.
func (a *Admin) siteName(ctx context.Context) string {
	if a.cfg.Settings == nil {
		return a.cfg.SiteName
	}
	s, err := a.cfg.Settings.Load(ctx)
	if err != nil {
		a.log.Warn("reading the site's name from the settings; showing the configured one", "err", err)
		return a.cfg.SiteName
	}
	if s.All.Name != "" {
		return s.All.Name
	}
	return a.cfg.SiteName
}

// noticeKeys are the "done" notices a redirect may name (?done=added): only
// these, so a link cannot make the page say anything else.
var noticeKeys = map[string]bool{"added": true, "saved": true, "paused": true, "resumed": true, "removed": true,
	"fetching": true, "queued": true, "password": true, "role": true, "user-added": true, "user-removed": true,
	"hidden": true, "shown": true, "totp-on": true, "totp-off": true,
	"corrected": true, "moved": true, "translating": true, "pinned": true, "unpinned": true,
	"erased": true, "test-sent": true, "send-queued": true, "send-already": true,
	"section-added": true, "ordered": true, "section-removed": true, "section-moved": true}

func (a *Admin) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := a.pages[name]
	if !ok {
		a.serverError(w, r, "render", fmt.Errorf("no admin template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		a.serverError(w, r, "render "+name, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (a *Admin) forbidden(w http.ResponseWriter, r *http.Request, key string) {
	p := a.newPage(r, "admin.forbidden", "", nil)
	p.Error = a.msg.T(p.Lang, key)
	a.render(w, r, http.StatusForbidden, "message", p)
}

// notFound is the 404 page, in the UI's language.
func (a *Admin) notFound(w http.ResponseWriter, r *http.Request) {
	p := a.newPage(r, "admin.not-found", "", nil)
	p.Error = a.msg.T(p.Lang, "admin.not-found.text")
	a.render(w, r, http.StatusNotFound, "message", p)
}

// serverError logs what failed and answers the 500 page, in the UI's
// language; the page names no cause (the log does).
func (a *Admin) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.ErrorContext(r.Context(), "admin: "+what, "err", err, "path", r.URL.Path)
	p := a.newPage(r, "admin.error", "", nil)
	p.Error = a.msg.T(p.Lang, "admin.error.text")
	var buf bytes.Buffer
	if t, ok := a.pages["message"]; ok && t.ExecuteTemplate(&buf, "layout", p) == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write(buf.Bytes())
		return
	}
	// Not even the message page renders: plain words, never a loop.
	http.Error(w, "500 internal server error: the admin could not do this; the server log says why", http.StatusInternalServerError)
}

// pathID is the {id} of r's path; false when it is not a positive whole
// number (the handler answers 404: nothing has that id).
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// missing reports an error saying that what the page is about is not
// there: a source, article or ad by the path's id, a section by the
// path's slug (one named in a form, such as where to move articles, is a
// refusal shown on the form instead), or a row the store did not find.
func missing(r *http.Request, err error) bool {
	var e *ops.Error
	if errors.As(err, &e) {
		switch e.Code {
		case ops.NotFound, ops.NoArticle, ops.NoAd:
			return true
		case ops.NoSection:
			return e.Value == r.PathValue("slug")
		}
		return false
	}
	return errors.Is(err, store.ErrNotFound)
}

// fail ends a handler whose read or operation failed: the 404 page when
// what it is about is not there (missing), else the 500 page.
func (a *Admin) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	if missing(r, err) {
		a.notFound(w, r)
		return
	}
	a.serverError(w, r, what, err)
}

// failOr is fail for a form's operation: a refusal that explain puts in
// words (opsError, sectionError, settingsError) goes back to the form
// through show, with status 422; the rest as fail.
func (a *Admin) failOr(w http.ResponseWriter, r *http.Request, what string, err error,
	explain func(l string, err error) (string, bool), show func(status int, text string)) {
	if !missing(r, err) {
		if text, ok := explain(a.lang(r), err); ok {
			show(http.StatusUnprocessableEntity, text)
			return
		}
	}
	a.fail(w, r, what, err)
}
