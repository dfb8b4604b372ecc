package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/feed"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/ops"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// origin is a news site whose one story's page can change, with its feed.
type origin struct {
	*httptest.Server
	mu          sync.Mutex
	title, body string
}

func newOrigin(t *testing.T) *origin {
	o := &origin{title: "Council approves the budgte", body: "The city council approved the new budget on Tuesday after a long debate about schools and libraries."}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>City News</title><link>http://%s/</link><language>en</language>
<item><title>%s</title><link>http://%[1]s/story</link><guid>story</guid><pubDate>Tue, 10 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>`, r.Host, o.title)
		case "/story":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s</title><meta name="description" content="The budget passed."></head><body><article><h1>%[1]s</h1><p>%s</p><p>%[2]s</p><p>Critics said the plan ignores the rising cost of housing, while the mayor called it a fair compromise.</p></article></body></html>`, o.title, o.body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) change(title, body string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.title, o.body = title, body
}

// libre speaks LibreTranslate's protocol, marking what it translated with
// "DE:" so the test sees which text each translation came from.
func libre(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/languages" {
			_, _ = w.Write([]byte(`[{"code":"en","targets":["de"]}]`))
			return
		}
		var req struct{ Q []string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := []string{}
		for _, q := range req.Q {
			out = append(out, "DE:"+q)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (e *env) work(t *testing.T) {
	t.Helper()
	r := jobs.New(e.st, jobs.Options{Backoff: func(int) time.Duration { return time.Hour }})
	e.pipe.Register(r)
	if err := r.RunUntilIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// An editor corrects a headline in the admin: the site shows it in every
// edition, translated again from the correction, and a later re-fetch of
// the source's changed page keeps it; moving, pinning and asking for a new
// translation work the same way, each audited and refused cross-site.
func TestCorrectionSurvivesRefetch(t *testing.T) {
	ctx := context.Background()
	st := sqliteStore(t)
	lt := libre(t)
	tr := translate.New(st, []translate.Translator{translate.NewLibreTranslate(lt.URL, "", translate.HTTPOptions{})}, translate.Options{})
	e := newEnvWith(t, st, true, pipeline.Options{Editions: []string{"en", "de"}, Translator: tr, Detector: lang.New()})
	o := newOrigin(t)
	src, err := e.ops.AddSource(ctx, ops.AddRequest{URL: o.URL + "/feed.xml", Section: "local"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.pipe.EnqueuePoll(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	e.work(t)
	as, err := st.FilterArticles(ctx, store.ArticleFilter{})
	if err != nil || len(as) != 1 {
		t.Fatalf("articles after the first poll: %d, %v", len(as), err)
	}
	art := as[0]
	if tr, err := st.Translation(ctx, art.ID, "de"); err != nil || tr.Title != "DE:Council approves the budgte" {
		t.Fatalf("first translation = %+v, %v", tr, err)
	}

	b := e.browser()
	b.mustSignIn(editorEmail)
	path := "/admin/articles/" + itoa(art.ID)
	page := b.get(path)
	for _, want := range []string{"Council approves the budgte", "DE:Council approves the budgte", `action="` + path + `/correct"`, `name="summary"`} {
		if page.status != http.StatusOK || !strings.Contains(page.body, want) {
			t.Fatalf("article page = %d, lacks %q", page.status, want)
		}
	}
	tok := b.csrf()
	// Cross-site and token-less posts change nothing.
	fix := url.Values{"csrf": {tok}, "title": {"Council approves the budget"}, "summary": {"The <b>budget</b> passed, 30 to 12."}}
	if a := b.postWith(path+"/correct", fix, map[string]string{"Origin": "https://evil.example"}); a.status != http.StatusForbidden {
		t.Errorf("cross-site correction = %d, want 403", a.status)
	}
	if a := b.post(path+"/correct", url.Values{"title": {"x"}}); a.status != http.StatusForbidden {
		t.Errorf("correction without the token = %d, want 403", a.status)
	}
	if a := b.post(path+"/correct", url.Values{"csrf": {tok}, "title": {"  "}}); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "an article needs a headline") {
		t.Errorf("an empty headline = %d", a.status)
	}
	if a := b.post(path+"/correct", fix); a.status != http.StatusSeeOther || a.location != path+"?done=corrected" {
		t.Fatalf("correct = %d → %q\n%s", a.status, a.location, a.body)
	}
	e.work(t) // the translate stage, queued by the correction
	got, _ := st.Article(ctx, art.ID)
	if tr, _ := st.Translation(ctx, art.ID, "de"); tr == nil || tr.Title != "DE:Council approves the budget" || tr.ContentHash != got.ContentHash {
		t.Fatalf("translation after the correction = %+v", tr)
	}

	// The source changes its page; the next fetch of it updates the
	// original and keeps the correction.
	o.change("Council approves the budgte (updated)", "The city council approved the new budget on Tuesday night after a long debate about schools and public libraries.")
	if _, err := jobs.Enqueue(ctx, st, pipeline.KindArticle, "refetch", src.ID, map[string]any{"source_id": src.ID,
		"item": feed.Item{URL: o.URL + "/story", GUID: "story", Title: "Council approves the budgte (updated)"}}); err != nil {
		t.Fatal(err)
	}
	e.work(t)
	got, _ = st.Article(ctx, art.ID)
	if got.SourceTitle != "Council approves the budgte (updated)" || !strings.Contains(got.Text, "Tuesday night") {
		t.Fatalf("the re-fetch did not happen: %q / %q", got.SourceTitle, got.Text)
	}
	if got.Title != "Council approves the budget" || got.Summary != "The <b>budget</b> passed, 30 to 12." {
		t.Fatalf("the re-fetch undid the correction: %q / %q", got.Title, got.Summary)
	}
	reader := e.browser()
	for ed, want := range map[string]string{"en": "Council approves the budget", "de": "DE:Council approves the budget"} {
		a := reader.get("/" + ed + got.Path())
		// The address keeps its slug; the headline and lead are the correction's.
		if a.status != http.StatusOK || !strings.Contains(a.body, `<h1 class="article-title">`+want+`</h1>`) ||
			strings.Contains(a.body, "budgte (updated)") || strings.Contains(a.body, "<b>budget</b>") {
			t.Errorf("/%s page = %d, lacks the escaped correction %q\n%s", ed, a.status, want, a.body)
		}
	}
	if tr, _ := st.Translation(ctx, art.ID, "de"); tr == nil || !strings.Contains(tr.Text, "Tuesday night") {
		t.Errorf("the changed page was not translated again: %+v", tr)
	}

	// Move, pin, and a new translation.
	if a := b.post(path+"/move", url.Values{"csrf": {tok}, "section": {"Not a slug"}}); a.status != http.StatusUnprocessableEntity {
		t.Errorf("move to a bad section = %d", a.status)
	}
	if a := b.post(path+"/move", url.Values{"csrf": {tok}, "section": {"city-hall"}}); a.status != http.StatusSeeOther {
		t.Fatalf("move = %d", a.status)
	}
	newer := &store.Article{SourceID: src.ID, URL: o.URL + "/newer", Title: "A newer story about the harbour", Text: "Harbour text.",
		HTML: "<p>Harbour text.</p>", Language: "en", Section: "local", PublishedAt: time.Now()}
	if _, err := st.UpsertArticle(ctx, newer); err != nil {
		t.Fatal(err)
	}
	front := func() (pinned, other int) {
		body := reader.get("/en/").body
		return strings.Index(body, "Council approves the budget"), strings.Index(body, "A newer story about the harbour")
	}
	if p, n := front(); p < 0 || n < 0 || p < n {
		t.Fatalf("before pinning, the front page does not lead with the newest story (%d, %d)", p, n)
	}
	if a := b.post(path+"/pin", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther {
		t.Fatalf("pin = %d", a.status)
	}
	if p, n := front(); p < 0 || n < 0 || p > n {
		t.Errorf("the pinned article does not lead the front page (%d, %d)", p, n)
	}
	if a := b.post(path+"/translate", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther {
		t.Fatalf("translate = %d", a.status)
	}
	if tr, _ := st.Translation(ctx, art.ID, "de"); tr == nil || tr.ContentHash != "" || tr.Title == "" {
		t.Errorf("asked for a new translation, the old one = %+v; want kept and marked stale", tr)
	}
	e.work(t)
	got, _ = st.Article(ctx, art.ID)
	if tr, _ := st.Translation(ctx, art.ID, "de"); tr == nil || tr.ContentHash != got.ContentHash {
		t.Errorf("the new translation = %+v", tr)
	}
	// A re-fetch keeps the move too.
	if _, err := jobs.Enqueue(ctx, st, pipeline.KindArticle, "refetch-2", src.ID, map[string]any{"source_id": src.ID,
		"item": feed.Item{URL: o.URL + "/story", GUID: "story"}}); err != nil {
		t.Fatal(err)
	}
	o.change("Council approves the budgte (final)", "Final text of the story about the city council and the budget for schools.")
	e.work(t)
	got, _ = st.Article(ctx, art.ID)
	if got.Section != "city-hall" || got.PinnedAt.IsZero() || got.Title != "Council approves the budget" {
		t.Errorf("after another re-fetch: section %q, pinned %v, title %q", got.Section, got.PinnedAt, got.Title)
	}
	page = b.get(path)
	if !strings.Contains(page.body, "Council approves the budgte (final)") || !strings.Contains(page.body, "/unpin") {
		t.Error("the article page does not show the source's latest headline beside the correction, or the pin")
	}
	log, _ := st.Audit(ctx, 0, 4)
	var actions []string
	for _, l := range log {
		if l.Actor != editorEmail {
			t.Errorf("audit actor = %q", l.Actor)
		}
		actions = append(actions, l.Action)
	}
	if got := strings.Join(actions, ","); got != "article.translate,article.pin,article.move,article.correct" {
		t.Errorf("audit = %s", got)
	}
}
