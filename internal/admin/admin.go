package admin

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"

	"spektrum/internal/auth"
	"spektrum/internal/clientip"
	"spektrum/internal/i18n"
	"spektrum/internal/ops"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// Store is what the admin reads and writes itself; every change an editor
// makes goes through ops instead.
type Store interface {
	User(ctx context.Context, id int64) (*store.User, error)
	UserByEmail(ctx context.Context, email string) (*store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	CreateSession(ctx context.Context, s *store.Session) error
	Session(ctx context.Context, tokenHash string) (*store.Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	UseUserToken(ctx context.Context, tokenHash, purpose string, now time.Time) (*store.UserToken, error)
	CreateUserToken(ctx context.Context, t *store.UserToken) error
	UseTOTPStep(ctx context.Context, userID, step int64) error
	AddAuthFailure(ctx context.Context, key string, win time.Time) (int, error)
	AuthFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearAuthFailures(ctx context.Context, key string) error
	Audit(ctx context.Context, beforeID int64, limit int) ([]store.AuditEntry, error)
	Sections(ctx context.Context) ([]store.Section, error)
	CountArticles(ctx context.Context) (int, error)
	Secret(ctx context.Context, name string, generate func() (string, error)) (string, error)
	// The newsletter's subscribers and runs, read here (newsletter.go);
	// its changes go through Config.Newsletter.
	Subscribers(ctx context.Context, status, frequency string, afterID int64, limit int) ([]store.Subscriber, error)
	CountSubscribers(ctx context.Context) (map[string]int, error)
	Subscriber(ctx context.Context, id int64) (*store.Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*store.Subscriber, error)
	Consents(ctx context.Context, subscriberID int64) ([]store.Consent, error)
	DigestSends(ctx context.Context, subscriberID int64) ([]store.DigestSend, error)
	SearchSubscribers(ctx context.Context, f store.SubscriberFilter) ([]store.Subscriber, int, error)
	DigestRuns(ctx context.Context, beforeID int64, limit int) ([]store.RunSummary, error)
}

// Session lifetimes and sign-in limits.
const (
	IdleTimeout     = 2 * time.Hour
	AbsoluteTimeout = 12 * time.Hour
	touchEvery      = time.Minute // a session's last-seen time is written at most this often
	failWindow      = 15 * time.Minute
	// MaxAccountFailures failed sign-ins of one e-mail within failWindow
	// make the next attempts 429 until the window has passed.
	MaxAccountFailures = 10
	// MaxAddrFailures is the same for one client address (or IPv6 /64),
	// whichever e-mails it tries.
	MaxAddrFailures = 30
)

// Config configures the admin.
type Config struct {
	BaseURL  string // the public URL: Secure cookies when https, the origin CSRF checks against
	SiteName string
	Language string // the UI language when the browser asks for none we have
	// StyleURL is the site's stylesheet (web.AssetPath("style.css")): the
	// admin shares its type, colours and dark mode.
	StyleURL       string
	TrustedProxies string
	Sources        *ops.Service
	Users          *ops.Users
	Articles       *ops.Articles
	Logger         *slog.Logger
	Now            func() time.Time
	// Newsletter previews, sends, exports and erases (newsletter.go); nil
	// leaves the subscriber pages read-only.
	Newsletter Newsletter

	// Sections serves /admin/sections (nil: no sections pages); SectionName
	// is the one rule for what an edition shows (edition.SectionName), for
	// the names an edition falls back to (nil: the default name).
	Sections    *ops.Sections
	SectionName func(ed string, sec store.Section) string
	// Translation serves /admin/editions (nil: no editions page).
	Translation Translation

	// Settings, when set, serves the site's settings and ad slots to
	// admins (/admin/settings, /admin/ads); Tagline and Disclaimer are
	// the flags' values, shown as the defaults, and Images draws ad
	// previews' pictures through the media proxy (nil: not shown).
	Settings            *ops.Settings
	Tagline, Disclaimer string
	Images              settings.Images
}

// Admin serves /admin/.
type Admin struct {
	st      Store
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	msg     *i18n.Catalog
	matcher language.Matcher
	langs   []string
	proxies clientip.Proxies
	secure  bool   // cookies get Secure and the __Host- prefix
	origin  string // scheme://host of BaseURL
	cookie  string // the session cookie's name
	pages   map[string]*template.Template
	css     []byte
	cssPath string
	keyHash string // keys the failure counters' hashes
	// setupToken lets the first visitor of /admin/setup create the first
	// admin while there is no account; "" once there is one at start.
	setupToken string
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/admin.css
var adminCSS []byte

// New builds the admin. When there is no account yet, it makes the setup
// token that SetupURL returns (serve logs it).
func New(ctx context.Context, st Store, cfg Config) (*Admin, error) {
	if cfg.Sources == nil || cfg.Users == nil || cfg.Articles == nil {
		return nil, errors.New("admin: Config.Sources, Users and Articles are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "Spektrum"
	}
	if cfg.SectionName == nil {
		cfg.SectionName = func(_ string, sec store.Section) string { return sec.Name }
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("admin: the public URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	msg, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	a := &Admin{st: st, cfg: cfg, log: cfg.Logger.With("component", "admin"), now: cfg.Now, msg: msg,
		secure: base.Scheme == "https", origin: base.Scheme + "://" + base.Host, css: adminCSS}
	if a.proxies, err = clientip.ParseProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("admin: trusted proxies: %w", err)
	}
	a.cookie = "spektrum_admin"
	if a.secure {
		a.cookie = "__Host-spektrum_admin"
	}
	a.langs = msg.Langs()
	tags := make([]language.Tag, 0, len(a.langs)+1)
	tags = append(tags, language.Make(msg.Lang(cfg.Language)))
	for _, l := range a.langs {
		tags = append(tags, language.Make(l))
	}
	a.matcher = language.NewMatcher(tags)
	sum := sha256.Sum256(adminCSS)
	a.cssPath = "/admin/static/admin." + hex.EncodeToString(sum[:6]) + ".css"
	if a.pages, err = a.parseTemplates(); err != nil {
		return nil, err
	}
	if a.keyHash, err = st.Secret(ctx, "admin-throttle", auth.Token); err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	us, err := st.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	if len(us) == 0 {
		if a.setupToken, err = auth.Token(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// SetupURL is where the first admin account is made, while the database
// has none ("" when it had one at start). Serve logs it; it works once.
func (a *Admin) SetupURL() string {
	if a.setupToken == "" {
		return ""
	}
	return strings.TrimRight(a.cfg.BaseURL, "/") + "/admin/setup?token=" + a.setupToken
}

// Handlers returns the admin's routes, pattern → handler, for the site's
// mux (web.Config.Mounts): each pattern is literal up to its wildcards, so
// none collides with the site's own.
func (a *Admin) Handlers() map[string]http.Handler {
	h := map[string]http.Handler{
		"GET /admin":                         http.RedirectHandler("/admin/", http.StatusMovedPermanently),
		"GET " + a.cssPath:                   http.HandlerFunc(a.handleCSS),
		"GET /admin/login":                   a.public(a.handleLoginForm),
		"POST /admin/login":                  a.public(a.handleLogin),
		"GET /admin/setup":                   a.public(a.handleSetupForm),
		"POST /admin/setup":                  a.public(a.handleSetup),
		"GET /admin/link/{token}":            a.public(a.handleLinkForm),
		"POST /admin/link/{token}":           a.public(a.handleLink),
		"POST /admin/logout":                 a.signedIn("", a.handleLogout),
		"GET /admin/{$}":                     a.signedIn("", a.handleHome),
		"GET /admin/account":                 a.signedIn("", a.handleAccount),
		"POST /admin/account":                a.signedIn("", a.handleAccountSave),
		"POST /admin/account/totp":           a.signedIn("", a.handleTOTP),
		"POST /admin/login/code":             a.public(a.handleLoginCode),
		"GET /admin/sources":                 a.signedIn("", a.handleSources),
		"POST /admin/sources":                a.signedIn("", a.handleSourceAdd),
		"GET /admin/sources/{id}":            a.signedIn("", a.handleSource),
		"POST /admin/sources/{id}":           a.signedIn("", a.handleSourceEdit),
		"POST /admin/sources/{id}/{action}":  a.signedIn("", a.handleSourceAction),
		"GET /admin/articles":                a.signedIn("", a.handleArticles),
		"GET /admin/articles/{id}":           a.signedIn("", a.handleArticle),
		"POST /admin/articles/{id}/{action}": a.signedIn("", a.handleArticleAction),
		"GET /admin/newsletter":              a.signedIn("", a.handleSubscribers),
		"GET /admin/newsletter/{id}":         a.signedIn("", a.handleSubscriber),
		"POST /admin/newsletter/{id}/export": a.signedIn("", a.handleSubscriberExport),
		"GET /admin/newsletter/{id}/erase":   a.signedIn("", a.handleSubscriberEraseForm),
		"POST /admin/newsletter/{id}/erase":  a.signedIn("", a.handleSubscriberErase),
		"GET /admin/newsletter/digest":       a.signedIn("", a.handleDigest),
		"GET /admin/newsletter/digest/html":  a.signedIn("", a.handleDigestHTML),
		"POST /admin/newsletter/digest/test": a.signedIn("", a.handleDigestTest),
		"POST /admin/newsletter/digest/send": a.signedIn("", a.handleDigestSend),
		"GET /admin/newsletter/runs":         a.signedIn("", a.handleRuns),
		"GET /admin/users":                   a.signedIn(store.RoleAdmin, a.handleUsers),
		"POST /admin/users":                  a.signedIn(store.RoleAdmin, a.handleUserAdd),
		"POST /admin/users/{id}/{action}":    a.signedIn(store.RoleAdmin, a.handleUserAction),
		"GET /admin/audit":                   a.signedIn(store.RoleAdmin, a.handleAudit),
	}
	if a.cfg.Sections != nil {
		h["GET /admin/sections"] = a.signedIn("", a.handleSections)
		h["POST /admin/sections"] = a.signedIn("", a.handleSectionAdd)
		h["GET /admin/sections/{slug}"] = a.signedIn("", a.handleSection)
		h["POST /admin/sections/{slug}"] = a.signedIn("", a.handleSectionEdit)
		h["POST /admin/sections/{slug}/{action}"] = a.signedIn("", a.handleSectionAction)
	}
	if a.cfg.Translation != nil {
		h["GET /admin/editions"] = a.signedIn(store.RoleAdmin, a.handleEditions)
	}
	if a.cfg.Settings != nil {
		h["GET /admin/settings"] = a.signedIn(store.RoleAdmin, a.handleSettings)
		h["POST /admin/settings/{part}"] = a.signedIn(store.RoleAdmin, a.handleSettingsSave)
		h["GET /admin/ads"] = a.signedIn(store.RoleAdmin, a.handleAds)
		h["POST /admin/ads"] = a.signedIn(store.RoleAdmin, a.handleAdSave)
		h["GET /admin/ads/new"] = a.signedIn(store.RoleAdmin, a.handleAdNew)
		h["GET /admin/ads/{id}"] = a.signedIn(store.RoleAdmin, a.handleAd)
		h["POST /admin/ads/{id}"] = a.signedIn(store.RoleAdmin, a.handleAdSave)
		h["POST /admin/ads/{id}/delete"] = a.signedIn(store.RoleAdmin, a.handleAdDelete)
	}
	return h
}

// Purger is what Purge deletes from.
type Purger interface {
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)
	PurgeAuthFailures(ctx context.Context, before time.Time) (int, error)
}

// Purge deletes expired sessions and old failure counts (a periodic job:
// expired sessions are refused on use anyway).
func Purge(ctx context.Context, st Purger, now time.Time) error {
	if _, err := st.PurgeSessions(ctx, now.Add(-IdleTimeout), now.Add(-AbsoluteTimeout)); err != nil {
		return err
	}
	_, err := st.PurgeAuthFailures(ctx, now.Add(-2*failWindow))
	return err
}

func (a *Admin) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.css)
}
