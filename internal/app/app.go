// Package app wires Spektrum's parts together from a Config: the store, the
// fetcher, the pipeline, the job runner and the web server. Commands in
// cmd/spektrum call it; it holds no business logic of its own.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"spektrum/internal/admin"
	"spektrum/internal/config"
	"spektrum/internal/edition"
	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/front"
	"spektrum/internal/i18n"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/media"
	"spektrum/internal/newsletter"
	"spektrum/internal/ops"
	"spektrum/internal/pagecache"
	"spektrum/internal/pipeline"
	"spektrum/internal/settings"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/translate"
	"spektrum/internal/version"
	"spektrum/internal/web"
)

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// OpenStore opens the database dsn names (a postgres:// URL or a SQLite
// file path) and, unless migrate is false, brings its schema up to date.
func OpenStore(ctx context.Context, dsn string, migrate bool) (store.Store, error) {
	var (
		st  store.Store
		err error
	)
	if IsPostgres(dsn) {
		st, err = postgres.Open(ctx, dsn)
	} else {
		st, err = sqlite.Open(ctx, filepath.Clean(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(dsn), err)
	}
	if migrate {
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("migrate database %s: %w", redact(dsn), err)
		}
	}
	return st, nil
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.Index(dsn[i+3:], "@"); at >= 0 {
			cred := dsn[i+3 : i+3+at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return dsn[:i+3] + cred[:c] + ":***" + dsn[i+3+at:]
			}
		}
	}
	return dsn
}

// App is a configured Spektrum.
type App struct {
	Cfg      *config.Config
	Store    store.Store
	Fetch    *fetch.Client
	Pipeline *pipeline.Pipeline
	// Ops is what an editor does (sources today); the CLI calls it.
	Ops *ops.Service
	// Users is the admin's accounts (the CLI's `users` and /admin/users).
	Users  *ops.Users
	Logger *slog.Logger
	// Translator puts articles into the other editions (translate.go).
	Translator *translate.Service
	// Newsletter is nil while no SMTP server is configured.
	Newsletter *newsletter.Newsletter
}

// New opens the store and builds the parts. events may be nil.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger, events func(pipeline.Event)) (*App, error) {
	st, err := OpenStore(ctx, cfg.DB, !cfg.NoAutoMigrate)
	if err != nil {
		return nil, err
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = version.UserAgent()
	}
	delay := cfg.PerHostDelay
	if delay == 0 {
		delay = -1 // fetch reads 0 as "its default"; here 0 means none
	}
	fc := fetch.New(fetch.Options{
		UserAgent:            ua,
		AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		Timeout:              cfg.FetchTimeout,
		MaxBytes:             cfg.MaxBytes,
		PerHostConcurrency:   cfg.PerHostConns,
		PerHostDelay:         delay,
	})
	tr, err := newTranslator(st, cfg, logger)
	if err != nil {
		st.Close()
		return nil, err
	}
	p := pipeline.New(st, fc, extract.New(), pipeline.Options{
		PollInterval: cfg.PollInterval,
		MaxItems:     cfg.MaxItems,
		Logger:       logger,
		Events:       events,
		Detector:     lang.New(),
		Editions:     cfg.Editions,
		Translator:   tr,
	})
	a := &App{Cfg: cfg, Store: st, Fetch: fc, Pipeline: p, Logger: logger, Translator: tr,
		Ops: ops.New(st, fc, p, ops.Options{PollInterval: cfg.PollInterval, Scale: cfg.Scale}), Users: ops.NewUsers(st, nil)}
	if cfg.SMTPURL != "" {
		nc := a.newsletterConfig()
		// The newsletter's pages in the site's design (web.Layout).
		layout, err := web.NewLayout(st, a.siteConfig())
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("newsletter pages: %w", err)
		}
		nc.Layout = layout.Render
		if a.Newsletter, err = newsletter.Open(ctx, st, newsletter.Settings{SMTPURL: cfg.SMTPURL, Config: nc}); err != nil {
			st.Close()
			return nil, err
		}
	}
	return a, nil
}

// siteConfig is what the site's pages (web.New) and the newsletter's pages
// in the site's layout (web.NewLayout) share.
func (a *App) siteConfig() web.Config {
	return web.Config{
		SiteName: a.Cfg.SiteName, BaseURL: a.Cfg.BaseURL, Tagline: a.Cfg.Tagline,
		Disclaimer: a.Cfg.Disclaimer, Language: a.Cfg.Language, Logger: a.Logger,
		Editions: a.Cfg.Editions, Untranslated: edition.Placement(a.Cfg.Untranslated), Scale: a.Cfg.Scale,
	}
}

