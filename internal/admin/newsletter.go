package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/auth"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// Newsletter is what the admin asks of the newsletter; *newsletter.Newsletter
// is one. Previews, test mails, runs, exports and erasures go through it, the
// same operations `spektrum newsletter …` and the schedule use.
type Newsletter interface {
	Languages() []string
	CanSend() bool
	SampleDigest(ctx context.Context, s newsletter.Sample) (*newsletter.Message, error)
	SendSample(ctx context.Context, s newsletter.Sample) (*newsletter.Message, error)
	SendNow(ctx context.Context, frequency, language, token string) (bool, error)
	ExportData(ctx context.Context, sub *store.Subscriber) (*newsletter.Export, error)
	Erase(ctx context.Context, sub *store.Subscriber) error
}

const (
	subscribersPage = 50
	runsPage        = 30
	maxQuery        = 200
)

var (
	subStates   = []string{store.SubPending, store.SubActive, store.SubUnsubscribed, store.SubBounced}
	frequencies = []string{store.Daily, store.Weekly}
)

// oneOf is v when it is one of allowed, else "" (any): a filter a link
// made up cannot widen into an error page.
func oneOf(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

func (a *Admin) nlLanguages() []string {
	if a.cfg.Newsletter == nil {
		return nil
	}
	return a.cfg.Newsletter.Languages()
}

type stateCount struct {
	State string
	N     int
}

type subscribersData struct {
	Counts      []stateCount
	Subscribers []store.Subscriber
	Total       int
	Q           string
	State       string
	Frequency   string
	Language    string
	States      []string
	Frequencies []string
	Languages   []string
	Next        string // the next (older) page
	Paged       bool   // not the first page
}

// handleSubscribers lists subscribers newest first, by a part of the
// address (any case), state, digest frequency and edition, in pages.
func (a *Admin) handleSubscribers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	counts, err := a.st.CountSubscribers(ctx)
	if err != nil {
		a.serverError(w, r, "count subscribers", err)
		return
	}
	d := subscribersData{Q: strings.TrimSpace(q.Get("q")), State: oneOf(q.Get("state"), subStates),
		Frequency: oneOf(q.Get("frequency"), frequencies), States: subStates, Frequencies: frequencies, Languages: a.nlLanguages()}
	d.Language = oneOf(q.Get("language"), d.Languages)
	if runes := []rune(d.Q); len(runes) > maxQuery {
		d.Q = string(runes[:maxQuery])
	}
	for _, s := range subStates {
		d.Counts = append(d.Counts, stateCount{State: s, N: counts[s]})
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	d.Paged = before > 0
	d.Subscribers, d.Total, err = a.st.SearchSubscribers(ctx, store.SubscriberFilter{Query: d.Q, Status: d.State,
		Frequency: d.Frequency, Language: d.Language, BeforeID: before, Limit: subscribersPage})
	if err != nil {
		a.serverError(w, r, "search subscribers", err)
		return
	}
	if len(d.Subscribers) == subscribersPage {
		next := url.Values{"before": {strconv.FormatInt(d.Subscribers[len(d.Subscribers)-1].ID, 10)}}
		for k, v := range map[string]string{"q": d.Q, "state": d.State, "frequency": d.Frequency, "language": d.Language} {
			if v != "" {
				next.Set(k, v)
			}
		}
		d.Next = "/admin/newsletter?" + next.Encode()
	}
	a.render(w, r, http.StatusOK, "subscribers", a.newPage(r, "admin.newsletter", "newsletter", d))
}

// consentView is a consent record entry as stored, its time exact (UTC).
type consentView struct {
	store.Consent
	At string
}

type sendView struct {
	store.DigestSend
	SentAt, BouncedAt, UnsubscribedAt string
}

func exact(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

func (a *Admin) subscriberOf(w http.ResponseWriter, r *http.Request) (*store.Subscriber, bool) {
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return nil, false
	}
	sub, err := a.st.Subscriber(r.Context(), id)
	if err != nil {
		a.fail(w, r, "read subscriber", err)
		return nil, false
	}
	return sub, true
}

// handleSubscriber shows one subscriber with every stored field, the
// consent record exactly as stored and the digests sent, with export and
// erase.
func (a *Admin) handleSubscriber(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sub, ok := a.subscriberOf(w, r)
	if !ok {
		return
	}
	cs, err := a.st.Consents(ctx, sub.ID)
	if err != nil {
		a.serverError(w, r, "read consents", err)
		return
	}
	sends, err := a.st.DigestSends(ctx, sub.ID)
	if err != nil {
		a.serverError(w, r, "read sends", err)
		return
	}
	d := struct {
		S        *store.Subscriber
		Times    map[string]string
		Consents []consentView
		Sends    []sendView
		CanErase bool
	}{S: sub, CanErase: a.cfg.Newsletter != nil, Times: map[string]string{"created": exact(sub.CreatedAt), "confirmed": exact(sub.ConfirmedAt),
		"confirm-sent": exact(sub.ConfirmSentAt), "last-digest": exact(sub.LastDigestAt), "unsubscribed": exact(sub.UnsubscribedAt), "bounced": exact(sub.BouncedAt)}}
	for _, c := range cs {
		d.Consents = append(d.Consents, consentView{Consent: c, At: exact(c.CreatedAt)})
	}
	for i := len(sends) - 1; i >= 0; i-- { // newest first
		s := sends[i]
		d.Sends = append(d.Sends, sendView{DigestSend: s, SentAt: exact(s.SentAt), BouncedAt: exact(s.BouncedAt), UnsubscribedAt: exact(s.UnsubscribedAt)})
	}
	a.render(w, r, http.StatusOK, "subscriber", a.newPage(r, "admin.newsletter", "newsletter", d))
}

// auditNL writes a newsletter action to the audit log. Subscribers are
// named by id only: the log outlives an erasure and must not keep the
// address.
func (a *Admin) auditNL(r *http.Request, action, target, detail string) {
	if err := a.cfg.Users.Audit(r.Context(), current(r).user.Email, action, target, detail); err != nil {
		a.log.ErrorContext(r.Context(), "audit log not written", "action", action, "err", err)
	}
}

func subTarget(sub *store.Subscriber) string { return "subscriber #" + strconv.FormatInt(sub.ID, 10) }

// handleSubscriberExport answers everything stored about a subscriber as a
// JSON download (GDPR Art. 15 and 20), the same data `spektrum newsletter
// export` prints. A POST: it hands out personal data, so it carries the
// CSRF token and is audit-logged.
func (a *Admin) handleSubscriberExport(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	sub, ok := a.subscriberOf(w, r)
	if !ok {
		return
	}
	e, err := a.cfg.Newsletter.ExportData(r.Context(), sub)
	if err != nil {
		a.serverError(w, r, "export subscriber", err)
		return
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		a.serverError(w, r, "export subscriber", err)
		return
	}
	a.auditNL(r, "subscriber.export", subTarget(sub), "")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscriber-`+strconv.FormatInt(sub.ID, 10)+`.json"`)
	_, _ = w.Write(append(b, '\n'))
}

// handleSubscriberEraseForm is the erase's confirmation step.
func (a *Admin) handleSubscriberEraseForm(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	sub, ok := a.subscriberOf(w, r)
	if !ok {
		return
	}
	a.render(w, r, http.StatusOK, "subscriber_erase", a.newPage(r, "admin.nl.erase", "newsletter", sub))
}

// handleSubscriberErase deletes the subscriber with the consent record and
// send log, as `spektrum newsletter erase` does; only from the confirmation
// page (its confirm field), else back to it.
func (a *Admin) handleSubscriberErase(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	sub, ok := a.subscriberOf(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "erase" {
		http.Redirect(w, r, "/admin/newsletter/"+strconv.FormatInt(sub.ID, 10)+"/erase", http.StatusSeeOther)
		return
	}
	if err := a.cfg.Newsletter.Erase(r.Context(), sub); err != nil && !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, "erase subscriber", err)
		return
	}
	a.auditNL(r, "subscriber.erase", subTarget(sub), "")
	http.Redirect(w, r, "/admin/newsletter?done=erased", http.StatusSeeOther)
}

