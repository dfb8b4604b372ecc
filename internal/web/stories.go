package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	langname "spektrum/internal/lang"
	"spektrum/internal/store"
	"spektrum/internal/story"
	"spektrum/internal/viewpoint"
)

// StoryReader reads the stories the story stage made: one with its
// articles for the story page and the API, pages of them for the API and
// the front page's Top stories.
type StoryReader interface {
	Story(ctx context.Context, id int64) (*store.Story, error)
	StoryArticles(ctx context.Context, id int64, limit int) ([]store.Article, error)
	Stories(ctx context.Context, q store.StoryQuery) (store.StoryPage, error)
}

// Top stories on the front page: stories covered by at least two sources
// with an article in the last three days, ranked by story.Rank.
const (
	topStoriesSize   = 5
	topStoriesWindow = 72 * time.Hour
	topStoriesPool   = 100 // the newest this many multi-source stories are ranked
)

func storyPath(id int64) string { return "/story/" + strconv.FormatInt(id, 10) }

// storyMain is the story page.
type storyMain struct {
	Title    string
	TitleLng string // lang attribute when the headline is not in the edition's language
	Counts   string // "6 sources, 3 languages"
	First    time.Time
	Items    []storyItem
	// Story is the story as stored.
	Story *store.Story
	// Coverage is the spread of the story's sources over the outlet's
	// viewpoint attributes (nil when none of them is described).
	Coverage *Coverage
}

// storyItem is one article on a story's timeline, in its own language.
type storyItem struct {
	Title, URL, Source, Original string
	Lang, Language               string // code and name in the edition's language
	Published                    time.Time
}

// storyCard is a story in the front page's Top stories.
type storyCard struct {
	Title, Lang, URL, Counts string
	Newest                   time.Time
}

// storyLink is the article page's link to its story.
type storyLink struct{ URL, Counts string }

// storyCounts is "6 sources, 3 languages" in lang.
func (s *server) storyCounts(lang string, st *store.Story) string {
	return s.msg.N(lang, "sources.count", st.Sources) + ", " + s.msg.N(lang, "languages.count", max(st.Languages, 1))
}

// storyHeadline is the story's headline in edition lang: a member
// article written in lang, else the representative article's translation
// into lang, else its own headline. titleLang is the headline's language
// when it differs from lang. arts are the story's articles (nil: read
// here), so the story page, Top stories and the API name a story alike.
func (s *server) storyHeadline(ctx context.Context, lang string, st *store.Story, arts []store.Article) (title, titleLang string, err error) {
	if arts == nil {
		if arts, err = s.st.StoryArticles(ctx, st.ID, 0); err != nil {
			return "", "", err
		}
	}
	for i := range arts {
		if langname.Base(arts[i].Language) == lang && arts[i].DuplicateOf == 0 {
			return arts[i].Title, "", nil
		}
	}
	rep, err := s.st.Article(ctx, st.ArticleID)
	if errors.Is(err, store.ErrNotFound) {
		return st.Title, titleLangOf(st.Language, lang), nil
	}
	if err != nil {
		return "", "", err
	}
	l, err := s.ed.One(ctx, lang, rep)
	if err != nil {
		return "", "", err
	}
	return l.Article.Title, titleLangOf(l.Shown, lang), nil
}

func titleLangOf(shown, lang string) string {
	if shown == "" || langname.Base(shown) == lang {
		return ""
	}
	return shown
}

