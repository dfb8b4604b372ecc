package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"spektrum/internal/ops"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
)

// hostile breaks out of text, of either kind of quoted attribute and of
// a tag, and tries a script, an event handler and an SVG onload.
const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><svg onload=alert(3)>`

// TestStoredXSS puts a hostile payload into every field an editor or admin
// can edit (source name and ownership, a headline and summary correction,
// every settings text, an ad's HTML, name and text alternative, a social
// link's address), each marked so the test knows the page shows it, and
// fetches every public and admin page that shows it over HTTP: each must
// show the field and render it inert (no script but our own, no event
// handler, no javascript: address, no injected element).
func TestStoredXSS(t *testing.T) {
	ctx := context.Background()
	st := sqliteStore(t)
	e := newEnvWith(t, st, true, pipeline.Options{Editions: []string{"en", "de"}})
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
		t.Fatalf("articles: %d, %v", len(as), err)
	}
	art := as[0]
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	post := func(path string, form url.Values) {
		t.Helper()
		form.Set("csrf", tok)
		if a := b.post(path, form); a.status != http.StatusSeeOther {
			t.Fatalf("POST %s = %d\n%.2000s", path, a.status, a.body)
		}
	}
	id := itoa(art.ID)
	sid := itoa(src.ID)
	post("/admin/sources/"+sid, url.Values{"name": {"SRCNAME" + hostile}, "section": {"local"}, "ownership": {"OWNER" + hostile}})
	post("/admin/articles/"+id+"/correct", url.Values{"title": {"HEADLINE" + hostile}, "summary": {"SUMMARY" + hostile}})
	post("/admin/settings/general", url.Values{"name": {"SETNAME" + hostile}, "tagline": {"SETTAG" + hostile}, "disclaimer": {"SETDISC" + hostile}})
	post("/admin/settings/edition", url.Values{"edition": {"de"}, "name": {"DENAME" + hostile}, "tagline": {"DETAG" + hostile}, "disclaimer": {"DEDISC" + hostile}})
	post("/admin/settings/social", url.Values{"network-0": {"mastodon"}, "url-0": {`https://social.example/SOCIAL"'><script>alert(4)</script>`}})
	post("/admin/ads", url.Values{"name": {"ADNAME" + hostile}, "placement": {"front-top"}, "kind": {"html"}, "enabled": {"1"},
		"html": {`<p>ADHTML <a href="javascript:alert(5)">x</a></p>` + hostile}})
	post("/admin/ads", url.Values{"name": {"ADIMG"}, "placement": {"sidebar"}, "kind": {"image"}, "enabled": {"1"},
		"image_url": {"https://img.example/a.png"}, "link_url": {`https://shop.example/?q="><script>alert(6)</script>`}, "alt": {"ADALT" + hostile}})
	// javascript: where an address is asked for is refused outright.
	if a := b.post("/admin/settings/social", url.Values{"csrf": {tok}, "network-0": {"x"}, "url-0": {"javascript:alert(7)"}}); a.status != http.StatusUnprocessableEntity {
		t.Fatalf("a javascript: social link = %d, want 422", a.status)
	}
	ads, err := st.AdSlots(ctx)
	if err != nil || len(ads) != 2 {
		t.Fatalf("ads: %v %v", ads, err)
	}
	got, _ := st.Article(ctx, art.ID)
	article := got.Path()
	adPage := "/admin/ads/" + itoa(ads[0].ID)
	imgAdPage := "/admin/ads/" + itoa(ads[1].ID)
	if ads[0].Kind != "html" {
		adPage, imgAdPage = imgAdPage, adPage
	}

	reader := e.browser()
	cases := []struct {
		marker string
		pages  []string
	}{
		{"SRCNAME", []string{"/en/", "/en" + article, "/admin/sources", "/admin/sources/" + sid, "/admin/articles", "/admin/articles/" + id, "/admin/audit"}},
		{"OWNER", []string{"/admin/sources/" + sid, "/admin/audit"}},
		{"HEADLINE", []string{"/en/", "/en" + article, "/en/section/local", "/de/", "/admin/articles", "/admin/articles/" + id, "/admin/audit"}},
		{"SUMMARY", []string{"/en/", "/en" + article, "/admin/articles/" + id, "/admin/audit"}},
		{"SETNAME", []string{"/en/", "/en" + article, "/en/section/local", "/en/search?q=council", "/en/no-such-page", "/admin/settings", "/admin/audit"}},
		{"SETTAG", []string{"/en/", "/en/section/local", "/admin/settings", "/admin/audit"}},
		{"SETDISC", []string{"/en/", "/en" + article, "/admin/settings", "/admin/audit"}},
		{"DENAME", []string{"/de/", "/de" + article, "/admin/settings"}},
		{"DETAG", []string{"/de/", "/admin/settings"}},
		{"DEDISC", []string{"/de/", "/admin/settings"}},
		{"SOCIAL", []string{"/en/", "/de" + article, "/admin/settings", "/admin/audit"}},
		{"ADHTML", []string{"/en/", "/de/", "/admin/ads", adPage, "/admin/audit"}},
		{"ADNAME", []string{"/admin/ads", adPage, "/admin/audit"}},
		{"ADALT", []string{"/en/", "/admin/ads", imgAdPage}},
	}
	for _, c := range cases {
		for _, p := range c.pages {
			client := reader
			if strings.HasPrefix(p, "/admin/") {
				client = b
			}
			a := client.get(p)
			if a.status != http.StatusOK && !(strings.Contains(p, "no-such") && a.status == http.StatusNotFound) {
				t.Errorf("%s: GET %s = %d", c.marker, p, a.status)
				continue
			}
			if !strings.Contains(a.body, c.marker) {
				t.Errorf("%s: %s does not show the field", c.marker, p)
				continue
			}
			for _, problem := range liveMarkup(a.body) {
				t.Errorf("%s on %s: %s", c.marker, p, problem)
			}
		}
	}
}