type digestData struct {
	Languages   []string
	Frequencies []string
	Lang, Freq  string
	CanSend     bool
	Off         bool // no newsletter at all
	Nothing     bool // the period has no articles
	Msg         *newsletter.Message
	PreviewURL  string
	To          string // the test mail's address
	SendFreq    string
	SendLang    string
	Token       string // the send-now form's one-time token
}

// showDigest renders the digest page: a preview of the digest an edition's
// new subscriber of a frequency would get now, the test mail and "send now"
// forms.
func (a *Admin) showDigest(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	digestFrameCSP(w.Header())
	p := a.newPage(r, "admin.nl.digest", "newsletter", nil)
	p.Error = errText
	d := digestData{Frequencies: frequencies, Off: a.cfg.Newsletter == nil}
	if d.Off {
		p.Data = d
		a.render(w, r, status, "digest", p)
		return
	}
	d.Languages, d.CanSend = a.cfg.Newsletter.Languages(), a.cfg.Newsletter.CanSend()
	d.Lang, d.Freq = oneOf(form.Get("lang"), d.Languages), oneOf(form.Get("frequency"), frequencies)
	if d.Lang == "" {
		d.Lang = d.Languages[0]
	}
	if d.Freq == "" {
		d.Freq = store.Daily
	}
	d.SendFreq, d.SendLang = oneOf(form.Get("send_frequency"), frequencies), oneOf(form.Get("send_lang"), d.Languages)
	d.To = form.Get("to")
	if d.To == "" {
		d.To = current(r).user.Email
	}
	var err error
	if d.Token, err = auth.Token(); err != nil {
		a.serverError(w, r, "send-now token", err)
		return
	}
	d.Msg, err = a.cfg.Newsletter.SampleDigest(r.Context(), newsletter.Sample{Language: d.Lang, Frequency: d.Freq, Email: current(r).user.Email})
	switch {
	case errors.Is(err, newsletter.ErrNothingNew):
		d.Nothing = true
	case err != nil:
		a.serverError(w, r, "preview digest", err)
		return
	}
	d.PreviewURL = "/admin/newsletter/digest/html?" + url.Values{"lang": {d.Lang}, "frequency": {d.Freq}}.Encode()
	p.Data = d
	a.render(w, r, status, "digest", p)
}

