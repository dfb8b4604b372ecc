package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"spektrum/internal/pipeline"
	"spektrum/internal/store"
)

// An admin saves the settings for all editions and for one edition: each
// edition's front page shows its own tagline and disclaimer, the footer the
// social links; every save is in the audit log. On both databases.
func TestSettingsShowOnSite(t *testing.T) {
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": sqliteStore, "postgres": postgresStore} {
		t.Run(name, func(t *testing.T) {
			e := newEnvWith(t, open(t), true, pipeline.Options{Editions: []string{"en", "de"}})
			b := e.browser()
			b.mustSignIn(adminEmail)
			page := b.get("/admin/settings")
			for _, want := range []string{`action="/admin/settings/general"`, `name="edition" value="de"`, `action="/admin/settings/social"`, `name="origins"`, "Content-Security-Policy"} {
				if page.status != http.StatusOK || !strings.Contains(page.body, want) {
					t.Fatalf("/admin/settings = %d, lacks %q", page.status, want)
				}
			}
			tok := hidden(page.body).Get("csrf")
			saves := []struct {
				path string
				form url.Values
			}{
				{"/admin/settings/general", url.Values{"name": {"Daily Spectrum"}, "tagline": {"News for everyone"}, "disclaimer": {"Daily Spectrum republishes external sources."}}},
				{"/admin/settings/edition", url.Values{"edition": {"de"}, "tagline": {"Nachrichten für alle"}, "disclaimer": {"Wir veröffentlichen externe Quellen."}}},
				{"/admin/settings/social", url.Values{"network-0": {"mastodon"}, "url-0": {"https://social.example/@daily"}, "network-1": {""}, "url-1": {""}}},
			}
			for _, s := range saves {
				s.form.Set("csrf", tok)
				if a := b.post(s.path, s.form); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/settings?done=saved") {
					t.Fatalf("POST %s = %d → %q\n%s", s.path, a.status, a.location, a.body)
				}
			}
			// The admin is named as the site now is.
			if home := b.get("/admin/"); !strings.Contains(home.body, `class="brand" href="/admin/">Daily Spectrum<small>`) {
				t.Errorf("the admin's header lacks the outlet's new name:\n%.600s", home.body)
			}
			reader := e.browser()
			en, de := reader.get("/en/"), reader.get("/de/")
			for _, c := range []struct {
				page      answer
				want, not []string
			}{
				{en, []string{`<p class="tagline">News for everyone</p>`, "Daily Spectrum republishes external sources.", "<title>Daily Spectrum</title>",
					`<h2 class="social-title" id="social-h">Connect with us</h2>`, `<a href="https://social.example/@daily" rel="me noopener">Mastodon</a>`}, []string{"Nachrichten für alle"}},
				{de, []string{`<p class="tagline">Nachrichten für alle</p>`, "Wir veröffentlichen externe Quellen.", "Daily Spectrum", "Folgen Sie uns"}, []string{"News for everyone", "republishes"}},
			} {
				for _, w := range c.want {
					if c.page.status != http.StatusOK || !strings.Contains(c.page.body, w) {
						t.Errorf("front page = %d, lacks %q", c.page.status, w)
					}
				}
				for _, n := range c.not {
					if strings.Contains(c.page.body, n) {
						t.Errorf("front page shows %q", n)
					}
				}
			}
			// Emptying the edition's tagline brings back the one for all.
			if a := b.post("/admin/settings/edition", url.Values{"csrf": {tok}, "edition": {"de"}, "tagline": {""}}); a.status != http.StatusSeeOther {
				t.Fatalf("clear = %d", a.status)
			}
			if de := reader.get("/de/"); !strings.Contains(de.body, `<p class="tagline">News for everyone</p>`) {
				t.Error("an emptied edition tagline does not fall back to the one for all editions")
			}
			audit := b.get("/admin/audit")
			for _, w := range []string{"settings.general", "settings.edition", "settings.social", "edition de"} {
				if !strings.Contains(audit.body, w) {
					t.Errorf("audit log lacks %q", w)
				}
			}
		})
	}
}

