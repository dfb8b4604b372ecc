package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"spektrum/internal/edition"
	"spektrum/internal/extract"
	"spektrum/internal/i18n"
	"spektrum/internal/lang"
	"spektrum/internal/pagecache"
	"spektrum/internal/viewpoint"
)

// Config configures the site. Zero values get sensible defaults in New.
type Config struct {
	SiteName   string // default "Spektrum"
	BaseURL    string // public URL, e.g. "http://127.0.0.1:8080"; absolute links in feeds, sitemaps, OpenGraph
	Tagline    string // default: the catalogue's tagline, in each edition's language
	Disclaimer string // default: "<SiteName> publishes articles from … not necessarily those of <SiteName>."
	Language   string // site language, default "en"; the default edition when Editions is empty
	// Editions are the site's edition languages, each served under /{lang}/;
	// the first is the default edition. Default: Language alone.
	Editions []string
	// Untranslated says where an edition puts the articles it cannot show
	// in its language: ranked after its own (default) or apart, in a block
	// "In other languages" (edition.Arrange).
	Untranslated edition.Placement
	// Views, when set, counts article views for Trending (views.go); the
	// caller runs and flushes it. Without it nothing is counted.
	Views *Views
	// Cache, when set, keeps rendered pages, feeds, sitemaps and API
	// answers of the routes that opt in (see doc.go); the caller runs it.
	// Without it every request is rendered.
	Cache *pagecache.Cache
	// Metrics, when set, is served at /metrics (Prometheus text format).
	Metrics  http.Handler
	PageSize int // default 20
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now

	// Mounts adds handlers of other publish-stage parts (the newsletter's
	// sign-up, confirmation and unsubscribe endpoints) to the site's mux,
	// pattern → handler, so they share its security headers and 404s.
	Mounts map[string]http.Handler
	// Images puts article images on pages through the media proxy (same
	// origin, signed URLs); mount the proxy itself with Mounts. Without it
	// pages show no images: the CSP allows none from other origins.
	Images Images
	// NewsletterForm, when set, renders the sign-up form shown at the foot
	// of every page, in the page's language; page is the page's absolute
	// URL, recorded with the consent.
	NewsletterForm func(lang, page string) template.HTML
	// Scale is the outlet's scale of viewpoints the coverage bars show
	// (default viewpoint.DefaultSteps); positions not on it show as
	// unknown.
	Scale viewpoint.Scale
}

// Images is what pages need of the media proxy (internal/media.Proxy).
type Images interface {
	// URL is the same-origin URL of the image at raw, width pixels wide;
	// "" when it cannot be shown.
	URL(raw string, width int) string
	// SrcSet offers the image at every width the proxy makes.
	SrcSet(raw string) string
	// Failed reports an image that recently could not be served: pages
	// leave it out rather than show an empty box.
	Failed(raw string) bool
	// Size is the original's width and height, when known.
	Size(raw string) (w, h int, ok bool)
	// HTML points the images of a stored article body at the proxy.
	HTML(body, sizes string) string
}

// Limits and windows that shape what the site shows.
const (
	sectionBlockSize = 5              // articles per section block on the home page
	maxSectionBlocks = 12             // keeps the home page (and its queries) bounded
	trendingWindow   = 48 * time.Hour // Trending counts views of this long
	trendingSize     = 5              // entries in the Trending box
	relatedSize      = 4              // related articles under an article
	feedSize         = 50             // items per output feed
	newsWindow       = 48 * time.Hour // Google News sitemaps list only the last two days
	newsMax          = 1000           // Google's limit per news sitemap
	sitemapMax       = 50000          // sitemaps.org limit per file
	apiDefaultLimit  = 20
	apiMaxLimit      = 100
	pageMaxAge       = 60 * time.Second     // pages, feeds and API: short, so new articles appear soon
	sharedMaxAge     = 60 * time.Second     // what a CDN may hold (s-maxage); `spektrum cache purge` and the webhook empty it sooner
	staleRevalidate  = 5 * time.Minute      // a CDN may answer with a stale copy while it fetches a fresh one
	sourcesMaxAge    = 10 * time.Second     // the page cache's bound on /api/v1/sources (polling state)
	staticMaxAge     = 365 * 24 * time.Hour // static files have a content hash in their name
	storeChunk       = 200                  // the store's maximum page size, for full walks
)

