package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"spektrum/internal/ops"
	"spektrum/internal/store"
)

const articlesPage = 50

type articlesData struct {
	Articles []store.Article
	Sources  []store.Source
	Sections []store.Section
	Filter   url.Values
	Back     string // this list's address, for the buttons to come back to
	Prev     string
	Next     string
}

// handleArticles lists articles, hidden ones too, filtered by source,
// section, language and state (GET form: a filter is a link to share).
func (a *Admin) handleArticles(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.ArticleFilter{Section: q.Get("section"), Language: strings.TrimSpace(q.Get("language")), Limit: articlesPage}
	f.SourceID, _ = strconv.ParseInt(q.Get("source"), 10, 64)
	switch q.Get("state") {
	case "hidden":
		t := true
		f.Hidden = &t
	case "visible":
		v := false
		f.Hidden = &v
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	f.Offset = max(offset, 0)
	as, err := a.cfg.Articles.List(ctx, f)
	if err != nil {
		a.serverError(w, r, "list articles", err)
		return
	}
	ss, err := a.cfg.Sources.Sources(ctx)
	if err != nil {
		a.serverError(w, r, "list sources", err)
		return
	}
	secs, err := a.st.Sections(ctx)
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	d := articlesData{Articles: as, Sources: ss, Sections: secs, Filter: q, Back: r.URL.RequestURI()}
	page := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return "/admin/articles?" + v.Encode()
	}
	if f.Offset > 0 {
		d.Prev = page(max(f.Offset-articlesPage, 0))
	}
	if len(as) == articlesPage {
		d.Next = page(f.Offset + articlesPage)
	}
	a.render(w, r, http.StatusOK, "articles", a.newPage(r, "admin.articles", "articles", d))
}

func (a *Admin) handleArticleAction(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var hide bool
	switch r.PathValue("action") {
	case "hide":
		hide = true
	case "unhide":
	default:
		a.notFound(w, r)
		return
	}
	art, err := a.cfg.Articles.SetHidden(r.Context(), id, hide)
	if ops.CodeOf(err) == ops.NoArticle {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.serverError(w, r, r.PathValue("action")+" article", err)
		return
	}
	if err := a.cfg.Users.Audit(r.Context(), me.user.Email, "article."+r.PathValue("action"), "#"+strconv.FormatInt(art.ID, 10)+" "+art.Title, art.URL); err != nil {
		a.log.ErrorContext(r.Context(), "audit log not written", "err", err)
	}
	back := safeNext(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/admin/articles") {
		back = "/admin/articles"
	}
	done := "hidden"
	if !hide {
		done = "shown"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"done="+done, http.StatusSeeOther)
}
