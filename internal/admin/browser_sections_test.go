package admin_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// checkAxe runs axe-core on the open page (cdp.axe) and fails the test
// on any violation.
func (c *cdp) checkAxe(what string) {
	c.t.Helper()
	js, err := os.ReadFile("../web/testdata/axe.min.js")
	if err != nil {
		c.t.Skipf("axe-core not found: %v", err)
	}
	if vs := c.axe(string(js)); len(vs) > 0 {
		c.t.Errorf("%s: axe-core found: %s", what, strings.Join(vs, "; "))
	}
}

// TestBrowserSections works the sections pages in real Chromium without
// any script of ours: add a section with its German name, move it up,
// rename it, see the German edition's menu, and the editions page; each
// page checked with axe-core and screenshot at 1366 and 390 px
// ($SPEKTRUM_SCREENSHOTS keeps them).
func TestBrowserSections(t *testing.T) {
	c := startChromium(t)
	ctx := context.Background()
	st := sqliteStore(t)
	po := pipeline.Options{Editions: []string{"en", "de", "es"}}
	// With an apertium-apy (scripts/test.sh starts one) the editions page
	// has a provider, a budget and this month's use to show.
	if u := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL"); u != "" {
		po.Translator = translate.New(st, []translate.Translator{translate.NewApertium(u, translate.HTTPOptions{})},
			translate.Options{Budgets: map[string]int64{"apertium": 500000}})
		month := translate.Month(time.Now())
		if _, err := st.ReserveChars(ctx, "apertium", month, 123456, 0); err != nil {
			t.Fatal(err)
		}
		if err := st.AddTranslationUsage(ctx, store.TranslationUsage{Provider: "apertium", Month: month, Requests: 40, CacheHits: 120, CacheMisses: 360, Errors: 2}); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnvWith(t, st, true, po)
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A site with sections that have articles, so the menu shows them.
	src := &store.Source{URL: "https://a.example/feed", Name: "Harbour Gazette", Kind: store.KindFeed, Enabled: true, Section: "world"}
	if err := e.st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	for i, sec := range []string{"world", "economy", "sport", "world"} {
		if err := e.st.EnsureSection(ctx, store.Section{Slug: sec, Name: strings.ToUpper(sec[:1]) + sec[1:]}); err != nil {
			t.Fatal(err)
		}
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("Story %d from the %s desk", i, sec),
			Summary: "A lead.", HTML: "<p>Body.</p>", Text: "Body.", Language: "en", Section: sec}
		if _, err := e.st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.st.PutTranslation(ctx, &store.Translation{ArticleID: 1, Language: "de", SourceLanguage: "en", Status: store.TranslationFailed,
		Error: "apertium: no pair en-de"}); err != nil {
		t.Fatal(err)
	}

	c.open(e.base + "/admin/login")
	c.eval(`document.querySelector('#email').value = ` + jsString(editorEmail) + `;
		document.querySelector('#password').value = ` + jsString(password) + `;
		document.querySelector('form[action="/admin/login"] button').click()`)
	c.waitFor("location.pathname === '/admin/'")

	c.open(e.base + "/admin/sections")
	c.eval(`document.querySelector('#name').value = 'Russia';
		document.querySelector('#name-de').value = 'Russland und Osteuropa';
		document.querySelector('form[action="/admin/sections"] button[type=submit]').click()`)
	c.waitFor("location.search.includes('done=section-added')")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "The section was added.") || !strings.Contains(body, "Russland und Osteuropa") {
		t.Fatalf("after adding a section the page says:\n%s", body)
	}
	// Up to the top, then one down: the buttons are plain forms.
	for _, dir := range []string{"up", "down"} {
		c.eval("history.replaceState(null, '', '/admin/sections')")
		c.eval(`document.querySelector('form[action="/admin/sections/russia/` + dir + `"] button').click()`)
		c.waitFor("location.search.includes('done=ordered')")
	}
	if got := strings.Join(sectionSlugs(t, e.st), " "); got != "economy russia sport world" {
		t.Fatalf("after up and down: %s", got)
	}
	// It gets articles through a source, so the menu shows it.
	src.Section = "russia"
	if err := e.st.UpdateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	a := &store.Article{SourceID: src.ID, URL: "https://a.example/ru", Title: "Talks in Moscow end without a deal", Summary: "Delegations left after a day.",
		HTML: "<p>Body.</p>", Text: "Body.", Language: "en", Section: "russia"}
	if _, err := e.st.UpsertArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	c.checkAxe("sections page")
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-sections-%d.png", w)), w, false)
	}

	c.open(e.base + "/admin/sections/russia")
	c.eval(`document.querySelector('#name-de').value = 'Russland und GUS';
		document.querySelector('form[action="/admin/sections/russia"] button').click()`)
	c.waitFor("location.search.includes('done=saved')")
	if v := c.eval("document.querySelector('#name-de').value"); v != "Russland und GUS" {
		t.Fatalf("the German name after saving = %q", v)
	}
	c.checkAxe("section page")
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-section-%d.png", w)), w, false)
	}

	// The German edition shows the German name, second in the menu.
	c.call("Network.enable", map[string]any{})
	c.call("Network.setCacheDisabled", map[string]any{"cacheDisabled": true})
	c.open(e.base + "/de" + a.Path())
	nav := c.eval(`Array.from(document.querySelectorAll('.sections-nav a')).map(a => a.innerText).join('|')`)
	if !strings.HasSuffix(nav, "|Wirtschaft|Russland und GUS|Sport|Welt") {
		t.Errorf("German menu = %s, want …|Wirtschaft|Russland und GUS|Sport|Welt", nav)
	}
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("site-de-article-renamed-section-%d.png", w)), w, false)
	}

	// The editions page is the admin's.
	c.open(e.base + "/admin/editions")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "Only admins may open this page.") {
		t.Errorf("an editor on the editions page sees:\n%s", body)
	}
	c.eval(`document.querySelector('form[action="/admin/logout"] button').click()`)
	c.waitFor("location.pathname === '/admin/login'")
	c.eval(`document.querySelector('#email').value = ` + jsString(adminEmail) + `;
		document.querySelector('#password').value = ` + jsString(password) + `;
		document.querySelector('form[action="/admin/login"] button').click()`)
	c.waitFor("location.pathname === '/admin/'")
	c.open(e.base + "/admin/editions")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "apertium: no pair en-de") || !strings.Contains(body, "German") {
		t.Errorf("the editions page says:\n%s", body)
	}
	c.checkAxe("editions page")
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-editions-%d.png", w)), w, false)
	}
}
