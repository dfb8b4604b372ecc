package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/clientip"
	"spektrum/internal/edition"
	"spektrum/internal/i18n"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// Config configures the newsletter. Zero values get the defaults in New.
type Config struct {
	SiteName string // the outlet's name, in From and the mails
	// Names, when set, gives the outlet's name in an edition as the
	// site's settings have it ("" for SiteName); it is asked once per mail
	// or page (once per digest batch).
	Names    func(ctx context.Context, lang string) string
	BaseURL  string // public URL of the site; every link in a mail is built on it
	FromAddr string // sender address; default newsletter@<host of BaseURL>
	// ReturnPath is the envelope sender, where bounce mails go (for
	// `spektrum newsletter bounce` behind an MTA alias); default FromAddr.
	ReturnPath string
	// Secret signs links and form tokens. Empty: one is generated once and
	// kept in the database, so every process of the outlet shares it.
	Secret string
	// Languages are the editions a subscriber can choose; the first is the
	// default. Default: {"en"}.
	Languages []string
	// Rate is the most mails handed to the SMTP server per second; 0 means
	// no limit (benchmarks, a local relay).
	Rate float64
	// SendHour is the UTC hour (0-23) daily digests go out at, and weekly
	// ones on Mondays (their periodic jobs; schedule.go).
	SendHour int

	ConfirmTTL        time.Duration // how long a confirmation link works; default 7 days
	MaxConfirmMails   int           // sign-up mails per address within ConfirmWindow; default 3
	ConfirmWindow     time.Duration // default 30 days
	SignupsPerIPHour  int           // default 20
	SignupsPerAddrDay int           // default 5
	MaxArticles       int           // most articles in one digest; default 40

	// ResendAfter is the least time between two mails to one address
	// about its sign-up (a new or a fresh link, or the preferences link);
	// sign-ups in between send nothing. Default 1 hour.
	ResendAfter time.Duration

	// TrustedProxies are reverse proxies (comma-separated CIDRs) whose
	// X-Forwarded-For header names the client; without them every reader
	// behind a proxy shares its address in the per-IP sign-up limit.
	TrustedProxies string

	// SiteLanguage is the language the editor named the sections in;
	// digests in other languages name well-known sections in theirs.
	// Default: the first of Languages.
	SiteLanguage string

	// Layout, when set, renders the newsletter's pages in the site's
	// design (web.Layout.Render); without it they stand alone with their
	// own small stylesheet.
	Layout Layout

	Logger *slog.Logger
	Now    func() time.Time
}

// Layout renders a page's body in edition lang inside the site's header,
// menu, edition switcher and footer, with its title and description.
type Layout func(w http.ResponseWriter, r *http.Request, status int, lang, title, description string, body template.HTML)

// Newsletter is the configured newsletter: the sign-up, link and bounce
// logic, the digest sender and the HTTP handlers.
type Newsletter struct {
	st     Store
	mailer Mailer
	cfg    Config
	sign   signer
	msg    messages
	ed     *edition.Editions // what each edition shows of an article
	log    *slog.Logger
	now    func() time.Time
	pages  *template.Template
	mails  *mailTemplates
	host   string
	// proxies are Config.TrustedProxies, parsed.
	proxies clientip.Proxies
	// send is shared by this process's digest jobs (digest.go).
	send *sendState
}

// Job kinds this package handles.
const jobConfirm = "newsletter-confirm"

// Errors callers map to answers.
var (
	// ErrInvalid wraps a sign-up or preference the reader has to correct.
	ErrInvalid = errors.New("invalid")
	// ErrRateLimited means too many sign-ups from one address or IP.
	ErrRateLimited = errors.New("too many sign-ups; try again later")
)

