package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"spektrum/internal/store"
)

type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	NewsNS  string       `xml:"xmlns:news,attr,omitempty"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod,omitempty"`
	News    *sitemapNews `xml:"news:news"`
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
	set := urlSet{NS: sitemapNS, URLs: []sitemapURL{{Loc: s.absURL("/")}}}
	for _, sec := range secs {
		set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(sectionPath(sec.Slug))})
	}
	err = s.walkArticles(ctx, store.ArticleQuery{}, func(a *store.Article) bool {
		if len(set.URLs) >= sitemapMax {
			return false // the protocol's limit per file; the newest articles are listed
		}
		mod := pubTime(a)
		if a.UpdatedAt.After(mod) {
			mod = a.UpdatedAt.UTC()
		}
		set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(articlePath(a)), LastMod: mod.Format(time.RFC3339)})
		return true
	})
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
	err := s.walkArticles(ctx, store.ArticleQuery{Since: since}, func(a *store.Article) bool {
		if len(set.URLs) >= newsMax {
			return false
		}
		t := pubTime(a)
		if t.Before(since) {
			return false // newest first by this same date, so the rest are older still
		}
		lang := baseLang(a.Language)
		if lang == "" {
			lang = baseLang(s.cfg.Language)
		}
		set.URLs = append(set.URLs, sitemapURL{Loc: s.absURL(articlePath(a)), News: &sitemapNews{
			Publication: newsPublication{Name: s.cfg.SiteName, Language: lang},
			Date:        t.Format(time.RFC3339),
			Title:       a.Title,
		}})
		return true
	})
	if err != nil {
		s.serverError(w, r, "news sitemap: articles", err)
		return
	}
	s.sendXML(w, r, set)
}

func (s *server) sendXML(w http.ResponseWriter, r *http.Request, v any) {
	body, err := marshalXML(v)
	if err != nil {
		s.serverError(w, r, "sitemap: encode", err)
		return
	}
	send(w, r, http.StatusOK, "application/xml; charset=utf-8", body, publicFor(pageMaxAge))
}

func (s *server) handleRobots(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("User-agent: *\nAllow: /\nDisallow: /api/\n\n")
	fmt.Fprintf(&b, "Sitemap: %s\nSitemap: %s\n", s.absURL("/sitemap.xml"), s.absURL("/news-sitemap.xml"))
	send(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()), publicFor(time.Hour))
}
