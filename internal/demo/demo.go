// Package demo serves a set of realistic local news sites over loopback HTTP.
//
// It exists so that the end-to-end tests of the whole pipeline (add sources →
// fetch → extract → serve) and the `spektrum demo` command have something real
// to chew on without a network: six working sites, one per kind of source the
// pipeline must understand (RSS 2.0, Atom, JSON Feed, RSS 1.0 in windows-1252,
// a Google News sitemap, and a home page whose feed must be discovered), three
// broken sites, and a set of hostile endpoints under /bad/.
//
// The article pages of the English sites are real news pages from the
// ScrapingHub/Zyte article-extraction benchmark (MIT licensed, see
// sites/README.md); the German, French, Polish, Spanish and Italian pages are
// hand-written. Every Article carries its true text, so tests can measure the
// extractor against ground truth.
//
// Everything is embedded; feeds and sitemaps are generated per request with
// absolute URLs built from the request's Host, so the sites work on any port.
package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

// content holds the site manifests, the article pages and their true texts.
// It is written only by the compiler.
//
//go:embed sites
var content embed.FS

// Site is one demo news site as an editor would add it.
type Site struct {
	Name string // e.g. "harbor-gazette"
	Home string // absolute URL of the site's home page
	// SourceURL is what an editor adds as a source: the feed or sitemap URL,
	// or the home page for the discovery site.
	SourceURL string
	// FeedURL is the feed or sitemap itself; it differs from SourceURL only
	// for the discovery site, where the pipeline is expected to find it.
	FeedURL string
	// Format is one of "rss2", "atom", "jsonfeed", "rdf", "newssitemap",
	// "discover" (an RSS 2.0 feed linked from the home page) or, for broken
	// sites, "not-a-feed", "http-500", "truncated".
	Format  string
	Title   string
	Section string
	// Lang is the site's declared language; empty for the multilingual
	// discovery site, whose articles each carry their own Lang.
	Lang string
	// Encoding is the charset the site serves ("utf-8" or "windows-1252").
	Encoding string
	Broken   bool
	// WantError is, for broken sites, a lowercase substring the pipeline's
	// error for this source should contain.
	WantError string
	Articles  []Article
	// Viewpoint is how the demo describes the site (zero: not described).
	Viewpoint Viewpoint
}

// Article is one article of a demo site together with its ground truth.
type Article struct {
	URL   string
	Title string
	// Text is the true article text, paragraphs separated by blank lines.
	Text      string
	Author    string
	Published time.Time
	GUID      string
	Lang      string
	// Origin is where a benchmark page was originally published; empty for
	// hand-written pages.
	Origin string
}

// manifest is the per-site description embedded as sites/<name>/manifest.json.
type manifest struct {
	Name        string            `json:"name"`
	Title       string            `json:"title"`
	Lang        string            `json:"lang"`
	Section     string            `json:"section"`
	Format      string            `json:"format"`
	Feed        string            `json:"feed"` // path of the feed below the site root
	Encoding    string            `json:"encoding"`
	Description string            `json:"description"`
	Articles    []manifestArticle `json:"articles"`
}

type manifestArticle struct {
	File      string `json:"file"` // page; ".gz" means stored gzipped and served as is
	Text      string `json:"text"` // ground truth file
	Path      string `json:"path"` // URL path below the site root
	Title     string `json:"title"`
	Author    string `json:"author"`
	Published string `json:"published"` // RFC 3339
	GUID      string `json:"guid"`
	Lang      string `json:"lang"`
	Summary   string `json:"summary"`
	Origin    string `json:"origin"`
}

// site is a loaded manifest with its pages in memory.
type site struct {
	m        manifest
	articles []*article
	broken   *brokenSite // nil for the good sites
}

type article struct {
	ma        manifestArticle
	page      []byte // gzipped if gz
	gz        bool
	text      string
	published time.Time
}

// brokenSite describes one of the deliberately broken sites; they need no
// manifest because they have no articles.
type brokenSite struct {
	name, title, format, feed, wantError string
}

// brokenSites lists them in the order of the brief: not a feed, a 500,
// truncated XML.
func brokenSites() []brokenSite {
	return []brokenSite{
		{"static-brochure", "Static Brochure Media", "not-a-feed", "feed", "feed"},
		{"overloaded-daily", "Overloaded Daily", "http-500", "rss.xml", "500"},
		{"truncated-times", "Truncated Times", "truncated", "feed.xml", "malformed"},
	}
}

// goodSites fixes the order of Sites so tests and the demo command list them
// the same way every time.
func goodSites() []string {
	return []string{"harbor-gazette", "prairie-courier", "circuit-review", "rheinblick", "lakeside-sentinel", "eurovoix"}
}

