package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

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

type articleData struct {
	A            *store.Article
	Translations []store.Translation
	Sections     []store.Section
	Form         url.Values
}

// showArticle is an article with its original and every edition's
// translation side by side, and the editor's forms.
func (a *Admin) showArticle(w http.ResponseWriter, r *http.Request, status int, form url.Values, errText string) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		a.notFound(w, r)
		return
	}
	art, ts, err := a.cfg.Articles.Open(ctx, id)
	if err != nil {
		a.fail(w, r, "open article", err)
		return
	}
	secs, err := a.st.Sections(ctx)
	if err != nil {
		a.serverError(w, r, "list sections", err)
		return
	}
	if form == nil {
		form = url.Values{"title": {art.Title}, "summary": {art.Summary}, "section": {art.Section}}
	}
	p := a.newPage(r, "admin.article", "articles", articleData{A: art, Translations: ts, Sections: secs, Form: form})
	p.Error = errText
	a.render(w, r, status, "article", p)
}

func (a *Admin) handleArticle(w http.ResponseWriter, r *http.Request) {
	a.showArticle(w, r, http.StatusOK, nil, "")
}

func (a *Admin) handleArticleAction(w http.ResponseWriter, r *http.Request) {
	me := current(r)
	ctx := r.Context()
	id, ok := pathID(r)
	action := r.PathValue("action")
	if !ok {
		a.notFound(w, r)
		return
	}
	var (
		art    *store.Article
		err    error
		done   string
		detail string
	)
	switch action {
	case "hide", "unhide":
		art, err = a.cfg.Articles.SetHidden(ctx, id, action == "hide")
		done = map[string]string{"hide": "hidden", "unhide": "shown"}[action]
	case "correct":
		title, summary := r.PostFormValue("title"), r.PostFormValue("summary")
		art, err = a.cfg.Articles.Correct(ctx, id, &title, &summary)
		done = "corrected"
		if err == nil {
			detail = "title=" + art.Title + " summary=" + art.Summary
		}
	case "move":
		art, err = a.cfg.Articles.Move(ctx, id, r.PostFormValue("section"))
		done = "moved"
		if err == nil {
			detail = "section=" + art.Section
		}
	case "translate":
		art, err = a.cfg.Articles.Retranslate(ctx, id)
		done = "translating"
	case "pin", "unpin":
		art, err = a.cfg.Articles.Pin(ctx, id, action == "pin")
		done = map[string]string{"pin": "pinned", "unpin": "unpinned"}[action]
	default:
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.failOr(w, r, action+" article", err, a.opsError, func(status int, text string) {
			a.showArticle(w, r, status, r.PostForm, text)
		})
		return
	}
	if detail == "" {
		detail = art.URL
	}
	if err := a.cfg.Users.Audit(ctx, me.user.Email, "article."+action, "#"+strconv.FormatInt(art.ID, 10)+" "+art.Title, detail); err != nil {
		a.log.ErrorContext(ctx, "audit log not written", "err", err)
	}
	back := safeNext(r.PostFormValue("back"))
	if !strings.HasPrefix(back, "/admin/articles") {
		back = "/admin/articles/" + strconv.FormatInt(art.ID, 10)
		if action == "hide" || action == "unhide" {
			back = "/admin/articles"
		}
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"done="+done, http.StatusSeeOther)
}
