package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"spektrum/internal/edition"
	langname "spektrum/internal/lang"
	"spektrum/internal/pagecache"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// pageData is what every page template gets; Main holds the page's own part.
type pageData struct {
	Lang        string
	SiteName    string
	Tagline     string
	Title       string // <title>; the site name is appended by the layout
	Description string
	NoIndex     bool   // ask search engines not to index the page (the newsletter's, search results)
	Canonical   string // absolute
	Feeds       []feedLink
	Nav         []store.Section
	Current     string // slug of the section being shown, for aria-current
	OG          *openGraph
	JSONLD      template.JS
	Script      bool // load the small copy-link script
	Disclaimer  string
	// DisclaimerShown: the page's own part shows the disclaimer (under an
	// article), so the footer leaves it out; once per page is enough.
	DisclaimerShown bool
	Newsletter      template.HTML // the sign-up form, if the outlet has a newsletter
	Main            any
	Query           string // the search box's words, on the search page
	// SearchPage: the page is search results with its own search form
	// (which keeps the sort order), so the masthead's box stays out.
	SearchPage bool

	// Social are the outlet's "connect with us" links (settings).
	Social []socialLink
	// Ads are the ad slots shown on the page, by placement (placeAds).
	Ads map[string][]adView
	// site is what an admin set; scriptSources the origins the page's
	// CSP must allow for the ads it shows (render).
	site          settings.Site
	scriptSources []string

	Home       string        // the edition's front page, "/de/"
	Prefix     string        // the edition's path prefix, "/de"
	Alternates []alternate   // hreflang links to this page in every edition
	Editions   []editionLink // the edition switcher (empty with one edition)
}

type feedLink struct{ Title, Type, Href string }

type socialLink struct{ Name, URL string }

// adView is one ad as the "ads" template draws it.
type adView struct {
	ID        int64
	Placement string
	Label     string // "Advertisement" in the edition's language
	HTML      template.HTML
}

type openGraph struct {
	Type, Title, Description, Image, URL, SiteName string
	Published, Modified, Section                   string
}

// card is an article as shown in a list.
type card struct {
	Title, URL, Summary string
	// Image is the card's picture through the media proxy ("" for none),
	// ImageSet its srcset.
	Image, ImageSet string
	// ImageSized: the proxy has served the picture, so its box may be laid
	// out before it loads. Until then the picture gets no box of its own
	// (no width and height), so one that cannot be fetched collapses to
	// nothing instead of leaving an empty frame: pages are cached and
	// must read well whichever way the picture turns out.
	ImageSized              bool
	SectionName, SectionURL string
	SourceName              string
	Published               time.Time
	// Lang is the language the title is in when it differs from the
	// edition's (shown untranslated), for a lang attribute; "" otherwise.
	// LangName names it in the edition's language, for the mark that says
	// so to readers.
	Lang, LangName string
}

type pager struct{ Older, Newest string }

// row and pagerRow carry the language into partial templates.
type row struct {
	Lang string
	C    any
}

type pagerRow struct {
	Lang string
	P    pager
}

type homeMain struct {
	// TopStories lead the first page: the stories most sources covered
	// lately (story.Rank), each linking to its story page.
	TopStories []storyCard
	Lead       *card
	Latest     []card
	Blocks     []sectionBlock
	Trending   []card
	// Others are the untranslated articles kept apart ("In other languages").
	Others []card
	// TrendingTitle is the catalogue key of the Trending box's heading,
	// which says what it lists: the most read, the most covered or the
	// newest stories (see trending).
	TrendingTitle string
	Pager         pager
}

type sectionBlock struct {
	Name, URL string
	Cards     []card
}

type sectionMain struct {
	Section store.Section
	Cards   []card
	Others  []card // untranslated, kept apart
	Pager   pager
	Count   string // "1.234 Artikel"
}

