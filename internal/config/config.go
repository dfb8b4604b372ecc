// Package config holds every setting Spektrum reads, in one place, each with
// its flag, environment variable and default. Precedence: flag > environment
// (SPEKTRUM_*) > default. It only parses; it must not open databases or
// sockets.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/lang"
	"spektrum/internal/translate"
	"spektrum/internal/viewpoint"
)

// Config is the whole configuration.
type Config struct {
	DB                   string // SQLite path or postgres:// URL
	AllowPrivateNetworks bool

	Addr       string
	Role       string // all, web, worker
	BaseURL    string
	SiteName   string
	Tagline    string
	Disclaimer string
	Language   string

	// MetricsAddr is a separate listener serving only /metrics; "" = none.
	MetricsAddr string

	UserAgent string
	Workers   int
	// WorkerNice is how much a worker process (serve --role worker, fetch)
	// lowers its CPU priority: web nodes on the same machine answer readers
	// first, and the ingest gets what they leave.
	WorkerNice    int
	PollInterval  time.Duration
	FetchTimeout  time.Duration
	MaxBytes      int64
	PerHostDelay  time.Duration
	PerHostConns  int
	JobLease      time.Duration
	MaxItems      int
	LogLevel      string
	NoAutoMigrate bool

	// Editions and translation (internal/translate).
	Editions []string // edition languages; the first is the default
	// Untranslated is where an edition puts articles it cannot show in its
	// language: "after" its own or "apart" (edition.Placement).
	Untranslated     string
	TranslateRoutes  string // "de-en=deepl,apertium; *=openai"
	TranslateBudgets string // "deepl=500000,google=1000000" characters a month
	// Translators holds the translation providers' settings that are
	// flags, by environment name (SPEKTRUM_TRANSLATE_APERTIUM_URL → URL).
	// Their secrets are not here: keys and tokens are environment only,
	// read where the providers are built (app), never flags.
	Translators map[string]string

	// Newsletter (internal/newsletter); off while SMTPURL is empty.
	SMTPURL        string
	MailFrom       string
	ReturnPath     string
	TrustedProxies string // comma-separated CIDRs whose X-Forwarded-For is believed
	Secret         string
	NewsletterRate float64 // mails per second, 0 = no limit
	NewsletterHour int     // UTC hour digests go out

	// Scale is the outlet's scale of positions a source can be given
	// (package viewpoint).
	Scale viewpoint.Scale
	// Media proxy (internal/media): where this node keeps fetched and
	// resized images, how much of them, and the limits on an original.
	MediaCacheDir   string
	MediaCacheBytes int64
	MediaMaxBytes   int64
	MediaMaxPixels  int64
	// Page cache (internal/pagecache).
	PageCacheMB  int    // memory for cached pages; 0 = no cache
	CacheWebhook string // POSTed when the pages change, e.g. to purge a CDN
	// NetHTTPHits sends cache hits through net/http too, instead of the
	// front's own loop (internal/front): for comparison and as a way back.
	NetHTTPHits bool
}

// Setting describes one option for flags and the configuration reference.
type Setting struct {
	Name, Env, Default, Usage string
}

