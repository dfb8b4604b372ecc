package extract

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"spektrum/internal/feed/bound"
	"spektrum/internal/lang"
	"spektrum/internal/weburl"
)

// Metadata comes in layers, each filling only what the ones before it left
// empty, in this order:
//
//  1. JSON-LD: typed, structured and kept accurate because search engines
//     (Google News above all) read it; publishers fix it when it is wrong.
//  2. OpenGraph: also deliberate, but written for social previews, so titles
//     carry marketing suffixes and sections are coarser.
//  3. Other meta tags (name=author, dc.*, parsely-*, sailthru.*), <title>,
//     <html lang>, <time datetime> and a labelled visible date: often CMS
//     defaults that nobody checks.
//  4. go-trafilatura's own metadata: heuristics over the whole page, the
//     best guess when the page declares nothing.
//
// The one exception is the canonical URL: <link rel=canonical> is the
// page's explicit statement about itself and comes first.

// articleTypes are the schema.org types whose object describes the article.
var articleTypes = map[string]bool{
	"Article": true, "NewsArticle": true, "ReportageNewsArticle": true,
	"AnalysisNewsArticle": true, "OpinionNewsArticle": true, "BackgroundNewsArticle": true,
	"ReviewNewsArticle": true, "AskPublicNewsArticle": true, "BlogPosting": true,
	"LiveBlogPosting": true, "SocialMediaPosting": true, "Report": true,
	"TechArticle": true, "ScholarlyArticle": true, "SatiricalArticle": true,
}

// pageMeta holds what one pass over the document finds, layer by layer.
type pageMeta struct {
	jsonld, og, meta Article
	base             *url.URL
	// articleBody is the JSON-LD articleBody, the publisher's own statement
	// of what the story's text is (see votes.go).
	articleBody string
	// h1 is the text of the page's first <h1>, the headline as shown.
	h1 string
}