type articleMain struct {
	card
	Author    string
	Updated   time.Time
	Original  string
	LeadImage string
	// LeadSet is LeadImage's srcset; LeadW and LeadH its size when the
	// proxy knows it (0 otherwise: the stylesheet reserves a 16:9 box).
	LeadSet      string
	LeadW, LeadH int
	Body         template.HTML
	Share        []shareLink
	Permalink    string
	Related      []card
	// AlsoBy are the other sources that published this text (near-
	// duplicate copies, oldest first), each linking to its original.
	AlsoBy []alsoBy
	// Coverage is the spread of the original's and its copies' sources
	// (nil without copies).
	Coverage *Coverage
	// Story links to the article's story when several sources covered it.
	Story *storyLink

	// Machine translation: From is the original's language ("" when not
	// translated), OriginalPage the article in that language's edition
	// ("" when that is no edition of this site), Provider who translated.
	From, FromLang, OriginalPage, Provider string
	// Note says why the article is shown in its own language.
	Note string
}

type alsoBy struct{ Name, URL string }

type errorMain struct {
	Heading, Text string
	Latest        []card
}

func (s *server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"T":       s.msg.T,
		"date":    s.msg.Date,
		"iso":     func(t time.Time) string { return t.Format(time.RFC3339) },
		"asset":   s.static.url,
		"rowOf":   func(lang string, c any) row { return row{Lang: lang, C: c} },
		"pagerOf": func(lang string, p pager) pagerRow { return pagerRow{Lang: lang, P: p} },
	}
	pages, err := fs.Glob(templateFS, "templates/page_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/page_"), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts*.html", p)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", p, err)
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page into memory first, so a template error becomes a
// clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	if len(d.scriptSources) > 0 {
		// Only a page that shows an ad with a script or frame from an
		// origin an admin allowed lets that origin in.
		w.Header().Set("Content-Security-Policy", cspWith(d.scriptSources))
	}
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "500 internal error: the page could not be rendered; please try again later", http.StatusInternalServerError)
		return
	}
	send(w, r, status, "text/html; charset=utf-8", buf.Bytes(), pageCacheControl())
}

// serverError logs err once and answers with a plain 500.
func (s *server) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.logFailure(r, what, err)
	http.Error(w, "500 internal error: "+what+" failed; please try again later", http.StatusInternalServerError)
}

// logFailure logs a request's failure as an error, unless the reader had
// gone: then the queries were cancelled on their behalf and nothing
// failed on our side (a load test ending, a reader closing the tab).
func (s *server) logFailure(r *http.Request, what string, err error) {
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		s.log.DebugContext(r.Context(), what+": the reader left", "path", r.URL.Path, "err", err)
		return
	}
	s.log.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
}

// basePage fills what every page shares: the edition's language,
// navigation with section names in it, feeds, hreflang alternates. names
// maps section slugs to their names in the edition.
func (s *server) basePage(ctx context.Context, title string) (*pageData, map[string]string, error) {
	lang := s.edition(ctx)
	secs, err := s.st.Sections(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load sections: %w", err)
	}
	names := make(map[string]string, len(secs))
	nav := make([]store.Section, 0, len(secs))
	for _, sec := range secs {
		sec.Name = s.ed.SectionName(lang, sec)
		names[sec.Slug] = sec.Name
		// Empty sections stay reachable by URL but would be dead ends in
		// the menu; one the editor keeps off the menu keeps its page.
		if sec.ArticleCount > 0 && !sec.OffMenu {
			nav = append(nav, sec)
		}
	}
	kv, err := s.st.Settings(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load settings: %w", err)
	}
	site := settings.Decode(kv)
	txt := s.siteText(site, lang)
	page, _ := ctx.Value(pageURLKey{}).(string)
	path := s.stripEdition(strings.TrimPrefix(page, s.cfg.BaseURL))
	var alts []alternate
	if len(s.editions) > 1 {
		alts = s.alternates(path)
	}
	social := make([]socialLink, len(site.Social))
	for i, l := range site.Social {
		social[i] = socialLink{Name: settings.NetworkName(l.Network), URL: l.URL}
	}
	return &pageData{
		Lang:        lang,
		SiteName:    txt.Name,
		Tagline:     txt.Tagline,
		Title:       title,
		Description: txt.Tagline,
		Nav:         nav,
		Disclaimer:  txt.Disclaimer,
		Social:      social,
		site:        site,
		Feeds:       s.feedLinks(txt.Name, lang, "", ""),
		Newsletter:  s.newsletterForm(ctx),
		Home:        prefix(lang) + "/",
		Prefix:      prefix(lang),
		Alternates:  alts,
		Editions:    s.editionLinks(lang, path),
	}, names, nil
}

