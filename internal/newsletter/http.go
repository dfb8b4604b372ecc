package newsletter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	langname "spektrum/internal/lang"
	"strings"
	"time"

	"spektrum/internal/store"
)

// formMaxAge is how long a rendered sign-up form can be submitted; pages are
// cached briefly, so a day is plenty and stale forms just ask again.
const formMaxAge = 48 * time.Hour

// maxBody bounds every request body the newsletter reads.
const maxBody = 64 << 10

func parsePages(n *Newsletter) (*template.Template, error) {
	t, err := template.ParseFS(templateFS, "templates/pages.html")
	if err != nil {
		return nil, fmt.Errorf("newsletter: page templates: %w", err)
	}
	return t, nil
}

// Handlers returns the newsletter's endpoints by pattern, for
// web.Config.Mounts: they then share the site's security headers.
func (n *Newsletter) Handlers() map[string]http.Handler {
	// Forms a browser posts from our pages refuse cross-site requests
	// (Sec-Fetch-Site / Origin). The unsubscribe endpoint must not: RFC 8058
	// one-click POSTs come from mail providers.
	xo := http.NewCrossOriginProtection()
	h := map[string]http.Handler{
		"GET /newsletter":                       http.HandlerFunc(n.handleSignupPage),
		"POST /newsletter/subscribe":            xo.Handler(http.HandlerFunc(n.handleFormSubscribe)),
		"GET /newsletter/confirm":               http.HandlerFunc(n.handleConfirmPage),
		"POST /newsletter/confirm":              xo.Handler(http.HandlerFunc(n.handleConfirm)),
		"POST /newsletter/resend":               xo.Handler(http.HandlerFunc(n.handleResend)),
		"GET /newsletter/unsubscribe":           http.HandlerFunc(n.handleUnsubPage),
		"POST /newsletter/unsubscribe":          http.HandlerFunc(n.handleUnsub),
		"GET /newsletter/preferences":           http.HandlerFunc(n.handlePrefsPage),
		"POST /newsletter/preferences":          xo.Handler(http.HandlerFunc(n.handlePrefs)),
		"GET /newsletter/export":                http.HandlerFunc(n.handleExport),
		"POST /newsletter/erase":                xo.Handler(http.HandlerFunc(n.handleErase)),
		"GET /newsletter/style.css":             http.HandlerFunc(n.handleStyle),
		"POST /api/v1/newsletter/subscribe":     http.HandlerFunc(n.handleAPISubscribe),
		"POST /api/v1/newsletter/bounces/{key}": http.HandlerFunc(n.handleBounces),
		"GET /api/v1/newsletter/bounces/{key}":  http.HandlerFunc(n.handleBouncesProbe),
		"HEAD /api/v1/newsletter/bounces/{key}": http.HandlerFunc(n.handleBouncesProbe),
		"OPTIONS /api/v1/newsletter/subscribe":  http.HandlerFunc(n.handleAPIOptions),
		"GET /api/v1/newsletter/subscribe":      http.HandlerFunc(n.handleAPIOptions),
	}
	// Each edition's sign-up page under its prefix, like the site's pages.
	for _, l := range n.cfg.Languages {
		h["GET /"+l+"/newsletter"] = n.signupPage(l)
	}
	return h
}

// BounceWebhookURL is the secret URL providers post bounce notifications to.
func (n *Newsletter) BounceWebhookURL() string {
	return n.cfg.BaseURL + "/api/v1/newsletter/bounces/" + n.sign.mac(purposeHook)
}

// ---- the sign-up form ----

type sectionOpt struct {
	Slug, Name string
	Checked    bool
}

type langOpt struct {
	Code, Name string
	Selected   bool
}

type formData struct {
	ID                                        string // keeps label ids unique when two forms share a page
	Compact                                   bool
	Action, Token, Page, Lang, Email, Consent string
	Frequency, Submit, More                   string
	Sections                                  []sectionOpt
	Languages                                 []langOpt
	L                                         map[string]string
}

// labels returns the messages of lang, English filling the gaps.
func (n *Newsletter) labels(lang string) map[string]string { return n.msg.Strings(lang) }

func (n *Newsletter) newForm(lang, page string) *formData {
	consent, _, _ := n.msg.consent(lang)
	f := &formData{Action: n.cfg.BaseURL + "/newsletter/subscribe", Token: n.sign.formToken(n.now()),
		Page: page, Lang: lang, Consent: consent, Frequency: store.Daily, L: n.labels(lang)}
	f.Submit = f.L["form.submit"]
	return f
}