// New builds the newsletter on st, delivering through mailer. It reads (or
// creates) the signing secret from the database unless cfg.Secret is set.
func New(ctx context.Context, st Store, mailer Mailer, cfg Config) (*Newsletter, error) {
	if st == nil || mailer == nil {
		return nil, errors.New("newsletter: a store and a mailer are required")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("newsletter: base URL %q must be an absolute http(s) URL such as https://news.example.org (set SPEKTRUM_BASE_URL)", cfg.BaseURL)
	}
	cfg.BaseURL = base.String()
	if cfg.SiteName == "" {
		cfg.SiteName = "Spektrum"
	}
	host := hostOf(cfg.BaseURL)
	if cfg.FromAddr == "" {
		cfg.FromAddr = "newsletter@" + strings.Trim(host, "[]")
		if strings.HasPrefix(host, "[") || !strings.Contains(host, ".") {
			cfg.FromAddr = "newsletter@localhost.localdomain"
		}
	}
	if _, err := ParseAddress(cfg.FromAddr); err != nil {
		return nil, fmt.Errorf("newsletter: sender address: %w (set SPEKTRUM_MAIL_FROM)", err)
	}
	if cfg.ReturnPath != "" {
		if _, err := ParseAddress(cfg.ReturnPath); err != nil {
			return nil, fmt.Errorf("newsletter: return path: %w (set SPEKTRUM_MAIL_RETURN_PATH)", err)
		}
	}
	if err := checkHeader("From", cfg.SiteName); err != nil {
		return nil, fmt.Errorf("newsletter: site name: %w", err)
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"en"}
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.MaxConfirmMails, 3)
	def(&cfg.SignupsPerIPHour, 20)
	def(&cfg.SignupsPerAddrDay, 5)
	def(&cfg.MaxArticles, 40)
	if cfg.ConfirmTTL <= 0 {
		cfg.ConfirmTTL = 7 * 24 * time.Hour
	}
	if cfg.ConfirmWindow <= 0 {
		cfg.ConfirmWindow = 30 * 24 * time.Hour
	}
	if cfg.ResendAfter <= 0 {
		cfg.ResendAfter = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	secret := cfg.Secret
	if secret == "" {
		secret, err = st.Secret(ctx, "signing", func() (string, error) { return randomToken(32) })
		if err != nil {
			return nil, fmt.Errorf("newsletter: signing secret: %w", err)
		}
	}
	cat, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	if cfg.SiteLanguage == "" {
		cfg.SiteLanguage = cfg.Languages[0]
	}
	n := &Newsletter{st: st, mailer: mailer, cfg: cfg, sign: newSigner(secret), msg: messages{cat},
		ed:  edition.New(st, cat, cfg.SiteLanguage),
		log: cfg.Logger.With("component", "newsletter"), now: cfg.Now, host: host, send: newSendState(cfg.Rate)}
	if n.proxies, err = clientip.ParseProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	if n.pages, err = parsePages(n); err != nil {
		return nil, err
	}
	if n.mails, err = parseMails(); err != nil {
		return nil, err
	}
	return n, nil
}

// Register adds the newsletter's job handlers to r: confirmation mails,
// and the digests and clean-up on their schedule (schedule.go).
func (n *Newsletter) Register(r *jobs.Runner) {
	r.Handle(jobConfirm, n.handleConfirmJob)
	n.registerSending(r)
}

// Signup is one sign-up as the form or the API received it.
type Signup struct {
	Email     string
	Lang      string
	Sections  []string
	Frequency string
	PageURL   string // the page the form was on, or "api"
	IP        string // for the rate limit only; stored nowhere but hashed in a counter
	// ShownLang is the language the consent text was shown in; it is
	// Lang unless the form's page was in another language.
	ShownLang string
}

// choices is what a consent record stores as the choices made.
type choices struct {
	Email     string   `json:"email"`
	Language  string   `json:"language"`
	Sections  []string `json:"sections"`
	Frequency string   `json:"frequency"`
}

func choicesJSON(sub *store.Subscriber) string {
	secs := sub.Sections
	if secs == nil {
		secs = []string{}
	}
	b, _ := json.Marshal(choices{Email: sub.Email, Language: sub.Language, Sections: secs, Frequency: sub.Frequency})
	return string(b)
}

// normalize checks a sign-up's choices against the editions and sections
// the outlet has.
func (n *Newsletter) normalize(ctx context.Context, lang string, sections []string, freq string) (string, []string, string, error) {
	if lang == "" {
		lang = n.cfg.Languages[0]
	}
	if !slices.Contains(n.cfg.Languages, lang) {
		return "", nil, "", fmt.Errorf("%w: language %q is not one of this outlet's editions (%s)", ErrInvalid, lang, strings.Join(n.cfg.Languages, ", "))
	}
	switch freq {
	case "":
		freq = store.Daily
	case store.Daily, store.Weekly:
	default:
		return "", nil, "", fmt.Errorf("%w: frequency %q must be daily or weekly", ErrInvalid, freq)
	}
	var out []string
	if len(sections) > 0 {
		known, err := n.st.Sections(ctx)
		if err != nil {
			return "", nil, "", err
		}
		for _, s := range sections {
			if s == "" || slices.Contains(out, s) {
				continue
			}
			if !slices.ContainsFunc(known, func(k store.Section) bool { return k.Slug == s }) {
				return "", nil, "", fmt.Errorf("%w: there is no section %q", ErrInvalid, s)
			}
			out = append(out, s)
		}
		slices.Sort(out)
	}
	return lang, out, freq, nil
}