func (s *server) handleStory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.notFound(w, r)
		return
	}
	st, err := s.st.Story(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, "story page", err)
		return
	}
	lang := s.edition(ctx)
	if st.MergedInto != 0 {
		// The story turned out to be part of another: one address for both.
		http.Redirect(w, r, prefix(lang)+storyPath(st.MergedInto), http.StatusMovedPermanently)
		return
	}
	arts, err := s.st.StoryArticles(ctx, id, 0)
	if err != nil {
		s.serverError(w, r, "story page: articles", err)
		return
	}
	if len(arts) == 0 {
		s.notFound(w, r)
		return
	}
	title, titleLang, err := s.storyHeadline(ctx, lang, st, arts)
	if err != nil {
		s.serverError(w, r, "story page: headline", err)
		return
	}
	d, _, err := s.basePage(ctx, title)
	if err != nil {
		s.serverError(w, r, "story page", err)
		return
	}
	m := &storyMain{Title: title, TitleLng: titleLang, Counts: s.storyCounts(lang, st), First: st.FirstAt, Story: st}
	for i := range arts {
		a := &arts[i]
		m.Items = append(m.Items, storyItem{
			Title: a.Title, URL: prefix(lang) + a.Path(), Source: a.SourceName, Original: originalURL(a),
			Lang: a.Language, Language: langname.Name(a.Language, lang), Published: a.Date(),
		})
	}
	srcs, err := s.storySources(ctx, arts)
	if err != nil {
		s.serverError(w, r, "story page: coverage", err)
		return
	}
	m.Coverage = s.coverage(lang, srcs)
	d.Description = title + " — " + m.Counts
	d.Canonical = s.absURL(prefix(lang) + storyPath(id))
	d.Main = m
	s.render(w, r, http.StatusOK, "story", d)
}

// topStories are the front page's lead stories in edition lang, biggest
// first (story.Rank).
func (s *server) topStories(ctx context.Context, lang string) ([]storyCard, error) {
	now := s.now()
	page, err := s.st.Stories(ctx, store.StoryQuery{Since: now.Add(-topStoriesWindow), MinSources: 2, Limit: topStoriesPool})
	if err != nil {
		return nil, err
	}
	sts := page.Stories
	sort.SliceStable(sts, func(i, j int) bool {
		return story.Rank(sts[i].Sources, sts[i].LastAt, now) > story.Rank(sts[j].Sources, sts[j].LastAt, now)
	})
	if len(sts) > topStoriesSize {
		sts = sts[:topStoriesSize]
	}
	out := make([]storyCard, 0, len(sts))
	for i := range sts {
		title, titleLang, err := s.storyHeadline(ctx, lang, &sts[i], nil)
		if err != nil {
			return nil, err
		}
		out = append(out, storyCard{Title: title, Lang: titleLang, URL: prefix(lang) + storyPath(sts[i].ID),
			Counts: s.storyCounts(lang, &sts[i]), Newest: sts[i].LastAt})
	}
	return out, nil
}

// articleStory is the article page's link to its story, when more than
// one source covered it.
func (s *server) articleStory(ctx context.Context, lang string, a *store.Article) (*storyLink, error) {
	if a.StoryID == 0 {
		return nil, nil
	}
	st, err := s.st.Story(ctx, a.StoryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || st.Sources < 2 {
		return nil, err
	}
	return &storyLink{URL: prefix(lang) + storyPath(st.ID), Counts: s.storyCounts(lang, st)}, nil
}

// ---- API ----

// apiStory is the story object of the JSON API. Field names are a public
// contract like apiArticle's.
type apiStory struct {
	ID               int64   `json:"id"`
	URL              string  `json:"url"` // the story page in the requested (or default) edition
	Title            string  `json:"title"`
	Language         string  `json:"language"` // the title's language
	FirstPublished   *string `json:"first_published_at"`
	LastPublished    *string `json:"last_published_at"`
	ArticleCount     int     `json:"article_count"`
	SourceCount      int     `json:"source_count"`
	LanguageCount    int     `json:"language_count"`
	RepresentativeID int64   `json:"representative_article_id"`
}

type apiStoryList struct {
	Stories    []apiStory `json:"stories"`
	NextCursor *string    `json:"next_cursor"`
}

type apiStoryDetail struct {
	apiStory
	// Coverage is the spread of the story's sources over the viewpoint
	// attributes editors gave them (package viewpoint).
	Coverage viewpoint.Spread `json:"coverage"`
	// Articles are apiArticle objects, or apiEditionArticle with ?lang=.
	Articles []any `json:"articles"`
}

func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	v := t.UTC().Format(time.RFC3339)
	return &v
}