func (n *Newsletter) withChoices(ctx context.Context, f *formData, lang string, chosen []string) error {
	secs, err := n.st.Sections(ctx)
	if err != nil {
		return err
	}
	for _, s := range secs {
		checked := containsStr(chosen, s.Slug)
		// Like the site's menu: a section without articles is no choice,
		// unless the reader chose it when it had some.
		if s.ArticleCount == 0 && !checked {
			continue
		}
		f.Sections = append(f.Sections, sectionOpt{Slug: s.Slug, Name: n.ed.SectionName(lang, s), Checked: checked})
	}
	if len(n.cfg.Languages) > 1 {
		for _, l := range n.cfg.Languages {
			f.Languages = append(f.Languages, langOpt{Code: l, Name: langname.Endonym(l), Selected: l == lang})
		}
	}
	return nil
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Form renders the compact sign-up form for the foot of a site page in
// lang; page is that page's URL, recorded with the consent. It fits
// web.Config.NewsletterForm.
func (n *Newsletter) Form(lang, page string) template.HTML {
	lang = n.pageLang(lang)
	f := n.newForm(lang, page)
	f.Compact, f.ID, f.More = true, "-footer", n.cfg.BaseURL+"/"+lang+"/newsletter"
	var b bytes.Buffer
	if err := n.pages.ExecuteTemplate(&b, "form", f); err != nil {
		n.log.Error("render sign-up form", "err", err)
		return ""
	}
	return template.HTML(b.String()) //nolint:gosec // rendered by html/template above
}

// pageLang picks the language of a page: the one asked for if it is an
// edition, else the default edition.
func (n *Newsletter) pageLang(l string) string {
	if containsStr(n.cfg.Languages, l) {
		return l
	}
	return n.cfg.Languages[0]
}

// ---- pages ----

type buttonData struct {
	Action, Token, Label string
	Choices              string // the confirmation page's choicesDigest
	Danger               bool
}

type prefsData struct {
	Form                                                   *formData
	Token, UnsubToken, ExportURL, EraseAction, UnsubAction string
	EraseWarning                                           string
}

type pageData struct {
	Lang, Site, HomeURL, StyleURL, Heading, Back string
	Paras, Errors                                []string
	Button                                       *buttonData
	Form                                         *formData
	Prefs                                        *prefsData
}

func (n *Newsletter) page(ctx context.Context, lang, heading string, paras ...string) *pageData {
	site := n.siteName(ctx, lang)
	return &pageData{Lang: lang, Site: site, HomeURL: n.cfg.BaseURL + "/" + n.pageLang(lang) + "/",
		StyleURL: n.cfg.BaseURL + "/newsletter/style.css", Heading: heading, Paras: paras,
		Back: n.msg.T(lang, "page.home", site)}
}

func (n *Newsletter) render(w http.ResponseWriter, r *http.Request, status int, p *pageData) {
	page := "page"
	if n.cfg.Layout != nil {
		page = "body" // the site's layout puts it in its own page
	}
	var b bytes.Buffer
	if err := n.pages.ExecuteTemplate(&b, page, p); err != nil {
		n.log.Error("render newsletter page", "err", err)
		http.Error(w, "500 internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	// Pages behind signed links are personal: never cached, never
	// leaking the token onward through a Referer.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin") // no-referrer makes older browsers send Origin: null, failing the cross-origin check
	if n.cfg.Layout != nil {
		desc := p.Heading
		if len(p.Paras) > 0 {
			desc = p.Paras[0]
		}
		n.cfg.Layout(w, r, status, p.Lang, p.Heading, desc, template.HTML(b.String())) //nolint:gosec // rendered by html/template above
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (n *Newsletter) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	n.log.ErrorContext(r.Context(), what, "err", err)
	http.Error(w, "500 internal error: "+what+" failed; please try again later", http.StatusInternalServerError)
}

func (n *Newsletter) handleStyle(w http.ResponseWriter, r *http.Request) {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		n.serverError(w, r, "stylesheet", err)
		return
	}
	sum := sha256.Sum256(css)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(css)
}

func (n *Newsletter) handleSignupPage(w http.ResponseWriter, r *http.Request) {
	n.serveSignupPage(w, r, n.pageLang(r.URL.Query().Get("lang")))
}

func (n *Newsletter) signupPage(lang string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.serveSignupPage(w, r, lang) })
}

func (n *Newsletter) serveSignupPage(w http.ResponseWriter, r *http.Request, lang string) {
	f := n.newForm(lang, n.cfg.BaseURL+r.URL.Path)
	f.ID = "-page"
	if err := n.withChoices(r.Context(), f, lang, nil); err != nil {
		n.serverError(w, r, "sign-up page", err)
		return
	}
	p := n.page(r.Context(), lang, n.msg.T(lang, "form.heading"))
	p.Form = f
	n.render(w, r, http.StatusOK, p)
}

// clientIP is the key the per-IP sign-up limit counts (clientip.Key: the
// client behind trusted proxies, IPv6 per /64).
func (n *Newsletter) clientIP(r *http.Request) string { return n.proxies.Key(r) }

func (n *Newsletter) handleFormSubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request: the form could not be read", http.StatusBadRequest)
		return
	}
	lang := n.pageLang(r.PostForm.Get("lang"))
	shown := n.pageLang(r.PostForm.Get("shown"))
	s := Signup{Email: r.PostForm.Get("email"), Lang: lang, Sections: r.PostForm["sections"],
		Frequency: r.PostForm.Get("frequency"), PageURL: r.PostForm.Get("page"), IP: n.clientIP(r), ShownLang: shown}
	if !strings.HasPrefix(s.PageURL, n.cfg.BaseURL+"/") {
		s.PageURL = n.cfg.BaseURL + "/newsletter"
	}
	var err error
	if !n.sign.checkForm(r.PostForm.Get("ft"), n.now(), formMaxAge) {
		// A stale or forged form: show a fresh one with the entries kept.
		err = fmt.Errorf("%w: %s", ErrInvalid, n.msg.T(shown, "form.expired"))
	} else {
		err = n.Subscribe(r.Context(), s)
	}
	switch {
	case err == nil:
		p := n.page(r.Context(), shown, n.msg.T(shown, "page.checkmail"), n.msg.T(shown, "page.checkmail.p", strings.TrimSpace(s.Email)))
		n.render(w, r, http.StatusOK, p)
	case errors.Is(err, ErrRateLimited):
		w.Header().Set("Retry-After", "3600")
		n.render(w, r, http.StatusTooManyRequests, n.page(r.Context(), shown, n.msg.T(shown, "page.invalid"), n.msg.T(shown, "page.ratelimited")))
	case errors.Is(err, ErrInvalid):
		f := n.newForm(shown, s.PageURL)
		f.Email, f.Frequency, f.ID = s.Email, s.Frequency, "-page"
		if err2 := n.withChoices(r.Context(), f, shown, s.Sections); err2 != nil {
			n.serverError(w, r, "sign-up", err2)
			return
		}
		p := n.page(r.Context(), shown, n.msg.T(shown, "page.invalid"))
		p.Errors = []string{strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}
		p.Form = f
		n.render(w, r, http.StatusBadRequest, p)
	default:
		n.serverError(w, r, "sign-up", err)
	}
}

