package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// edSite is a site with editions en (default), de and fr, one German
// article translated into English and unsupported in French, one German
// article still waiting for its translations, and one English article.
type edSite struct {
	site
	de, pending, en store.Article
	forms           []string // languages the newsletter form was asked for
}

var published = time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC)

func newEdSite(t *testing.T) *edSite {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	s := &edSite{site: site{st: st, now: published.Add(time.Hour)}}
	if err := st.EnsureSection(ctx, store.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatal(err)
	}
	src := store.Source{URL: "https://rheinblick.example/feed", SiteURL: "https://rheinblick.example/", Kind: store.KindFeed, Name: "Rheinblick", Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	add := func(a store.Article) store.Article {
		a.SourceID, a.PublishedAt, a.Section = src.ID, published, "world"
		if _, err := st.UpsertArticle(ctx, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	s.de = add(store.Article{URL: "https://rheinblick.example/haushalt", Title: "Stadtrat beschließt Haushalt", Language: "de",
		Summary: "Mehr Geld für Schulen.", HTML: "<p>Der Stadtrat hat den Haushalt beschlossen.</p>", Text: "Der Stadtrat hat den Haushalt beschlossen."})
	s.pending = add(store.Article{URL: "https://rheinblick.example/bruecke", Title: "Brücke gesperrt", Language: "de",
		HTML: "<p>Die Brücke ist gesperrt.</p>", Text: "Die Brücke ist gesperrt."})
	s.en = add(store.Article{URL: "https://rheinblick.example/en/budget", Title: "Council passes budget", Language: "en",
		HTML: "<p>The council passed the budget.</p>", Text: "The council passed the budget."})
	for _, tr := range []store.Translation{
		{ArticleID: s.de.ID, Language: "en", SourceLanguage: "de", Status: store.TranslationDone, Title: "City council passes budget",
			Summary: "More money for schools.", HTML: "<p>The city council passed the budget.</p>", Text: "The city council passed the budget.",
			Provider: "deepl", ContentHash: s.de.ContentHash},
		{ArticleID: s.de.ID, Language: "fr", SourceLanguage: "de", Status: store.TranslationUnsupported, Error: "no provider for de→fr", ContentHash: s.de.ContentHash},
		{ArticleID: s.en.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationFailed, Error: "provider down", ContentHash: s.en.ContentHash},
		{ArticleID: s.en.ID, Language: "fr", SourceLanguage: "en", Status: store.TranslationQueued, Error: "budget spent", ContentHash: s.en.ContentHash},
	} {
		if err := st.PutTranslation(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	// A view, so the front pages show their Trending box (page views reach
	// the store only through a flush of the view counter).
	if err := st.AddViews(ctx, []store.ViewCount{{ArticleID: s.de.ID, Hour: s.now, Count: 1}}); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(nil)
	h, err := New(st, Config{
		SiteName: "Spektrum", Language: "en", Editions: []string{"en", "de", "fr"}, BaseURL: "http://" + s.srv.Listener.Addr().String(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return s.now },
		NewsletterForm: func(lang, page string) template.HTML {
			s.forms = append(s.forms, lang)
			return template.HTML(`<form class="nl" data-lang="` + lang + `" data-page="` + template.HTMLEscapeString(page) + `"></form>`)
		},
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "spektrum_up 1\n") }),
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	s.srv.Config.Handler = h
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *edSite) page(t *testing.T, path string) string {
	t.Helper()
	return string(s.mustGet(t, path, http.StatusOK).body)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestRootRedirectsByAcceptLanguage(t *testing.T) {
	s := newEdSite(t)
	for _, c := range []struct{ accept, want string }{
		{"", "/en/"}, {"de-DE,de;q=0.9,en;q=0.5", "/de/"}, {"fr-CH, fr;q=0.9", "/fr/"}, {"ja", "/en/"}, {"pl,de;q=0.5", "/de/"},
	} {
		r := s.get(t, "/", "Accept-Language", c.accept)
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != c.want || r.Header.Get("Vary") != "Accept-Language" {
			t.Errorf("GET / (Accept-Language %q) = %d → %q, want 302 → %s varying by Accept-Language", c.accept, r.StatusCode, r.Header.Get("Location"), c.want)
		}
	}
	// Old unprefixed addresses move to the default edition for good.
	for _, p := range []string{"/section/world", s.de.Path()} {
		r := s.get(t, p)
		if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != "/en"+p {
			t.Errorf("GET %s = %d → %q, want 301 → /en%s", p, r.StatusCode, r.Header.Get("Location"), p)
		}
	}
	s.mustGet(t, "/xx/", http.StatusNotFound)
}

func TestEditionChromeIsTranslated(t *testing.T) {
	s := newEdSite(t)
	de := s.page(t, "/de"+s.de.Path())
	mustContain(t, "German article page", de, `<html lang="de">`, "Teile diesen Artikel:", "Veröffentlicht am 5. März 2026", "Zum Inhalt springen",
		"Der Stadtrat hat den Haushalt beschlossen.", `data-lang="de"`)
	fr := s.page(t, "/fr/")
	mustContain(t, "French front page", fr, `<html lang="fr">`, "Tendances", "Aller au contenu", `data-lang="fr"`)
	en := s.page(t, "/en/")
	mustContain(t, "English front page", en, `<html lang="en">`, "City council passes budget", "Council passes budget")
	if strings.Contains(en, "Brücke gesperrt") {
		t.Error("English edition lists an article still waiting for its translation")
	}
	if !strings.Contains(s.page(t, "/de/"), "Brücke gesperrt") {
		t.Error("German edition lacks its own new article")
	}
	// Every page names its siblings in the other editions; an article's
	// only those that carry it in their language (the French edition
	// shows this one untranslated), x-default its original.
	for _, lang := range []string{"en", "de", "fr", "x-default"} {
		mustContain(t, "German front page", s.page(t, "/de/"), fmt.Sprintf(`<link rel="alternate" hreflang="%s" href="%s`, lang, s.srv.URL))
	}
	mustContain(t, "German article page", de, `<link rel="alternate" hreflang="en" href="`+s.srv.URL+"/en"+s.de.Path(),
		`<link rel="alternate" hreflang="de" href="`+s.srv.URL+"/de"+s.de.Path(), `<link rel="alternate" hreflang="x-default" href="`+s.srv.URL+"/de"+s.de.Path())
	if strings.Contains(de, `hreflang="fr" href=`) {
		t.Error("article page names the French edition, which shows it untranslated, as a French alternate")
	}
	mustContain(t, "edition switcher", de, `href="/en`+s.de.Path()+`" hreflang="en" lang="en"`, ">Français<")
	// Section names per edition.
	mustContain(t, "German section nav", de, ">Welt<")
	mustContain(t, "French section page", s.page(t, "/fr/section/world"), "Monde", "3 articles")
	if strings.Join(s.forms, ",") == "" || !strings.Contains(strings.Join(s.forms, ","), "de") {
		t.Errorf("newsletter form languages = %v, want the editions' languages", s.forms)
	}
}

func TestMachineTranslatedArticlePage(t *testing.T) {
	s := newEdSite(t)
	en := s.page(t, "/en"+s.de.Path())
	mustContain(t, "translated page", en, "City council passes budget", "The city council passed the budget.",
		"Machine-translated from German —", `<a class="original-page" href="/de`+s.de.Path()+`" hreflang="de">read the original</a>`,
		`<a class="original-source" href="https://rheinblick.example/haushalt" rel="nofollow noopener">the source</a>`, "Translation: deepl", `"inLanguage":"en"`)
	// Unsupported pair: the original, marked, in the French edition.
	fr := s.page(t, "/fr"+s.de.Path())
	mustContain(t, "untranslated page", fr, `<h1 class="article-title" lang="de">Stadtrat beschließt Haushalt</h1>`,
		"Non disponible en français : affiché dans la langue d&#39;origine (allemand).", `<div class="article-body" lang="de">`)
	if strings.Contains(fr, "Traduit automatiquement") {
		t.Error("an untranslated article claims to be machine-translated")
	}
	// A failed translation shows the original too, never an empty page.
	mustContain(t, "failed translation page", s.page(t, "/de"+s.en.Path()), "Council passes budget", "The council passed the budget.", "Nicht auf Deutsch verfügbar")
}

func TestEditionFeedsAndSitemaps(t *testing.T) {
	s := newEdSite(t)
	en := s.page(t, "/en/feed.xml")
	mustContain(t, "English RSS", en, "<language>en</language>", "City council passes budget", "/en"+s.de.Path())
	mustContain(t, "German RSS", s.page(t, "/de/feed.xml"), "<language>de</language>", "Stadtrat beschließt Haushalt", "Brücke gesperrt")
	mustContain(t, "root RSS (default edition)", s.page(t, "/feed.xml"), "City council passes budget")

	var set struct {
		URLs []struct {
			Loc  string `xml:"loc"`
			Alts []struct {
				Hreflang string `xml:"hreflang,attr"`
				Href     string `xml:"href,attr"`
			} `xml:"link"`
			News *struct {
				Language string `xml:"publication>language"`
				Title    string `xml:"title"`
			} `xml:"news"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(s.mustGet(t, "/sitemap.xml", http.StatusOK).body, &set); err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, u := range set.URLs {
		if strings.HasSuffix(u.Loc, s.de.Path()) {
			found = append(found, strings.TrimPrefix(u.Loc, s.srv.URL)[:3])
			if len(u.Alts) != 3 {
				t.Errorf("sitemap entry %s has %d alternates, want en, de, x-default", u.Loc, len(u.Alts))
			}
		}
		if strings.HasSuffix(u.Loc, "/de/") && len(u.Alts) != 4 {
			t.Errorf("sitemap entry %s has %d alternates, want en, de, fr, x-default", u.Loc, len(u.Alts))
		}
	}
	// In the editions that carry it in their language: German (original)
	// and English (translated), not French (shown untranslated).
	if strings.Join(found, ",") != "/de,/en" && strings.Join(found, ",") != "/en,/de" {
		t.Errorf("sitemap lists the article under %v, want /de and /en", found)
	}
	set.URLs = nil
	s.now = published.Add(2 * time.Hour)
	if err := xml.Unmarshal(s.mustGet(t, "/news-sitemap.xml", http.StatusOK).body, &set); err != nil {
		t.Fatal(err)
	}
	news := map[string]string{}
	for _, u := range set.URLs {
		news[u.Loc[len(s.srv.URL):]] = u.News.Language + ":" + u.News.Title
	}
	if news["/en"+s.de.Path()] != "en:City council passes budget" || news["/de"+s.de.Path()] != "de:Stadtrat beschließt Haushalt" {
		t.Errorf("news sitemap = %v; want the article in German and, translated, in English", news)
	}
	if _, ok := news["/fr"+s.de.Path()]; ok {
		t.Error("news sitemap lists an untranslated article under the French edition")
	}
	mustContain(t, "metrics", s.page(t, "/metrics"), "spektrum_up 1")
}

func TestAPILangParameter(t *testing.T) {
	s := newEdSite(t)
	var got map[string]any
	if err := json.Unmarshal(s.mustGet(t, fmt.Sprintf("/api/v1/articles/%d?lang=en", s.de.ID), http.StatusOK).body, &got); err != nil {
		t.Fatal(err)
	}
	if got["title"] != "City council passes budget" || got["language"] != "en" || got["translated_from"] != "de" || got["translation_provider"] != "deepl" {
		t.Errorf("?lang=en = %v", got)
	}
	got = nil
	if err := json.Unmarshal(s.mustGet(t, fmt.Sprintf("/api/v1/articles/%d?lang=fr", s.de.ID), http.StatusOK).body, &got); err != nil {
		t.Fatal(err)
	}
	if got["title"] != "Stadtrat beschließt Haushalt" || got["language"] != "de" || got["translated_from"] != nil || got["translation_provider"] != nil || got["translation_note"] == "" {
		t.Errorf("?lang=fr (unsupported) = %v; want the original with null translation fields and a note", got)
	}
	// Without ?lang the contract is unchanged.
	got = nil
	if err := json.Unmarshal(s.mustGet(t, fmt.Sprintf("/api/v1/articles/%d", s.de.ID), http.StatusOK).body, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["translated_from"]; ok || got["title"] != "Stadtrat beschließt Haushalt" {
		t.Errorf("without ?lang = %v; want the original and no translation fields", got)
	}
	var list struct {
		Articles []map[string]any `json:"articles"`
	}
	if err := json.Unmarshal(s.mustGet(t, "/api/v1/articles?lang=en", http.StatusOK).body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Articles) != 2 {
		t.Errorf("?lang=en lists %d articles, want 2 (the pending one waits)", len(list.Articles))
	}
	r := s.get(t, "/api/v1/articles?lang=xx")
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.body), "en, de, fr") {
		t.Errorf("?lang=xx = %d %s; want 400 naming the editions", r.StatusCode, r.body)
	}
}

// TestTaglineAndLanguageNamesPerEdition: with no tagline set, each edition
// shows the catalogue's in its language (an operator's tagline is shown as
// given: see newSite); the untranslated note names any language the
// detector knows in the edition's language (the Spanish site once showed
// the key "lang.id" for an Indonesian article).
func TestTaglineAndLanguageNamesPerEdition(t *testing.T) {
	s := newEdSite(t)
	mustContain(t, "German front page", s.page(t, "/de/"), "Nachrichten aus einem breiten Spektrum von Quellen")
	mustContain(t, "English front page", s.page(t, "/en/"), "News from a broad spectrum of sources")
	op := newSite(t, "")
	if home := string(op.mustGet(t, "/en/", http.StatusOK).body); !strings.Contains(home, "News from every side") {
		t.Error("an operator's tagline is not shown as given")
	}
	ctx := context.Background()
	a := store.Article{SourceID: s.de.SourceID, URL: "https://rheinblick.example/id/berita", Title: "Berita kota", Language: "id",
		HTML: "<p>Dewan kota menyetujui anggaran.</p>", Text: "Dewan kota menyetujui anggaran.", PublishedAt: published, Section: "world"}
	if _, err := s.st.UpsertArticle(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "fr", SourceLanguage: "id",
		Status: store.TranslationUnsupported, ContentHash: a.ContentHash}); err != nil {
		t.Fatal(err)
	}
	fr := s.page(t, "/fr"+a.Path())
	mustContain(t, "untranslated Indonesian article", fr, "(indonésien)")
	if strings.Contains(fr, "lang.id") {
		t.Error("the French page shows the catalogue key lang.id instead of the language's name")
	}
	r := s.get(t, "/api/v1/articles/"+fmt.Sprint(a.ID)+"?lang=fr")
	var got apiEditionArticle
	if err := json.Unmarshal(r.body, &got); err != nil || !strings.Contains(got.TranslationNote, "(indonésien)") {
		t.Errorf("API note = %q, %v; want the language named in French", got.TranslationNote, err)
	}
}