// hashKey turns an IP or address into a rate-limit counter key that does
// not store the value itself.
func (n *Newsletter) hashKey(kind, v string) string {
	m := hmac.New(sha256.New, n.sign.key)
	m.Write([]byte("ratelimit\x00" + kind + "\x00" + v))
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:12])
}

// Subscribe records a sign-up and, when due, queues the confirmation mail.
// It answers the same (nil) whether the address is new, pending, active,
// unsubscribed or bounced, so the answer reveals nothing about who
// subscribes; only invalid input and rate limits are errors.
func (n *Newsletter) Subscribe(ctx context.Context, s Signup) error {
	email, err := ParseAddress(s.Email)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	lang, sections, freq, err := n.normalize(ctx, s.Lang, s.Sections, s.Frequency)
	if err != nil {
		return err
	}
	now := n.now().UTC()
	if s.IP != "" {
		c, err := n.st.CountHit(ctx, n.hashKey("ip", s.IP), now.Truncate(time.Hour))
		if err != nil {
			return err
		}
		if c > n.cfg.SignupsPerIPHour {
			return ErrRateLimited
		}
	}
	c, err := n.st.CountHit(ctx, n.hashKey("addr", email), now.Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	if c > n.cfg.SignupsPerAddrDay {
		return ErrRateLimited
	}
	shown := s.ShownLang
	if shown == "" {
		shown = lang
	}
	text, textLang, version := n.msg.consent(shown)

	sub, err := n.st.SubscriberByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		sub = &store.Subscriber{Email: email, Status: store.SubPending, CreatedAt: now}
		if sub.LinkNonce, err = randomToken(12); err != nil {
			return err
		}
		err = nil
	}
	if err != nil {
		return err
	}
	switch sub.Status {
	case store.SubBounced:
		// The address doesn't take mail: nothing to do.
		n.log.InfoContext(ctx, "sign-up for a bounced address; nothing sent", "subscriber", sub.ID)
		return nil
	case store.SubActive:
		// Changing an active subscriber's choices needs the signed
		// preferences link, not just knowledge of the address: the
		// subscriber is mailed that link instead.
		return n.queueMail(ctx, sub, now, mailManage, false)
	case store.SubUnsubscribed:
		sub.Status = store.SubPending
		sub.ConfirmNonce = ""
	}
	// The confirmation link of a pending address stays the same (and valid)
	// across sign-ups, whoever makes them: a new one would revoke the link
	// the owner already has while the mail allowance might not let us send
	// the new one. Later sign-ups may change the pending choices; the
	// confirmation page shows them as they stand and confirms only those
	// (confirmChoices), so the consent record holds what the owner saw.
	if sub.ConfirmNonce == "" {
		if sub.ConfirmNonce, err = randomToken(12); err != nil {
			return err
		}
	}
	sub.Language, sub.Sections, sub.Frequency = lang, sections, freq
	if sub.ID == 0 {
		if err := n.st.CreateSubscriber(ctx, sub); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				// A concurrent sign-up of the same address won; its
				// confirmation mail is on its way.
				return nil
			}
			return err
		}
	} else if err := n.st.UpdateSubscriber(ctx, sub); err != nil {
		return err
	}
	page := s.PageURL
	if page == "" {
		page = "api"
	}
	if err := n.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "subscribe", Text: text,
		TextVersion: version, Language: textLang, PageURL: page, Choices: choicesJSON(sub), CreatedAt: now}); err != nil {
		return err
	}
	return n.queueMail(ctx, sub, now, mailConfirm, false)
}

// Mails queued by sign-ups.
const (
	mailConfirm = "confirm" // the double opt-in link, to a pending address
	mailManage  = "manage"  // the preferences link, to an already active one
)