// siteText is what edition lang says about the outlet: what an admin set
// for it or for every edition, else the flags' values, else the
// catalogue's.
func (s *server) siteText(site settings.Site, lang string) settings.Text {
	t := site.For(lang, settings.Text{Name: s.cfg.SiteName, Tagline: s.cfg.Tagline, Disclaimer: s.cfg.Disclaimer})
	if t.Tagline == "" {
		t.Tagline = s.msg.T(lang, "tagline.default")
	}
	if t.Disclaimer == "" {
		t.Disclaimer = s.msg.T(lang, "disclaimer.default", t.Name)
	}
	return t
}

// textFor is siteText with the settings read from the store, for answers
// that do not go through basePage (feeds, the manifest, sitemaps).
func (s *server) textFor(ctx context.Context, lang string) (settings.Text, error) {
	kv, err := s.st.Settings(ctx)
	if err != nil {
		return settings.Text{}, fmt.Errorf("load settings: %w", err)
	}
	return s.siteText(settings.Decode(kv), lang), nil
}

// placeAds puts the enabled ad slots of placements in d's edition on the
// page, and notes the origins its CSP must allow when one of them runs a
// script or frame from an allowed origin.
func (s *server) placeAds(ctx context.Context, d *pageData, placements ...string) error {
	slots, err := s.st.AdSlots(ctx)
	if err != nil {
		return fmt.Errorf("load ad slots: %w", err)
	}
	label := s.msg.T(d.Lang, "advertisement")
	for _, p := range placements {
		for _, a := range settings.ForPage(slots, d.Lang, p) {
			var img settings.Images
			if s.cfg.Images != nil {
				img = s.cfg.Images
			}
			body := settings.Render(a, d.site.ScriptOrigins, s.ads, img)
			if body == "" {
				continue
			}
			if d.Ads == nil {
				d.Ads = map[string][]adView{}
			}
			d.Ads[p] = append(d.Ads[p], adView{ID: a.ID, Placement: p, Label: label, HTML: body})
			if strings.Contains(string(body), "<script") || strings.Contains(string(body), "<iframe") {
				d.scriptSources = d.site.ScriptOrigins
			}
		}
	}
	return nil
}

// feedLinks are the <link rel=alternate> targets of an edition ("" slug) or a section.
func (s *server) feedLinks(siteName, lang, slug, name string) []feedLink {
	prefix, title := prefix(lang), siteName
	if slug != "" {
		prefix += sectionPath(slug)
		title = s.msg.T(lang, "feed.title.section", name, siteName)
	}
	return []feedLink{
		{title + " (RSS)", "application/rss+xml", prefix + "/feed.xml"},
		{title + " (Atom)", "application/atom+xml", prefix + "/atom.xml"},
		{title + " (JSON Feed)", "application/feed+json", prefix + "/feed.json"},
	}
}

func (s *server) card(lang string, l *edition.Article, names map[string]string) card {
	a := &l.Article
	c := card{
		Title:      a.Title,
		URL:        prefix(lang) + a.Path(),
		Summary:    summary(a, 240),
		SourceName: a.SourceName,
		Published:  a.Date(),
	}
	if l.Shown != lang {
		c.Lang, c.LangName = l.Shown, langname.Name(l.Shown, lang)
	}
	c.Image, c.ImageSet = s.picture(a.Image, cardWidth)
	if c.Image != "" {
		_, _, c.ImageSized = s.cfg.Images.Size(a.Image)
	}
	if a.Section != "" {
		c.SectionName = names[a.Section]
		if c.SectionName == "" {
			c.SectionName = a.Section
		}
		c.SectionURL = prefix(lang) + sectionPath(a.Section)
	}
	return c
}

// Image widths: the src of card pictures (srcset offers the others), and
// of the picture shared on social sites (OpenGraph, JSON-LD).
const (
	cardWidth  = 640
	shareWidth = 1280
	// bodySizes tells the browser how wide images in an article's text are
	// shown (the text column is 42rem), so it picks from srcset before
	// layout.
	bodySizes = "(max-width: 44rem) 100vw, 42rem"
)

// picture is the proxied src and srcset of the image at raw, or nothing
// when there is no proxy, no image, or the image recently failed.
func (s *server) picture(raw string, width int) (src, set string) {
	im := s.cfg.Images
	if im == nil || raw == "" || im.Failed(raw) {
		return "", ""
	}
	if src = im.URL(raw, width); src == "" {
		return "", ""
	}
	return src, im.SrcSet(raw)
}