func (a *App) newsletterConfig() newsletter.Config {
	c := a.Cfg
	langs := c.Editions
	if len(langs) == 0 {
		langs = []string{c.Language}
	}
	return newsletter.Config{SiteName: c.SiteName, BaseURL: c.BaseURL, FromAddr: c.MailFrom, ReturnPath: c.ReturnPath, Secret: c.Secret,
		Languages: langs, Rate: c.NewsletterRate, SendHour: c.NewsletterHour, Logger: a.Logger,
		TrustedProxies: c.TrustedProxies, SiteLanguage: c.Language, Names: a.siteNames(langs)}
}

// siteNames gives the outlet's name in an edition as the settings page set
// it ("" when it set none: the flag's then), for the newsletter's mails and
// pages.
func (a *App) siteNames(editions []string) func(ctx context.Context, lang string) string {
	set := ops.NewSettings(a.Store, editions)
	return func(ctx context.Context, lang string) string {
		s, err := set.Load(ctx)
		if err != nil {
			a.Logger.Warn("reading the outlet's name from the settings; the newsletter uses the configured one", "err", err)
			return ""
		}
		return s.For(lang, settings.Text{}).Name
	}
}

// NewsletterOffline returns the newsletter, or, while no SMTP server is
// configured, one that can do everything but send (export, erase, dry runs).
func (a *App) NewsletterOffline(ctx context.Context) (*newsletter.Newsletter, error) {
	if a.Newsletter != nil {
		return a.Newsletter, nil
	}
	return newsletter.New(ctx, a.Store, newsletter.NoMailer{}, a.newsletterConfig())
}

// Close releases the database (and the newsletter's SMTP connection).
func (a *App) Close() error {
	if a.Newsletter != nil {
		_ = a.Newsletter.Close() // an SMTP QUIT failing changes nothing
	}
	return a.Store.Close()
}

// Runner returns a job runner with the pipeline's and the newsletter's
// handlers and periodic jobs (run by Run, left alone by RunUntilIdle).
func (a *App) Runner() *jobs.Runner {
	r := jobs.New(a.Store, jobs.Options{Concurrency: a.Cfg.Workers, Lease: a.Cfg.JobLease, Logger: a.Logger})
	a.Pipeline.Register(r)
	if a.Newsletter != nil {
		a.Newsletter.Register(r)
	}
	r.Every(kindPurgeJobs, jobs.Interval{Every: time.Hour}, a.purgeJobs)
	r.Every(kindPurgeSessions, jobs.Interval{Every: time.Hour}, func(ctx context.Context, _ *store.Job) error {
		return admin.Purge(ctx, a.Store, time.Now())
	})
	return r
}

// kindPurgeJobs is the hourly job that deletes finished jobs after a week.
// (A week is also the longest period a periodic job may have: its done
// occurrence is what keeps the period from running twice.)
const kindPurgeJobs = "purge-jobs"

// kindPurgeSessions is the hourly job that deletes the admin's expired
// sessions and old sign-in failure counts.
const kindPurgeSessions = "purge-admin-sessions"

func (a *App) purgeJobs(ctx context.Context, _ *store.Job) error {
	n, err := a.Store.PurgeJobs(ctx, time.Now().Add(-7*24*time.Hour))
	if n > 0 {
		a.Logger.InfoContext(ctx, "old jobs purged", "count", n)
	}
	return err
}

// Summary counts one fetch pass's outcomes.
type Summary struct {
	SourcesOK, SourcesFailed                        int
	ArticlesNew, ArticlesUpdated, ArticlesUnchanged int
	ArticlesFailed                                  int
	TranslationsDone, TranslationsKept              int // into editions; kept = shown in their own language
	TranslationsFailed                              int // failed for good
	mu                                              sync.Mutex
	lastSourceErrors                                []string
	// retrying holds the translations (URL and edition) whose last try
	// failed with a retry to follow: the pass ends before the retry is
	// due, so the summary says they wait rather than count them as done
	// or failed.
	retrying map[string]bool
}