// queueMail queues a sign-up's mail, at most one per ResendAfter, and,
// unless the owner asked through a link we mailed them (owner), only while
// the address has had fewer than MaxConfirmMails in the last
// ConfirmWindow.
//
// Anyone can type an address into the form, so sign-ups alone must not
// mail it again and again: they get one mail an hour at most, and a few a
// month. That allowance limits mails, never the owner: the link already
// sent keeps working (Subscribe never replaces it), and an expired one
// leads to a page where its owner, proven by holding it, gets a fresh
// link whatever the allowance says.
func (n *Newsletter) queueMail(ctx context.Context, sub *store.Subscriber, now time.Time, kind string, owner bool) error {
	if !sub.ConfirmSentAt.IsZero() && now.Sub(sub.ConfirmSentAt) < n.cfg.ResendAfter {
		n.log.InfoContext(ctx, "sign-up mail sent recently; not sending another yet", "subscriber", sub.ID)
		return nil
	}
	if now.Sub(sub.ConfirmSentAt) > n.cfg.ConfirmWindow {
		sub.ConfirmSent = 0
	}
	if !owner && sub.ConfirmSent >= n.cfg.MaxConfirmMails {
		n.log.InfoContext(ctx, "sign-up mail limit reached; not sending another", "subscriber", sub.ID)
		return nil
	}
	queued, err := jobs.Enqueue(ctx, n.st, jobConfirm, fmt.Sprintf("%s:%d", jobConfirm, sub.ID), 0,
		confirmJob{Subscriber: sub.ID, Kind: kind})
	if err != nil || !queued {
		// Not queued: a mail for this address is already waiting to go,
		// and it will carry the same link.
		return err
	}
	// Counted only once queued, so sign-ups collapsing into one waiting
	// mail don't use up the address's allowance.
	sub.ConfirmSent++
	sub.ConfirmSentAt = now
	return n.st.UpdateSubscriber(ctx, sub)
}

type confirmJob struct {
	Subscriber int64  `json:"subscriber"`
	Kind       string `json:"kind,omitempty"` // mailConfirm (default) or mailManage
}

// handleConfirmJob sends the confirmation mail of a still-pending subscriber.
func (n *Newsletter) handleConfirmJob(ctx context.Context, j *store.Job) error {
	var p confirmJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("confirmation job payload: %w", err))
	}
	sub, err := n.st.Subscriber(ctx, p.Subscriber)
	if errors.Is(err, store.ErrNotFound) {
		return nil // erased meanwhile
	}
	if err != nil {
		return err
	}
	var m *Message
	switch {
	case p.Kind == mailManage && sub.Status == store.SubActive:
		m, err = n.manageMail(ctx, sub)
	case p.Kind != mailManage && sub.Status == store.SubPending && sub.ConfirmNonce != "":
		secs, serr := n.st.Sections(ctx)
		if serr != nil {
			return serr
		}
		byslug := map[string]store.Section{}
		for _, s := range secs {
			byslug[s.Slug] = s
		}
		m, err = n.confirmMail(ctx, sub, byslug)
	default:
		return nil // the state changed meanwhile: nothing to send
	}
	if err != nil {
		return jobs.Permanent(err)
	}
	if err := n.mailer.Send(ctx, m); err != nil {
		if errors.Is(err, ErrPermanent) {
			return jobs.Permanent(err)
		}
		return err
	}
	n.log.InfoContext(ctx, "sign-up mail sent", "subscriber", sub.ID, "kind", p.Kind)
	return nil
}

// link builds an absolute URL on the site.
func (n *Newsletter) link(path, token string) string {
	return n.cfg.BaseURL + path + "?t=" + url.QueryEscape(token)
}

func (n *Newsletter) confirmLink(sub *store.Subscriber) string {
	exp := sub.ConfirmSentAt.Add(n.cfg.ConfirmTTL)
	return n.link("/newsletter/confirm", n.sign.token(purposeConfirm, sub.ID, exp, sub.ConfirmNonce))
}

func (n *Newsletter) unsubLink(sub *store.Subscriber) string {
	return n.link("/newsletter/unsubscribe", n.sign.token(purposeUnsub, sub.ID, time.Time{}, sub.LinkNonce))
}

func (n *Newsletter) manageLink(sub *store.Subscriber) string {
	return n.link("/newsletter/preferences", n.sign.token(purposeManage, sub.ID, time.Time{}, sub.LinkNonce))
}