func (a *Admin) handleDigest(w http.ResponseWriter, r *http.Request) {
	a.showDigest(w, r, http.StatusOK, r.URL.Query(), "")
}

// previewCSP is the framed digest's policy: the mail's inline styles and
// nothing else — no script, no forms, no requests — in a sandbox with an
// opaque origin, framed only by the admin's own page.
const previewCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'self'; sandbox"

// handleDigestHTML serves the preview's HTML part exactly as the mailer
// would send it, for the digest page's sandboxed frame.
func (a *Admin) handleDigestHTML(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	q := r.URL.Query()
	m, err := a.cfg.Newsletter.SampleDigest(r.Context(), newsletter.Sample{Language: q.Get("lang"), Frequency: q.Get("frequency"), Email: current(r).user.Email})
	if errors.Is(err, newsletter.ErrInvalid) || errors.Is(err, newsletter.ErrNothingNew) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, "preview digest", err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(m.HTML))
}

// digestFrameCSP is the site's policy with frames from the admin itself
// allowed: the digest page frames its preview.
func digestFrameCSP(h http.Header) {
	if c := h.Get("Content-Security-Policy"); c != "" {
		parts := strings.Split(c, ";")
		for i, p := range parts {
			if strings.HasPrefix(strings.TrimSpace(p), "frame-src ") {
				parts[i] = " frame-src 'self'"
			}
		}
		if !strings.Contains(c, "frame-src ") {
			parts = append(parts, " frame-src 'self'")
		}
		h.Set("Content-Security-Policy", strings.Join(parts, ";"))
	}
}