// shareImage is the absolute URL of the picture social sites show.
func (s *server) shareImage(raw string) string {
	if src, _ := s.picture(raw, shareWidth); src != "" {
		return s.absURL(src)
	}
	return ""
}

// arranged puts as into edition lang in the order the edition shows them
// (edition.Arrange): its own language first; the untranslated after them,
// or apart in other when the site keeps them apart. It makes cards, so it
// reads translations without what cards do not show (edition.Cards), as
// the listings behind it read the articles (ArticleQuery.Cards).
func (s *server) arranged(ctx context.Context, lang string, as []store.Article, names map[string]string) (shown, other []card, err error) {
	ls, err := s.ed.Cards(ctx, lang, as)
	if err != nil {
		return nil, nil, err
	}
	own, rest := edition.Arrange(lang, ls, s.cfg.Untranslated)
	for i := range own {
		shown = append(shown, s.card(lang, &own[i], names))
	}
	for i := range rest {
		other = append(other, s.card(lang, &rest[i], names))
	}
	return shown, other, nil
}

// ranked is arranged for the short lists (section blocks, Trending,
// related, headlines on error pages), which have no room for a block
// apart: there the untranslated always follow the edition's own.
func (s *server) ranked(ctx context.Context, lang string, as []store.Article, names map[string]string) ([]card, error) {
	ls, err := s.ed.Cards(ctx, lang, as)
	if err != nil {
		return nil, err
	}
	own, _ := edition.Arrange(lang, ls, edition.After)
	out := make([]card, 0, len(own))
	for i := range own {
		out = append(out, s.card(lang, &own[i], names))
	}
	return out, nil
}

// summary is the article's lead, or the start of its text cut at a word.
func summary(a *store.Article, max int) string {
	t := strings.TrimSpace(a.Summary)
	if t == "" {
		t = strings.Join(strings.Fields(a.Text), " ")
	}
	if utf8.RuneCountInString(t) <= max {
		return t
	}
	r := []rune(t)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

func pagerFor(path, cursor, next string) pager {
	var p pager
	if next != "" {
		p.Older = path + "?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		p.Newest = path
	}
	return p
}

func (s *server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cursor := r.URL.Query().Get("cursor")
	d, names, err := s.basePage(ctx, "")
	if err != nil {
		s.serverError(w, r, "home page", err)
		return
	}
	lang := d.Lang
	page, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Limit: s.cfg.PageSize, Cursor: cursor, OriginalsOnly: true, Cards: true})
	if err != nil {
		if errors.Is(err, store.ErrBadCursor) {
			s.badRequest(w, r)
			return
		}
		s.serverError(w, r, "home page: latest articles", err)
		return
	}
	if cursor == "" {
		// Articles an editor pinned lead the first page.
		pinned, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Limit: maxPinned, PinnedOnly: true, Cards: true})
		if err != nil {
			s.serverError(w, r, "home page: pinned articles", err)
			return
		}
		page.Articles = pinnedFirst(pinned.Articles, page.Articles)
	}
	latest, others, err := s.arranged(ctx, lang, page.Articles, names)
	if err != nil {
		s.serverError(w, r, "home page: latest articles", err)
		return
	}
	m := &homeMain{Latest: latest, Others: others, Pager: pagerFor(d.Home, cursor, page.NextCursor)}
	d.Canonical = s.absURL(d.Home)
	if cursor == "" {
		// The first page leads with the newest story and adds the section
		// blocks and Trending; older pages are plain lists.
		if len(m.Latest) > 0 {
			m.Lead, m.Latest = &m.Latest[0], m.Latest[1:]
		}
		if m.TopStories, err = s.topStories(ctx, lang); err != nil {
			s.serverError(w, r, "home page: top stories", err)
			return
		}
		for _, sec := range d.Nav {
			if len(m.Blocks) == maxSectionBlocks {
				break
			}
			if sec.ArticleCount == 0 {
				continue
			}
			sp, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Section: sec.Slug, Limit: sectionBlockSize, OriginalsOnly: true, Cards: true})
			if err != nil {
				s.serverError(w, r, "home page: section "+sec.Slug, err)
				return
			}
			cs, err := s.ranked(ctx, lang, sp.Articles, names)
			if err != nil {
				s.serverError(w, r, "home page: section "+sec.Slug, err)
				return
			}
			if len(cs) > 0 {
				m.Blocks = append(m.Blocks, sectionBlock{Name: sec.Name, URL: d.Prefix + sectionPath(sec.Slug), Cards: cs})
			}
		}
		if m.Trending, m.TrendingTitle, err = s.trending(ctx, lang, names); err != nil {
			s.serverError(w, r, "home page: trending", err)
			return
		}
	} else {
		d.Title = s.msg.T(d.Lang, "older")
		d.Canonical = s.absURL(d.Home + "?" + url.Values{"cursor": {cursor}}.Encode())
	}
	d.Main = m
	if err := s.placeAds(ctx, d, settings.PlaceFrontTop, settings.PlaceSidebar, settings.PlaceFrontMiddle); err != nil {
		s.serverError(w, r, "home page: ads", err)
		return
	}
	s.render(w, r, http.StatusOK, "home", d)
}

