package admin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spektrum/internal/pipeline"
	"spektrum/internal/store"
)

// TestBrowserSettingsPages: an admin fills the settings page in real
// Chromium (no JavaScript of ours), and the settings, ads and ad pages are
// axe-clean at desktop and phone width, with screenshots in
// $SPEKTRUM_SCREENSHOTS when set.
func TestBrowserSettingsPages(t *testing.T) {
	c := startChromium(t)
	e := newEnvWith(t, sqliteStore(t), true, pipeline.Options{Editions: []string{"en", "de"}})
	axeJS, err := os.ReadFile("../web/testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c.open(e.base + "/admin/login")
	c.eval(`document.querySelector('#email').value = ` + jsString(adminEmail) + `;
		document.querySelector('#password').value = ` + jsString(password) + `;
		document.querySelector('form[action="/admin/login"] button').click()`)
	c.waitFor("location.pathname === '/admin/'")

	c.open(e.base + "/admin/settings")
	c.eval(`document.querySelector('#tagline-de').value = 'Nachrichten aus allen Richtungen';
		document.querySelector('#tagline-de').form.querySelector('button').click()`)
	c.waitFor("location.search.includes('done=saved')")
	c.eval(`document.querySelector('#network-0').value = 'mastodon';
		document.querySelector('#url-0').value = 'https://social.example/@spektrum';
		document.querySelector('form[action="/admin/settings/social"] button').click()`)
	c.waitFor("location.search.includes('done=saved')")
	c.open(e.base + "/de/")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "Nachrichten aus allen Richtungen") || !strings.Contains(body, "Mastodon") {
		t.Fatalf("the German front page does not show what was saved:\n%s", body)
	}

	c.open(e.base + "/admin/ads/new")
	c.eval(`document.querySelector('#name').value = 'Autumn sale';
		document.querySelector('#html').value = '<p onclick="x()">Autumn sale at the <b>Example Shop</b> <a href="https://shop.example/">shop now</a></p><script>alert(1)</script>';
		document.querySelector('button[name="preview"]').click()`)
	c.waitFor("document.querySelector('.ad-label') !== null")
	if html := c.eval("document.querySelector('.ad-body').innerHTML"); strings.Contains(html, "onclick") || strings.Contains(html, "script") || !strings.Contains(html, `rel="sponsored noopener"`) {
		t.Errorf("the preview shows %s", html)
	}
	if notice := c.eval("document.querySelector('.notice').innerText"); !strings.Contains(notice, "onclick on <p>, <script>") {
		t.Errorf("the preview does not say what cleaning removed: %q", notice)
	}
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-ad-preview-%d.png", w)), w, false)
	}
	c.eval(`document.querySelector('form[action="/admin/ads"] button[type="submit"]').click()`)
	c.waitFor("location.search.includes('done=added')")
	ads, err := e.st.AdSlots(t.Context())
	if err != nil || len(ads) != 1 {
		t.Fatalf("ads after saving: %+v, %v", ads, err)
	}
	if err := e.st.SaveAdSlot(t.Context(), &store.AdSlot{Name: "Travel", Placement: "sidebar", Edition: "de", Kind: "image",
		ImageURL: "https://img.example/t.png", LinkURL: "https://travel.example/", Alt: "Städtereisen", Enabled: false}); err != nil {
		t.Fatal(err)
	}
	// The error page (here a 404: an ad nobody has) is the admin's own.
	for _, p := range []struct{ path, name string }{{"/admin/settings", "settings"}, {"/admin/ads", "ads"}, {"/admin/ads/" + itoa(ads[0].ID), "ad"}, {"/admin/ads/999", "not-found"}} {
		c.open(e.base + p.path)
		for _, w := range []int{1366, 390} {
			c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-%s-%d.png", p.name, w)), w, false)
			for _, v := range c.axe(string(axeJS)) {
				t.Errorf("%s at %d px: axe %s", p.path, w, v)
			}
		}
	}
}
