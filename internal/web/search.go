package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"spektrum/internal/edition"
	langname "spektrum/internal/lang"
	"spektrum/internal/search"
	"spektrum/internal/store"
)

// Searcher is the store's full-text index (store.SearchStore).
type Searcher interface {
	Search(ctx context.Context, q store.SearchQuery) (store.SearchPage, error)
}

// snippetWords is how many words of an article's text a result shows
// around its hits.
const snippetWords = 36

// searchHit is one result: the article as its edition shows it, with the
// query's words marked in its title and in a snippet of its text.
type searchHit struct {
	Article edition.Article
	Title   template.HTML // escaped, with <mark>
	Snippet template.HTML // escaped, with <mark>
}

type searchResult struct {
	Total     int
	TotalMore bool // the count stopped at Total: there are more
	Hits      []searchHit
	Next      string
}

// runSearch is the one search the page and the API share: q analysed in
// the edition's language, the store's index, the edition's words shown,
// hits marked. Parse errors (search.ErrEmpty, …) and store.ErrBadCursor
// come back as they are.
func (s *server) runSearch(ctx context.Context, lang, raw, order, cursor string, limit int) (searchResult, error) {
	q, err := search.Parse(lang, raw)
	if err != nil {
		return searchResult{}, err
	}
	page, err := s.st.Search(ctx, store.SearchQuery{Lang: lang, Groups: q.Groups, Sort: order, Limit: limit, Cursor: cursor})
	if err != nil {
		return searchResult{}, err
	}
	ls, err := s.ed.List(ctx, lang, page.Articles)
	if err != nil {
		return searchResult{}, err
	}
	h := q.Highlighter()
	out := searchResult{Total: page.Total, TotalMore: page.TotalMore, Next: page.NextCursor, Hits: make([]searchHit, len(ls))}
	for i := range ls {
		text := ls[i].Text
		if strings.TrimSpace(text) == "" {
			text = ls[i].Summary
		}
		out.Hits[i] = searchHit{Article: ls[i],
			// Both are built by escaping the text and adding <mark> only.
			Title:   template.HTML(h.Mark(ls[i].Title)),           //nolint:gosec // escaped by search.Highlighter
			Snippet: template.HTML(h.Snippet(text, snippetWords)), //nolint:gosec // escaped by search.Highlighter
		}
	}
	return out, nil
}

// searchOrder reads ?sort=: relevance (the default) or newest.
func searchOrder(v string) (string, bool) {
	switch v {
	case "", store.SortRelevance:
		return store.SortRelevance, true
	case store.SortNewest:
		return store.SortNewest, true
	}
	return "", false
}

type searchMain struct {
	Query   string
	Sort    string
	Message string // why no search ran, or that nothing matched
	Count   string // "12 results"
	Hits    []searchCard
	Pager   pager
	// RelevanceURL and NewestURL switch the order of the same query.
	RelevanceURL, NewestURL string
}

type searchCard struct {
	Card               card
	TitleHTML, Snippet template.HTML
}