func (s *server) toAPIStory(ctx context.Context, lang string, st *store.Story, arts []store.Article) (apiStory, error) {
	out := apiStory{ID: st.ID, Title: st.Title, Language: st.Language, FirstPublished: apiTime(st.FirstAt),
		LastPublished: apiTime(st.LastAt), ArticleCount: st.Articles, SourceCount: st.Sources,
		LanguageCount: st.Languages, RepresentativeID: st.ArticleID}
	page := lang
	if page == "" {
		page = s.editions[0]
	}
	out.URL = s.absURL(prefix(page) + storyPath(st.ID))
	if lang != "" {
		title, titleLang, err := s.storyHeadline(ctx, lang, st, arts)
		if err != nil {
			return out, err
		}
		out.Title, out.Language = title, lang
		if titleLang != "" {
			out.Language = titleLang
		}
	}
	return out, nil
}

func (s *server) handleAPIStories(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	qv := r.URL.Query()
	lang, ok := s.apiEdition(w, r)
	if !ok {
		return
	}
	q := store.StoryQuery{Limit: apiDefaultLimit, Cursor: qv.Get("cursor")}
	if v := qv.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > apiMaxLimit {
			s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad limit %q: use a whole number from 1 to %d (default %d)", v, apiMaxLimit, apiDefaultLimit))
			return
		}
		q.Limit = n
	}
	page, err := s.st.Stories(ctx, q)
	if errors.Is(err, store.ErrBadCursor) {
		s.apiError(w, http.StatusBadRequest, fmt.Sprintf("bad cursor %q: pass the next_cursor of a previous response unchanged, or omit it for the first page", q.Cursor))
		return
	}
	if err != nil {
		s.apiInternal(w, r, "listing stories", err)
		return
	}
	out := apiStoryList{Stories: make([]apiStory, 0, len(page.Stories))}
	for i := range page.Stories {
		as, err := s.toAPIStory(ctx, lang, &page.Stories[i], nil)
		if err != nil {
			s.apiInternal(w, r, "loading story headlines", err)
			return
		}
		out.Stories = append(out.Stories, as)
	}
	if page.Next != "" {
		out.NextCursor = &page.Next
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

func (s *server) handleAPIStory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang, ok := s.apiEdition(w, r)
	if !ok {
		return
	}
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no story %q: story ids are positive whole numbers, as listed by /api/v1/stories", raw))
		return
	}
	st, err := s.st.Story(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no story with id %d; list stories with /api/v1/stories", id))
		return
	}
	if err != nil {
		s.apiInternal(w, r, "loading the story", err)
		return
	}
	if st.MergedInto != 0 {
		to := "/api/v1/stories/" + strconv.FormatInt(st.MergedInto, 10)
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	arts, err := s.st.StoryArticles(ctx, id, 0)
	if err != nil {
		s.apiInternal(w, r, "loading the story's articles", err)
		return
	}
	as, err := s.toAPIStory(ctx, lang, st, arts)
	if err != nil {
		s.apiInternal(w, r, "loading the story's headline", err)
		return
	}
	srcs, err := s.storySources(ctx, arts)
	if err != nil {
		s.apiInternal(w, r, "loading the story's sources", err)
		return
	}
	out := apiStoryDetail{apiStory: as, Coverage: viewpoint.Compute(outlets(srcs), s.cfg.Scale), Articles: make([]any, 0, len(arts))}
	if lang != "" {
		ls, err := s.ed.List(ctx, lang, arts)
		if err != nil {
			s.apiInternal(w, r, "loading translations", err)
			return
		}
		for i := range ls {
			out.Articles = append(out.Articles, toAPIEditionArticle(&ls[i]))
		}
	} else {
		for i := range arts {
			out.Articles = append(out.Articles, toAPIArticle(&arts[i]))
		}
	}
	s.apiJSON(w, r, http.StatusOK, out)
}

// storySources are the sources of a story's articles, each once.
func (s *server) storySources(ctx context.Context, arts []store.Article) ([]*store.Source, error) {
	all := make([]*store.Article, len(arts))
	for i := range arts {
		all[i] = &arts[i]
	}
	return s.sourcesOf(ctx, all...)
}