// Settings and ads are for admins: an editor gets 403 on every page and
// form, and so does a post without the session's token or from another
// site; nothing is stored by any of them.
func TestSettingsAdminOnlyAndCSRF(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sqliteStore(t), true)
	ed := e.browser()
	ed.mustSignIn(editorEmail)
	edTok := ed.csrf()
	for _, p := range []string{"/admin/settings", "/admin/ads", "/admin/ads/new", "/admin/ads/1"} {
		if a := ed.get(p); a.status != http.StatusForbidden {
			t.Errorf("editor GET %s = %d, want 403", p, a.status)
		}
	}
	for _, p := range []string{"/admin/settings/general", "/admin/settings/origins", "/admin/ads", "/admin/ads/1/delete"} {
		form := url.Values{"csrf": {edTok}, "tagline": {"Editor was here"}, "origins": {"https://evil.example"}, "name": {"x"},
			"placement": {"front-top"}, "kind": {"html"}, "html": {"<p>x</p>"}}
		if a := ed.post(p, form); a.status != http.StatusForbidden {
			t.Errorf("editor POST %s = %d, want 403", p, a.status)
		}
	}
	if strings.Contains(ed.get("/admin/").body, `href="/admin/settings"`) {
		t.Error("the editor's menu offers the settings")
	}

	ad := e.browser()
	ad.mustSignIn(adminEmail)
	tok := ad.csrf()
	form := url.Values{"tagline": {"Forged"}}
	if a := ad.post("/admin/settings/general", form); a.status != http.StatusForbidden {
		t.Errorf("POST without the token = %d, want 403", a.status)
	}
	form.Set("csrf", "not-the-token")
	if a := ad.post("/admin/settings/general", form); a.status != http.StatusForbidden {
		t.Errorf("POST with a wrong token = %d, want 403", a.status)
	}
	form.Set("csrf", tok)
	if a := ad.postWith("/admin/settings/general", form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); a.status != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", a.status)
	}
	if a := ad.post("/admin/ads", url.Values{"name": {"x"}, "placement": {"front-top"}, "kind": {"html"}, "html": {"<p>x</p>"}, "enabled": {"1"}}); a.status != http.StatusForbidden {
		t.Errorf("ad POST without the token = %d, want 403", a.status)
	}
	kv, err := e.st.Settings(ctx)
	if err != nil || len(kv) != 0 {
		t.Fatalf("settings after refused posts: %v, %v", kv, err)
	}
	if ads, _ := e.st.AdSlots(ctx); len(ads) != 0 {
		t.Fatalf("ads after refused posts: %+v", ads)
	}
	if strings.Contains(e.browser().get("/en/").body, "Editor was here") {
		t.Fatal("a refused post shows on the site")
	}
}