// trending fills the front page's Trending box so it is never blank: the
// most read stories of the last two days; before readers have been
// counted (a new site, a quiet night), the stories the most sources ran;
// failing those, the newest. It returns the heading's catalogue key with
// the cards, so the box says which list it is.
func (s *server) trending(ctx context.Context, lang string, names map[string]string) ([]card, string, error) {
	since := s.now().Add(-trendingWindow)
	key := "trending"
	as, err := s.st.Trending(ctx, since, trendingSize)
	if err == nil && len(as) == 0 {
		key = "trending.covered"
		as, err = s.st.MostCovered(ctx, since, trendingSize)
	}
	if err == nil && len(as) == 0 {
		key = "trending.newest"
		var page store.ArticlePage
		page, err = s.st.EditionArticles(ctx, lang, store.ArticleQuery{Limit: trendingSize, OriginalsOnly: true, Cards: true})
		as = page.Articles
	}
	if err != nil {
		return nil, "", err
	}
	cs, err := s.ranked(ctx, lang, as, names)
	return cs, key, err
}

func (s *server) handleSection(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	cursor := r.URL.Query().Get("cursor")
	sec, err := s.st.Section(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, "section page", err)
		return
	}
	d, names, err := s.basePage(ctx, "")
	if err != nil {
		s.serverError(w, r, "section page", err)
		return
	}
	sec.Name = s.ed.SectionName(d.Lang, *sec)
	d.Title = sec.Name
	page, err := s.st.EditionArticles(ctx, d.Lang, store.ArticleQuery{Section: slug, Limit: s.cfg.PageSize, Cursor: cursor, OriginalsOnly: true, Cards: true})
	if err != nil {
		if errors.Is(err, store.ErrBadCursor) {
			s.badRequest(w, r)
			return
		}
		s.serverError(w, r, "section page: articles", err)
		return
	}
	cs, others, err := s.arranged(ctx, d.Lang, page.Articles, names)
	if err != nil {
		s.serverError(w, r, "section page: articles", err)
		return
	}
	for i := range cs {
		// The page's heading names the section; its cards need not repeat it.
		cs[i].SectionName = ""
	}
	d.Current = slug
	d.Feeds = append(s.feedLinks(d.SiteName, d.Lang, slug, sec.Name), d.Feeds...)
	d.Description = s.msg.T(d.Lang, "more.section", sec.Name)
	d.Canonical = s.absURL(d.Prefix + sectionPath(slug))
	if cursor != "" {
		d.Canonical += "?" + url.Values{"cursor": {cursor}}.Encode()
	}
	d.Main = &sectionMain{Section: *sec, Cards: cs, Others: others, Pager: pagerFor(d.Prefix+sectionPath(slug), cursor, page.NextCursor),
		Count: s.msg.N(d.Lang, "articles.count", sec.ArticleCount)}
	s.render(w, r, http.StatusOK, "section", d)
}