// readMetadata walks the document once and fills the first three layers.
func readMetadata(doc *html.Node, page *url.URL) pageMeta {
	pm := pageMeta{base: baseHref(doc, page)}
	metas := map[string]string{} // first value per lower-cased name/property/itemprop
	var title, canonical, imageSrc, lang string
	var timeDatetime, timeItemprop string
	var visibleAuthor string
	var ldObjects []map[string]any

	walk(doc, func(n *html.Node) bool {
		switch n.Data {
		case "html":
			lang = attr(n, "lang")
		case "meta":
			content := strings.TrimSpace(attr(n, "content"))
			if content == "" {
				return false
			}
			for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
				if key := strings.ToLower(strings.TrimSpace(attr(n, k))); key != "" {
					if _, seen := metas[key]; !seen {
						metas[key] = content
					}
				}
			}
			return false
		case "h1":
			if pm.h1 == "" {
				pm.h1 = textOf(n)
			}
		case "title":
			if title == "" && n.Parent != nil && n.Parent.Data == "head" {
				title = textOf(n)
			}
			return false
		case "link":
			rel := strings.ToLower(attr(n, "rel"))
			for _, r := range strings.Fields(rel) {
				switch r {
				case "canonical":
					if canonical == "" {
						canonical = attr(n, "href")
					}
				case "image_src":
					if imageSrc == "" {
						imageSrc = attr(n, "href")
					}
				}
			}
			return false
		case "script":
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
				ldObjects = append(ldObjects, parseJSONLD(n.FirstChild.Data)...)
			}
			return false
		case "time":
			dt := attr(n, "datetime")
			if dt == "" {
				dt = textOf(n)
			}
			if strings.EqualFold(attr(n, "itemprop"), "datePublished") && timeItemprop == "" {
				timeItemprop = dt
			} else if timeDatetime == "" && hasAttr(n, "datetime") {
				timeDatetime = dt
			}
		case "style", "noscript", "template", "svg":
			return false
		}
		if n.Data != "html" && n.Data != "body" && isChrome(n) {
			return false // comment authors and "related" bylines are not ours
		}
		if visibleAuthor == "" && isBylineElement(n) {
			visibleAuthor = bylineName(textOf(n))
			if visibleAuthor != "" {
				return false
			}
		}
		return true
	})

	pm.jsonld = fromJSONLD(ldObjects)
	pm.articleBody = articleBodyOf(ldObjects)
	pm.og = Article{
		Title:        metas["og:title"],
		Image:        first(metas["og:image"], metas["og:image:url"], metas["og:image:secure_url"]),
		SiteName:     metas["og:site_name"],
		Language:     metas["og:locale"],
		Section:      metas["article:section"],
		Description:  metas["og:description"],
		CanonicalURL: metas["og:url"],
		Author:       notURL(metas["article:author"]),
		Published:    date(metas["article:published_time"], metas["og:published_time"]),
		Modified:     date(metas["article:modified_time"], metas["og:updated_time"]),
	}
	m := Article{
		Title: first(metas["twitter:title"], metas["parsely-title"], metas["sailthru.title"],
			metas["dc.title"], metas["dcterms.title"], metas["title"], title),
		Author: first(byline(metas["author"]), metas["parsely-author"], metas["sailthru.author"],
			metas["dc.creator"], metas["dcterms.creator"], byline(metas["byl"]), visibleAuthor),
		Description: first(metas["description"], metas["twitter:description"],
			metas["dc.description"], metas["dcterms.description"], metas["sailthru.description"]),
		Image:    first(metas["twitter:image"], metas["twitter:image:src"], metas["parsely-image-url"], metas["sailthru.image.full"], imageSrc),
		SiteName: first(metas["application-name"], metas["publisher"], metas["dc.publisher"]),
		Section:  first(metas["parsely-section"], metas["section"], metas["article.section"], metas["category"]),
		Language: first(metas["content-language"], metas["dc.language"], metas["dcterms.language"], metas["language"], lang),
		Published: date(metas["date"], metas["pubdate"], metas["publishdate"], metas["publish-date"],
			metas["publish_date"], metas["datepublished"], metas["dc.date"], metas["dc.date.issued"],
			metas["dc.date.created"], metas["dcterms.date"], metas["dcterms.issued"], metas["dcterms.created"],
			metas["parsely-pub-date"], metas["sailthru.date"], metas["article.published"],
			metas["citation_publication_date"], metas["original-publish-date"], timeItemprop, timeDatetime),
		Modified: date(metas["datemodified"], metas["dc.date.modified"], metas["dcterms.modified"],
			metas["article.updated"], metas["last-modified"], metas["sailthru.lastmodified"]),
	}
	// The visible-date scan is the costliest step here; it is only needed
	// when no layer declares the date.
	if m.Published.IsZero() && pm.jsonld.Published.IsZero() && pm.og.Published.IsZero() {
		if body := findFirst(doc, "body"); body != nil {
			if t, ok := visibleDate(textOf(body)); ok {
				m.Published = t
			}
		}
	}
	m.CanonicalURL = canonical
	if m.Published.IsZero() && pm.jsonld.Published.IsZero() && pm.og.Published.IsZero() {
		// The address is the last witness: it names the day only.
		for _, u := range []string{canonical, metas["og:url"], pageString(page)} {
			if t, ok := dateFromURL(u); ok {
				m.Published = t
				break
			}
		}
	}
	pm.meta = m
	return pm
}

// layerValue is a layer's field as merge reads it: empty when the layer
// leaves the field to the next.
func layerValue(s string) string {
	return strings.TrimSpace(html.UnescapeString(s))
}

// trafilaturaUnread is the metadata go-trafilatura need not search the page
// for, since merge will not read it: the tags and the license always, the
// author and the categories (the section) when a layer of the page's own
// has them.
func (pm pageMeta) trafilaturaUnread() trafilatura.MetadataFields {
	skip := trafilatura.MetadataTags | trafilatura.MetadataLicense
	for _, l := range []Article{pm.jsonld, pm.og, pm.meta} {
		if layerValue(l.Author) != "" {
			skip |= trafilatura.MetadataAuthor
		}
		if layerValue(l.Section) != "" {
			skip |= trafilatura.MetadataCategories
		}
	}
	return skip
}