// Settings lists every option but the translation providers' own (see
// All); README's configuration reference mirrors it.
var Settings = []Setting{
	{"db", "SPEKTRUM_DB", "data/spektrum.db", "SQLite file path, or a postgres:// URL for PostgreSQL"},
	{"allow-private-networks", "SPEKTRUM_ALLOW_PRIVATE_NETWORKS", "false", "allow fetching loopback, private and link-local addresses (tests, intranets)"},
	{"addr", "SPEKTRUM_ADDR", "127.0.0.1:8080", "address the web server listens on"},
	{"metrics-addr", "SPEKTRUM_METRICS_ADDR", "", "a separate address serving only /metrics, e.g. 127.0.0.1:9090; keep it off the public network (default: none; the site serves /metrics only with SPEKTRUM_METRICS_TOKEN)"},
	{"role", "SPEKTRUM_ROLE", "all", "what serve runs: all (web and workers), web, or worker"},
	{"base-url", "SPEKTRUM_BASE_URL", "", "public URL of the site, used in feeds, sitemaps and mails (default http://ADDR)"},
	{"site-name", "SPEKTRUM_SITE_NAME", "Spektrum", "the outlet's name"},
	{"tagline", "SPEKTRUM_TAGLINE", "", "shown under the name (default: the catalogue's, in each edition's language)"},
	{"disclaimer", "SPEKTRUM_DISCLAIMER", "", "the disclaimer under every article (default names the outlet)"},
	{"language", "SPEKTRUM_LANGUAGE", "en", "the site's language"},
	{"user-agent", "SPEKTRUM_USER_AGENT", "", "User-Agent for fetching (default names Spektrum and its version)"},
	{"workers", "SPEKTRUM_WORKERS", "4", "jobs run in parallel by one process"},
	{"worker-nice", "SPEKTRUM_WORKER_NICE", "10", "niceness a worker process (serve --role worker, fetch) takes at least, 0-19, so web nodes on the same machine answer readers first (0: the priority it was started with)"},
	{"poll-interval", "SPEKTRUM_POLL_INTERVAL", "30m", "default time between polls of a source"},
	{"fetch-timeout", "SPEKTRUM_FETCH_TIMEOUT", "30s", "time limit for one HTTP request, body included"},
	{"max-bytes", "SPEKTRUM_MAX_BYTES", "20971520", "largest response body read, in bytes"},
	{"per-host-delay", "SPEKTRUM_PER_HOST_DELAY", "1s", "minimum time between two requests to one host"},
	{"per-host-conns", "SPEKTRUM_PER_HOST_CONNS", "2", "requests to one host at once"},
	{"job-lease", "SPEKTRUM_JOB_LEASE", "2m", "how long a claimed job stays with a worker that stopped renewing it"},
	{"max-items", "SPEKTRUM_MAX_ITEMS", "100", "newest items taken from one poll of a source"},
	{"log-level", "SPEKTRUM_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"no-auto-migrate", "SPEKTRUM_NO_AUTO_MIGRATE", "false", "don't migrate the schema on start (run `spektrum migrate` yourself)"},
	{"editions", "SPEKTRUM_EDITIONS", "", "edition languages, e.g. en,de,fr,es; the first is the default (default: --language alone)"},
	{"untranslated", "SPEKTRUM_UNTRANSLATED", "after", "where an edition puts articles not (yet) translated into its language, marked with their language: after (ranked after its own) or apart (a block \"In other languages\")"},
	{"translate-routes", "SPEKTRUM_TRANSLATE_ROUTES", "", "translation providers per language pair, tried in order, e.g. de-en=deepl,apertium; *=openai (default: every configured provider)"},
	{"translate-budgets", "SPEKTRUM_TRANSLATE_BUDGETS", "", "monthly character budget per provider, e.g. deepl=500000,google=1000000 (default: no limit)"},
	{"smtp-url", "SPEKTRUM_SMTP_URL", "", "SMTP server for the newsletter, e.g. smtp://user:pass@host:587 or smtps://…:465, or file:DIR to write mails into folder DIR instead (trying it out; the demo's default) (empty: newsletter off)"},
	{"mail-from", "SPEKTRUM_MAIL_FROM", "", "sender address of the newsletter (default newsletter@ the base URL's host)"},
	{"mail-return-path", "SPEKTRUM_MAIL_RETURN_PATH", "", "envelope sender: where bounces go (default the sender address)"},
	{"trusted-proxies", "SPEKTRUM_TRUSTED_PROXIES", "", "reverse proxies (comma-separated CIDRs, e.g. 127.0.0.1/32) whose X-Forwarded-For names the client, for sign-up limits and view counts"},
	{"secret", "SPEKTRUM_SECRET", "", "secret that signs newsletter links (default: generated once and kept in the database)"},
	{"newsletter-rate", "SPEKTRUM_NEWSLETTER_RATE", "10", "most newsletter mails sent per second (0: no limit)"},
	{"newsletter-hour", "SPEKTRUM_NEWSLETTER_HOUR", "6", "UTC hour daily digests go out at (weekly ones on Mondays)"},
	{"viewpoint-scale", "SPEKTRUM_VIEWPOINT_SCALE", viewpoint.DefaultSteps, "the steps of the outlet's scale of viewpoints, from one end to the other, e.g. government,opposition; a source's --position is one of them (positions stored for steps no longer listed are kept and shown as unknown)"},
	{"viewpoint-scale-name", "SPEKTRUM_VIEWPOINT_SCALE_NAME", "", "the scale's name shown above the coverage bar, e.g. Left–right (default: the catalogue's word for position, in each edition's language)"},
	{"media-cache-dir", "SPEKTRUM_MEDIA_CACHE_DIR", "", "where this node keeps proxied images and their resized copies; safe to delete (default: media-cache beside the SQLite file, or data/media-cache with PostgreSQL)"},
	{"media-cache-bytes", "SPEKTRUM_MEDIA_CACHE_BYTES", "1073741824", "largest size of the media cache; the oldest images go first"},
	{"media-max-bytes", "SPEKTRUM_MEDIA_MAX_BYTES", "10485760", "largest image the media proxy fetches, in bytes"},
	{"media-max-pixels", "SPEKTRUM_MEDIA_MAX_PIXELS", "40000000", "largest image (width × height) the media proxy decodes; checked before decoding"},
	{"page-cache-mb", "SPEKTRUM_PAGE_CACHE_MB", "64", "memory for rendered pages kept by each web node, in MB (0: render every request)"},
	{"cache-webhook", "SPEKTRUM_CACHE_WEBHOOK", "", "URL POSTed {\"generation\":N} when pages change, e.g. to purge a CDN (set it on one web node)"},
	{"net-http-hits", "SPEKTRUM_NET_HTTP_HITS", "false", "answer page-cache hits through net/http like every other request, not the front's own faster loop"},
}

// All is every setting: Settings, with each translation provider's settings
// that are flags (from translate's registry) after the translation ones.
func All() []Setting {
	var out []Setting
	for _, s := range Settings {
		out = append(out, s)
		if s.Name == "translate-budgets" {
			out = append(out, translatorSettings()...)
		}
	}
	return out
}

func translatorSettings() []Setting {
	var out []Setting
	for _, p := range translate.Providers() {
		var secrets []string
		for _, s := range p.Settings {
			if s.Secret {
				secrets = append(secrets, p.Env(s))
			}
		}
		for _, s := range p.Settings {
			if s.Secret {
				continue
			}
			usage := s.Usage
			if len(secrets) > 0 {
				usage += " (secrets from the environment only: " + strings.Join(secrets, ", ") + ")"
			}
			out = append(out, Setting{Name: p.Flag(s), Env: p.Env(s), Usage: usage})
		}
	}
	return out
}

// Register defines every setting as a flag on fs, with environment values
// (read through getenv) taking the place of defaults. Call Parse on fs, then
// Load.
func Register(fs *flag.FlagSet, getenv func(string) string) {
	for _, s := range All() {
		def := s.Default
		if v := getenv(s.Env); v != "" {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", s.Usage, s.Env)
		if s.Default == "true" || s.Default == "false" {
			// A switch: "--allow-private-networks" alone means true, as
			// with flag.Bool, so it never swallows the next argument.
			v := boolFlag(def)
			fs.Var(&v, s.Name, usage)
			continue
		}
		fs.String(s.Name, def, usage)
	}
}

// editions reads "en, DE,fr-FR" as base codes in order without duplicates;
// empty means the site language alone.
func editions(list, language string) []string {
	if strings.TrimSpace(list) == "" {
		list = language
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range strings.Split(list, ",") {
		e = lang.Base(e)
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// boolFlag keeps the text it was given, so Load can report a bad value
// instead of the flag package's generic message.
type boolFlag string

func (b *boolFlag) String() string     { return string(*b) }
func (b *boolFlag) Set(v string) error { *b = boolFlag(v); return nil }
func (b *boolFlag) IsBoolFlag() bool   { return true }

// Load reads the parsed flag values of fs into a Config and validates them.
func Load(fs *flag.FlagSet) (*Config, error) {
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	c := &Config{
		DB:         get("db"),
		Addr:       get("addr"),
		Role:       get("role"),
		BaseURL:    strings.TrimRight(get("base-url"), "/"),
		SiteName:   get("site-name"),
		Tagline:    get("tagline"),
		Disclaimer: get("disclaimer"),
		Language:   get("language"),
		UserAgent:  get("user-agent"),
		LogLevel:   get("log-level"),
		SMTPURL:    get("smtp-url"),
		MailFrom:   get("mail-from"),
		ReturnPath: get("mail-return-path"),
		Secret:     get("secret"),
	}
	c.TrustedProxies = get("trusted-proxies")
	var errs []string
	boolean := func(name string, dst *bool) {
		v, err := strconv.ParseBool(get(name))
		if err != nil {
			errs = append(errs, fmt.Sprintf("--%s: %q is not true or false", name, get(name)))
		}
		*dst = v
	}
	integer := func(name string, dst *int) {
		v, err := strconv.Atoi(get(name))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a positive whole number", name, get(name)))
		}
		*dst = v
	}
	duration := func(name string, dst *time.Duration) {
		v, err := time.ParseDuration(get(name))
		if err != nil || v < 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a duration like 30s or 15m", name, get(name)))
		}
		*dst = v
	}
	if c.MetricsAddr = get("metrics-addr"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Sprintf("--metrics-addr: %q is not host:port like 127.0.0.1:9090", c.MetricsAddr))
		}
	}
	var err error
	if c.PageCacheMB, err = strconv.Atoi(get("page-cache-mb")); err != nil || c.PageCacheMB < 0 {
		errs = append(errs, fmt.Sprintf("--page-cache-mb: %q is not a number of megabytes (0 turns the cache off)", get("page-cache-mb")))
	}
	if c.CacheWebhook = get("cache-webhook"); c.CacheWebhook != "" {
		if u, err := url.Parse(c.CacheWebhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("--cache-webhook: %q is not an http(s) URL", c.CacheWebhook))
		}
	}
	boolean("allow-private-networks", &c.AllowPrivateNetworks)
	boolean("no-auto-migrate", &c.NoAutoMigrate)
	boolean("net-http-hits", &c.NetHTTPHits)
	integer("workers", &c.Workers)
	if c.WorkerNice, err = strconv.Atoi(get("worker-nice")); err != nil || c.WorkerNice < 0 || c.WorkerNice > 19 {
		errs = append(errs, fmt.Sprintf("--worker-nice: %q is not a niceness from 0 to 19 (0 keeps the priority the process was started with)", get("worker-nice")))
	}
	integer("per-host-conns", &c.PerHostConns)
	integer("max-items", &c.MaxItems)
	duration("poll-interval", &c.PollInterval)
	duration("fetch-timeout", &c.FetchTimeout)
	duration("per-host-delay", &c.PerHostDelay)
	duration("job-lease", &c.JobLease)
	mb, err := strconv.ParseInt(get("max-bytes"), 10, 64)
	if err != nil || mb <= 0 {
		errs = append(errs, fmt.Sprintf("--max-bytes: %q is not a positive number of bytes", get("max-bytes")))
	}
	c.MaxBytes = mb
	c.TranslateRoutes, c.TranslateBudgets = get("translate-routes"), get("translate-budgets")
	c.Translators = map[string]string{}
	for _, s := range translatorSettings() {
		c.Translators[s.Env] = get(s.Name)
	}
	c.Editions = editions(get("editions"), c.Language)
	for _, e := range c.Editions {
		if lang.Code(e) != e {
			errs = append(errs, fmt.Sprintf("--editions: %q is not a language code such as de or fr", e))
		}
	}
	c.Untranslated = get("untranslated")
	if c.Untranslated != "after" && c.Untranslated != "apart" {
		errs = append(errs, fmt.Sprintf("--untranslated: %q is neither after nor apart", c.Untranslated))
	}
	if c.NewsletterRate, err = strconv.ParseFloat(get("newsletter-rate"), 64); err != nil || c.NewsletterRate < 0 {
		errs = append(errs, fmt.Sprintf("--newsletter-rate: %q is not a number of mails per second (0 for no limit)", get("newsletter-rate")))
	}
	if c.NewsletterHour, err = strconv.Atoi(get("newsletter-hour")); err != nil || c.NewsletterHour < 0 || c.NewsletterHour > 23 {
		errs = append(errs, fmt.Sprintf("--newsletter-hour: %q is not an hour from 0 to 23 (UTC)", get("newsletter-hour")))
	}
	if c.Scale, err = viewpoint.ParseScale(get("viewpoint-scale"), get("viewpoint-scale-name")); err != nil {
		errs = append(errs, fmt.Sprintf("--viewpoint-scale: %v", err))
	}
	positive64 := func(name string, dst *int64) {
		v, err := strconv.ParseInt(get(name), 10, 64)
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Sprintf("--%s: %q is not a positive whole number", name, get(name)))
		}
		*dst = v
	}
	positive64("media-cache-bytes", &c.MediaCacheBytes)
	positive64("media-max-bytes", &c.MediaMaxBytes)
	positive64("media-max-pixels", &c.MediaMaxPixels)
	if c.MediaCacheDir = get("media-cache-dir"); c.MediaCacheDir == "" {
		c.MediaCacheDir = filepath.Join("data", "media-cache")
		if !strings.Contains(c.DB, "://") {
			c.MediaCacheDir = filepath.Join(filepath.Dir(c.DB), "media-cache")
		}
	}
	switch c.Role {
	case "all", "web", "worker":
	default:
		errs = append(errs, fmt.Sprintf("--role: %q is not one of all, web, worker", c.Role))
	}
	if c.DB == "" {
		errs = append(errs, "--db: empty; give a SQLite file path or a postgres:// URL")
	}
	if c.PollInterval < time.Minute {
		errs = append(errs, "--poll-interval: must be at least 1m, to stay polite to sources")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}