func (s *server) handleArticle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.st.ArticleBySlug(ctx, r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Hidden) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, "article page", err)
		return
	}
	lang := s.edition(ctx)
	t := a.Date()
	if r.PathValue("yyyy") != fmt.Sprintf("%04d", t.Year()) || r.PathValue("mm") != fmt.Sprintf("%02d", int(t.Month())) ||
		r.PathValue("dd") != fmt.Sprintf("%02d", t.Day()) {
		// Old or mistyped dates still find the article, under one canonical address.
		http.Redirect(w, r, prefix(lang)+a.Path(), http.StatusMovedPermanently)
		return
	}
	if views := s.cfg.Views; views != nil {
		// Counted once the full page is out (not a 304), in memory (views.go).
		id := a.ID
		counted := func(h pagecache.Hit, status int) {
			if status == http.StatusOK && countable(h) {
				views.count(h, id)
			}
		}
		// A cached page counts every reader it is served to, from the
		// cache as well; otherwise this request counts itself.
		if hit := pagecache.RequestHit(r); !pagecache.OnHit(w, counted) && countable(hit) {
			rec := &statusRecorder{ResponseWriter: w}
			w = rec
			defer func() { counted(hit, rec.status) }()
		}
	}
	l, err := s.ed.One(ctx, lang, a)
	if err != nil {
		s.serverError(w, r, "article page: translation", err)
		return
	}
	orig := a
	a = &l.Article
	d, names, err := s.basePage(ctx, a.Title)
	if err != nil {
		s.serverError(w, r, "article page", err)
		return
	}
	c := s.card(lang, &l, names)
	permalink := s.absURL(c.URL)
	m := &articleMain{
		card:      c,
		Author:    a.Author,
		Original:  originalURL(a),
		Body:      s.body(a.HTML),
		Share:     shareLinks(a.Title, permalink),
		Permalink: permalink,
		Provider:  l.Provider,
		Note:      l.Note,
	}
	if l.From != "" {
		m.FromLang = l.From
		m.From = s.msg.T(lang, "from."+l.From)
		if !s.msg.Has(lang, "from."+l.From) {
			m.From = s.msg.T(lang, "from.other", langname.Name(l.From, lang))
		}
		if s.isEdition(l.From) {
			m.OriginalPage = prefix(l.From) + orig.Path()
		}
	}
	copies, err := s.st.Copies(ctx, a.ID)
	if err != nil {
		s.serverError(w, r, "article page: copies", err)
		return
	}
	for i := range copies {
		m.AlsoBy = append(m.AlsoBy, alsoBy{Name: copies[i].SourceName, URL: originalURL(&copies[i])})
	}
	if len(copies) > 0 {
		all := []*store.Article{a}
		for i := range copies {
			all = append(all, &copies[i])
		}
		srcs, err := s.sourcesOf(ctx, all...)
		if err != nil {
			s.serverError(w, r, "article page: coverage", err)
			return
		}
		m.Coverage = s.coverage(lang, srcs)
	}
	if m.Story, err = s.articleStory(ctx, lang, orig); err != nil {
		s.serverError(w, r, "article page: story", err)
		return
	}
	if !a.UpdatedAt.IsZero() && a.UpdatedAt.Sub(t) > time.Minute {
		m.Updated = a.UpdatedAt.UTC()
	}
	if a.Image != "" && !strings.Contains(a.HTML, a.Image) && !strings.Contains(a.HTML, html.EscapeString(a.Image)) {
		m.LeadImage, m.LeadSet = s.picture(a.Image, cardWidth)
		if m.LeadImage != "" {
			if w, h, ok := s.cfg.Images.Size(a.Image); ok {
				m.LeadW, m.LeadH = w, h
			}
		}
	}
	var sectionOnly bool
	if m.Related, sectionOnly, err = s.related(ctx, lang, a, names); err != nil {
		s.serverError(w, r, "article page: related articles", err)
		return
	}
	if a.Section != "" {
		d.Current = a.Section
		d.Feeds = append(s.feedLinks(d.SiteName, lang, a.Section, c.SectionName), d.Feeds...)
	}
	d.DisclaimerShown = true
	if desc := summary(a, 200); desc != "" {
		d.Description = desc // else the tagline basePage set: every page has one
	}
	d.Canonical = permalink
	if len(s.editions) > 1 {
		// hreflang names only the editions that carry the article in
		// their own language: its original and its translations.
		if d.Alternates, err = s.articleAlternates(ctx, orig); err != nil {
			s.serverError(w, r, "article page: translations", err)
			return
		}
	}
	d.Script = true
	d.OG = &openGraph{
		Type: "article", Title: a.Title, Description: d.Description, URL: permalink, SiteName: d.SiteName,
		Image: s.shareImage(a.Image), Published: t.Format(time.RFC3339), Section: c.SectionName,
	}
	if !m.Updated.IsZero() {
		d.OG.Modified = m.Updated.Format(time.RFC3339)
	}
	ld, err := s.jsonLD(&l, permalink, c.SectionName, d.SiteName)
	if err != nil {
		s.serverError(w, r, "article page: JSON-LD", err)
		return
	}
	d.JSONLD = ld
	d.Main = m
	if err := s.placeAds(ctx, d, settings.PlaceArticleBelow, settings.PlaceSidebar); err != nil {
		s.serverError(w, r, "article page: ads", err)
		return
	}
	articleScopes(w, orig, sectionOnly)
	s.render(w, r, http.StatusOK, "article", d)
}