// merge applies the precedence documented above and normalises the result.
func (pm pageMeta) merge(tr trafilatura.Metadata) Article {
	// trafilatura read the tree after markInlineSpaces.
	um := func(s string) string { return strings.ReplaceAll(s, spaceMark, " ") }
	trl := Article{
		Title: um(tr.Title), Author: byline(um(tr.Author)), Published: tr.Date, Image: tr.Image,
		Language: tr.Language, CanonicalURL: tr.URL, SiteName: strings.TrimSpace(strings.Split(um(tr.Sitename), ";")[0]),
		Description: um(tr.Description),
	}
	if len(tr.Categories) > 0 {
		trl.Section = um(tr.Categories[0])
	}
	layers := []Article{pm.jsonld, pm.og, pm.meta, trl}
	pick := func(get func(Article) string) string {
		for _, l := range layers {
			if v := layerValue(get(l)); v != "" {
				return strings.Join(strings.Fields(v), " ")
			}
		}
		return ""
	}
	pickTime := func(get func(Article) time.Time) time.Time {
		for _, l := range layers {
			if t := get(l); !t.IsZero() {
				return t
			}
		}
		return time.Time{}
	}
	var a Article
	a.SiteName = pick(func(l Article) string { return l.SiteName })
	a.Title = stripSiteName(pick(func(l Article) string { return l.Title }), a.SiteName)
	// "Headline - Section - Site" in a <title> whose site part differs from
	// the declared site name: the visible headline, when the title starts
	// with it, is the title without the suffixes.
	if h := strings.Join(strings.Fields(pm.h1), " "); len(h) >= 10 && len(a.Title) > len(h) &&
		strings.EqualFold(a.Title[:len(h)], h) && strings.ContainsAny(a.Title[len(h):len(h)+min(4, len(a.Title)-len(h))], "|-–—·:»/") {
		a.Title = h
	}
	a.Author = pick(func(l Article) string { return l.Author })
	a.Description = pick(func(l Article) string { return l.Description })
	a.Section = pick(func(l Article) string { return l.Section })
	a.Language = pick(func(l Article) string { return lang.Code(l.Language) })
	// trafilatura's language is no declaration but its whatlanggo guess,
	// the last layer: the page's own layers are the declaration.
	a.TextLanguage = lang.Code(tr.Language)
	for _, l := range layers[:len(layers)-1] {
		if lang.Code(l.Language) != "" {
			a.LanguageDeclared = true
			break
		}
	}
	a.Published = pickTime(func(l Article) time.Time { return l.Published })
	a.Modified = pickTime(func(l Article) time.Time { return l.Modified })
	a.Image = absHTTP(pm.base, pick(func(l Article) string { return l.Image }))
	// Canonical: <link rel=canonical> first, then og:url, JSON-LD, trafilatura.
	for _, c := range []string{pm.meta.CanonicalURL, pm.og.CanonicalURL, pm.jsonld.CanonicalURL, trl.CanonicalURL} {
		if u := absHTTP(pm.base, c); u != "" {
			a.CanonicalURL = u
			break
		}
	}
	return a
}

// jsonLDLimits bound a JSON-LD block before it is decoded into generic
// maps, which cost a few hundred bytes per value: a page (up to the
// fetcher's 20 MB) whose script holds millions of tiny values would
// otherwise take gigabytes. Real metadata blocks hold hundreds of values.
var jsonLDLimits = bound.Limits{Depth: 32, Elements: 20000, Text: 256 << 10}

// maxJSONLD is the largest JSON-LD block read at all.
const maxJSONLD = 1 << 20

// parseJSONLD decodes one script block into its top-level objects, unfolding
// arrays and @graph. Broken (or oversized) JSON-LD is common and simply
// ignored.
func parseJSONLD(src string) []map[string]any {
	src = strings.TrimSpace(src)
	if len(src) > maxJSONLD || bound.JSON([]byte(src), jsonLDLimits) != nil {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		return nil
	}
	var out []map[string]any
	var collect func(v any, depth int)
	collect = func(v any, depth int) {
		if depth > 4 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				collect(e, depth+1)
			}
		case map[string]any:
			out = append(out, t)
			if g, ok := t["@graph"]; ok {
				collect(g, depth+1)
			}
		}
	}
	collect(v, 0)
	return out
}

