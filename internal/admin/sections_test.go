package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"spektrum/internal/pipeline"
	"spektrum/internal/store"
)

func sectionSlugs(t *testing.T, st store.Store) []string {
	t.Helper()
	secs, err := st.Sections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(secs))
	for i := range secs {
		out[i] = secs[i].Slug
	}
	return out
}

// auditActions counts the audit log's entries by action and actor.
func auditActions(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	es, err := st.Audit(context.Background(), 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range es {
		out[e.Action+" "+e.Actor]++
	}
	return out
}

// TestSectionsAsAnEditor goes through the sections pages as an editor's
// browser does: create, duplicate refused, rename per edition, reorder,
// remove refused while in use, then moving first; every change logged.
func TestSectionsAsAnEditor(t *testing.T) {
	testSectionsAsAnEditor(t, sqliteStore(t))
}

func TestSectionsAsAnEditorPostgres(t *testing.T) {
	testSectionsAsAnEditor(t, postgresStore(t))
}

func testSectionsAsAnEditor(t *testing.T, st store.Store) {
	ctx := context.Background()
	e := newEnvWith(t, st, true, pipeline.Options{Editions: []string{"en", "de", "fr"}})
	b := e.browser()
	b.mustSignIn(editorEmail)
	list := b.get("/admin/sections")
	if list.status != http.StatusOK || !strings.Contains(list.body, `href="/admin/sections" aria-current="page"`) {
		t.Fatalf("GET /admin/sections as an editor = %d", list.status)
	}
	for _, want := range []string{`name="name-de"`, `name="name-fr"`, `lang="de"`, `name="slug"`, `name="menu" value="on" checked`} {
		if !strings.Contains(list.body, want) {
			t.Errorf("the add form lacks %s", want)
		}
	}
	tok := hidden(list.body).Get("csrf")

	// Create, with a name per edition.
	a := b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {"Russia"}, "slug": {"russia"}, "name-de": {"Russland (Ost)"}, "menu": {"on"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/sections?done=section-added") {
		t.Fatalf("add section = %d → %q\n%s", a.status, a.location, a.body)
	}
	sec, err := st.Section(ctx, "russia")
	if err != nil || sec.Name != "Russia" || sec.Names["de"] != "Russland (Ost)" || sec.OffMenu {
		t.Fatalf("after adding: %+v, %v", sec, err)
	}
	list = b.get(a.location)
	if !strings.Contains(list.body, "The section was added.") || !strings.Contains(list.body, "Russland (Ost)") {
		t.Error("the list does not confirm the new section with its German name")
	}
	// The slug made from the name; unticked: off the menu.
	if a = b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {"World News"}}); a.status != http.StatusSeeOther {
		t.Fatalf("add without a slug = %d\n%s", a.status, a.body)
	}
	if sec, err := st.Section(ctx, "world-news"); err != nil || !sec.OffMenu {
		t.Fatalf("section made from its name = %+v, %v; want slug world-news, off the menu (box unticked)", sec, err)
	}
	// Refusals, in words, with the form kept.
	a = b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {"Again"}, "slug": {"russia"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "A section “russia” already exists") || !strings.Contains(a.body, `value="Again"`) {
		t.Errorf("a duplicate slug = %d\n%s", a.status, a.body)
	}
	a = b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {"Bad"}, "slug": {"Not A Slug"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "lowercase letters, digits and hyphens") {
		t.Errorf("a bad slug = %d", a.status)
	}
	a = b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {strings.Repeat("x", 61)}, "slug": {"long"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "at most 60 characters") {
		t.Errorf("a long name = %d", a.status)
	}

	// Rename per language; the edit page says what an empty field shows.
	page := b.get("/admin/sections/russia")
	if page.status != http.StatusOK || !strings.Contains(page.body, `value="Russland (Ost)"`) || !strings.Contains(page.body, "empty: “Russia”") {
		t.Fatalf("section page = %d\n%s", page.status, page.body)
	}
	a = b.post("/admin/sections/russia", url.Values{"csrf": {tok}, "name": {"Russia"}, "name-de": {"Russland"}, "name-fr": {"Russie"}, "menu": {"on"}})
	if a.status != http.StatusSeeOther || a.location != "/admin/sections/russia?done=saved" {
		t.Fatalf("rename = %d → %q\n%s", a.status, a.location, a.body)
	}
	if sec, _ := st.Section(ctx, "russia"); sec.Names["de"] != "Russland" || sec.Names["fr"] != "Russie" {
		t.Fatalf("names after renaming: %v", sec.Names)
	}
	a = b.post("/admin/sections/russia", url.Values{"csrf": {tok}, "name": {""}, "menu": {"on"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "needs a default name") {
		t.Errorf("an empty default name = %d", a.status)
	}
	if a = b.post("/admin/sections/nope", url.Values{"csrf": {tok}, "name": {"Nope"}}); a.status != http.StatusNotFound {
		t.Errorf("renaming a missing section = %d, want 404", a.status)
	}

	// Reorder with the up/down buttons (plain forms).
	if got := sectionSlugs(t, st); !slices.Equal(got, []string{"russia", "world-news"}) {
		t.Fatalf("order before = %v", got)
	}
	a = b.post("/admin/sections/world-news/up", url.Values{"csrf": {tok}})
	if a.status != http.StatusSeeOther || a.location != "/admin/sections?done=ordered#s-world-news" {
		t.Fatalf("up = %d → %q", a.status, a.location)
	}
	if got := sectionSlugs(t, st); !slices.Equal(got, []string{"world-news", "russia"}) {
		t.Fatalf("order after up = %v", got)
	}
	list = b.get("/admin/sections")
	if i, j := strings.Index(list.body, `id="s-world-news"`), strings.Index(list.body, `id="s-russia"`); i < 0 || j < i {
		t.Error("the list is not in the new order")
	}
	if !strings.Contains(list.body, `<button class="secondary" type="submit" disabled><span aria-hidden="true">↑</span> Up<span class="visually-hidden">: World News</span></button>`) {
		t.Error("the first section's Up button is not disabled")
	}

	// Remove: refused while a source uses it, saying so; then moving first.
	src := &store.Source{URL: "https://a.example/feed", Name: "A", Kind: store.KindFeed, Section: "russia", Enabled: true}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	page = b.get("/admin/sections/russia")
	if !strings.Contains(page.body, "This section is still used: 0 articles (hidden ones too), 1 sources and 0 newsletter subscribers") ||
		!strings.Contains(page.body, `<select id="move_to" name="move_to" required>`) {
		t.Errorf("the section page does not say it is in use and how to remove it\n%s", page.body)
	}
	a = b.post("/admin/sections/russia/remove", url.Values{"csrf": {tok}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "is still used by 0 articles, 1 sources and 0 subscribers") {
		t.Errorf("removing a section in use = %d\n%s", a.status, a.body)
	}
	if _, err := st.Section(ctx, "russia"); err != nil {
		t.Fatalf("a refused removal removed it: %v", err)
	}
	a = b.post("/admin/sections/russia/remove", url.Values{"csrf": {tok}, "move_to": {"world-news"}})
	if a.status != http.StatusSeeOther || a.location != "/admin/sections?done=section-moved" {
		t.Fatalf("move and remove = %d → %q\n%s", a.status, a.location, a.body)
	}
	if got, _ := st.Source(ctx, src.ID); got.Section != "world-news" {
		t.Errorf("the source's section = %q, want world-news", got.Section)
	}
	if got := sectionSlugs(t, st); !slices.Equal(got, []string{"world-news"}) {
		t.Errorf("sections after removing = %v", got)
	}
	page = b.get("/admin/sections/world-news")
	if !strings.Contains(page.body, "No article, source or subscriber uses this section") && !strings.Contains(page.body, "1 sources") {
		t.Error("the remaining section's page says nothing about its use")
	}

	acts := auditActions(t, st)
	for _, want := range []string{"section.add " + editorEmail, "section.edit " + editorEmail, "section.order " + editorEmail, "section.remove " + editorEmail} {
		if acts[want] == 0 {
			t.Errorf("the audit log lacks %q: %v", want, acts)
		}
	}
	if acts["section.add "+editorEmail] != 2 {
		t.Errorf("refused adds were logged: %v", acts)
	}
}

// TestSectionsRefuseForgedPosts: no CSRF token, a wrong one, or a
// cross-site origin change nothing.
func TestSectionsRefuseForgedPosts(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(editorEmail)
	tok := b.csrf()
	for name, try := range map[string]func() answer{
		"no token":    func() answer { return b.post("/admin/sections", url.Values{"name": {"Forged"}}) },
		"wrong token": func() answer { return b.post("/admin/sections", url.Values{"csrf": {"x" + tok}, "name": {"Forged"}}) },
		"cross-site": func() answer {
			return b.postWith("/admin/sections", url.Values{"csrf": {tok}, "name": {"Forged"}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		},
	} {
		if a := try(); a.status != http.StatusForbidden {
			t.Errorf("%s: POST /admin/sections = %d, want 403", name, a.status)
		}
	}
	if got := sectionSlugs(t, e.st); len(got) != 0 {
		t.Errorf("forged posts made sections: %v", got)
	}
	if err := e.st.CreateSection(ctx, &store.Section{Slug: "kept", Name: "Kept"}); err != nil {
		t.Fatal(err)
	}
	if a := b.post("/admin/sections/kept/remove", url.Values{}); a.status != http.StatusForbidden {
		t.Errorf("remove without a token = %d, want 403", a.status)
	}
	if a := b.post("/admin/sections/kept/up", url.Values{"csrf": {"bad"}}); a.status != http.StatusForbidden {
		t.Errorf("up with a bad token = %d, want 403", a.status)
	}
	if _, err := e.st.Section(ctx, "kept"); err != nil {
		t.Errorf("a forged remove removed the section: %v", err)
	}
	// Signed out: the pages lead to the sign-in.
	if a := e.browser().get("/admin/sections"); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/login") {
		t.Errorf("signed out = %d → %q", a.status, a.location)
	}
}

// TestSectionNamesAreEscaped: a section named like markup is text on
// every admin page that shows it.
func TestSectionNamesAreEscaped(t *testing.T) {
	e := newEnvWith(t, sqliteStore(t), true, pipeline.Options{Editions: []string{"en", "de"}})
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	evil := `<script>alert("x")</script>`
	if a := b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {evil}, "slug": {"xss"}, "name-de": {evil + " de"}, "menu": {"on"}}); a.status != http.StatusSeeOther {
		t.Fatalf("add = %d\n%s", a.status, a.body)
	}
	if a := b.post("/admin/sections", url.Values{"csrf": {tok}, "name": {"Other"}, "slug": {"other"}}); a.status != http.StatusSeeOther {
		t.Fatalf("add = %d", a.status)
	}
	for _, path := range []string{"/admin/sections", "/admin/sections/xss", "/admin/sources", "/admin/audit"} {
		a := b.get(path)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, a.status)
		}
		if strings.Contains(a.body, "<script>alert") {
			t.Errorf("%s shows the section's name as markup", path)
		}
		if !strings.Contains(a.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s does not show the section's name as text", path)
		}
	}
}