// subscriberFor resolves a signed link token for purpose.
func (n *Newsletter) subscriberFor(ctx context.Context, tok, purpose string) (*store.Subscriber, error) {
	id, check, ok := n.sign.parse(tok)
	if !ok {
		return nil, errBadLink
	}
	sub, err := n.st.Subscriber(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	nonce := sub.LinkNonce
	if purpose == purposeConfirm {
		nonce = sub.ConfirmNonce
	}
	if nonce == "" {
		return nil, errBadLink
	}
	if !check(purpose, nonce, n.now()) {
		// Authentic and still the pending sign-up's, only too old?
		if exp, ok := expiry(tok); purpose == purposeConfirm && ok && !exp.IsZero() && check(purpose, nonce, exp) {
			return sub, errLinkExpired
		}
		return nil, errBadLink
	}
	return sub, nil
}

// Resend mails the owner of a confirmation link (valid or expired) a fresh
// one, for the same pending sign-up. Holding the link proves the request
// comes from the mailbox, so the sign-up allowance doesn't apply; only the
// ResendAfter spacing does.
func (n *Newsletter) Resend(ctx context.Context, tok string) (*store.Subscriber, error) {
	sub, err := n.subscriberFor(ctx, tok, purposeConfirm)
	if err != nil && !errors.Is(err, errLinkExpired) {
		return nil, err
	}
	if sub.Status != store.SubPending {
		return nil, errBadLink
	}
	if err := n.queueMail(ctx, sub, n.now().UTC(), mailConfirm, true); err != nil {
		return nil, err
	}
	return sub, nil
}

// choicesDigest names a subscriber's choices as the confirmation page
// showed them; confirming with another digest means they changed since.
func (n *Newsletter) choicesDigest(sub *store.Subscriber) string {
	return n.sign.mac("choices", strconv.FormatInt(sub.ID, 10), choicesJSON(sub))[:16]
}

// Confirm activates the subscriber of a confirmation token; the token
// stops working at once.
func (n *Newsletter) Confirm(ctx context.Context, tok, seen string) (*store.Subscriber, error) {
	sub, err := n.subscriberFor(ctx, tok, purposeConfirm)
	if err != nil {
		return nil, err
	}
	if n.choicesDigest(sub) != seen {
		// Checked on the row this confirmation writes from, so a sign-up
		// changing the pending choices after the page was shown cannot
		// slip into the consent record.
		return sub, errChoicesChanged
	}
	now := n.now().UTC()
	if err := n.st.ConfirmSubscriber(ctx, sub.ID, sub.ConfirmNonce, now); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errBadLink // a concurrent click won
		}
		return nil, err
	}
	sub.Status, sub.ConfirmNonce, sub.ConfirmedAt = store.SubActive, "", now
	if err := n.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "confirm",
		Choices: choicesJSON(sub), CreatedAt: now}); err != nil {
		return nil, err
	}
	return sub, nil
}

// Unsubscribe stops all mail to sub at once and records it.
func (n *Newsletter) Unsubscribe(ctx context.Context, sub *store.Subscriber, how string) error {
	if sub.Status == store.SubUnsubscribed {
		return nil
	}
	now := n.now().UTC()
	sub.Status, sub.UnsubscribedAt, sub.ConfirmNonce = store.SubUnsubscribed, now, ""
	if err := n.st.UpdateSubscriber(ctx, sub); err != nil {
		return err
	}
	if err := n.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "unsubscribe",
		PageURL: how, Choices: choicesJSON(sub), CreatedAt: now}); err != nil {
		return err
	}
	n.markLastDigest(ctx, sub.ID, store.MarkUnsubscribed, now)
	return nil
}

// markLastDigest counts a bounce or unsubscribe against the digest run
// that last mailed the subscriber. It only feeds the admin's counts, so a
// failure is logged and never undoes what the reader asked for.
func (n *Newsletter) markLastDigest(ctx context.Context, subID int64, mark string, at time.Time) {
	if err := n.st.MarkLastDigest(ctx, subID, mark, at); err != nil && !errors.Is(err, store.ErrNotFound) {
		n.log.WarnContext(ctx, "digest run not marked", "subscriber", subID, "mark", mark, "err", err)
	}
}