// fromJSONLD fills the JSON-LD layer from the first article-typed object.
// References ({"@id": ...}) are resolved against every object on the page,
// as Yoast and Rank Math emit a @graph of cross-referenced nodes.
func fromJSONLD(objs []map[string]any) Article {
	ids := map[string]map[string]any{}
	for _, o := range objs {
		if id, ok := o["@id"].(string); ok {
			ids[id] = o
		}
	}
	deref := func(v any) any {
		if m, ok := v.(map[string]any); ok {
			if id, ok := m["@id"].(string); ok && len(m) <= 2 {
				if full, ok := ids[id]; ok {
					return full
				}
			}
		}
		return v
	}
	var art, site map[string]any
	for _, o := range objs {
		types := typesOf(o)
		if art == nil && anyOf(types, articleTypes) {
			art = o
		}
		if site == nil && anyOf(types, map[string]bool{"WebSite": true}) {
			site = o
		}
	}
	var a Article
	if site != nil {
		a.SiteName = str(site["name"])
		a.Language = str(site["inLanguage"])
	}
	if art == nil {
		return a
	}
	a.Title = first(str(art["headline"]), str(art["name"]))
	a.Author = names(deref, art["author"])
	a.Published, _ = parseDate(str(art["datePublished"]))
	a.Modified, _ = parseDate(str(art["dateModified"]))
	a.Image = imageURL(deref, art["image"], 0)
	a.Section = firstString(art["articleSection"])
	a.Description = str(art["description"])
	a.Language = first(langOf(art["inLanguage"]), a.Language)
	if pub, ok := deref(art["publisher"]).(map[string]any); ok {
		a.SiteName = first(str(pub["name"]), a.SiteName)
	}
	a.CanonicalURL = str(art["url"])
	if a.CanonicalURL == "" {
		if m, ok := art["mainEntityOfPage"].(map[string]any); ok {
			a.CanonicalURL = strings.Split(str(m["@id"]), "#")[0]
		} else {
			a.CanonicalURL = str(art["mainEntityOfPage"])
		}
	}
	return a
}

func typesOf(o map[string]any) []string {
	switch t := o["@type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func anyOf(types []string, set map[string]bool) bool {
	for _, t := range types {
		if set[strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/")] {
			return true
		}
	}
	return false
}

// str renders a JSON scalar as a string.
func str(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case map[string]any:
		return str(t["@value"])
	}
	return ""
}

func firstString(v any) string {
	if a, ok := v.([]any); ok {
		for _, e := range a {
			if s := str(e); s != "" {
				return s
			}
		}
		return ""
	}
	return str(v)
}

func langOf(v any) string {
	if m, ok := v.(map[string]any); ok {
		return first(str(m["alternateName"]), str(m["name"]))
	}
	return str(v)
}

// names reads author as a string, a Person/Organization, or an array of them.
func names(deref func(any) any, v any) string {
	var out []string
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch t := deref(v).(type) {
		case string:
			if s := byline(t); s != "" && !looksLikeLink(s) {
				out = append(out, s) // "Por Elena Ruiz" as a plain string
			}
		case map[string]any:
			if s := str(t["name"]); s != "" {
				out = append(out, s)
			}
		case []any:
			for _, e := range t {
				add(e, depth+1)
			}
		}
	}
	add(v, 0)
	seen := map[string]bool{}
	uniq := out[:0]
	for _, s := range out {
		if !seen[s] {
			seen[s] = true
			uniq = append(uniq, s)
		}
	}
	return strings.Join(uniq, ", ")
}

