package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/edition"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// TestRelatedFillsTheGrid: an article alone in its section still gets a
// full grid of related articles, its section's first, then the newest.
func TestRelatedFillsTheGrid(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	if err := s.st.EnsureSection(ctx, store.Section{Slug: "science", Name: "Science"}); err != nil {
		t.Fatal(err)
	}
	lone := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/science/1", Title: "A lone science story",
		PublishedAt: s.now.Add(-100 * 24 * time.Hour), Language: "en", Section: "science", Text: "t", HTML: "<p>t</p>"}
	if _, err := s.st.UpsertArticle(ctx, &lone); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, s.mustGet(t, "/en"+lone.Path(), http.StatusOK).body)
	rel := findAll(doc, func(n *html.Node) bool { return hasClass(n, "related-list") })
	if len(rel) != 1 {
		t.Fatal("an article alone in its section has no related articles")
	}
	var got []string
	for _, h := range findAll(rel[0], func(n *html.Node) bool { return hasClass(n, "headline") }) {
		got = append(got, attr(h, "href"))
	}
	var want []string
	for _, a := range s.visible[:relatedSize] {
		want = append(want, enArticle(&a))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("related = %q, want the %d newest %q", got, relatedSize, want)
	}
}

// TestDisclaimerOncePerPage: every page carries the disclaimer once, in the
// footer, or under the article on an article page.
func TestDisclaimerOncePerPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.visible[4]
	for _, c := range []struct {
		path   string
		status int
	}{{"/en/", 200}, {"/en/section/economy", 200}, {enArticle(&a), 200}, {"/en/section/no-such-section", 404}} {
		r := s.mustGet(t, c.path, c.status)
		if n := strings.Count(string(r.body), "not necessarily those of Spektrum Test"); n != 1 {
			t.Errorf("%s shows the disclaimer %d times, want once", c.path, n)
		}
	}
}