// UpdatePreferences changes an active subscriber's choices and records the
// consent text shown on the preferences page with them.
func (n *Newsletter) UpdatePreferences(ctx context.Context, sub *store.Subscriber, lang string, sections []string, freq, pageLang, page string) error {
	lang, sections, freq, err := n.normalize(ctx, lang, sections, freq)
	if err != nil {
		return err
	}
	sub.Language, sub.Sections, sub.Frequency = lang, sections, freq
	if err := n.st.UpdateSubscriber(ctx, sub); err != nil {
		return err
	}
	text, textLang, version := n.msg.consent(pageLang)
	return n.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "preferences", Text: text,
		TextVersion: version, Language: textLang, PageURL: page, Choices: choicesJSON(sub), CreatedAt: n.now().UTC()})
}

// Export is everything kept about one subscriber (GDPR Art. 15 and 20).
type Export struct {
	Email          string          `json:"email"`
	Status         string          `json:"status"`
	Language       string          `json:"language"`
	Sections       []string        `json:"sections"`
	Frequency      string          `json:"frequency"`
	CreatedAt      time.Time       `json:"created_at"`
	ConfirmedAt    *time.Time      `json:"confirmed_at,omitempty"`
	UnsubscribedAt *time.Time      `json:"unsubscribed_at,omitempty"`
	BouncedAt      *time.Time      `json:"bounced_at,omitempty"`
	LastDigestAt   *time.Time      `json:"last_digest_period_end,omitempty"`
	SoftBounces    int             `json:"soft_bounces,omitempty"`
	Consents       []ExportConsent `json:"consent_record"`
	Mails          []ExportSend    `json:"digests"`
}

// ExportConsent is one consent record entry in an export.
type ExportConsent struct {
	Action      string          `json:"action"`
	At          time.Time       `json:"at"`
	Text        string          `json:"text,omitempty"`
	TextVersion string          `json:"text_version,omitempty"`
	Language    string          `json:"text_language,omitempty"`
	PageURL     string          `json:"page,omitempty"`
	Choices     json.RawMessage `json:"choices,omitempty"`
}

