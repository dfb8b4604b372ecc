package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"spektrum/internal/store"
)

func TestHomeShowsLatestSectionsAndTrending(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	r := s.mustGet(t, "/en/", http.StatusOK)
	doc := parseHTML(t, r.body)

	lead := findAll(doc, func(n *html.Node) bool { return hasClass(n, "lead-story") })
	if len(lead) != 1 || !strings.Contains(textOf(lead[0]), s.visible[0].Title) {
		t.Fatalf("lead story should be the newest article %q", s.visible[0].Title)
	}
	latest := byID(doc, "latest")
	if latest == nil {
		t.Fatal("home has no #latest list")
	}
	for _, a := range s.visible[1:7] {
		if !strings.Contains(textOf(latest), a.Title) {
			t.Errorf("latest list lacks %q", a.Title)
		}
	}
	blocks := findAll(doc, func(n *html.Node) bool { return hasClass(n, "section-block") })
	if len(blocks) != 3 { // russia, economy, culture; "empty" has no articles
		t.Fatalf("want 3 section blocks, got %d", len(blocks))
	}
	for _, b := range blocks {
		if n := len(findAll(b, elem("li"))); n != 5 {
			t.Errorf("section block %q: %d articles, want 5", textOf(b)[:20], n)
		}
	}
	if !strings.Contains(string(r.body), "Culture &amp; Arts") {
		t.Error("section name with & should be escaped once as &amp;")
	}
	if strings.Contains(string(r.body), "Hidden article") {
		t.Error("a hidden article appears on the home page")
	}

	var heading string
	trending := func() []string {
		doc := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
		var out []string
		for _, ol := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "trending-list") }) {
			for _, a := range findAll(ol, elem("a")) {
				out = append(out, textOf(a))
			}
		}
		heading = ""
		if h := byID(doc, "trending-h"); h != nil {
			heading = textOf(h)
		}
		return out
	}
	// Before any reader is counted the box is not blank: it shows the
	// newest stories, and says so.
	var newest []string
	for _, a := range s.visible[:trendingSize] {
		newest = append(newest, a.Title)
	}
	if got := trending(); !slices.Equal(got, newest) || heading != "Just in" {
		t.Fatalf("trending before any view and copy: %q %q, want %q under \"Just in\"", heading, got, newest)
	}
	// Once sources run the same story, the most covered lead the box.
	ctx := context.Background()
	copyOf := func(orig *store.Article, n int) {
		c := store.Article{SourceID: s.sources[1].ID, URL: fmt.Sprintf("https://src1.example.org/copy/%d-%d", orig.ID, n),
			Title: "Copy of " + orig.Title, PublishedAt: orig.PublishedAt, Language: "en", Text: "copy", HTML: "<p>copy</p>"}
		if _, err := s.st.UpsertArticle(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if err := s.st.SetDuplicateOf(ctx, c.ID, orig.ID); err != nil {
			t.Fatal(err)
		}
	}
	a6, a8 := s.visible[6], s.visible[8]
	copyOf(&a6, 1)
	copyOf(&a8, 1)
	copyOf(&a8, 2)
	if got := trending(); !slices.Equal(got, []string{a8.Title, a6.Title}) || heading != "Most covered" {
		t.Fatalf("trending with copies: %q %q, want [%q %q] under \"Most covered\"", heading, got, a8.Title, a6.Title)
	}
	// Views from readers count; HEAD requests and bots do not. Each reader
	// (here: a browser of its own) counts once; counts reach the store
	// with the next flush.
	a9, a4 := s.visible[9], s.visible[4]
	reader := func(i int) string { return browserUA + " reader/" + string(rune('a'+i)) }
	for i := 0; i < 3; i++ {
		s.get(t, enArticle(&a9), "User-Agent", reader(i))
	}
	s.mustGet(t, enArticle(&a4), http.StatusOK)
	for i := 0; i < 5; i++ {
		s.do(t, http.MethodHead, enArticle(&a4))
		s.get(t, enArticle(&a4), "User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	}
	flush := func() {
		if err := s.views.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	got := trending()
	if len(got) != 2 || got[0] != a9.Title || got[1] != a4.Title || heading != "Trending" {
		t.Fatalf("trending = %q, want [%q %q] (3 views beat 1; HEAD and bots not counted)", got, a9.Title, a4.Title)
	}
	// And the bots/HEADs really were not counted: one more real view of a4 ties, four more overtake.
	for i := 0; i < 3; i++ {
		s.get(t, enArticle(&a4), "User-Agent", reader(i))
	}
	flush()
	if got := trending(); got[0] != a4.Title {
		t.Fatalf("after 4 views of %q it should lead trending, got %q", a4.Title, got)
	}
}

// walkPages follows "Older articles" links from start and returns the
// article paths listed in #latest (and the lead), page by page.
func walkPages(t *testing.T, s *site, start string) (paths []string, pages int) {
	t.Helper()
	next := start
	for next != "" {
		pages++
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		doc := parseHTML(t, s.mustGet(t, next, http.StatusOK).body)
		var scope []*html.Node
		scope = append(scope, findAll(doc, func(n *html.Node) bool { return hasClass(n, "lead-story") })...)
		if l := byID(doc, "latest"); l != nil {
			scope = append(scope, l)
		}
		for _, sc := range scope {
			for _, h := range findAll(sc, func(n *html.Node) bool { return hasClass(n, "headline") }) {
				paths = append(paths, links(h)...)
			}
		}
		next = ""
		for _, a := range findAll(doc, elem("a")) {
			if attr(a, "rel") == "next" {
				next = attr(a, "href")
			}
		}
		if next != "" && !strings.HasPrefix(next, "/") {
			t.Fatalf("older-articles link %q is not a site path", next)
		}
	}
	return paths, pages
}

func TestPaginationWalksEveryArticleOnce(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	check := func(start string, want []string) {
		t.Helper()
		got, pages := walkPages(t, s, start)
		if len(got) != len(want) {
			t.Fatalf("%s: walked %d articles over %d pages, want %d", start, len(got), pages, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: article %d is %s, want %s (newest first, each once)", start, i, got[i], want[i])
			}
		}
	}
	var all, russia []string
	for i := range s.visible {
		all = append(all, enArticle(&s.visible[i]))
		if s.visible[i].Section == "russia" {
			russia = append(russia, enArticle(&s.visible[i]))
		}
	}
	check("/en/", all)
	check("/en/section/russia", russia)

	r := s.get(t, "/en/?cursor=not-a-cursor")
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad cursor on home: status %d, want 400", r.StatusCode)
	}
}

func TestSectionPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	doc := parseHTML(t, s.mustGet(t, "/en/section/economy", http.StatusOK).body)
	if h := findAll(doc, elem("h1")); len(h) == 0 || textOf(h[0]) != "Economy" {
		t.Fatal("section page heading should be the section name")
	}
	// The heading names the section: no card repeats it.
	if k := findAll(byID(doc, "latest"), func(n *html.Node) bool { return hasClass(n, "kicker") }); len(k) != 0 {
		t.Errorf("section page cards repeat a section label %d times", len(k))
	}
	if n := len(findAll(byID(doc, "latest"), func(n *html.Node) bool { return hasClass(n, "story") })); n != 7 {
		t.Errorf("section page shows %d articles, want a full page of 7", n)
	}
	var alternates []string
	for _, l := range findAll(doc, elem("link")) {
		if attr(l, "rel") == "alternate" {
			alternates = append(alternates, attr(l, "href"))
		}
	}
	for _, want := range []string{"/en/section/economy/feed.xml", "/en/section/economy/atom.xml", "/en/section/economy/feed.json", "/en/feed.xml"} {
		if !contains(alternates, want) {
			t.Errorf("section page head lacks <link rel=alternate href=%s>; has %q", want, alternates)
		}
	}
	// An empty section has a page but no place in the menu.
	empty := parseHTML(t, s.mustGet(t, "/en/section/empty", http.StatusOK).body)
	nav := findAll(empty, elem("nav"))[0]
	if ls := links(nav); contains(ls, "/en/section/empty") || !contains(ls, "/en/section/economy") {
		t.Errorf("menu links %q: want the sections with articles only", ls)
	}
	r := s.mustGet(t, "/en/section/no-such-section", http.StatusNotFound)
	if !strings.Contains(string(r.body), "Page not found") {
		t.Error("unknown section should show the 404 page")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestArticlePage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.byTitle(t, unicodeTitle)
	path := enArticle(&a)
	r := s.mustGet(t, path, http.StatusOK)
	doc := parseHTML(t, r.body)
	permalink := s.url(path)

	if h := findAll(doc, elem("h1")); len(h) != 1 || textOf(h[0]) != unicodeTitle {
		t.Fatalf("article h1 should be the unicode headline %q", unicodeTitle)
	}
	kicker := findAll(doc, func(n *html.Node) bool { return hasClass(n, "kicker") })
	if len(kicker) == 0 || !contains(links(kicker[0]), "/en/section/"+a.Section) {
		t.Error("article should show its section label linking to the section")
	}
	times := findAll(doc, elem("time"))
	if len(times) == 0 || attr(times[0], "datetime") != a.PublishedAt.UTC().Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("first <time datetime> should be the published time %s", a.PublishedAt.UTC())
	}
	if !strings.Contains(textOf(doc), "By "+a.Author) {
		t.Error("byline missing")
	}
	src := findAll(doc, func(n *html.Node) bool { return hasClass(n, "source-link") })
	if len(src) != 1 || attr(src[0], "href") != a.URL || attr(src[0], "rel") != "nofollow noopener" || textOf(src[0]) != "EU Reporter" {
		t.Fatalf("source link should name the source and link to %s with rel=nofollow noopener", a.URL)
	}
	if !strings.Contains(string(r.body), "Body paragraph of story 0 with <em>emphasis</em>.") {
		t.Error("the sanitized body should be rendered as HTML, not escaped")
	}
	if fig := findAll(doc, func(n *html.Node) bool { return hasClass(n, "article-image") }); len(fig) != 1 {
		t.Error("lead image should be shown when the body lacks it")
	}
	disc := "Spektrum Test publishes articles from a wide variety of external sources that express a broad spectrum of viewpoints. The positions taken in these articles are not necessarily those of Spektrum Test."
	if d := findAll(doc, func(n *html.Node) bool { return hasClass(n, "article-disclaimer") }); len(d) != 1 || textOf(d[0]) != disc {
		t.Error("article should carry the default disclaimer")
	}
	if n := strings.Count(string(r.body), "not necessarily those of"); n != 1 {
		t.Errorf("the disclaimer appears %d times on the article page, want once", n)
	}

	// Share links: exact, correctly encoded, plain links.
	enc := func(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }
	want := map[string]string{
		"share-email":    "mailto:?subject=" + enc(unicodeTitle) + "&body=" + enc(permalink),
		"share-mastodon": "https://s2f.kytta.dev/?text=" + enc(unicodeTitle+" "+permalink),
		"share-bluesky":  "https://bsky.app/intent/compose?text=" + enc(unicodeTitle+" "+permalink),
		"share-x":        "https://twitter.com/intent/tweet?url=" + enc(permalink) + "&text=" + enc(unicodeTitle),
		"share-facebook": "https://www.facebook.com/sharer/sharer.php?u=" + enc(permalink),
		"share-linkedin": "https://www.linkedin.com/sharing/share-offsite/?url=" + enc(permalink),
		"share-whatsapp": "https://wa.me/?text=" + enc(unicodeTitle+" "+permalink),
		"share-telegram": "https://t.me/share/url?url=" + enc(permalink) + "&text=" + enc(unicodeTitle),
	}
	shares := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && hasClass(n, "share-link") })
	if len(shares) != len(want) {
		t.Fatalf("found %d share links, want %d", len(shares), len(want))
	}
	for _, n := range shares {
		href := attr(n, "href")
		// Two clean classes: share-link and share-<network>.
		cls := strings.Fields(attr(n, "class"))
		if len(cls) != 2 || cls[0] != "share-link" || want[cls[1]] == "" {
			t.Errorf("share link classes %q, want \"share-link share-<network>\"", attr(n, "class"))
			continue
		}
		if w := want[cls[1]]; href != w {
			t.Errorf("%s href\n got %s\nwant %s", attr(n, "class"), href, w)
		}
		u, err := url.Parse(href)
		if err != nil {
			t.Errorf("share link %s does not parse: %v", href, err)
			continue
		}
		// The values decode back to exactly the title and the permalink.
		for _, v := range u.Query() {
			if d := v[0]; !strings.Contains(d, permalink) && d != unicodeTitle {
				t.Errorf("share link %s carries %q, neither the title nor the permalink", attr(n, "class"), d)
			}
		}
	}
	inputs := findAll(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "id") == "permalink" })
	if len(inputs) != 1 || attr(inputs[0], "value") != permalink || !hasAttr(inputs[0], "readonly") {
		t.Error("copy-link needs a readonly input holding the permalink")
	}

	// Related: same section, not itself, at most 4.
	rel := findAll(doc, func(n *html.Node) bool { return hasClass(n, "related-list") })
	if len(rel) != 1 {
		t.Fatal("related articles missing")
	}
	var relLinks []string
	for _, h := range findAll(rel[0], func(n *html.Node) bool { return hasClass(n, "headline") }) {
		relLinks = append(relLinks, attr(h, "href"))
	}
	if len(relLinks) != 4 || contains(relLinks, path) {
		t.Errorf("related = %q, want 4 others", relLinks)
	}
	for _, p := range relLinks {
		for _, v := range s.visible {
			if enArticle(&v) == p && v.Section != a.Section {
				t.Errorf("related article %s is in section %q, not %q", p, v.Section, a.Section)
			}
		}
	}

	// OpenGraph and JSON-LD.
	og := map[string]string{
		"og:type": "article", "og:title": unicodeTitle, "og:url": permalink, "og:site_name": "Spektrum Test",
		"og:image": s.url(s.media.URL(a.Image, shareWidth)), "og:description": a.Summary, "article:section": "Russia",
		"article:published_time": a.PublishedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
	}
	for k, v := range og {
		if got := metaProp(doc, k); got != v {
			t.Errorf("meta %s = %q, want %q", k, got, v)
		}
	}
	ld := jsonLD(t, doc)
	if ld["@type"] != "NewsArticle" || ld["headline"] != unicodeTitle || ld["isBasedOn"] != a.URL ||
		ld["datePublished"] != og["article:published_time"] || ld["dateModified"] == nil {
		t.Errorf("JSON-LD wrong: %v", ld)
	}
	if m, _ := ld["mainEntityOfPage"].(map[string]any); m["@id"] != permalink {
		t.Errorf("JSON-LD mainEntityOfPage = %v, want @id %s", ld["mainEntityOfPage"], permalink)
	}
	if p, _ := ld["publisher"].(map[string]any); p["name"] != "Spektrum Test" {
		t.Errorf("JSON-LD publisher = %v", ld["publisher"])
	}
	if au, _ := ld["author"].([]any); len(au) != 1 || au[0].(map[string]any)["name"] != a.Author {
		t.Errorf("JSON-LD author = %v", ld["author"])
	}
	if im, _ := ld["image"].([]any); len(im) != 1 || im[0] != s.url(s.media.URL(a.Image, shareWidth)) {
		t.Errorf("JSON-LD image = %v", ld["image"])
	}

	// A body that already holds the lead image does not get it twice.
	a2 := s.byTitle(t, "Headline number 2 about the world")
	doc2 := parseHTML(t, s.mustGet(t, enArticle(&a2), http.StatusOK).body)
	proxied := func(n *html.Node) bool {
		src := attr(n, "src")
		return n.Data == "img" && (src == s.media.URL(a2.Image, cardWidth) || src == s.media.URL(a2.Image, 960))
	}
	if n := len(findAll(doc2, proxied)); n != 1 {
		t.Errorf("image already in the body appears %d times, want once", n)
	}
	// Every picture is the site's own: readers' browsers never call the
	// image's publisher, and the CSP (img-src 'self') would block them.
	for _, d := range []*html.Node{doc, doc2} {
		for _, img := range findAll(d, elem("img")) {
			if src := attr(img, "src"); !strings.HasPrefix(src, "/media/") || !strings.HasPrefix(attr(img, "srcset"), "/media/") {
				t.Errorf("img src=%q srcset=%q: want a proxied picture", src, attr(img, "srcset"))
			}
		}
	}
}