// token reads the signed link token from the query or the form.
func token(r *http.Request) string {
	if t := r.URL.Query().Get("t"); t != "" {
		return t
	}
	return r.PostFormValue("t")
}

func (n *Newsletter) badLink(w http.ResponseWriter, r *http.Request, lang string) {
	p := n.page(r.Context(), lang, n.msg.T(lang, "page.badlink"), n.msg.T(lang, "page.badlink.p"))
	f := n.newForm(lang, n.cfg.BaseURL+"/newsletter")
	f.ID = "-page"
	p.Form = f
	n.render(w, r, http.StatusNotFound, p)
}

// linkSubscriber resolves the request's token or answers with the
// bad-link page; ok false means the answer is written.
func (n *Newsletter) linkSubscriber(w http.ResponseWriter, r *http.Request, purpose string) (*store.Subscriber, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	sub, err := n.subscriberFor(r.Context(), token(r), purpose)
	if errors.Is(err, errBadLink) {
		n.badLink(w, r, n.pageLang(r.URL.Query().Get("lang")))
		return nil, false
	}
	if err != nil {
		n.serverError(w, r, "link", err)
		return nil, false
	}
	return sub, true
}

// handleConfirmPage shows a button rather than confirming: mail scanners
// follow links in mails, and a GET must not subscribe anyone. The page
// shows the choices being confirmed; an expired link's page offers a fresh
// link instead.
func (n *Newsletter) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	sub, err := n.subscriberFor(r.Context(), token(r), purposeConfirm)
	switch {
	case errors.Is(err, errLinkExpired):
		n.expiredLink(w, r, sub, token(r))
		return
	case errors.Is(err, errBadLink):
		n.badLink(w, r, n.pageLang(r.URL.Query().Get("lang")))
		return
	case err != nil:
		n.serverError(w, r, "link", err)
		return
	}
	if err := n.confirmPage(w, r, sub, token(r)); err != nil {
		n.serverError(w, r, "confirmation page", err)
	}
}