// liveMarkup lists what in page could run or was injected: scripts other
// than our own files and JSON-LD, event handler attributes, javascript:
// or data: addresses, the payload's <img src=x> and <svg onload>, and JSON-LD
// that could close its script element.
func liveMarkup(page string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(page))
	inLD := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if inLD && strings.Contains(string(z.Text()), "<") {
				out = append(out, "JSON-LD holds a raw <")
			}
		case html.EndTagToken:
			inLD = false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") {
					out = append(out, "<"+tok.Data+"> has the event handler "+a.Key)
				}
				if (a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") &&
					(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:text") || strings.HasPrefix(v, "vbscript:")) {
					out = append(out, "<"+tok.Data+"> has "+a.Key+"="+a.Val)
				}
			}
			switch tok.Data {
			case "script":
				switch {
				case attrs["type"] == "application/ld+json":
					inLD = tt == html.StartTagToken
				case strings.HasPrefix(attrs["src"], "/") && !strings.HasPrefix(attrs["src"], "//"):
				default:
					out = append(out, "a script that is not ours: "+tok.String())
				}
			case "img":
				if attrs["src"] == "x" {
					out = append(out, "the payload's <img src=x> is live")
				}
			case "svg":
				if _, ok := attrs["onload"]; ok {
					out = append(out, "the payload's <svg> is live")
				}
			}
		}
	}
}

// TestLiveMarkupCatches: the check finds each kind of live markup, so a
// TestStoredXSS that passes means something.
func TestLiveMarkupCatches(t *testing.T) {
	for _, bad := range []string{
		`<p>` + hostile + `</p>`,
		`<a href=" JavaScript:alert(1)">x</a>`,
		`<input value="x" onfocus="alert(1)">`,
		`<script src="https://evil.example/x.js"></script>`,
		`<script type="application/ld+json">{"name":"</script><script>alert(1)</script>"}</script>`,
	} {
		if got := liveMarkup(bad); len(got) == 0 {
			t.Errorf("liveMarkup(%q) finds nothing", bad)
		}
	}
	safe := `<script src="/static/copy.js" defer></script><script type="application/ld+json">{"a":"\u003cscript\u003e"}</script><p>&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;</p>`
	if got := liveMarkup(safe); len(got) != 0 {
		t.Errorf("liveMarkup(safe) = %v", got)
	}
}
