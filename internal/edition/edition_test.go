package edition_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"spektrum/internal/edition"
	"spektrum/internal/i18n"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
)

func setup(t *testing.T) (store.Store, *edition.Editions) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "spektrum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	msg, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return st, edition.New(st, msg, "en")
}

func article(t *testing.T, st store.Store, lang, title string) *store.Article {
	t.Helper()
	ctx := context.Background()
	src := &store.Source{URL: "https://example.org/feed-" + title, Name: "Example", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	a := &store.Article{SourceID: src.ID, URL: "https://example.org/" + title, Title: title, Summary: "Lead " + title,
		Text: "Text " + title, HTML: "<p>Text " + title + "</p>", Language: lang, PublishedAt: time.Now().UTC()}
	if _, err := st.UpsertArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a, err := st.Article(ctx, a.ID); err != nil {
		t.Fatal(err)
	} else {
		return a
	}
	return nil
}

func translate(t *testing.T, st store.Store, a *store.Article, lang, status, hash string) {
	t.Helper()
	tr := &store.Translation{ArticleID: a.ID, Language: lang, SourceLanguage: a.Language, Status: status,
		Title: "[" + lang + "] " + a.Title, Summary: "[" + lang + "] lead", HTML: "<p>[" + lang + "]</p>", Text: "[" + lang + "]",
		Provider: "apertium", ContentHash: hash}
	if err := st.PutTranslation(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
}

// TestWhatAnEditionShows: a current translation is shown with its
// provenance; a translation of an older version, a failed one and none at
// all leave the original with a note naming its language in the edition's
// language; an article in the edition's language is shown as written.
func TestWhatAnEditionShows(t *testing.T) {
	ctx := context.Background()
	st, ed := setup(t)
	a := article(t, st, "de", "Wahl")
	if a.ContentHash == "" {
		t.Fatal("the store gave the article no content hash")
	}
	translate(t, st, a, "en", store.TranslationDone, a.ContentHash)
	translate(t, st, a, "fr", store.TranslationDone, "an-older-version")
	translate(t, st, a, "es", store.TranslationFailed, a.ContentHash)
	id := article(t, st, "id", "Berita")

	for _, c := range []struct {
		ed, title, shown, from, note string
	}{
		{"en", "[en] Wahl", "en", "de", ""},
		{"fr", "Wahl", "de", "", "Non disponible en français : affiché dans la langue d'origine (allemand)."},
		{"es", "Wahl", "de", "", "No disponible en español: se muestra en el idioma original (alemán)."},
		{"it", "Wahl", "de", "", "Non disponibile in italiano: mostrato nella lingua originale (tedesco)."},
		{"de", "Wahl", "de", "", ""},
	} {
		one, err := ed.One(ctx, c.ed, a)
		if err != nil {
			t.Fatal(err)
		}
		list, err := ed.List(ctx, c.ed, []store.Article{*a})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []edition.Article{one, list[0]} {
			if got.Title != c.title || got.Shown != c.shown || got.From != c.from || got.Note != c.note {
				t.Errorf("edition %s shows %q in %q from %q, note %q; want %q in %q from %q, note %q",
					c.ed, got.Title, got.Shown, got.From, got.Note, c.title, c.shown, c.from, c.note)
			}
		}
	}
	// Every language the detector knows has a name in the note: the
	// Spanish site once said "(lang.id)".
	got, err := ed.One(ctx, "es", id)
	if err != nil {
		t.Fatal(err)
	}
	if want := "No disponible en español: se muestra en el idioma original (indonesio)."; got.Note != want {
		t.Errorf("note for an Indonesian article in the Spanish edition = %q, want %q", got.Note, want)
	}

	done, err := ed.Translated(ctx, a)
	if err != nil || len(done) != 1 || !done["en"] {
		t.Errorf("Translated = %v, %v; want en alone (fr is stale, es failed)", done, err)
	}
	in, err := ed.TranslatedIn(ctx, []string{"en", "fr", "es"}, []store.Article{*a, *id})
	if err != nil || len(in) != 1 || len(in[a.ID]) != 1 || !in[a.ID]["en"] {
		t.Errorf("TranslatedIn = %v, %v; want article %d in en alone", in, err, a.ID)
	}
}

func TestSectionName(t *testing.T) {
	_, ed := setup(t)
	named := map[string]string{"de": "Weltgeschehen", "fr": "Monde entier"}
	for _, c := range []struct {
		ed, slug, stored string
		names            map[string]string
		want             string
	}{
		{"en", "world", "World News", nil, "World News"},             // the editor's name in the site's language
		{"de", "world", "World News", nil, "Welt"},                   // well-known slug: the catalogue's
		{"de", "harbour", "Harbour", nil, "Harbour"},                 // unknown slug: the editor's
		{"de", "us", "", nil, "US"},                                  // nobody named it: from the slug
		{"de", "world", "World News", named, "Weltgeschehen"},        // the editor's name for the edition wins
		{"de-AT", "world", "World News", named, "Weltgeschehen"},     // by the edition's base language
		{"es", "world", "World News", named, "Mundo"},                // no name for es: as before
		{"en", "world", "World News", named, "World News"},           // no name for en: the default
		{"de", "harbour", "Harbour", map[string]string{}, "Harbour"}, // an empty map is no name
	} {
		sec := store.Section{Slug: c.slug, Name: c.stored, Names: c.names}
		if got := ed.SectionName(c.ed, sec); got != c.want {
			t.Errorf("SectionName(%s, %+v) = %q, want %q", c.ed, sec, got, c.want)
		}
	}
}

// TestArrange: an edition's own articles (written in its language, of no
// known language, or translated) come first; the untranslated follow, or
// are kept apart; each part keeps its order.
func TestArrange(t *testing.T) {
	ctx := context.Background()
	st, ed := setup(t)
	fr := article(t, st, "fr", "Élection")
	de := article(t, st, "de", "Wahl")
	en := article(t, st, "en", "Vote")
	none := article(t, st, "", "Unknown")
	es := article(t, st, "es", "Votación")
	translate(t, st, es, "en", store.TranslationDone, es.ContentHash)
	ls, err := ed.List(ctx, "en", []store.Article{*fr, *de, *en, *none, *es})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ls []edition.Article) (out []int64) {
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	shown, other := edition.Arrange("en", ls, edition.After)
	if got, want := ids(shown), []int64{en.ID, none.ID, es.ID, fr.ID, de.ID}; !slices.Equal(got, want) || other != nil {
		t.Errorf("After: %v then %v; want %v and nothing apart", got, ids(other), want)
	}
	shown, other = edition.Arrange("en", ls, edition.Apart)
	if !slices.Equal(ids(shown), []int64{en.ID, none.ID, es.ID}) || !slices.Equal(ids(other), []int64{fr.ID, de.ID}) {
		t.Errorf("Apart: %v and %v apart; want the English three, then fr, de apart", ids(shown), ids(other))
	}
	for _, c := range []struct {
		in   string
		want edition.Placement
	}{{"", edition.After}, {"after", edition.After}, {"apart", edition.Apart}} {
		if p, err := edition.ParsePlacement(c.in); err != nil || p != c.want {
			t.Errorf("ParsePlacement(%q) = %q, %v", c.in, p, err)
		}
	}
	if _, err := edition.ParsePlacement("before"); err == nil || !strings.Contains(err.Error(), "after or apart") {
		t.Errorf("ParsePlacement(before): err = %v, want one naming the choices", err)
	}
}