// server holds the dependencies of every handler; there is no package state.
type server struct {
	st     Store
	cfg    Config
	base   *url.URL
	log    *slog.Logger
	now    func() time.Time
	msg    *i18n.Catalog
	ed     *edition.Editions // what each edition shows
	ads    *extract.AdSanitizer
	pages  map[string]*template.Template
	static *staticFiles

	editions []string         // edition languages, the default first
	matcher  language.Matcher // Accept-Language → edition
}

// New builds the site's handler: pages, feeds, sitemaps, API and static
// files, wrapped in the security headers every response carries. Templates
// are parsed here, once; New fails if they (or the config) are broken.
func New(st Store, cfg Config) (http.Handler, error) {
	s, err := newServer(st, cfg)
	if err != nil {
		return nil, err
	}
	h := securityHeaders(s.withPageURL(s.routes()))
	if cfg.Cache != nil {
		// Hits are answered before the router and the middleware run.
		h = cfg.Cache.Front(h)
	}
	return h, nil
}

// newServer checks cfg, fills its defaults and parses the templates.
func newServer(st Store, cfg Config) (*server, error) {
	if st == nil {
		return nil, errors.New("web: a store is required")
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "Spektrum"
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 20
	}
	if cfg.PageSize > storeChunk {
		cfg.PageSize = storeChunk
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	placement, err := edition.ParsePlacement(string(cfg.Untranslated))
	if err != nil {
		return nil, fmt.Errorf("web: Config.Untranslated: %w", err)
	}
	cfg.Untranslated = placement
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Scale.Steps) == 0 {
		cfg.Scale, _ = viewpoint.ParseScale(viewpoint.DefaultSteps, cfg.Scale.Name)
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("web: Config.BaseURL is required (the public URL, e.g. https://news.example.org), because feeds, sitemaps and OpenGraph need absolute links")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("web: Config.BaseURL %q must be an absolute http(s) URL such as https://news.example.org", cfg.BaseURL)
	}
	cfg.BaseURL = base.String()
	msg, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &server{
		st:   st,
		cfg:  cfg,
		base: base,
		log:  cfg.Logger.With("component", "web"),
		now:  cfg.Now,
		msg:  msg,
		ed:   edition.New(st, msg, cfg.Language),
		ads:  extract.NewAdSanitizer(),
	}
	for _, e := range cfg.Editions {
		if e = lang.Base(e); e != "" && !slices.Contains(s.editions, e) {
			s.editions = append(s.editions, e)
		}
	}
	if len(s.editions) == 0 {
		s.editions = []string{lang.Base(cfg.Language)}
	}
	tags := make([]language.Tag, len(s.editions))
	for i, e := range s.editions {
		if tags[i], err = language.Parse(e); err != nil {
			return nil, fmt.Errorf("web: edition %q is not a language code: %w", e, err)
		}
	}
	s.matcher = language.NewMatcher(tags)
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// cached opts a route into the page cache (see doc.go); without a cache
// it is h itself.
func (s *server) cached(h http.Handler) http.Handler {
	if s.cfg.Cache == nil {
		return h
	}
	return s.cfg.Cache.Route(h)
}

// cachedFor is cached with a shorter life, for answers that change with
// something no write announces (sources' polling state).
func (s *server) cachedFor(h http.Handler, maxAge time.Duration) http.Handler {
	if s.cfg.Cache == nil {
		return h
	}
	return s.cfg.Cache.RouteFor(h, maxAge)
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	// Each edition's pages and feeds under its literal prefix: a wildcard
	// {lang} would collide with /section/{slug} and the date paths.
	feeds := []struct {
		name string
		f    feedFormat
	}{{"feed.xml", fmtRSS}, {"atom.xml", fmtAtom}, {"feed.json", fmtJSON}}
	for _, ed := range s.editions {
		p := prefix(ed)
		mux.Handle("GET "+p+"/{$}", s.cached(s.in(ed, s.handleHome)))
		mux.Handle("GET "+p+"/section/{slug}", s.cached(s.in(ed, s.handleSection)))
		mux.Handle("GET "+p+"/{yyyy}/{mm}/{dd}/{slug}", s.cached(s.in(ed, s.handleArticle)))
		mux.Handle("GET "+p+"/story/{id}", s.cached(s.in(ed, s.handleStory)))
		// Search answers are not kept: any words make a new key, and readers'
		// queries must not push the pages everyone reads out of the cache.
		mux.Handle("GET "+p+"/search", s.in(ed, s.handleSearch))
		for _, f := range feeds {
			mux.Handle("GET "+p+"/"+f.name, s.cached(s.in(ed, s.handleFeed(f.f))))
			mux.Handle("GET "+p+"/section/{slug}/"+f.name, s.cached(s.in(ed, s.handleFeed(f.f))))
		}
	}
	// The root picks an edition by Accept-Language: not cached (the cache
	// keys on path and query only).
	mux.HandleFunc("GET /{$}", s.handleRoot)
	mux.HandleFunc("GET /section/{slug}", s.redirectDefault)
	mux.HandleFunc("GET /{yyyy}/{mm}/{dd}/{slug}", s.redirectDefault)
	mux.HandleFunc("GET /story/{id}", s.redirectDefault)
	for _, f := range feeds {
		mux.Handle("GET /"+f.name, s.cached(s.in(s.editions[0], s.handleFeed(f.f))))
		mux.Handle("GET /section/{slug}/"+f.name, s.cached(s.in(s.editions[0], s.handleFeed(f.f))))
	}
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", s.cfg.Metrics)
	}

	mux.Handle("GET /sitemap.xml", s.cached(http.HandlerFunc(s.handleSitemap)))
	mux.Handle("GET /news-sitemap.xml", s.cached(http.HandlerFunc(s.handleNewsSitemap)))
	mux.Handle("GET /robots.txt", s.cached(http.HandlerFunc(s.handleRobots)))

	mux.Handle("GET /api/v1/articles", s.cached(http.HandlerFunc(s.handleAPIArticles)))
	mux.Handle("GET /api/v1/articles/{id}", s.cached(http.HandlerFunc(s.handleAPIArticle)))
	// A source's polling state changes without a new generation.
	mux.Handle("GET /api/v1/sources", s.cachedFor(http.HandlerFunc(s.handleAPISources), sourcesMaxAge))
	mux.Handle("GET /api/v1/stories", s.cached(http.HandlerFunc(s.handleAPIStories)))
	mux.Handle("GET /api/v1/stories/{id}", s.cached(http.HandlerFunc(s.handleAPIStory)))
	mux.HandleFunc("GET /api/v1/search", s.handleAPISearch) // not cached, like the search page

	mux.HandleFunc("GET /static/{name}", s.handleStatic)
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
	mux.HandleFunc("GET /manifest.webmanifest", s.handleManifest)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	for pattern, h := range s.cfg.Mounts {
		mux.Handle(pattern, h)
	}

	// Everything else lands here, including other methods on known paths: the
	// site is read-only, so those get 405, and unknown paths the 404 page.
	mux.HandleFunc("/", s.handleFallback)
	return mux
}

