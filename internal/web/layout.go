package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
)

// Layout renders pages of other publish-stage parts (the newsletter's
// sign-up, confirmation and preferences pages) in the site's design: its
// masthead, menu, edition switcher and footer around their own body, so a
// reader never leaves the site.
type Layout struct{ s *server }

// NewLayout builds the layout over the same store and configuration as
// the site's handler (New).
func NewLayout(st Store, cfg Config) (*Layout, error) {
	s, err := newServer(st, cfg)
	if err != nil {
		return nil, err
	}
	return &Layout{s: s}, nil
}

// Render writes body in the layout of edition lang with title and
// description. The page is never cached (these pages answer signed,
// personal links), and it offers no sign-up form in its footer: the
// newsletter's pages are the form. The edition switcher leads to each
// edition's sign-up page.
func (l *Layout) Render(w http.ResponseWriter, r *http.Request, status int, lang, title, description string, body template.HTML) {
	s := l.s
	if !s.isEdition(lang) {
		lang = s.editions[0]
	}
	ctx := context.WithValue(r.Context(), editionKey{}, lang)
	d, _, err := s.basePage(ctx, title)
	if err != nil {
		s.serverError(w, r, "newsletter page", err)
		return
	}
	if description != "" {
		d.Description = description
	}
	d.Newsletter, d.NoIndex = "", true
	d.Alternates = nil // personal pages: nothing to index in other languages
	d.Editions = s.editionLinks(lang, "/newsletter")
	d.Main = body
	var buf bytes.Buffer
	if err := s.pages["framed"].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.ErrorContext(ctx, "render framed page", "path", r.URL.Path, "err", err)
		http.Error(w, "500 internal error: the page could not be rendered; please try again later", http.StatusInternalServerError)
		return
	}
	send(w, r, status, "text/html; charset=utf-8", buf.Bytes(), "no-store")
}
