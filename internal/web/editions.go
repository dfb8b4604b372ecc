package web

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	langname "spektrum/internal/lang"
	"spektrum/internal/store"
)

// Editions: every page exists once per edition language under /{lang}/.
// An article appears in its own language's edition at once and in the
// others once the translate stage has finished with it: translated, or —
// when the pair is unsupported, the provider failed or the budget is spent —
// in its own language with a note (internal/edition decides which). Unprefixed paths redirect to the default
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
	done, err := s.ed.Translated(ctx, a)
	if err != nil {
		return nil, err
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
