package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/edition"
	langname "spektrum/internal/lang"
	"spektrum/internal/ops/view"
	"spektrum/internal/store"
)

// apiArticle is the article object of the JSON API contract. Field names and
// shapes are a public contract: change them only with a new API version.
type apiArticle struct {
	ID           int64   `json:"id"`
	URL          string  `json:"url"`
	CanonicalURL string  `json:"canonical_url"`
	Source       apiRef  `json:"source"`
	Title        string  `json:"title"`
	Author       string  `json:"author"`
	PublishedAt  *string `json:"published_at"` // RFC 3339, null when the source gave no date
	Language     string  `json:"language"`
	Section      string  `json:"section"`
	Image        string  `json:"image"`
	Text         string  `json:"text"`
	HTML         string  `json:"html"`
}

// apiEditionArticle is an article in one edition (?lang=): title, text and
// HTML in that language when translated. translated_from names the
// original's language and translation_provider the engine (both null when
// the article is in its own language); translation_note says why an
// article is shown untranslated.
type apiEditionArticle struct {
	apiArticle
	TranslatedFrom      *string `json:"translated_from"`
	TranslationProvider *string `json:"translation_provider"`
	TranslationNote     string  `json:"translation_note,omitempty"`
}

type apiEditionList struct {
	Articles   []apiEditionArticle `json:"articles"`
	NextCursor *string             `json:"next_cursor"`
}

func toAPIEditionArticle(l *edition.Article) apiEditionArticle {
	out := apiEditionArticle{apiArticle: toAPIArticle(&l.Article), TranslationNote: l.Note}
	out.Language = l.Shown
	if l.From != "" {
		from, prov := l.From, l.Provider
		out.TranslatedFrom, out.TranslationProvider = &from, &prov
	}
	return out
}

// apiEdition reads ?lang=; ok is false when it answered with an error.
func (s *server) apiEdition(w http.ResponseWriter, r *http.Request) (lang string, ok bool) {
	lang = r.URL.Query().Get("lang")
	if lang == "" {
		return "", true
	}
	if !s.isEdition(langname.Base(lang)) {
		s.apiError(w, http.StatusBadRequest, fmt.Sprintf("unknown edition %q: this site's editions are %s", lang, strings.Join(s.editions, ", ")))
		return "", false
	}
	return langname.Base(lang), true
}

type apiRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type apiArticleList struct {
	Articles   []apiArticle `json:"articles"`
	NextCursor *string      `json:"next_cursor"`
}

// apiSourceList is /api/v1/sources: each source in the one shape of a
// source (view.Source), without the raw error text.
type apiSourceList struct {
	Sources []view.Source `json:"sources"`
}

type apiErr struct {
	Error string `json:"error"`
}

func rfc3339OrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.UTC().Format(time.RFC3339)
	return &v
}

func toAPIArticle(a *store.Article) apiArticle {
	return apiArticle{
		ID: a.ID, URL: a.URL, CanonicalURL: a.CanonicalURL,
		Source: apiRef{ID: a.SourceID, Name: a.SourceName},
		Title:  a.Title, Author: a.Author, PublishedAt: rfc3339OrNull(a.PublishedAt),
		Language: a.Language, Section: a.Section, Image: a.Image, Text: a.Text, HTML: a.HTML,
	}
}

func (s *server) apiJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.ErrorContext(r.Context(), "api: encode response", "path", r.URL.Path, "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error: the response could not be encoded; please report this"}`)
	}
	send(w, r, status, "application/json; charset=utf-8", append(b, '\n'), pageCacheControl())
}

func (s *server) apiError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(apiErr{Error: msg}) // a struct of one string always marshals
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// apiInternal logs the cause once and tells the client only that it was us.
func (s *server) apiInternal(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.logFailure(r, "api: "+what, err)
	s.apiError(w, http.StatusInternalServerError, "internal error while "+what+"; please try again later")
}

func (s *server) handleAPIArticles(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	qv := r.URL.Query()
	lang, ok := s.apiEdition(w, r)
	if !ok {
		return
	}
	q := store.ArticleQuery{Limit: apiDefaultLimit, Section: qv.Get("section"), Cursor: qv.Get("cursor")}
	if v := qv.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxLimit {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad limit %q: use a whole number from 1 to %d (default %d)", v, apiMaxLimit, apiDefaultLimit))
			return
		}
		q.Limit = n
	}
	if v := qv.Get("source"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad source %q: use a source id (a positive whole number) from /api/v1/sources", v))
			return
		}
		if _, err := s.st.Source(ctx, id); errors.Is(err, store.ErrNotFound) {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("unknown source %d: use an id listed by /api/v1/sources", id))
			return
		} else if err != nil {
			s.apiInternal(w, r, "looking up the source", err)
			return
		}
		q.SourceID = id
	}
	var page store.ArticlePage
	var err error
	if lang != "" {
		page, err = s.st.EditionArticles(ctx, lang, q)
	} else {
		page, err = s.st.Articles(ctx, q)
	}
	if errors.Is(err, store.ErrBadCursor) {
		s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad cursor %q: pass the next_cursor of a previous response unchanged, or omit it for the first page", q.Cursor))
		return
	}
	if err != nil {
		s.apiInternal(w, r, "listing articles", err)
		return
	}
	if lang != "" {
		ls, err := s.ed.List(ctx, lang, page.Articles)
		if err != nil {
			s.apiInternal(w, r, "loading translations", err)
			return
		}
		out := apiEditionList{Articles: make([]apiEditionArticle, 0, len(ls))}
		for i := range ls {
			out.Articles = append(out.Articles, toAPIEditionArticle(&ls[i]))
		}
		if page.NextCursor != "" {
			out.NextCursor = &page.NextCursor
		}
		s.apiJSON(w, r, http.StatusOK, out)
		return
	}
	out := apiArticleList{Articles: make([]apiArticle, 0, len(page.Articles))}
	for i := range page.Articles {
		out.Articles = append(out.Articles, toAPIArticle(&page.Articles[i]))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

func (s *server) handleAPIArticle(w http.ResponseWriter, r *http.Request) {
	lang, ok := s.apiEdition(w, r)
	if !ok {
		return
	}
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no article %q: article ids are positive whole numbers, as listed by /api/v1/articles", raw))
		return
	}
	a, err := s.st.Article(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Hidden) {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no article with id %d; list articles with /api/v1/articles", id))
		return
	}
	if err != nil {
		s.apiInternal(w, r, "loading the article", err)
		return
	}
	if lang != "" {
		l, err := s.ed.One(r.Context(), lang, a)
		if err != nil {
			s.apiInternal(w, r, "loading the translation", err)
			return
		}
		s.apiJSON(w, r, http.StatusOK, toAPIEditionArticle(&l))
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIArticle(a))
}

func (s *server) handleAPISources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.st.Sources(r.Context())
	if err != nil {
		s.apiInternal(w, r, "listing sources", err)
		return
	}
	out := apiSourceList{Sources: make([]view.Source, 0, len(srcs))}
	for i := range srcs {
		v := view.Public(&srcs[i])
		if !s.cfg.Scale.Has(v.Position) {
			v.Position = "" // a step the outlet's scale no longer has: unknown
		}
		out.Sources = append(out.Sources, v)
	}
	s.apiJSON(w, r, http.StatusOK, out)
}