func jsonLD(t *testing.T, doc *html.Node) map[string]any {
	t.Helper()
	scripts := findAll(doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "type") == "application/ld+json" })
	if len(scripts) != 1 || scripts[0].FirstChild == nil {
		t.Fatalf("want exactly one JSON-LD script, got %d", len(scripts))
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(scripts[0].FirstChild.Data), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse as JSON: %v\n%s", err, scripts[0].FirstChild.Data)
	}
	return ld
}

func TestHostileTitleIsEscapedEverywhere(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.byTitle(t, hostileTitle)
	for _, p := range []string{"/en/", enArticle(&a), "/en/section/" + a.Section, "/no-such-page"} {
		body := string(s.get(t, p).body)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: hostile markup reached the page unescaped", p)
		}
		if p != "/no-such-page" && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the hostile headline should be shown, escaped", p)
		}
	}
	doc := parseHTML(t, s.mustGet(t, enArticle(&a), http.StatusOK).body)
	if h := findAll(doc, elem("h1")); textOf(h[0]) != strings.Join(strings.Fields(hostileTitle), " ") {
		t.Errorf("h1 text = %q, want the literal title", textOf(h[0]))
	}
	// The JSON-LD block survives the "</script>" in the title and keeps it verbatim.
	if ld := jsonLD(t, doc); ld["headline"] != hostileTitle {
		t.Errorf("JSON-LD headline = %q", ld["headline"])
	}
	if scripts := findAll(doc, elem("script")); len(scripts) != 2 {
		t.Errorf("the page has %d <script> elements, want 2 (JSON-LD and copy.js): the title broke out", len(scripts))
	}
}

