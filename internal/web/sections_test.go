package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// navOrder is the section names in a page's menu, in order.
func navOrder(t *testing.T, page string) []string {
	t.Helper()
	i := strings.Index(page, `class="sections-nav"`)
	j := strings.Index(page[i:], "</nav>")
	if i < 0 || j < 0 {
		t.Fatal("no section menu on the page")
	}
	var out []string
	for _, part := range strings.Split(page[i:i+j], `/section/`)[1:] {
		a := strings.Index(part, ">")
		b := strings.Index(part, "</a>")
		out = append(out, part[a+1:b])
	}
	return out
}

// TestSectionNamesPerEdition: the menu shows each edition's own name for a
// section and the editor's order; section pages, article pages and feed
// titles use the same name; a section kept off the menu keeps its page.
func TestSectionNamesPerEdition(t *testing.T) {
	ctx := context.Background()
	s := newSiteEditions(t, "https://img.example.org", []string{"en", "de"})
	// Not the catalogue's "Russland": the editor's own name.
	if err := s.st.SetSectionName(ctx, "russia", "de", "Osteuropa"); err != nil {
		t.Fatal(err)
	}
	if err := s.st.OrderSections(ctx, []string{"russia", "culture", "economy"}); err != nil {
		t.Fatal(err)
	}
	de, en := string(s.get(t, "/de/").body), string(s.get(t, "/en/").body)
	if got := strings.Join(navOrder(t, de), "|"); got != "Osteuropa|Kultur|Wirtschaft" {
		t.Errorf("German menu = %s, want Osteuropa|Kultur|Wirtschaft (the editor's name, then the catalogue's, in the editor's order)", got)
	}
	if got := strings.Join(navOrder(t, en), "|"); got != "Russia|Culture &amp; Arts|Economy" {
		t.Errorf("English menu = %s, want Russia|Culture &amp; Arts|Economy", got)
	}
	// Reordered: the menu follows at once (no cache here).
	if err := s.st.OrderSections(ctx, []string{"economy", "russia", "culture"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(navOrder(t, string(s.get(t, "/de/").body)), "|"); got != "Wirtschaft|Osteuropa|Kultur" {
		t.Errorf("German menu after reordering = %s, want Wirtschaft|Osteuropa|Kultur", got)
	}
	// Section page, article page, feed title.
	mustContain(t, "German section page", string(s.get(t, "/de/section/russia").body), "<title>Osteuropa", "<h1", ">Osteuropa<")
	a := s.visible[4] // filed under russia
	if a.Section != "russia" {
		t.Fatalf("fixture: article 4 is in %q", a.Section)
	}
	mustContain(t, "German article page", string(s.get(t, "/de"+a.Path()).body), `/de/section/russia">Osteuropa</a>`, `"articleSection":"Osteuropa"`)
	mustContain(t, "German section feed", string(s.get(t, "/de/section/russia/feed.xml").body), "<title>Osteuropa")
	mustContain(t, "English section feed", string(s.get(t, "/en/section/russia/feed.xml").body), "<title>Russia")

	// Off the menu: not in the menu nor the front page's blocks; its page stays.
	sec, err := s.st.Section(ctx, "economy")
	if err != nil {
		t.Fatal(err)
	}
	sec.OffMenu = true
	if err := s.st.UpdateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	de = string(s.get(t, "/de/").body)
	if got := strings.Join(navOrder(t, de), "|"); got != "Osteuropa|Kultur" {
		t.Errorf("German menu with economy off it = %s", got)
	}
	if strings.Contains(de, `/de/section/economy"`) {
		t.Error("the front page still links the section kept off the menu")
	}
	if r := s.get(t, "/de/section/economy"); r.StatusCode != 200 {
		t.Errorf("the page of a section off the menu = %d, want 200", r.StatusCode)
	}
}

// TestSectionNameEscaped: a section named like markup is text everywhere
// it shows: menu, section page, article page, feeds.
func TestSectionNameEscaped(t *testing.T) {
	ctx := context.Background()
	s := newSiteEditions(t, "https://img.example.org", []string{"en", "de"})
	evil := `<script>alert("x")</script>`
	if err := s.st.SetSectionName(ctx, "russia", "de", evil); err != nil {
		t.Fatal(err)
	}
	a := s.visible[4]
	for _, path := range []string{"/de/", "/de/section/russia", "/de" + a.Path(), "/de/section/russia/feed.xml", "/de/section/russia/atom.xml", "/de/section/russia/feed.json"} {
		body := string(s.get(t, path).body)
		if strings.Contains(body, `<script>alert("x")`) || strings.Contains(body, `<script>alert(\"x\")`) && !strings.HasSuffix(path, ".json") {
			t.Errorf("%s shows the section's name as markup", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert") && !strings.Contains(body, `\u003cscript\u003ealert`) {
			t.Errorf("%s does not show the section's name at all", path)
		}
	}
}

// TestSectionRenameRenewsCachedPages: a name, an order or the menu flag
// changed through the store shows on cached pages at the next read of
// the page generation (migration 0018's triggers).
func TestSectionRenameRenewsCachedPages(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	refresh := func() { t.Helper(); s.renew(t) }
	refresh()
	if body := s.cachedPage(t, "/de/"); strings.Contains(body, "Osteuropa") {
		t.Fatal("the name shows before it was given")
	}
	for _, change := range []struct {
		what string
		do   func() error
		want string
	}{
		{"a name per edition", func() error { return s.st.SetSectionName(ctx, "russia", "de", "Osteuropa") }, ">Osteuropa<"},
		{"a new order", func() error { return s.st.OrderSections(ctx, []string{"economy"}) }, ">Wirtschaft</a></li>\n      <li>"},
		{"a name taken back", func() error { return s.st.SetSectionName(ctx, "russia", "de", "") }, ">Russland<"}, // the catalogue's again
	} {
		if err := change.do(); err != nil {
			t.Fatal(err)
		}
		refresh()
		body := s.cachedPage(t, "/de/")
		if !strings.Contains(body, change.want) {
			t.Errorf("after %s the cached German front page lacks %q", change.what, change.want)
		}
	}
	if got := navOrder(t, s.cachedPage(t, "/de/")); len(got) == 0 || got[0] != "Wirtschaft" {
		t.Errorf("menu after reordering = %v, want Wirtschaft first", got)
	}
}