// articleScopes tells the page cache what an article page shows, in the
// scopes the store's triggers record (migration 0032), so that the moves
// of the page generation that touch none of them (another article stored,
// translated or filed) leave its cached copy current:
//
//   - article:<id>: the article, its translation in the edition and the
//     hreflang alternates (its translations), its copies ("also by": a
//     copy's row names its original's scope);
//   - story:<id>: the story link's counts;
//   - section:<slug>: the related list, the newest of its section with
//     their translations — only when the section filled it: one filled
//     from the site's newest shows any new article, so that page is
//     touched by every move (as it is when the article has no section).
//
// The rest of the page moves only with unscoped writes (the menu's
// sections and a count crossing zero, settings, ads, source names).
func articleScopes(w http.ResponseWriter, a *store.Article, sectionOnly bool) {
	if !sectionOnly {
		pagecache.Unscoped(w)
		return
	}
	sc := []string{store.ArticleScope(a.ID), store.SectionScope(a.Section)}
	if a.StoryID != 0 {
		sc = append(sc, store.StoryScope(a.StoryID))
	}
	pagecache.Scope(w, sc...)
}

// body is an article's stored HTML (sanitized by the extract and translate
// stages before it was stored) with its images through the proxy, or
// without images when there is none.
func (s *server) body(h string) template.HTML {
	if s.cfg.Images == nil {
		return template.HTML(h) // the CSP keeps its images from loading
	}
	return template.HTML(s.cfg.Images.HTML(h, bodySizes))
}

// related fills the grid under an article: the newest of its section, then,
// when the section has too few, the newest of the edition, so the grid is
// full on a young site too. sectionOnly says the section alone filled it
// (what the page cache may scope the page by).
func (s *server) related(ctx context.Context, lang string, a *store.Article, names map[string]string) (cs []card, sectionOnly bool, err error) {
	var as []store.Article
	if a.Section != "" {
		page, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Section: a.Section, Exclude: a.ID, Limit: relatedSize, OriginalsOnly: true, Cards: true})
		if err != nil {
			return nil, false, err
		}
		as = page.Articles
		sectionOnly = len(as) == relatedSize
	}
	if len(as) < relatedSize {
		// One more than needed: the article itself may be among the newest.
		page, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Exclude: a.ID, Limit: 2 * relatedSize, OriginalsOnly: true, Cards: true})
		if err != nil {
			return nil, false, err
		}
		seen := map[int64]bool{a.ID: true}
		for i := range as {
			seen[as[i].ID] = true
		}
		for i := range page.Articles {
			if len(as) == relatedSize {
				break
			}
			if !seen[page.Articles[i].ID] {
				seen[page.Articles[i].ID] = true
				as = append(as, page.Articles[i])
			}
		}
	}
	cs, err = s.ranked(ctx, lang, as, names)
	return cs, sectionOnly, err
}

func originalURL(a *store.Article) string {
	if a.CanonicalURL != "" {
		return a.CanonicalURL
	}
	return a.URL
}

// newsArticle is the schema.org JSON-LD of an article page.
type newsArticle struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	Headline         string    `json:"headline"`
	DatePublished    string    `json:"datePublished"`
	DateModified     string    `json:"dateModified"`
	Author           []ldThing `json:"author,omitempty"`
	Image            []string  `json:"image,omitempty"`
	Publisher        ldThing   `json:"publisher"`
	MainEntityOfPage ldThing   `json:"mainEntityOfPage"`
	IsBasedOn        string    `json:"isBasedOn,omitempty"`
	InLanguage       string    `json:"inLanguage,omitempty"`
	ArticleSection   string    `json:"articleSection,omitempty"`
	Description      string    `json:"description,omitempty"`
}