func TestArticleDateMismatchRedirects(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.visible[6]
	right := enArticle(&a)
	for _, wrong := range []string{"/en/1999/01/02/" + a.Slug, "/en/2020/13/45/" + a.Slug, "/en/x/y/z/" + a.Slug} {
		r := s.get(t, wrong)
		if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != right {
			t.Errorf("GET %s: %d to %q, want 301 to %s", wrong, r.StatusCode, r.Header.Get("Location"), right)
		}
	}
	// Unknown slugs and hidden articles are 404, whatever the date.
	s.mustGet(t, "/en/2024/01/01/no-such-article", http.StatusNotFound)
	s.mustGet(t, enArticle(&s.hidden), http.StatusNotFound)

	// An article without a source date lives under its first-seen date.
	undated := s.visible[0]
	for _, v := range s.visible {
		if v.PublishedAt.IsZero() {
			undated = v
		}
	}
	if !undated.PublishedAt.IsZero() {
		t.Fatal("fixture lacks an undated article")
	}
	if !strings.HasPrefix(enArticle(&undated), undated.FirstSeenAt.UTC().Format("/en/2006/01/02/")) {
		t.Errorf("undated article path %s should use its first-seen date %s", enArticle(&undated), undated.FirstSeenAt)
	}
	s.mustGet(t, enArticle(&undated), http.StatusOK)
}

func TestNotFoundPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	for _, p := range []string{"/no/such/page", "/en/2024/01/01/missing", "/static/nope.css", "/en/section/x/y/z/w"} {
		r := s.mustGet(t, p, http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: content type %q", p, ct)
		}
		doc := parseHTML(t, r.body)
		ls := links(findAll(doc, elem("main"))[0])
		for _, want := range []string{"/en/", "/en/section/russia", "/en/section/economy", enArticle(&s.visible[0])} {
			if !contains(ls, want) {
				t.Errorf("%s: 404 page lacks a link to %s", p, want)
			}
		}
		if !strings.Contains(textOf(doc), "Page not found") || !strings.Contains(textOf(doc), "Latest headlines") {
			t.Errorf("%s: 404 page should say so and offer the latest headlines", p)
		}
	}
	r := s.do(t, http.MethodPost, "/")
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d, Allow %q; want 405 with Allow: GET, HEAD", r.StatusCode, r.Header.Get("Allow"))
	}
}