func (s *server) handleFallback(w http.ResponseWriter, r *http.Request) {
	api := strings.HasPrefix(r.URL.Path, "/api/")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		if api {
			s.apiError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed; the API is read-only, use GET", r.Method))
			return
		}
		http.Error(w, "405 method not allowed: this site is read-only, use GET", http.StatusMethodNotAllowed)
		return
	}
	if api {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no API endpoint at %s; available: /api/v1/articles, /api/v1/articles/{id}, /api/v1/sources", r.URL.Path))
		return
	}
	// A missing page under an edition gets that edition's 404 page.
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if s.isEdition(first) {
		r = r.WithContext(context.WithValue(r.Context(), editionKey{}, first))
	}
	s.notFound(w, r)
}

func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.st.CountArticles(r.Context()); err != nil {
		s.log.ErrorContext(r.Context(), "health check: store round trip failed", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}

// absURL makes a site path absolute under BaseURL (which may have a path prefix).
func (s *server) absURL(path string) string {
	return s.cfg.BaseURL + path
}

func sectionPath(slug string) string { return "/section/" + url.PathEscape(slug) }

// withPageURL records the absolute URL of each request for templates that
// need it (the newsletter form stores the page a consent was given on).
func (s *server) withPageURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), pageURLKey{}, s.cfg.BaseURL+r.URL.Path)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