type ldThing struct {
	Type string `json:"@type"`
	ID   string `json:"@id,omitempty"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

func (s *server) jsonLD(l *edition.Article, permalink, sectionName, siteName string) (template.JS, error) {
	a := &l.Article
	pub := a.Date()
	mod := pub
	if !a.UpdatedAt.IsZero() && a.UpdatedAt.After(pub) {
		mod = a.UpdatedAt.UTC()
	}
	ld := newsArticle{
		Context:          "https://schema.org",
		Type:             "NewsArticle",
		Headline:         a.Title,
		DatePublished:    pub.Format(time.RFC3339),
		DateModified:     mod.Format(time.RFC3339),
		Publisher:        ldThing{Type: "Organization", Name: siteName, URL: s.absURL(prefix(s.editions[0]) + "/")},
		MainEntityOfPage: ldThing{Type: "WebPage", ID: permalink},
		IsBasedOn:        originalURL(a),
		InLanguage:       l.Shown,
		ArticleSection:   sectionName,
		Description:      summary(a, 200),
	}
	switch {
	case a.Author != "":
		ld.Author = []ldThing{{Type: "Person", Name: a.Author}}
	case a.SourceName != "":
		ld.Author = []ldThing{{Type: "Organization", Name: a.SourceName}}
	}
	if img := s.shareImage(a.Image); img != "" {
		ld.Image = []string{img}
	}
	// json.Marshal escapes <, > and & as \u003c…, so no "</script>" or
	// "<!--" can end the data block early, whatever the headline says.
	b, err := json.Marshal(ld)
	if err != nil {
		return "", fmt.Errorf("marshal JSON-LD of article %d: %w", a.ID, err)
	}
	return template.JS(b), nil
}

// notFound renders the helpful 404 page: home, sections, latest headlines.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "notfound.title", "notfound.text")
}

func (s *server) badRequest(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusBadRequest, "badrequest.title", "badrequest.text")
}

func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, titleKey, textKey string) {
	ctx := r.Context()
	d, names, err := s.basePage(ctx, s.msg.T(s.edition(ctx), titleKey))
	if err != nil {
		s.serverError(w, r, "error page", err)
		return
	}
	m := &errorMain{Heading: s.msg.T(d.Lang, titleKey), Text: s.msg.T(d.Lang, textKey)}
	latest, err := s.st.EditionArticles(ctx, d.Lang, store.ArticleQuery{Limit: 5, OriginalsOnly: true, Cards: true})
	if err == nil {
		m.Latest, err = s.ranked(ctx, d.Lang, latest.Articles, names)
	}
	if err != nil {
		// The page is still useful without headlines.
		s.log.WarnContext(ctx, "error page: latest headlines", "err", err)
	}
	d.Main = m
	s.render(w, r, status, "error", d)
}

// newsletterForm renders the configured sign-up form for the current page.
func (s *server) newsletterForm(ctx context.Context) template.HTML {
	if s.cfg.NewsletterForm == nil {
		return ""
	}
	page, _ := ctx.Value(pageURLKey{}).(string)
	return s.cfg.NewsletterForm(s.edition(ctx), page)
}

// pageURLKey carries the absolute URL of the page being rendered.
type pageURLKey struct{}

// maxPinned bounds how many pinned articles lead the front page.
const maxPinned = 5

// pinnedFirst puts pinned articles, most recently pinned first, ahead of
// the latest ones, each article once.
func pinnedFirst(pinned, latest []store.Article) []store.Article {
	if len(pinned) == 0 {
		return latest
	}
	slices.SortStableFunc(pinned, func(a, b store.Article) int { return b.PinnedAt.Compare(a.PinnedAt) })
	seen := make(map[int64]bool, len(pinned))
	out := make([]store.Article, 0, len(pinned)+len(latest))
	for _, a := range pinned {
		seen[a.ID] = true
		out = append(out, a)
	}
	for _, a := range latest {
		if !seen[a.ID] {
			out = append(out, a)
		}
	}
	return out
}