// TestEditionsPage: admins see each edition's state and the providers'
// month, with the settings named; editors are refused.
func TestEditionsPage(t *testing.T) {
	ctx := context.Background()
	e := newEnvWith(t, sqliteStore(t), true, pipeline.Options{Editions: []string{"en", "de"}})
	src := &store.Source{URL: "https://a.example/feed", Name: "A", Kind: store.KindFeed, Enabled: true}
	if err := e.st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	art := &store.Article{SourceID: src.ID, URL: "https://a.example/1", Title: "One", Language: "en", HTML: "<p>x</p>", Text: "x"}
	if _, err := e.st.UpsertArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutTranslation(ctx, &store.Translation{ArticleID: art.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationFailed,
		Error: `deepl: 456 <quota> exceeded`}); err != nil {
		t.Fatal(err)
	}
	ed := e.browser()
	ed.mustSignIn(editorEmail)
	if a := ed.get("/admin/editions"); a.status != http.StatusForbidden {
		t.Errorf("an editor on /admin/editions = %d, want 403", a.status)
	}
	if strings.Contains(ed.get("/admin/").body, `href="/admin/editions"`) {
		t.Error("an editor's menu links the editions page")
	}
	b := e.browser()
	b.mustSignIn(adminEmail)
	a := b.get("/admin/editions")
	if a.status != http.StatusOK {
		t.Fatalf("GET /admin/editions = %d", a.status)
	}
	for _, want := range []string{"English", "German", "default", "No translation provider is configured", "--translate-budgets",
		"deepl: 456 &lt;quota&gt; exceeded", `href="/admin/articles/`, "no provider: shown untranslated"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the editions page lacks %q", want)
		}
	}
}