// newMixedSite serves editions en and fr over four articles, newest first:
// a French one nobody translated, a German one translated into English,
// and two English ones; untranslated articles are placed as p says.
func newMixedSite(t *testing.T, p edition.Placement) (s *site, fr, de, en1, en2 store.Article) {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	s = &site{st: st, now: time.Now().UTC().Truncate(time.Second)}
	if err := st.EnsureSection(ctx, store.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	src := store.Source{URL: "https://wire.example/feed", Kind: store.KindFeed, Name: "Wire", Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	add := func(n int, lang, title string) store.Article {
		a := store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://wire.example/%d", n), Title: title, Language: lang,
			Section: "world", PublishedAt: s.now.Add(-time.Duration(n) * time.Hour), Text: title, HTML: "<p>" + title + "</p>"}
		if _, err := st.UpsertArticle(ctx, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	fr, de = add(1, "fr", "Le conseil vote le budget"), add(2, "de", "Stadtrat beschließt Haushalt")
	en1, en2 = add(3, "en", "Harbour reopens"), add(4, "en", "Rail strike ends")
	for _, tr := range []store.Translation{
		{ArticleID: fr.ID, Language: "en", SourceLanguage: "fr", Status: store.TranslationUnsupported, ContentHash: fr.ContentHash},
		{ArticleID: de.ID, Language: "en", SourceLanguage: "de", Status: store.TranslationDone, Title: "City council passes budget",
			HTML: "<p>Passed.</p>", Text: "Passed.", Provider: "apertium", ContentHash: de.ContentHash},
	} {
		if err := st.PutTranslation(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	s.srv = httptest.NewUnstartedServer(nil)
	h, err := New(st, Config{SiteName: "Spektrum", Language: "en", Editions: []string{"en", "fr"}, Untranslated: p,
		BaseURL: "http://" + s.srv.Listener.Addr().String(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Config.Handler = h
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s, fr, de, en1, en2
}

// headlines lists the titles under the element with id, in order.
func headlines(doc *html.Node, id string) []string {
	var out []string
	if n := byID(doc, id); n != nil {
		for _, a := range findAll(n, elem("a")) {
			if p := attr(a, "href"); strings.HasPrefix(p, "/en/20") || strings.HasPrefix(p, "/fr/20") {
				out = append(out, textOf(a))
			}
		}
	}
	return out
}

// TestEditionShowsItsLanguageFirst: the English edition leads with its own
// articles (written in English or translated); the untranslated French one
// follows, marked with its language, or is kept to a block of its own.
func TestEditionShowsItsLanguageFirst(t *testing.T) {
	s, fr, _, en1, en2 := newMixedSite(t, edition.After)
	doc := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	lead := findAll(doc, func(n *html.Node) bool { return hasClass(n, "lead-story") })
	if len(lead) != 1 || !strings.Contains(textOf(lead[0]), "City council passes budget") {
		t.Fatalf("the English front page should lead with the newest article in English (translated), not the French one")
	}
	if got, want := headlines(doc, "latest"), []string{en1.Title, en2.Title, fr.Title}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("latest = %q, want %q (the untranslated after)", got, want)
	}
	marks := findAll(byID(doc, "latest"), func(n *html.Node) bool { return hasClass(n, "lang-mark") })
	if len(marks) != 1 || textOf(marks[0]) != "French" {
		t.Errorf("the untranslated article should be marked \"French\" once; marks: %d", len(marks))
	}
	if byID(doc, "others-h") != nil {
		t.Error("with untranslated articles ranked after, there is no block apart")
	}
	sec := parseHTML(t, s.mustGet(t, "/en/section/world", http.StatusOK).body)
	if got := headlines(sec, "latest"); len(got) != 4 || got[3] != fr.Title {
		t.Errorf("section page = %q, want the French article last", got)
	}
	if feed := string(s.mustGet(t, "/en/feed.xml", http.StatusOK).body); !strings.Contains(feed, fr.Title) {
		t.Error("the English feed (after) should still carry the untranslated French article, marked with its language")
	}

	s, fr, _, en1, en2 = newMixedSite(t, edition.Apart)
	doc = parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	if got, want := headlines(doc, "latest"), []string{en1.Title, en2.Title}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("latest (apart) = %q, want %q", got, want)
	}
	if h := byID(doc, "others-h"); h == nil || textOf(h) != "In other languages" {
		t.Fatal("the untranslated article should be in a block \"In other languages\"")
	}
	others := findAll(doc, func(n *html.Node) bool { return hasClass(n, "others") })
	if len(others) != 1 || !strings.Contains(textOf(others[0]), fr.Title) || !strings.Contains(textOf(others[0]), "French") {
		t.Errorf("the block apart should list %q marked French", fr.Title)
	}
	sec = parseHTML(t, s.mustGet(t, "/en/section/world", http.StatusOK).body)
	if got := headlines(sec, "latest"); len(got) != 3 {
		t.Errorf("section page (apart) lists %q, want the three in English", got)
	}
	if o := findAll(sec, func(n *html.Node) bool { return hasClass(n, "others") }); len(o) != 1 {
		t.Error("the section page should keep the French article in a block apart")
	}
	// Feeds: kept apart means left out of the edition's feed.
	if feed := string(s.mustGet(t, "/en/feed.xml", http.StatusOK).body); strings.Contains(feed, fr.Title) || !strings.Contains(feed, en1.Title) {
		t.Error("the English feed (apart) should carry the English articles and not the untranslated French one")
	}
	// The French edition: the French article is its own; the rest (no
	// translation rows into French) are not in it at all.
	frDoc := parseHTML(t, s.mustGet(t, "/fr/", http.StatusOK).body)
	if lead := findAll(frDoc, func(n *html.Node) bool { return hasClass(n, "lead-story") }); len(lead) != 1 || !strings.Contains(textOf(lead[0]), fr.Title) {
		t.Error("the French edition should lead with the French article")
	}
}

// TestIconsAndManifest: the layout links an SVG icon, an ICO fallback, a
// touch icon and a web-app manifest, and each answers with its type.
func TestIconsAndManifest(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	doc := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	hrefs := map[string]string{}
	for _, l := range findAll(doc, elem("link")) {
		rel := attr(l, "rel")
		if rel == "icon" && attr(l, "type") != "" {
			rel += " " + attr(l, "type")
		}
		hrefs[rel] = attr(l, "href")
	}
	for rel, ct := range map[string]string{
		"icon": "image/x-icon", "icon image/svg+xml": "image/svg+xml", "apple-touch-icon": "image/png", "manifest": "application/manifest+json",
	} {
		if hrefs[rel] == "" {
			t.Errorf("no <link rel=%q>", rel)
			continue
		}
		r := s.mustGet(t, hrefs[rel], http.StatusOK)
		if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, ct) || len(r.body) == 0 {
			t.Errorf("%s answers %q with %d bytes, want %s", hrefs[rel], got, len(r.body), ct)
		}
	}
	if ico := s.mustGet(t, "/favicon.ico", http.StatusOK).body; len(ico) < 22 || ico[2] != 1 || string(ico[22:26]) != "\x89PNG" {
		t.Error("/favicon.ico is not an ICO holding a PNG")
	}
	var m webManifest
	if err := json.Unmarshal(s.mustGet(t, "/manifest.webmanifest", http.StatusOK).body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Spektrum Test" || m.StartURL != "/" || len(m.Icons) != 3 {
		t.Fatalf("manifest = %+v", m)
	}
	for _, ic := range m.Icons {
		if r := s.mustGet(t, ic.Src, http.StatusOK); r.Header.Get("Content-Type") != ic.Type {
			t.Errorf("manifest icon %s is %q, the manifest says %q", ic.Src, r.Header.Get("Content-Type"), ic.Type)
		}
	}
	if csp := s.mustGet(t, "/en/", http.StatusOK).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "manifest-src 'self'") {
		t.Errorf("the CSP blocks the manifest: %s", csp)
	}
}

// TestRSSImageWithoutFakeLength: an item's image is a Media RSS element,
// which needs no length, not an <enclosure length="0">.
func TestRSSImageWithoutFakeLength(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	body := string(s.mustGet(t, "/en/feed.xml", http.StatusOK).body)
	if strings.Contains(body, "<enclosure") || strings.Contains(body, `length="0"`) {
		t.Error("the RSS feed still has an enclosure without a real length")
	}
	want := `<media:content url="https://img.example.org/lead-0.png" type="image/png" medium="image"></media:content>`
	if !strings.Contains(body, want) || !strings.Contains(body, `xmlns:media="http://search.yahoo.com/mrss/"`) {
		t.Errorf("the RSS feed lacks %s with its namespace", want)
	}
}

// TestEveryPageHasADescription: front, section, article (also one with no
// text to summarize) and error pages carry a meta description.
func TestEveryPageHasADescription(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	bare := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/bare", Title: "A title alone",
		PublishedAt: s.now.Add(-time.Hour), Language: "en"}
	if _, err := s.st.UpsertArticle(context.Background(), &bare); err != nil {
		t.Fatal(err)
	}
	a := s.visible[4]
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/en/", 200, "News from every side"}, {"/en/section/economy", 200, "Economy"},
		{enArticle(&a), 200, a.Summary}, {"/en" + bare.Path(), 200, "News from every side"},
		{"/en/section/nothing-here", 404, "News from every side"},
	} {
		doc := parseHTML(t, s.mustGet(t, c.path, c.status).body)
		if got := metaProp(doc, "description"); got == "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: meta description %q, want one with %q", c.path, got, c.want)
		}
	}
}