// loadSites reads every manifest and page from the embedded tree. It cannot
// fail at run time unless the embedded data is inconsistent, which the tests
// catch.
func loadSites() ([]*site, error) {
	var out []*site
	for _, name := range goodSites() {
		raw, err := content.ReadFile(path.Join("sites", name, "manifest.json"))
		if err != nil {
			return nil, err
		}
		s := &site{}
		if err := json.Unmarshal(raw, &s.m); err != nil {
			return nil, fmt.Errorf("demo: manifest of %s: %w", name, err)
		}
		if s.m.Encoding == "" {
			s.m.Encoding = "utf-8"
		}
		for _, ma := range s.m.Articles {
			a := &article{ma: ma, gz: strings.HasSuffix(ma.File, ".gz")}
			if a.page, err = content.ReadFile(path.Join("sites", name, ma.File)); err != nil {
				return nil, err
			}
			txt, err := content.ReadFile(path.Join("sites", name, ma.Text))
			if err != nil {
				return nil, err
			}
			a.text = strings.TrimSpace(string(txt))
			if a.published, err = time.Parse(time.RFC3339, ma.Published); err != nil {
				return nil, fmt.Errorf("demo: %s/%s: %w", name, ma.File, err)
			}
			s.articles = append(s.articles, a)
		}
		// Feeds list the newest first, as real ones do.
		sort.SliceStable(s.articles, func(i, j int) bool { return s.articles[i].published.After(s.articles[j].published) })
		out = append(out, s)
	}
	for _, b := range brokenSites() {
		out = append(out, &site{m: manifest{Name: b.name, Title: b.title, Lang: "en", Section: "news", Format: b.format, Feed: b.feed, Encoding: "utf-8"}, broken: &b})
	}
	return out, nil
}

// Sites describes every demo site as served under baseURL (scheme and host,
// e.g. "http://127.0.0.1:8080", no trailing slash).
func Sites(baseURL string) []Site {
	sites, err := loadSites()
	if err != nil {
		// The embedded data is fixed at compile time; a failure here is a
		// programming error that the package tests catch.
		panic(err)
	}
	return describe(sites, strings.TrimSuffix(baseURL, "/"))
}

func describe(sites []*site, base string) []Site {
	var out []Site
	for _, s := range sites {
		root := base + "/site/" + s.m.Name + "/"
		d := Site{
			Name: s.m.Name, Home: root, FeedURL: root + s.m.Feed, SourceURL: root + s.m.Feed,
			Format: s.m.Format, Title: s.m.Title, Section: s.m.Section, Lang: s.m.Lang, Encoding: s.m.Encoding,
		}
		if s.m.Format == "discover" {
			d.SourceURL = root
		}
		d.Viewpoint = viewpoints()[s.m.Name]
		if s.broken != nil {
			d.Broken, d.WantError = true, s.broken.wantError
		}
		for _, a := range s.articles {
			lang := a.ma.Lang
			if lang == "" {
				lang = s.m.Lang
			}
			d.Articles = append(d.Articles, Article{
				URL: root + a.ma.Path, Title: a.ma.Title, Text: a.text, Author: a.ma.Author,
				Published: a.published, GUID: a.ma.GUID, Lang: lang, Origin: a.ma.Origin,
			})
		}
		out = append(out, d)
	}
	return out
}

// Handler serves every demo site under /site/<name>/, the hostile endpoints
// under /bad/ and /robots.txt, from the root of whatever server mounts it.
// If baseURL is not empty it is used for the absolute URLs in feeds and pages
// (useful behind a proxy); otherwise they are built from each request's Host.
func Handler(baseURL string) http.Handler {
	h, err := newHandler(strings.TrimSuffix(baseURL, "/"), nil)
	if err != nil {
		panic(err) // see Sites
	}
	return h
}

// redate dates every article of sites anew from now, newest first, keeping
// their order (ties by site order), and re-sorts each site's feed.
func redate(sites []*site, now time.Time) {
	var all []*article
	for _, s := range sites {
		all = append(all, s.articles...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].published.After(all[j].published) })
	for i, a := range all {
		a.published = now.Add(-time.Hour - time.Duration(i)*90*time.Minute).UTC().Truncate(time.Minute)
	}
	for _, s := range sites {
		sort.SliceStable(s.articles, func(i, j int) bool { return s.articles[i].published.After(s.articles[j].published) })
	}
}

// Server is a running demo server on the loopback interface.
type Server struct {
	URL   string // e.g. "http://127.0.0.1:41234"
	Sites []Site

	h    *handler
	srv  *http.Server
	done chan struct{}
	exit chan struct{}
}

// Start serves the demo sites on 127.0.0.1 at a free port, each article
// dated as its page was published.
func Start() (*Server, error) { return start(time.Time{}) }

// StartFresh is Start with the articles re-dated as if just published: in
// their order, the newest an hour before now and each next one 90 minutes
// older, so the `spektrum demo` site looks like a day's news (its news
// sitemap, which lists only the last two days, included).
func StartFresh(now time.Time) (*Server, error) { return start(now) }

func start(now time.Time) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen: %w", err)
	}
	done := make(chan struct{})
	h, err := newHandler("", done)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if !now.IsZero() {
		redate(h.sites, now)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		h:    h,
		done: done,
		exit: make(chan struct{}),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
	}
	s.Sites = describe(h.sites, s.URL)
	go func() {
		defer close(s.exit)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			// Serve only fails here if the listener breaks; there is no
			// caller to report to, and Close still works.
			_ = err
		}
	}()
	return s, nil
}

// Close stops the server. Slow endpoints (/bad/hang, /bad/trickle, /bad/huge)
// are told to stop first so Close does not wait for them.
func (s *Server) Close() {
	close(s.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	<-s.exit
}

// gunzip is used for clients that do not accept gzip.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