// nlError is a newsletter refusal in the UI's language, or false.
func (a *Admin) nlError(l string, err error) (string, bool) {
	switch {
	case errors.Is(err, newsletter.ErrNoMailServer):
		return a.msg.T(l, "admin.nl.err.nomail"), true
	case errors.Is(err, newsletter.ErrNothingNew):
		return a.msg.T(l, "admin.nl.nothing"), true
	case errors.Is(err, newsletter.ErrInvalid):
		return a.msg.T(l, "admin.nl.err.invalid", strings.TrimPrefix(err.Error(), "invalid: ")), true
	}
	return "", false
}

// handleDigestTest mails the previewed digest to an address through the
// real mailer.
func (a *Admin) handleDigestTest(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	s := newsletter.Sample{Language: r.PostFormValue("lang"), Frequency: r.PostFormValue("frequency"), Email: strings.TrimSpace(r.PostFormValue("to"))}
	m, err := a.cfg.Newsletter.SendSample(r.Context(), s)
	if err != nil {
		l := a.lang(r)
		text, ok := a.nlError(l, err)
		status := http.StatusUnprocessableEntity
		if !ok {
			// The mail server's answer is for the newsroom to read.
			a.log.WarnContext(r.Context(), "test digest not sent", "err", err)
			text, status = a.msg.T(l, "admin.nl.err.send", err.Error()), http.StatusBadGateway
		}
		a.showDigest(w, r, status, r.PostForm, text)
		return
	}
	a.auditNL(r, "newsletter.test", "digest "+s.Language+" "+s.Frequency, "to "+m.To)
	http.Redirect(w, r, "/admin/newsletter/digest?"+url.Values{"lang": {s.Language}, "frequency": {s.Frequency}, "done": {"test-sent"}}.Encode(), http.StatusSeeOther)
}

// handleDigestSend queues the current run of a frequency (one edition or
// all) as the schedule would; the form's token makes a double submit queue
// it once.
func (a *Admin) handleDigestSend(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Newsletter == nil {
		a.notFound(w, r)
		return
	}
	freq, lang := r.PostFormValue("send_frequency"), r.PostFormValue("send_lang")
	queued, err := a.cfg.Newsletter.SendNow(r.Context(), freq, lang, r.PostFormValue("token"))
	if err != nil {
		text, ok := a.nlError(a.lang(r), err)
		if !ok {
			a.serverError(w, r, "send digest now", err)
			return
		}
		a.showDigest(w, r, http.StatusUnprocessableEntity, r.PostForm, text)
		return
	}
	done := "send-already"
	if queued {
		done = "send-queued"
		edition := lang
		if edition == "" {
			edition = "all editions"
		}
		a.auditNL(r, "newsletter.send", "digest "+freq+" "+edition, "queued")
	}
	http.Redirect(w, r, "/admin/newsletter/runs?done="+done, http.StatusSeeOther)
}

// handleRuns lists past digest runs newest first with their counts.
func (a *Admin) handleRuns(w http.ResponseWriter, r *http.Request) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	runs, err := a.st.DigestRuns(r.Context(), before, runsPage)
	if err != nil {
		a.serverError(w, r, "list digest runs", err)
		return
	}
	d := struct {
		Runs  []store.RunSummary
		Older int64
		Paged bool
	}{Runs: runs, Paged: before > 0}
	if len(runs) == runsPage {
		d.Older = runs[len(runs)-1].ID
	}
	a.render(w, r, http.StatusOK, "runs", a.newPage(r, "admin.nl.runs", "newsletter", d))
}
