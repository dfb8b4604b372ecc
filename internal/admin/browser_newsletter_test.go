package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
)

// axe runs axe-core (vendored by the site's tests, MPL-2.0) in the page
// through DevTools, which the admin's CSP does not bind, and returns its
// violations. The digest preview's frame is the mail, not the admin, so
// it is left out.
func (c *cdp) axe(src string) []string {
	c.t.Helper()
	c.eval(src)
	var r struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	raw := c.call("Runtime.evaluate", map[string]any{"awaitPromise": true, "returnByValue": true,
		"expression": `axe.run(document, {iframes: false, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => v.id + ": " + v.help + " " + v.nodes.map(n => n.target.join(" ")).join(", "))))`})
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatal(err)
	}
	var out []string
	if err := json.Unmarshal([]byte(r.Result.Value), &out); err != nil {
		c.t.Fatalf("axe answered %q: %v", r.Result.Value, err)
	}
	return out
}

// TestBrowserNewsletter signs in with real Chromium, sends a test digest
// from the digest page's form and finds it in Mailpit through its HTTP API;
// then it looks at every newsletter page with axe-core and screenshots them
// at desktop (1366) and phone (390) width ($SPEKTRUM_SCREENSHOTS to keep).
func TestBrowserNewsletter(t *testing.T) {
	c := startChromium(t)
	e := newNLEnv(t, sqliteStore(t), true)
	ctx := context.Background()
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
	e.seedArticles("Rail strike ends in Lyon after nine days", "Krakow extends its tram network to the airport", "A rocket for bigger payloads")
	domain := fmt.Sprintf("browser-%d.example", time.Now().UnixNano())
	sub := e.subscriber("kim.novak@"+domain, store.SubActive, store.Daily, "en")
	e.subscriber(xssEmail, store.SubPending, store.Weekly, "de")
	for i := range 3 {
		e.subscriber(fmt.Sprintf("reader-%d@%s", i, domain), []string{store.SubActive, store.SubUnsubscribed, store.SubBounced}[i], store.Weekly, "en")
	}

	c.open(e.base + "/admin/newsletter/digest")
	c.waitFor("location.pathname === '/admin/login'")
	c.eval(`document.querySelector('#email').value = ` + jsString(editorEmail) + `;
		document.querySelector('#password').value = ` + jsString(password) + `;
		document.querySelector('form[action="/admin/login"] button').click()`)
	c.waitFor("location.pathname === '/admin/newsletter/digest'")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "Send a test digest") || !strings.Contains(body, "Spektrum Test: 3 new articles") {
		t.Fatalf("the digest page says:\n%s", body)
	}
	// The preview is in the frame, whose sandbox gives it an origin of its
	// own: the admin's page cannot reach into it, nor it into the admin.
	if v := c.eval(`(() => { const f = document.querySelector('iframe.preview'); return f !== null && f.contentDocument === null })()`); v != "true" {
		t.Errorf("the preview frame is missing or not sandboxed (%s)", v)
	}
	to := "editor@" + domain
	c.eval(`document.querySelector('#to').value = ` + jsString(to) + `;
		document.querySelector('form[action="/admin/newsletter/digest/test"] button').click()`)
	c.waitFor("location.search.includes('done=test-sent')")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "The test digest was sent.") {
		t.Errorf("after sending a test digest the page says:\n%s", body)
	}
	got := mailpitCount(t, e.mailpit, to, 1)
	resp, err := http.Get(e.mailpit + "/api/v1/message/" + got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var msg struct{ Subject, Text, HTML string }
	err = json.NewDecoder(resp.Body).Decode(&msg)
	resp.Body.Close()
	if err != nil || !strings.Contains(msg.Text, "Rail strike ends in Lyon after nine days") || !strings.Contains(msg.HTML, "Krakow extends its tram network") ||
		msg.Subject != "Spektrum Test: 3 new articles" {
		t.Fatalf("Mailpit's copy of the test digest: %q, %v\n%s", msg.Subject, err, msg.Text)
	}

	pages := []struct{ path, name string }{
		{"/admin/newsletter", "newsletter-subscribers"},
		{"/admin/newsletter?q=KIM", "newsletter-search"},
		{"/admin/newsletter/" + itoa(sub.ID), "newsletter-subscriber"},
		{"/admin/newsletter/" + itoa(sub.ID) + "/erase", "newsletter-erase"},
		{"/admin/newsletter/digest", "newsletter-digest"},
		{"/admin/newsletter/runs", "newsletter-runs"},
	}
	// A run for the past sends page: one subscriber's digest.
	if err := e.st.CreateSubscriber(ctx, &store.Subscriber{Email: "late@" + domain, Language: "en", Frequency: store.Daily, Status: store.SubActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.n.SendNow(ctx, store.Daily, "", "browser-test-token-0001"); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		c.open(e.base + p.path)
		if p.name == "newsletter-runs" {
			// Wait for the queued run to be planned and sent, by a
			// worker of the test's own.
			e.sendQueued(t)
			c.open(e.base + p.path)
		}
		if vs := c.axe(string(axeJS)); len(vs) > 0 {
			t.Errorf("%s: axe: %s", p.path, strings.Join(vs, "\n\t"))
		}
		for _, w := range []int{1366, 390} {
			c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-%s-%d.png", p.name, w)), w, false)
		}
	}
	c.open(e.base + "/admin/newsletter/digest")
	c.screenshot(filepath.Join(dir, "admin-newsletter-digest-390-dark.png"), 390, true)
}