// confirmPage shows the pending choices and a button that confirms those
// (their digest goes along, see handleConfirm).
func (n *Newsletter) confirmPage(w http.ResponseWriter, r *http.Request, sub *store.Subscriber, tok string) error {
	lang := n.msg.lang(sub.Language)
	secs, err := n.st.Sections(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range secs {
		names[s.Slug] = n.ed.SectionName(lang, s)
	}
	p := n.page(r.Context(), lang, n.msg.T(lang, "page.confirm"), n.msg.T(lang, "page.confirm.p", n.siteName(r.Context(), lang), sub.Email),
		n.choicesLine(lang, sub, names))
	p.Button = &buttonData{Action: n.cfg.BaseURL + "/newsletter/confirm", Token: tok, Choices: n.choicesDigest(sub),
		Label: n.msg.T(lang, "page.confirm.btn")}
	n.render(w, r, http.StatusOK, p)
	return nil
}

// choicesLine says what a confirmation confirms, in lang.
func (n *Newsletter) choicesLine(lang string, sub *store.Subscriber, names map[string]string) string {
	secs := n.msg.T(lang, "form.allsections")
	if len(sub.Sections) > 0 {
		list := make([]string, len(sub.Sections))
		for i, s := range sub.Sections {
			if list[i] = names[s]; list[i] == "" {
				list[i] = s
			}
		}
		secs = strings.Join(list, ", ")
	}
	return n.msg.T(lang, "page.confirm.choices", strings.ToLower(n.msg.frequencyName(lang, sub.Frequency)), secs, langname.Endonym(sub.Language))
}

// expiredLink answers an authentic but expired confirmation link: its
// holder can have a fresh one mailed (handleResend).
func (n *Newsletter) expiredLink(w http.ResponseWriter, r *http.Request, sub *store.Subscriber, tok string) {
	lang := n.msg.lang(sub.Language)
	p := n.page(r.Context(), lang, n.msg.T(lang, "page.expired"), n.msg.T(lang, "page.expired.p", sub.Email))
	p.Button = &buttonData{Action: n.cfg.BaseURL + "/newsletter/resend", Token: tok, Label: n.msg.T(lang, "page.expired.btn")}
	n.render(w, r, http.StatusOK, p)
}

// handleResend mails the holder of a confirmation link a fresh one.
func (n *Newsletter) handleResend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	sub, err := n.Resend(r.Context(), token(r))
	if errors.Is(err, errBadLink) {
		n.badLink(w, r, n.cfg.Languages[0])
		return
	}
	if err != nil {
		n.serverError(w, r, "new confirmation link", err)
		return
	}
	lang := n.msg.lang(sub.Language)
	n.render(w, r, http.StatusOK, n.page(r.Context(), lang, n.msg.T(lang, "page.checkmail"), n.msg.T(lang, "page.resent.p", sub.Email)))
}

func (n *Newsletter) handleConfirm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ctx := r.Context()
	sub, err := n.subscriberFor(ctx, token(r), purposeConfirm)
	if errors.Is(err, errLinkExpired) {
		n.expiredLink(w, r, sub, token(r))
		return
	}
	if err == nil {
		sub, err = n.Confirm(ctx, token(r), r.PostFormValue("c"))
	}
	if errors.Is(err, errChoicesChanged) {
		// The choices changed (another sign-up) since the page showed
		// them: show them again rather than confirm what wasn't seen.
		if err := n.confirmPage(w, r, sub, token(r)); err != nil {
			n.serverError(w, r, "confirmation page", err)
		}
		return
	}
	if errors.Is(err, errBadLink) || errors.Is(err, errLinkExpired) {
		n.badLink(w, r, n.cfg.Languages[0])
		return
	}
	if err != nil {
		n.serverError(w, r, "confirmation", err)
		return
	}
	lang := n.msg.lang(sub.Language)
	p := n.page(r.Context(), lang, n.msg.T(lang, "page.confirmed"), n.msg.T(lang, "page.confirmed.p", strings.ToLower(n.msg.frequencyName(lang, sub.Frequency))))
	n.render(w, r, http.StatusOK, p)
}