// Observe counts e; use it as (part of) the pipeline's Events callback.
func (s *Summary) Observe(e pipeline.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e.Kind {
	case pipeline.SourcePolled:
		s.SourcesOK++
	case pipeline.SourceFailed:
		s.SourcesFailed++
		s.lastSourceErrors = append(s.lastSourceErrors, fmt.Sprintf("%s: %v", e.Source, e.Err))
	case pipeline.ArticleDone:
		switch e.Result {
		case store.Created:
			s.ArticlesNew++
		case store.Updated:
			s.ArticlesUpdated++
		default:
			s.ArticlesUnchanged++
		}
	case pipeline.ArticleFailed:
		s.ArticlesFailed++
	case pipeline.TranslationDone:
		s.TranslationsDone++
		delete(s.retrying, e.URL+" "+e.Language)
	case pipeline.TranslationSkipped:
		s.TranslationsKept++
		delete(s.retrying, e.URL+" "+e.Language)
	case pipeline.TranslationFailed:
		if e.Final {
			s.TranslationsFailed++
			delete(s.retrying, e.URL+" "+e.Language)
			break
		}
		if s.retrying == nil {
			s.retrying = map[string]bool{}
		}
		s.retrying[e.URL+" "+e.Language] = true
	}
}

// TranslationsRetrying counts the translations waiting for a retry that
// the pass did not wait for (the queue's backoff is minutes to hours).
func (s *Summary) TranslationsRetrying() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.retrying)
}

// SourceErrors lists "name: error" for each source that failed.
func (s *Summary) SourceErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lastSourceErrors...)
}

// String is the one-line summary `spektrum fetch` ends with.
func (s *Summary) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := fmt.Sprintf("sources: %d ok, %d failed; articles: %d new, %d updated, %d unchanged, %d failed",
		s.SourcesOK, s.SourcesFailed, s.ArticlesNew, s.ArticlesUpdated, s.ArticlesUnchanged, s.ArticlesFailed)
	if s.TranslationsDone+s.TranslationsKept+s.TranslationsFailed+len(s.retrying) > 0 {
		out += fmt.Sprintf("; translations: %d done, %d kept in their language, %d failed",
			s.TranslationsDone, s.TranslationsKept, s.TranslationsFailed)
		if n := len(s.retrying); n > 0 {
			out += fmt.Sprintf(", %d waiting to retry (the next fetch or serve runs them once due)", n)
		}
	}
	return out
}

// AllSources asks FetchPass to poll every enabled source, due or not.
const AllSources = -1

// FetchPass polls every due source (or just sourceID, due or not; or all
// with AllSources) and works until every article it found is processed.
func (a *App) FetchPass(ctx context.Context, sourceID int64) error {
	if sourceID == AllSources {
		ss, err := a.Store.Sources(ctx)
		if err != nil {
			return err
		}
		var ids []int64
		for _, s := range ss {
			if s.Enabled {
				ids = append(ids, s.ID)
			}
		}
		if _, err := a.Pipeline.EnqueuePolls(ctx, ids); err != nil {
			return err
		}
	} else if sourceID != 0 {
		if _, err := a.Store.Source(ctx, sourceID); err != nil {
			return fmt.Errorf("source %d: %w", sourceID, err)
		}
		if _, err := a.Pipeline.EnqueuePoll(ctx, sourceID); err != nil {
			return err
		}
	} else if _, err := a.Pipeline.EnqueueDue(ctx); err != nil {
		return err
	}
	if err := a.Runner().RunUntilIdle(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted before the pass finished; nothing is lost: the unfinished work stays queued for the next fetch or serve (%w)", err)
		}
		return err
	}
	return nil
}

