package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"spektrum/internal/settings"
	"spektrum/internal/store"
)

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	NewsNS  string       `xml:"xmlns:news,attr,omitempty"`
	XhtmlNS string       `xml:"xmlns:xhtml,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod,omitempty"`
	Alt     []xhtmlLink  `xml:"xhtml:link"`
	News    *sitemapNews `xml:"news:news"`
}

// xhtmlLink is a hreflang alternate of a sitemap entry.
type xhtmlLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

type sitemapNews struct {
	Publication newsPublication `xml:"news:publication"`
	Date        string          `xml:"news:publication_date"`
	Title       string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// walkArticles calls fn for visible articles, newest first, page by page,
// until fn returns false or the articles run out.
func (s *server) walkArticles(ctx context.Context, q store.ArticleQuery, fn func(*store.Article) bool) error {
	q.Limit = storeChunk
	for {
		page, err := s.st.Articles(ctx, q)
		if err != nil {
			return fmt.Errorf("list articles: %w", err)
		}
		for i := range page.Articles {
			if !fn(&page.Articles[i]) {
				return nil
			}
		}
		if page.NextCursor == "" || len(page.Articles) == 0 {
			return nil
		}
		q.Cursor = page.NextCursor
	}
}

func (s *server) handleSitemap(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	secs, err := s.st.Sections(ctx)
	if err != nil {
		s.serverError(w, r, "sitemap: sections", err)
		return
	}
	set := urlSet{NS: sitemapNS, URLs: []sitemapURL{}}
	if len(s.editions) > 1 {
		set.XhtmlNS = "http://www.w3.org/1999/xhtml"
	}
	// Every page once per edition, each naming its siblings in the others.
	add := func(path, lastMod string) {
		var alt []xhtmlLink
		if len(s.editions) > 1 {
			for _, a := range s.alternates(path) {
				alt = append(alt, xhtmlLink{Rel: "alternate", Hreflang: a.Lang, Href: a.Href})
			}
		}
		for _, e := range s.editions {
			set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(prefix(e) + path), LastMod: lastMod, Alt: alt})
		}
	}
	add("/", "")
	for _, sec := range secs {
		add(sectionPath(sec.Slug), "")
	}
	// Articles are listed in the editions that carry them in their
	// language, naming each other (the same rule as the pages' hreflang).
	var batch []store.Article
	full := false
	flush := func() error {
		done := map[int64]map[string]bool{}
		if len(s.editions) > 1 {
			var err error
			if done, err = s.ed.TranslatedIn(ctx, s.editions, batch); err != nil {
				return err
			}
		}
		for i := range batch {
			a := &batch[i]
			if len(set.URLs)+len(s.editions) > sitemapMax {
				full = true // the protocol's limit per file; the newest articles are listed
				return nil
			}
			mod := a.Date()
			if a.UpdatedAt.After(mod) {
				mod = a.UpdatedAt.UTC()
			}
			eds, def := s.carriers(a, done[a.ID])
			path := a.Path()
			var alt []xhtmlLink
			if len(eds) > 1 {
				for _, e := range eds {
					alt = append(alt, xhtmlLink{Rel: "alternate", Hreflang: e, Href: s.absURL(prefix(e) + path)})
				}
				alt = append(alt, xhtmlLink{Rel: "alternate", Hreflang: "x-default", Href: s.absURL(prefix(def) + path)})
			}
			for _, e := range eds {
				set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(prefix(e) + path), LastMod: mod.Format(time.RFC3339), Alt: alt})
			}
		}
		batch = batch[:0]
		return nil
	}
	var ferr error
	err = s.walkArticles(ctx, store.ArticleQuery{}, func(a *store.Article) bool {
		batch = append(batch, *a)
		if len(batch) == storeChunk {
			ferr = flush()
		}
		return ferr == nil && !full
	})
	if err == nil && ferr == nil && !full {
		ferr = flush()
	}
	if err == nil {
		err = ferr
	}
	if err != nil {
		s.serverError(w, r, "sitemap: articles", err)
		return
	}
	s.sendXML(w, r, set)
}

func (s *server) handleNewsSitemap(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	since := s.now().Add(-newsWindow)
	set := urlSet{NS: sitemapNS, NewsNS: "http://www.google.com/schemas/sitemap-news/0.9", URLs: []sitemapURL{}}
	var recent []store.Article
	err := s.walkArticles(ctx, store.ArticleQuery{Since: since}, func(a *store.Article) bool {
		if len(recent) >= newsMax || a.Date().Before(since) {
			return false // newest first by this same date, so the rest are older still
		}
		recent = append(recent, *a)
		return true
	})
	if err != nil {
		s.serverError(w, r, "news sitemap: articles", err)
		return
	}
	kv, err := s.st.Settings(ctx)
	if err != nil {
		s.serverError(w, r, "news sitemap: settings", err)
		return
	}
	site := settings.Decode(kv)
	// An article is news in the editions that carry it in their language:
	// its own, and those it has been translated into.
	for _, ed := range s.editions {
		name := s.siteText(site, ed).Name
		ls, err := s.ed.List(ctx, ed, recent)
		if err != nil {
			s.serverError(w, r, "news sitemap: translations", err)
			return
		}
		for i := range ls {
			if ls[i].Shown != ed || len(set.URLs) >= newsMax {
				continue
			}
			a := &ls[i].Article
			set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(prefix(ed) + a.Path()), News: &sitemapNews{
				Publication: newsPublication{Name: name, Language: ed},
				Date:        a.Date().Format(time.RFC3339),
				Title:       a.Title,
			}})
		}
	}
	s.sendXML(w, r, set)
}

func (s *server) sendXML(w http.ResponseWriter, r *http.Request, v any) {
	body, err := marshalXML(v)
	if err != nil {
		s.serverError(w, r, "sitemap: encode", err)
		return
	}
	send(w, r, http.StatusOK, "application/xml; charset=utf-8", body, pageCacheControl())
}

func (s *server) handleRobots(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("User-agent: *\nAllow: /\nDisallow: /api/\n\n")
	fmt.Fprintf(&b, "Sitemap: %s\nSitemap: %s\n", s.absURL("/sitemap.xml"), s.absURL("/news-sitemap.xml"))
	send(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()), publicFor(time.Hour))
}