func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	qv := r.URL.Query()
	raw, cursor := strings.TrimSpace(qv.Get("q")), qv.Get("cursor")
	order, ok := searchOrder(qv.Get("sort"))
	if !ok {
		s.badRequest(w, r)
		return
	}
	title := ""
	d, names, err := s.basePage(ctx, title)
	if err != nil {
		s.serverError(w, r, "search page", err)
		return
	}
	d.Title = s.msg.T(d.Lang, "search.title")
	if raw != "" {
		d.Title = s.msg.T(d.Lang, "search.title.query", raw)
	}
	d.Query, d.NoIndex, d.SearchPage = raw, true, true
	path := d.Prefix + "/search"
	d.Canonical = s.absURL(path)
	m := &searchMain{Query: raw, Sort: order}
	d.Main = m
	status := http.StatusOK
	if raw == "" {
		m.Message = s.msg.T(d.Lang, "search.hint")
		s.render(w, r, status, "search", d)
		return
	}
	link := func(order, cursor string) string {
		v := url.Values{"q": {raw}}
		if order != store.SortRelevance {
			v.Set("sort", order)
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		return path + "?" + v.Encode()
	}
	m.RelevanceURL, m.NewestURL = link(store.SortRelevance, ""), link(store.SortNewest, "")
	res, err := s.runSearch(ctx, d.Lang, raw, order, cursor, s.cfg.PageSize)
	switch {
	case errors.Is(err, search.ErrEmpty):
		m.Message = s.msg.T(d.Lang, "search.hint")
	case errors.Is(err, search.ErrOnlyStopWords):
		m.Message = s.msg.T(d.Lang, "search.stopwords")
	case errors.Is(err, search.ErrTooLong):
		status, m.Message = http.StatusBadRequest, s.msg.T(d.Lang, "search.toolong", search.MaxQueryRunes)
	case errors.Is(err, store.ErrBadCursor):
		s.badRequest(w, r)
		return
	case err != nil:
		s.serverError(w, r, "search page: search", err)
		return
	}
	if err == nil {
		m.Count = s.msg.N(d.Lang, "search.results", res.Total)
		if res.TotalMore {
			m.Count = s.msg.N(d.Lang, "search.results.more", res.Total)
		}
		if res.Total == 0 {
			m.Message = s.msg.T(d.Lang, "search.none", raw)
		}
		for i := range res.Hits {
			h := &res.Hits[i]
			m.Hits = append(m.Hits, searchCard{Card: s.card(d.Lang, &h.Article, names), TitleHTML: h.Title, Snippet: h.Snippet})
		}
		if res.Next != "" {
			m.Pager.Older = link(order, res.Next)
		}
		if cursor != "" {
			m.Pager.Newest = link(order, "")
		}
	}
	s.render(w, r, status, "search", d)
}

// apiSearchHit is an article of the edition (the fields of
// /api/v1/articles?lang=) with its highlights: HTML, the text escaped
// and the query's words in <mark>.
type apiSearchHit struct {
	apiEditionArticle
	Highlight apiHighlight `json:"highlight"`
}

type apiHighlight struct {
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
}

type apiSearchList struct {
	Query      string         `json:"query"`
	Lang       string         `json:"lang"`
	Sort       string         `json:"sort"`
	Total      int            `json:"total"`
	TotalMore  bool           `json:"total_more"` // total stopped counting: there are more
	Articles   []apiSearchHit `json:"articles"`
	NextCursor *string        `json:"next_cursor"`
}

func (s *server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	lang := s.editions[0]
	if v := qv.Get("lang"); v != "" {
		if !s.isEdition(langname.Base(v)) {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("unknown edition %q: this site's editions are %s", v, strings.Join(s.editions, ", ")))
			return
		}
		lang = langname.Base(v)
	}
	order, ok := searchOrder(qv.Get("sort"))
	if !ok {
		s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad sort %q: use relevance (the default) or newest", qv.Get("sort")))
		return
	}
	limit := apiDefaultLimit
	if v := qv.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxLimit {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad limit %q: use a whole number from 1 to %d (default %d)", v, apiMaxLimit, apiDefaultLimit))
			return
		}
		limit = n
	}
	raw, cursor := strings.TrimSpace(qv.Get("q")), qv.Get("cursor")
	res, err := s.runSearch(r.Context(), lang, raw, order, cursor, limit)
	switch {
	case errors.Is(err, search.ErrEmpty):
		s.apiError(w, http.StatusBadRequest, "missing q: search with ?q=words (\"quoted words\" for a phrase)")
		return
	case errors.Is(err, search.ErrTooLong), errors.Is(err, search.ErrOnlyStopWords):
		s.apiError(w, http.StatusBadRequest, err.Error())
		return
	case errors.Is(err, store.ErrBadCursor):
		s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad cursor %q: pass the next_cursor of a previous response with the same q, lang and sort unchanged, or omit it for the first page", cursor))
		return
	case err != nil:
		s.apiInternal(w, r, "searching", err)
		return
	}
	out := apiSearchList{Query: raw, Lang: lang, Sort: order, Total: res.Total, TotalMore: res.TotalMore, Articles: make([]apiSearchHit, 0, len(res.Hits))}
	for i := range res.Hits {
		h := &res.Hits[i]
		out.Articles = append(out.Articles, apiSearchHit{apiEditionArticle: toAPIEditionArticle(&h.Article),
			Highlight: apiHighlight{Title: string(h.Title), Snippet: string(h.Snippet)}})
	}
	if res.Next != "" {
		out.NextCursor = &res.Next
	}
	s.apiJSON(w, r, http.StatusOK, out)
}