// Serve runs what the role asks for until ctx ends: the web server and
// the workers, which also run the periodic jobs. ready, if set, hears the
// listening URL.
func (a *App) Serve(ctx context.Context, ready func(url string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 6)
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	if a.Cfg.MetricsAddr != "" {
		// Listen before anything starts, so a taken port stops serve at once.
		ln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen for metrics on %s: %w (choose another with --metrics-addr)", a.Cfg.MetricsAddr, err)
		}
		run("metrics", func(ctx context.Context) error { return serveHTTP(ctx, ln, a.metricsMux(), nil) })
		a.Logger.Info("metrics served", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	role := a.Cfg.Role
	if role == "all" || role == "worker" {
		r := a.Runner() // periodic work (due polls, digests, clean-ups) included
		run("workers", r.Run)
		a.Logger.Info("workers started", "worker", r.Worker(), "concurrency", a.Cfg.Workers)
	}
	if role == "all" || role == "web" {
		wc := a.siteConfig()
		wc.Metrics = a.siteMetrics()
		if a.Newsletter != nil {
			wc.Mounts, wc.NewsletterForm = a.Newsletter.Handlers(), a.Newsletter.Form
		}
		images, err := a.Media(ctx)
		if err != nil {
			return err
		}
		wc.Mounts = maps.Clone(wc.Mounts) // the newsletter's map stays its own
		if wc.Mounts == nil {
			wc.Mounts = map[string]http.Handler{}
		}
		wc.Mounts[media.Pattern], wc.Images = images, images
		views, err := web.NewViews(a.Store, web.ViewsOptions{TrustedProxies: a.Cfg.TrustedProxies, Logger: a.Logger})
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %w", err)
		}
		wc.Views = views
		if a.Cfg.PageCacheMB > 0 {
			if wc.Cache, err = pagecache.New(a.Store, pagecache.Options{MaxBytes: int64(a.Cfg.PageCacheMB) << 20,
				Webhook: a.Cfg.CacheWebhook, Logger: a.Logger}); err != nil {
				return fmt.Errorf("page cache: %w", err)
			}
			run("page cache", wc.Cache.Run)
		}
		if err := a.mountAdmin(ctx, &wc); err != nil {
			return err
		}
		h, err := web.New(a.Store, wc)
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		ln, err := net.Listen("tcp", a.Cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w (is another Spektrum running? choose another with --addr)", a.Cfg.Addr, err)
		}
		var hits front.Hits
		if wc.Cache != nil && !a.Cfg.NetHTTPHits {
			hits = wc.Cache
		}
		run("views", views.Run)
		run("web", func(ctx context.Context) error {
			err := serveHTTP(ctx, ln, h, hits)
			// Every request has finished: write the views they counted.
			fctx, done := context.WithTimeout(context.Background(), 10*time.Second)
			defer done()
			if ferr := views.Flush(fctx); ferr != nil {
				a.Logger.Warn("last view counts not written", "err", ferr)
			}
			return err
		})
		if ready != nil {
			ready("http://" + ln.Addr().String() + "/")
		}
	} else if ready != nil {
		ready("")
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// adImages is the site's media proxy for the admin's ad previews; nil
// when pages show no images (an interface holding a nil pointer would not
// be nil).
func adImages(images web.Images) settings.Images {
	if images == nil {
		return nil
	}
	return images
}

// mountAdmin adds the admin (/admin/) to the site's routes, and logs the
// first admin's setup link while the database has no account.
func (a *App) mountAdmin(ctx context.Context, wc *web.Config) error {
	style, err := web.AssetPath("style.css")
	if err != nil {
		return err
	}
	lang := a.Cfg.Language
	if len(a.Cfg.Editions) > 0 {
		lang = a.Cfg.Editions[0]
	}
	// Without a mail server the admin still previews, exports and erases.
	nl, err := a.NewsletterOffline(ctx)
	if err != nil {
		return err
	}
	msg, err := i18n.New()
	if err != nil {
		return err
	}
	// The same rule the site names sections by, for the admin's hints.
	ed := edition.New(a.Store, msg, a.Cfg.Language)
	ad, err := admin.New(ctx, a.Store, admin.Config{BaseURL: a.Cfg.BaseURL, SiteName: a.Cfg.SiteName, Language: lang,
		StyleURL: style, TrustedProxies: a.Cfg.TrustedProxies, Sources: a.Ops, Users: a.Users,
		Articles: ops.NewArticles(a.Store, a.Pipeline), Logger: a.Logger, Newsletter: nl,
		Sections: ops.NewSections(a.Store, a.Cfg.Editions), SectionName: ed.SectionName, Translation: adminTranslation{a},
		Settings: ops.NewSettings(a.Store, a.Cfg.Editions), Tagline: a.Cfg.Tagline, Disclaimer: a.Cfg.Disclaimer, Images: adImages(wc.Images)})
	if err != nil {
		return err
	}
	if wc.Mounts == nil {
		wc.Mounts = map[string]http.Handler{}
	}
	for p, h := range ad.Handlers() {
		wc.Mounts[p] = h
	}
	if u := ad.SetupURL(); u != "" {
		a.Logger.Warn("no admin account yet: open this link once to create the first admin (or run: spektrum users add --email E --role admin --password-stdin)", "url", u)
	}
	return nil
}