// imageURL reads image as a URL string, an ImageObject, or an array of either.
func imageURL(deref func(any) any, v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch t := deref(v).(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		return first(str(t["url"]), str(t["contentUrl"]), urlOrEmpty(str(t["@id"])))
	case []any:
		for _, e := range t {
			if s := imageURL(deref, e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

func first(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func date(vals ...string) time.Time {
	for _, v := range vals {
		if t, ok := parseDate(v); ok {
			return t
		}
	}
	return time.Time{}
}

func urlOrEmpty(s string) string {
	if weburl.Valid(s) {
		return s
	}
	return ""
}

// notURL drops values that are profile links (article:author is often a
// Facebook URL) rather than names.
func notURL(s string) string {
	if looksLikeLink(s) {
		return ""
	}
	return s
}

// looksLikeLink tells a link from a name: anything that starts like a web
// address, valid or not ("https://twitter.com/x y" is no author's name).
// Whether a URL is kept is weburl's rule; this only sorts names out.
func looksLikeLink(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "www.")
}

// bylinePrefix is the word a visible byline starts with, in the languages
// we read ("By", "Von", "Par", "Por", "Di", "Door", "Od", "Autor:", "Text:").
var bylinePrefix = regexp.MustCompile(`(?i)^(by|von|par|por|di|door|od|autor(in)?|author|auteur|autore|text|texte|texto|testo|tekst|written by|geschrieben von|redakcja)\b\s*:?\s*`)

// byline turns "By Jane Doe" (the NYT-style byl meta, a visible byline)
// into a name.
func byline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	// "Jeff Foust Monday, November 18, 2019", "wire services Published …":
	// the byline line ran on into the dateline.
	if loc := bylineTail.FindStringIndex(s); loc != nil && loc[0] > 0 {
		s = strings.TrimRight(s[:loc[0]], " ,;|·-–—")
	}
	out := strings.TrimSpace(bylinePrefix.ReplaceAllString(s, ""))
	// "Di Maio" and "Od" are names too: a prefix must leave a full name.
	if out != s && !strings.Contains(out, " ") && strings.Contains(s, " ") && len(strings.Fields(s)) == 2 {
		return s
	}
	return out
}

// bylineWords are class, id, itemprop and rel words that mark the element
// holding the author's name.
var bylineWords = map[string]bool{
	"author": true, "authors": true, "byline": true, "byl": true, "autor": true, "autoren": true,
	"auteur": true, "autore": true, "autori": true, "writer": true, "verfasser": true,
	"signature": true, "firma": true, "podpis": true,
}

func isBylineElement(n *html.Node) bool {
	switch n.Data {
	case "html", "head", "body", "main", "article", "img", "meta", "link", "script":
		return false
	}
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "class", "id", "itemprop", "rel", "data-qa":
			if hasClassWordIn(a.Val, bylineWords) {
				return true
			}
		}
	}
	return false
}

// bylineName reads a name out of a byline element's text: the prefix goes,
// and text that is too long to be names (a bio, a whole meta line) is
// rejected rather than guessed at.
func bylineName(s string) string {
	s = byline(s)
	if s == "" || utf8.RuneCountInString(s) > 80 || len(strings.Fields(s)) > 8 {
		return ""
	}
	if strings.ContainsAny(s, "|•·@") || sentenceEnd.MatchString(s) {
		return ""
	}
	// "Anna Schmidt und Tobias Krüger" is listed as JSON-LD lists authors.
	return authorAnd.ReplaceAllString(s, ", ")
}

// bylineTail is where a byline line turns into a dateline: a weekday, a
// number, a publication label, or a month name followed by a number (a
// month alone may be a name: April Ryan), in the languages we read.
var bylineTail = regexp.MustCompile(`(?i)(\s|,|\||·)\s*(\d|(monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela|published|updated|posted|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano|zaktualizowano)([\s,:.]|$)|(january|february|march|april|may|june|july|august|september|october|november|december|januar|februar|märz|juni|juli|oktober|dezember|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)\.?\s+\d)`)

// authorAnd joins two names in a byline, in the languages we read.
var authorAnd = regexp.MustCompile(` (und|and|et|y|e|i|en|&) `)

// absHTTP resolves ref against base and keeps it only if it passes
// weburl's http(s)-only rule, the one feed and sitemap URLs pass too.
func absHTTP(base *url.URL, ref string) string {
	u := resolve(base, ref)
	if !weburl.Valid(u) {
		return ""
	}
	return u
}

// titleSeparators join a headline and the site name in <title>s.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " · ", " :: ", " » ", " / "}

// stripSiteName removes "| Site" suffixes (and "Site | " prefixes) when the
// removed part is the site name, so headlines that merely contain a dash stay
// whole.
func stripSiteName(title, site string) string {
	if site == "" {
		return title
	}
	for _, sep := range titleSeparators {
		affix := sep + site
		if n := len(title) - len(affix); n > 0 && strings.EqualFold(title[n:], affix) {
			title = strings.TrimSpace(title[:n])
		}
		affix = site + sep
		if len(title) > len(affix) && strings.EqualFold(title[:len(affix)], affix) {
			title = strings.TrimSpace(title[len(affix):])
		}
	}
	return title
}

func pageString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}