func (n *Newsletter) handleUnsubPage(w http.ResponseWriter, r *http.Request) {
	sub, ok := n.linkSubscriber(w, r, purposeUnsub)
	if !ok {
		return
	}
	lang := n.msg.lang(sub.Language)
	if sub.Status == store.SubUnsubscribed {
		n.render(w, r, http.StatusOK, n.page(r.Context(), lang, n.msg.T(lang, "page.unsubbed"), n.msg.T(lang, "page.unsubbed.p", sub.Email)))
		return
	}
	p := n.page(r.Context(), lang, n.msg.T(lang, "page.unsub"), n.msg.T(lang, "page.unsub.p", sub.Email))
	p.Button = &buttonData{Action: n.cfg.BaseURL + "/newsletter/unsubscribe?t=" + token(r), Token: token(r), Label: n.msg.T(lang, "page.unsub.btn")}
	n.render(w, r, http.StatusOK, p)
}

// handleUnsub unsubscribes at once: the page's button and RFC 8058
// one-click POSTs ("List-Unsubscribe=One-Click") land here. The token can
// only unsubscribe, so no further check is needed or possible.
func (n *Newsletter) handleUnsub(w http.ResponseWriter, r *http.Request) {
	sub, ok := n.linkSubscriber(w, r, purposeUnsub)
	if !ok {
		return
	}
	how := "link"
	if r.PostFormValue("List-Unsubscribe") == "One-Click" {
		how = "one-click"
	}
	if err := n.Unsubscribe(r.Context(), sub, how); err != nil {
		n.serverError(w, r, "unsubscribe", err)
		return
	}
	lang := n.msg.lang(sub.Language)
	n.render(w, r, http.StatusOK, n.page(r.Context(), lang, n.msg.T(lang, "page.unsubbed"), n.msg.T(lang, "page.unsubbed.p", sub.Email)))
}

func (n *Newsletter) prefsPage(ctx context.Context, sub *store.Subscriber, tok string, saved bool, errs []string) (*pageData, error) {
	lang := n.msg.lang(sub.Language)
	p := n.page(ctx, lang, n.msg.T(lang, "page.prefs"), n.msg.T(lang, "page.prefs.p", sub.Email))
	if saved {
		p.Paras = append(p.Paras, n.msg.T(lang, "page.saved"))
	}
	p.Errors = errs
	f := n.newForm(lang, "")
	f.ID, f.Action, f.Submit, f.Frequency = "-prefs", n.cfg.BaseURL+"/newsletter/preferences", n.msg.T(lang, "page.save"), sub.Frequency
	f.Token = tok // the preferences form carries the signed link token, not a form token
	if err := n.withChoices(ctx, f, sub.Language, sub.Sections); err != nil {
		return nil, err
	}
	if len(f.Languages) == 0 {
		f.Lang = sub.Language
	}
	p.Prefs = &prefsData{Form: f, Token: tok,
		UnsubToken:  n.sign.token(purposeUnsub, sub.ID, time.Time{}, sub.LinkNonce),
		ExportURL:   n.cfg.BaseURL + "/newsletter/export?t=" + tok,
		EraseAction: n.cfg.BaseURL + "/newsletter/erase", UnsubAction: n.cfg.BaseURL + "/newsletter/unsubscribe",
		EraseWarning: n.msg.T(lang, "page.erase.p", sub.Email)}
	return p, nil
}

func (n *Newsletter) handlePrefsPage(w http.ResponseWriter, r *http.Request) {
	sub, ok := n.linkSubscriber(w, r, purposeManage)
	if !ok {
		return
	}
	p, err := n.prefsPage(r.Context(), sub, token(r), false, nil)
	if err != nil {
		n.serverError(w, r, "preferences page", err)
		return
	}
	n.render(w, r, http.StatusOK, p)
}

