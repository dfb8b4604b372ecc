package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	langname "spektrum/internal/lang"
	"strings"

	"golang.org/x/text/language"

	"spektrum/internal/store"
)

// Editions: every page exists once per edition language under /{lang}/.
// An article appears in its own language's edition at once and in the
// others once the translate stage has finished with it: translated, or —
// when the pair is unsupported, the provider failed or the budget is spent —
// in its own language with a note. Unprefixed paths redirect to the default
// edition (the site root by the reader's Accept-Language), except the root
// feeds, which stay where feed readers have them and serve the default edition.

type editionKey struct{}

// in runs h with the edition lang in the request context.
func (s *server) in(lang string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), editionKey{}, lang)))
	})
}

// edition is the request's edition language: from its path, else the default.
func (s *server) edition(ctx context.Context) string {
	if l, ok := ctx.Value(editionKey{}).(string); ok {
		return l
	}
	return s.editions[0]
}

// prefix is an edition's path prefix, "/de".
func prefix(lang string) string { return "/" + lang }

func (s *server) isEdition(lang string) bool {
	for _, e := range s.editions {
		if e == lang {
			return true
		}
	}
	return false
}

// handleRoot sends readers to the edition their browser asks for, or the default.
func (s *server) handleRoot(w http.ResponseWriter, r *http.Request) {
	lang := s.editions[0]
	if al := r.Header.Get("Accept-Language"); al != "" {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, i, conf := s.matcher.Match(tags...)
			if conf != language.No {
				lang = s.editions[i]
			}
		}
	}
	w.Header().Set("Vary", "Accept-Language")
	w.Header().Set("Cache-Control", "no-store")
	target := prefix(lang) + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// redirectDefault moves an unprefixed page address to the default edition for good.
func (s *server) redirectDefault(w http.ResponseWriter, r *http.Request) {
	target := prefix(s.editions[0]) + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// alternate is one <link rel="alternate" hreflang> target.
type alternate struct{ Lang, Href string }

// alternates lists the page at path (without edition prefix) in every
// edition, plus x-default for the default edition.
func (s *server) alternates(path string) []alternate {
	out := make([]alternate, 0, len(s.editions)+1)
	for _, e := range s.editions {
		out = append(out, alternate{Lang: e, Href: s.absURL(prefix(e) + path)})
	}
	return append(out, alternate{Lang: "x-default", Href: s.absURL(prefix(s.editions[0]) + path)})
}

// editionLink is an entry of the edition switcher.
type editionLink struct {
	Lang, Name, Href string
	Current          bool
}

func (s *server) editionLinks(cur, path string) []editionLink {
	if len(s.editions) < 2 {
		return nil
	}
	out := make([]editionLink, 0, len(s.editions))
	for _, e := range s.editions {
		out = append(out, editionLink{Lang: e, Name: langname.Endonym(e), Href: prefix(e) + path, Current: e == cur})
	}
	return out
}

// localized is an article as an edition shows it.
type localized struct {
	store.Article
	// Shown is the language the title and body are in: the edition's when
	// translated, the article's own otherwise.
	Shown string
	// From is the original language when machine-translated, "" otherwise.
	From     string
	Provider string
	// Note explains why an article is shown untranslated ("" when it is
	// in the edition's language, or translated).
	Note string
}

// localize puts as into edition lang: translated titles, leads and bodies
// where the translate stage produced them.
func (s *server) localize(ctx context.Context, lang string, as []store.Article) ([]localized, error) {
	var ids []int64
	for i := range as {
		if as[i].Language != "" && as[i].Language != lang {
			ids = append(ids, as[i].ID)
		}
	}
	trs := map[int64]store.Translation{}
	if len(ids) > 0 {
		var err error
		if trs, err = s.st.TranslationsIn(ctx, lang, ids); err != nil {
			return nil, fmt.Errorf("load %s translations: %w", lang, err)
		}
	}
	out := make([]localized, len(as))
	for i := range as {
		out[i] = s.apply(lang, as[i], trs[as[i].ID])
	}
	return out, nil
}

// apply is localize for one article and its translation row (zero if none).
func (s *server) apply(lang string, a store.Article, tr store.Translation) localized {
	l := localized{Article: a, Shown: a.Language}
	if a.Language == "" || a.Language == lang {
		l.Shown = lang
		return l
	}
	if tr.Status == store.TranslationDone && tr.ContentHash == a.ContentHash {
		l.Title, l.Summary, l.HTML, l.Text = tr.Title, tr.Summary, tr.HTML, tr.Text
		l.Shown, l.From, l.Provider = lang, a.Language, tr.Provider
		return l
	}
	l.Note = s.msg.T(lang, "untranslated", s.msg.T(lang, "lang."+a.Language))
	return l
}

// localizeOne loads and applies the translation of one article.
func (s *server) localizeOne(ctx context.Context, lang string, a *store.Article) (localized, error) {
	if a.Language == "" || a.Language == lang {
		return s.apply(lang, *a, store.Translation{}), nil
	}
	tr, err := s.st.Translation(ctx, a.ID, lang)
	if errors.Is(err, store.ErrNotFound) {
		return s.apply(lang, *a, store.Translation{}), nil
	}
	if err != nil {
		return localized{}, fmt.Errorf("load %s translation of article %d: %w", lang, a.ID, err)
	}
	return s.apply(lang, *a, *tr), nil
}

// sectionName is a section's name in an edition: the stored name in the
// site's language; in other editions the catalogue's, if it knows the slug.
func (s *server) sectionName(lang, slug, stored string) string {
	// The editor named sections in the site's language; other editions
	// take the catalogue's name for well-known slugs.
	if key := "section." + slug; lang != baseLang(s.cfg.Language) && s.msg.Has(lang, key) {
		return s.msg.T(lang, key)
	}
	if stored == "" {
		return slug
	}
	return stored
}

// stripEdition returns path without its edition prefix ("/de/x" → "/x").
func (s *server) stripEdition(path string) string {
	for _, e := range s.editions {
		if p := prefix(e); path == p || strings.HasPrefix(path, p+"/") {
			return strings.TrimPrefix(path, p)
		}
	}
	return path
}

// articleAlternates lists the article's page in each edition that shows it
// in that edition's language, plus x-default (its original's edition, or
// the default edition).
func (s *server) articleAlternates(ctx context.Context, a *store.Article) ([]alternate, error) {
	trs, err := s.st.Translations(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("load translations of article %d: %w", a.ID, err)
	}
	done := map[string]bool{}
	for _, t := range trs {
		if t.Status == store.TranslationDone && t.ContentHash == a.ContentHash {
			done[t.Language] = true
		}
	}
	eds, def := s.carriers(a, done)
	path := a.Path()
	out := make([]alternate, 0, len(eds)+1)
	for _, e := range eds {
		out = append(out, alternate{Lang: e, Href: s.absURL(prefix(e) + path)})
	}
	return append(out, alternate{Lang: "x-default", Href: s.absURL(prefix(def) + path)}), nil
}

// carriers are the editions that show a in their own language (its
// original's and those translated into, by done), and the edition of its
// original (else the default one). An article in none is carried by the
// default edition, untranslated.
func (s *server) carriers(a *store.Article, done map[string]bool) (eds []string, def string) {
	def = s.editions[0]
	for _, e := range s.editions {
		if e == a.Language || a.Language == "" || done[e] {
			eds = append(eds, e)
		}
		if e == a.Language {
			def = e
		}
	}
	if len(eds) == 0 {
		eds = []string{def}
	}
	return eds, def
}