// Ad HTML is cleaned before it is stored: scripts, handlers, javascript:
// URLs, styles and frames are gone, links are marked sponsored, and the
// ad shows labelled in the edition's language where it was placed.
func TestAdHTMLCleanedBeforeStoring(t *testing.T) {
	ctx := context.Background()
	e := newEnvWith(t, sqliteStore(t), true, pipeline.Options{Editions: []string{"en", "de"}})
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	hostile := `<p style="position:fixed;top:0">Great <b>shoes</b> <a href="https://shop.example/shoes" onclick="steal()">buy</a></p>` +
		`<script>alert('inline')</script><script src="https://evil.example/x.js"></script>` +
		`<img src="https://cdn.example/shoe.png" onerror="alert(1)" alt="A shoe">` +
		`<a href="javascript:alert(2)">free</a><iframe src="https://evil.example/frame"></iframe><style>body{display:none}</style>`
	a := b.post("/admin/ads", url.Values{"csrf": {tok}, "name": {"Shoes"}, "placement": {"front-top"}, "edition": {"de"}, "kind": {"html"}, "html": {hostile}, "enabled": {"1"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/ads/") {
		t.Fatalf("add ad = %d → %q\n%s", a.status, a.location, a.body)
	}
	ads, err := e.st.AdSlots(ctx)
	if err != nil || len(ads) != 1 {
		t.Fatalf("ads = %+v, %v", ads, err)
	}
	stored := ads[0].HTML
	for _, bad := range []string{"<script", "alert", "onclick", "onerror", "javascript:", "style", "<iframe", "evil.example", "display:none"} {
		if strings.Contains(stored, bad) {
			t.Errorf("stored ad HTML keeps %q: %s", bad, stored)
		}
	}
	for _, good := range []string{`<a href="https://shop.example/shoes" rel="sponsored noopener">buy</a>`, "<b>shoes</b>", "free"} {
		if !strings.Contains(stored, good) {
			t.Errorf("stored ad HTML lacks %q: %s", good, stored)
		}
	}
	// The edit page previews it, labelled; the list shows it.
	if p := b.get(a.location); p.status != http.StatusOK || !strings.Contains(p.body, `<p class="ad-label">Werbung</p>`) || !strings.Contains(p.body, "sponsored noopener") {
		t.Errorf("ad page = %d, lacks the labelled preview\n%s", p.status, p.body)
	}
	if p := b.get("/admin/ads"); !strings.Contains(p.body, "Shoes") || !strings.Contains(p.body, "Front page, top") {
		t.Errorf("ads list lacks the ad")
	}
	reader := e.browser()
	de, en := reader.get("/de/"), reader.get("/en/")
	if !strings.Contains(de.body, `<p class="ad-label">Werbung</p>`) || !strings.Contains(de.body, "https://shop.example/shoes") {
		t.Errorf("the German front page lacks the labelled ad")
	}
	if strings.Contains(en.body, "shop.example") {
		t.Error("an ad for the German edition shows in the English one")
	}
	// Switched off, it is gone; the audit log has both changes.
	if a := b.post(a.location[:strings.Index(a.location, "?")], url.Values{"csrf": {tok}, "name": {"Shoes"}, "placement": {"front-top"}, "edition": {"de"}, "kind": {"html"}, "html": {stored}}); a.status != http.StatusSeeOther {
		t.Fatalf("switch off = %d\n%s", a.status, a.body)
	}
	if strings.Contains(reader.get("/de/").body, "shop.example") {
		t.Error("a switched-off ad still shows")
	}
	audit := b.get("/admin/audit").body
	if !strings.Contains(audit, "ad.add") || !strings.Contains(audit, "ad.edit") {
		t.Error("the audit log lacks the ad's changes")
	}
	// Refusals say why and store nothing.
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"Img"}, "placement": {"sidebar"}, "kind": {"image"}, "image_url": {"javascript:alert(1)"}, "link_url": {"https://x.example/"}, "alt": {"x"}}, "is not an http(s) address"},
		{url.Values{"name": {"Img"}, "placement": {"sidebar"}, "kind": {"image"}, "image_url": {"https://x.example/a.png"}, "link_url": {"https://x.example/"}}, "text alternative"},
		{url.Values{"name": {"Only script"}, "placement": {"sidebar"}, "kind": {"html"}, "html": {"<script>alert(1)</script>"}}, "empty once cleaned"},
		{url.Values{"name": {"X"}, "placement": {"popup"}, "kind": {"html"}, "html": {"<p>x</p>"}}, "Choose where"},
	} {
		c.form.Set("csrf", tok)
		if a := b.post("/admin/ads", c.form); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, c.want) {
			t.Errorf("refused ad %v = %d, lacks %q", c.form, a.status, c.want)
		}
	}
	// The preview button shows the form cleaned and stores nothing.
	p := b.post("/admin/ads", url.Values{"csrf": {tok}, "preview": {"1"}, "name": {"Draft"}, "placement": {"sidebar"}, "kind": {"html"}, "html": {`<p onmouseover="x()">Draft <a href="https://d.example/">ad</a></p><script>alert(1)</script>`}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Preview (not saved)") || !strings.Contains(p.body, `<a href="https://d.example/" rel="sponsored noopener">ad</a>`) ||
		strings.Contains(p.body, "onmouseover=") {
		t.Errorf("preview = %d\n%s", p.status, p.body)
	}
	// It says what cleaning took out, as `spektrum ads add` does.
	if !strings.Contains(htmlUnescape(p.body), "Cleaning removed what ads may not contain: onmouseover on <p>, <script>.") {
		t.Errorf("the preview does not say what was removed:\n%s", p.body)
	}
	if p := b.post("/admin/ads", url.Values{"csrf": {tok}, "preview": {"1"}, "name": {"Draft"}, "placement": {"sidebar"}, "kind": {"image"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("preview of a refused form = %d, want 422", p.status)
	}
	if ads, _ := e.st.AdSlots(ctx); len(ads) != 1 {
		t.Errorf("refused or previewed ads were stored: %d", len(ads))
	}
}

// An origin an admin allows lets its ad script through the sanitizer and
// into the CSP of the page showing the ad, and only that one; taking it
// off the list takes the script off the page.
func TestAllowedScriptOrigin(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	// Not an origin: refused with the reason.
	for _, bad := range []string{"http://ads.example.net", "https://*.example.net", "https://ads.example.net/tag.js", "'unsafe-inline'", "https://ads.example.net; script-src *"} {
		if a := b.post("/admin/settings/origins", url.Values{"csrf": {tok}, "origins": {bad}}); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "is not an https origin") {
			t.Errorf("origin %q = %d, want 422 with the reason", bad, a.status)
		}
	}
	if a := b.post("/admin/settings/origins", url.Values{"csrf": {tok}, "origins": {"https://ads.example.net\n"}}); a.status != http.StatusSeeOther {
		t.Fatalf("save origin = %d\n%s", a.status, a.body)
	}
	html := `<div data-zone="7"></div><script src="https://ads.example.net/tag.js"></script><script src="https://evil.example/x.js"></script>`
	if a := b.post("/admin/ads", url.Values{"csrf": {tok}, "name": {"Network"}, "placement": {"article-below"}, "kind": {"html"}, "html": {html}, "enabled": {"1"}}); a.status != http.StatusSeeOther {
		t.Fatalf("add ad = %d\n%s", a.status, a.body)
	}
	if a := b.post("/admin/ads", url.Values{"csrf": {tok}, "name": {"Front"}, "placement": {"front-top"}, "kind": {"html"}, "html": {html}, "enabled": {"1"}}); a.status != http.StatusSeeOther {
		t.Fatalf("add ad = %d\n%s", a.status, a.body)
	}
	resp, err := http.Get(e.base + "/en/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' https://ads.example.net;") || !strings.Contains(csp, "frame-src https://ads.example.net ") || strings.Contains(csp, "evil.example") {
		t.Errorf("front page CSP = %q; want ads.example.net in script-src and frame-src, evil.example nowhere", csp)
	}
	body := e.browser().get("/en/").body
	if !strings.Contains(body, `<script src="https://ads.example.net/tag.js" async></script>`) || strings.Contains(body, "evil.example") {
		t.Errorf("front page: the allowed script is missing or the other one is there")
	}
	// A page without an ad keeps the strict policy.
	resp2, err := http.Get(e.base + "/en/search?q=x")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if strings.Contains(resp2.Header.Get("Content-Security-Policy"), "ads.example.net") {
		t.Error("a page without ads allows the ad origin")
	}
	// Taken off the list: the script and the CSP entry go at once.
	if a := b.post("/admin/settings/origins", url.Values{"csrf": {tok}, "origins": {""}}); a.status != http.StatusSeeOther {
		t.Fatalf("clear origins = %d", a.status)
	}
	resp3, err := http.Get(e.base + "/en/")
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if strings.Contains(resp3.Header.Get("Content-Security-Policy"), "ads.example.net") {
		t.Error("the CSP still allows a removed origin")
	}
	if strings.Contains(e.browser().get("/en/").body, "<script src=\"https://ads.example.net") {
		t.Error("the page still loads a removed origin's script")
	}
}

// A social link must be http(s): javascript: and friends are refused.
func TestSocialLinksRefuseScripts(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	for _, bad := range []string{"javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example", "mastodon"} {
		a := b.post("/admin/settings/social", url.Values{"csrf": {tok}, "network-0": {"mastodon"}, "url-0": {bad}})
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "is not an http(s) address") {
			t.Errorf("social link %q = %d, want 422", bad, a.status)
		}
	}
	if a := b.post("/admin/settings/social", url.Values{"csrf": {tok}, "network-0": {"myspace"}, "url-0": {"https://x.example"}}); a.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown network = %d, want 422", a.status)
	}
	if body := e.browser().get("/en/").body; strings.Contains(body, "social-h") {
		t.Error("refused links show on the site")
	}
}