// ExportSend is one digest in an export.
type ExportSend struct {
	Run       string     `json:"run"`
	State     string     `json:"state"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	MessageID string     `json:"message_id,omitempty"`
	// When the address bounced or unsubscribed after this digest.
	BouncedAt      *time.Time `json:"bounced_after,omitempty"`
	UnsubscribedAt *time.Time `json:"unsubscribed_after,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ExportData collects sub's data.
func (n *Newsletter) ExportData(ctx context.Context, sub *store.Subscriber) (*Export, error) {
	cs, err := n.st.Consents(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	sends, err := n.st.DigestSends(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	secs := sub.Sections
	if secs == nil {
		secs = []string{}
	}
	e := &Export{Email: sub.Email, Status: sub.Status, Language: sub.Language, Sections: secs,
		Frequency: sub.Frequency, CreatedAt: sub.CreatedAt, ConfirmedAt: timePtr(sub.ConfirmedAt),
		UnsubscribedAt: timePtr(sub.UnsubscribedAt), BouncedAt: timePtr(sub.BouncedAt),
		LastDigestAt: timePtr(sub.LastDigestAt), SoftBounces: sub.SoftBounces, Consents: []ExportConsent{}, Mails: []ExportSend{}}
	for _, c := range cs {
		ec := ExportConsent{Action: c.Action, At: c.CreatedAt, Text: c.Text, TextVersion: c.TextVersion,
			Language: c.Language, PageURL: c.PageURL}
		if json.Valid([]byte(c.Choices)) {
			ec.Choices = json.RawMessage(c.Choices)
		}
		e.Consents = append(e.Consents, ec)
	}
	for _, d := range sends {
		e.Mails = append(e.Mails, ExportSend{Run: d.RunKey, State: d.State, SentAt: timePtr(d.SentAt), MessageID: d.MessageID,
			BouncedAt: timePtr(d.BouncedAt), UnsubscribedAt: timePtr(d.UnsubscribedAt)})
	}
	return e, nil
}

// ExportByEmail is ExportData for the operator's command line.
func (n *Newsletter) ExportByEmail(ctx context.Context, email string) (*Export, error) {
	sub, err := n.byEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return n.ExportData(ctx, sub)
}

// Erase deletes sub and everything about it (GDPR Art. 17).
func (n *Newsletter) Erase(ctx context.Context, sub *store.Subscriber) error {
	if err := n.st.DeleteSubscriber(ctx, sub.ID); err != nil {
		return err
	}
	n.log.InfoContext(ctx, "subscriber erased", "subscriber", sub.ID)
	return nil
}

// EraseByEmail is Erase for the operator's command line.
func (n *Newsletter) EraseByEmail(ctx context.Context, email string) error {
	sub, err := n.byEmail(ctx, email)
	if err != nil {
		return err
	}
	return n.Erase(ctx, sub)
}

func (n *Newsletter) byEmail(ctx context.Context, email string) (*store.Subscriber, error) {
	addr, err := ParseAddress(email)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	sub, err := n.st.SubscriberByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no subscriber with the address %s: %w", addr, store.ErrNotFound)
	}
	return sub, err
}

// Bounce kinds a provider reports.
const (
	BounceHard      = "hard"      // the address does not exist: never mail it again
	BounceSoft      = "soft"      // mailbox full, greylisting: counted
	BounceComplaint = "complaint" // marked as spam: treated as an unsubscribe
)

// softBounceLimit soft bounces in a row deactivate an address like a hard one.
const softBounceLimit = 5

// Bounce applies a provider's report about email. Unknown addresses are
// ignored: providers report on all the outlet's mail.
func (n *Newsletter) Bounce(ctx context.Context, email, kind, detail string) error {
	return n.bounce(ctx, email, kind, detail, true)
}

// bounce is Bounce; markRun counts it against the run that last mailed the
// address, which a refusal while sending (counted on its own row) must not.
func (n *Newsletter) bounce(ctx context.Context, email, kind, detail string, markRun bool) error {
	addr, err := ParseAddress(email)
	if err != nil {
		return nil // not one of ours
	}
	sub, err := n.st.SubscriberByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := n.now().UTC()
	action := "bounce"
	switch kind {
	case BounceSoft:
		sub.SoftBounces++
		if sub.SoftBounces < softBounceLimit {
			return n.st.UpdateSubscriber(ctx, sub)
		}
		fallthrough
	case BounceHard:
		if sub.Status == store.SubBounced {
			return nil
		}
		sub.Status, sub.BouncedAt = store.SubBounced, now
	case BounceComplaint:
		if sub.Status == store.SubUnsubscribed {
			return nil
		}
		action = "complaint"
		sub.Status, sub.UnsubscribedAt = store.SubUnsubscribed, now
	default:
		return nil
	}
	if err := n.st.UpdateSubscriber(ctx, sub); err != nil {
		return err
	}
	if markRun {
		// A complaint ends the subscription: it counts as an unsubscribe.
		mark := store.MarkBounced
		if kind == BounceComplaint {
			mark = store.MarkUnsubscribed
		}
		n.markLastDigest(ctx, sub.ID, mark, now)
	}
	n.log.InfoContext(ctx, "address deactivated by a "+action, "subscriber", sub.ID, "kind", kind)
	if len(detail) > 500 {
		detail = detail[:500]
	}
	return n.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: action, PageURL: "bounce report",
		Choices: mustJSON(map[string]string{"kind": kind, "detail": detail}), CreatedAt: now})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Settings are what Open needs beyond Config: where to deliver.
type Settings struct {
	SMTPURL string
	Config  Config
}

// Open builds the newsletter with an SMTP mailer for s.SMTPURL, or, for a
// file:DIR URL, one that writes each mail into the folder DIR (Dir).
func Open(ctx context.Context, st Store, s Settings) (*Newsletter, error) {
	if dir, ok := strings.CutPrefix(s.SMTPURL, "file:"); ok {
		m, err := NewDir(strings.TrimPrefix(dir, "//"), s.Config.Logger)
		if err != nil {
			return nil, fmt.Errorf("newsletter: %w", err)
		}
		return New(ctx, st, m, s.Config)
	}
	sc, err := ParseSMTPURL(s.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	m, err := NewSMTP(sc)
	if err != nil {
		return nil, fmt.Errorf("newsletter: %w", err)
	}
	n, err := New(ctx, st, m, s.Config)
	if err != nil {
		_ = m.Close()
		return nil, err
	}
	return n, nil
}

// Close ends the mailer's SMTP session.
func (n *Newsletter) Close() error { return n.mailer.Close() }