func (n *Newsletter) handlePrefs(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request: the form could not be read", http.StatusBadRequest)
		return
	}
	tok := r.PostForm.Get("ft")
	sub, err := n.subscriberFor(r.Context(), tok, purposeManage)
	if errors.Is(err, errBadLink) {
		n.badLink(w, r, n.cfg.Languages[0])
		return
	}
	if err != nil {
		n.serverError(w, r, "preferences", err)
		return
	}
	shown := n.msg.lang(sub.Language)
	err = n.UpdatePreferences(r.Context(), sub, r.PostForm.Get("lang"), r.PostForm["sections"],
		r.PostForm.Get("frequency"), shown, n.cfg.BaseURL+"/newsletter/preferences")
	var errs []string
	status := http.StatusOK
	if errors.Is(err, ErrInvalid) {
		errs, status = []string{strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}, http.StatusBadRequest
		if sub, err = n.st.Subscriber(r.Context(), sub.ID); err != nil {
			n.serverError(w, r, "preferences", err)
			return
		}
	} else if err != nil {
		n.serverError(w, r, "preferences", err)
		return
	}
	p, err := n.prefsPage(r.Context(), sub, tok, status == http.StatusOK, errs)
	if err != nil {
		n.serverError(w, r, "preferences page", err)
		return
	}
	n.render(w, r, status, p)
}

func (n *Newsletter) handleExport(w http.ResponseWriter, r *http.Request) {
	sub, ok := n.linkSubscriber(w, r, purposeManage)
	if !ok {
		return
	}
	e, err := n.ExportData(r.Context(), sub)
	if err != nil {
		n.serverError(w, r, "export", err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="newsletter-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(e)
}

func (n *Newsletter) handleErase(w http.ResponseWriter, r *http.Request) {
	sub, ok := n.linkSubscriber(w, r, purposeManage)
	if !ok {
		return
	}
	if err := n.Erase(r.Context(), sub); err != nil {
		n.serverError(w, r, "erase", err)
		return
	}
	lang := n.msg.lang(sub.Language)
	n.render(w, r, http.StatusOK, n.page(r.Context(), lang, n.msg.T(lang, "page.erased"), n.msg.T(lang, "page.erased.p")))
}

// ---- API ----

type apiSignup struct {
	Email     string   `json:"email"`
	Lang      string   `json:"lang"`
	Sections  []string `json:"sections"`
	Frequency string   `json:"frequency"`
	Page      string   `json:"page"`
}

func apiJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (n *Newsletter) handleAPIOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "POST")
	apiJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST with a JSON body {\"email\",\"lang\",\"sections\",\"frequency\"}"})
}

// handleAPISubscribe is the JSON sign-up. It demands a JSON content type,
// which a cross-site HTML form cannot send and a cross-site script cannot
// send without a CORS preflight this API never grants.
func (n *Newsletter) handleAPISubscribe(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		apiJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send the sign-up as Content-Type: application/json"})
		return
	}
	var in apiSignup
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		apiJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not a JSON object {\"email\",\"lang\",\"sections\",\"frequency\"}: " + err.Error()})
		return
	}
	page := "api"
	if strings.HasPrefix(in.Page, n.cfg.BaseURL+"/") {
		page = in.Page
	}
	err := n.Subscribe(r.Context(), Signup{Email: in.Email, Lang: in.Lang, Sections: in.Sections,
		Frequency: in.Frequency, PageURL: page, IP: n.clientIP(r)})
	lang := n.pageLang(in.Lang)
	switch {
	case err == nil:
		apiJSON(w, http.StatusAccepted, map[string]string{"message": n.msg.T(lang, "api.accepted")})
	case errors.Is(err, ErrRateLimited):
		w.Header().Set("Retry-After", "3600")
		apiJSON(w, http.StatusTooManyRequests, map[string]string{"error": n.msg.T(lang, "page.ratelimited")})
	case errors.Is(err, ErrInvalid):
		apiJSON(w, http.StatusBadRequest, map[string]string{"error": strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")})
	default:
		n.log.ErrorContext(r.Context(), "API sign-up", "err", err)
		apiJSON(w, http.StatusInternalServerError, map[string]string{"error": "the sign-up could not be stored; please try again later"})
	}
}
