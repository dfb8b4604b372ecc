package admin_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"spektrum/internal/store"
)

const chromiumPath = "/usr/bin/chromium"

// cdp drives one page of a headless Chromium over the DevTools protocol:
// the few commands a sign-in needs (navigate, evaluate, screenshot), over
// the websocket package already in the module, instead of a new dependency.
type cdp struct {
	t    *testing.T
	ws   *websocket.Conn
	next int
}

var devtoolsRE = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

func startChromium(t *testing.T) *cdp {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	// Chromium's helper processes may still write to their profile while
	// the main one exits, which t.TempDir's strict clean-up reports.
	profile, err := os.MkdirTemp("", "spektrum-admin-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir="+profile, "about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var browserWS string
	select {
	case browserWS = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not say where its DevTools listen")
	}
	// The page target of about:blank, from the HTTP side of the same port.
	host := strings.TrimPrefix(browserWS, "ws://")
	host = host[:strings.Index(host, "/")]
	var targets []struct{ Type, WebSocketDebuggerURL string }
	for range 50 {
		resp, err := http.Get("http://" + host + "/json/list")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		if err == nil && len(targets) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := websocket.Dial(tg.WebSocketDebuggerURL, "", "http://127.0.0.1/")
			if err != nil {
				t.Fatalf("connect to chromium's page: %v", err)
			}
			ws.MaxPayloadBytes = 64 << 20
			t.Cleanup(func() { ws.Close() })
			return &cdp{t: t, ws: ws}
		}
	}
	t.Fatalf("chromium has no page target: %+v", targets)
	return nil
}

// call sends one command and returns its result, skipping events.
func (c *cdp) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.next++
	id := c.next
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		c.t.Fatalf("cdp %s: %v", method, err)
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			c.t.Fatalf("cdp %s: %v", method, err)
		}
		if msg.ID != id {
			continue
		}
		if msg.Error != nil {
			c.t.Fatalf("cdp %s: %s", method, msg.Error.Message)
		}
		return msg.Result
	}
}

// eval runs JavaScript in the page (DevTools is not bound by the page's
// CSP; the page itself runs no script) and returns its value as a string.
func (c *cdp) eval(js string) string {
	c.t.Helper()
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
	}
	_ = json.Unmarshal(c.call("Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true}), &r)
	return fmt.Sprint(r.Result.Value)
}

// waitFor polls until js is "true" after a navigation or a form post.
func (c *cdp) waitFor(js string) {
	c.t.Helper()
	for range 300 { // 30 s: the machine is shared
		if c.eval("document.readyState === 'complete' && ("+js+")") == "true" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("page never satisfied %s; it is at %s:\n%s", js, c.eval("location.href"), c.eval("document.body.innerText"))
}

func (c *cdp) open(url string) {
	c.t.Helper()
	c.eval("window.spektrumOld = true")
	c.call("Page.navigate", map[string]any{"url": url})
	c.waitFor("!window.spektrumOld") // a new document, whatever redirects it took
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// screenshot saves the whole page at width w (px) as file.
func (c *cdp) screenshot(file string, w int, dark bool) {
	c.t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	c.call("Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": scheme}}})
	c.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": w, "height": 800, "deviceScaleFactor": 1, "mobile": w < 600})
	h := c.eval("Math.max(800, document.documentElement.scrollHeight)")
	var height int
	fmt.Sscan(h, &height)
	c.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": w, "height": height, "deviceScaleFactor": 1, "mobile": w < 600})
	var r struct{ Data string }
	_ = json.Unmarshal(c.call("Page.captureScreenshot", map[string]any{"format": "png"}), &r)
	b, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		c.t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != w {
		c.t.Fatalf("screenshot %s: %v, width %d, want %d", file, err, cfg.Width, w)
	}
	// At phone width nothing may stick out sideways.
	if sw := c.eval("document.documentElement.scrollWidth"); sw != fmt.Sprint(w) {
		c.t.Errorf("%s: the page is %s px wide at a %d px viewport (horizontal scrolling)", file, sw, w)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// TestBrowserSignInAndPages signs in with real Chromium through the login
// form, adds a source through the sources form, and screenshots the login,
// sources and users pages at desktop (1366) and phone (390) width.
// Screenshots go to $SPEKTRUM_SCREENSHOTS when set (to look at them).
func TestBrowserSignInAndPages(t *testing.T) {
	c := startChromium(t)
	e := newEnv(t, sqliteStore(t), true)
	ctx := context.Background()
	good := feedServer(t, "Kyiv Independent")
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	c.open(e.base + "/admin/")
	c.waitFor("location.pathname === '/admin/login'")
	for _, w := range []int{1366, 390} {
		c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-login-%d.png", w)), w, false)
	}
	c.eval(`document.querySelector('#email').value = ` + jsString(adminEmail) + `;
		document.querySelector('#password').value = ` + jsString(password) + `;
		document.querySelector('form[action="/admin/login"] button').click()`)
	c.waitFor("location.pathname === '/admin/'")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, adminEmail) || !strings.Contains(body, "Sources") {
		t.Fatalf("after signing in, the page says:\n%s", body)
	}

	c.open(e.base + "/admin/sources")
	c.eval(`document.querySelector('#url').value = ` + jsString(good.URL+"/feed.xml") + `;
		document.querySelector('#section').value = 'ukraine';
		document.querySelector('form[action="/admin/sources"] button').click()`)
	c.waitFor("/^\\/admin\\/sources\\/\\d+$/.test(location.pathname)")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "Kyiv Independent") || !strings.Contains(body, "The source was added.") {
		t.Fatalf("after adding a source, the page says:\n%s", body)
	}
	// A source that cannot be read, for the page to show its problem in words.
	c.open(e.base + "/admin/sources")
	c.eval(`document.querySelector('#url').value = 'http://127.0.0.1:9/feed.xml';
		document.querySelector('#name').value = 'Down Today Gazette';
		document.querySelector('input[name=force]').checked = true;
		document.querySelector('form[action="/admin/sources"] button').click()`)
	c.waitFor("/^\\/admin\\/sources\\/\\d+$/.test(location.pathname)")
	if body := c.eval("document.body.innerText"); !strings.Contains(body, "site unreachable") {
		t.Errorf("a source that cannot be read does not say why:\n%s", body)
	}
	if ss, _ := e.st.Sources(ctx); len(ss) != 2 {
		t.Fatalf("%d sources after the browser added two", len(ss))
	}
	// Hide an article in the browser and see it gone from the site.
	ss, _ := e.st.Sources(ctx)
	art := &store.Article{SourceID: ss[0].ID, URL: good.URL + "/a/1", Title: "Hide me, please", Text: "Body.", HTML: "<p>Body.</p>", Language: "en"}
	if _, err := e.st.UpsertArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		other := &store.Article{SourceID: ss[0].ID, URL: fmt.Sprintf("%s/a/other-%d", good.URL, i), Title: fmt.Sprintf("Another story, number %d, with a longer headline", i),
			Text: "Body.", HTML: "<p>Body.</p>", Language: []string{"en", "de", "fr"}[i], Section: "ukraine"}
		if _, err := e.st.UpsertArticle(ctx, other); err != nil {
			t.Fatal(err)
		}
	}
	c.open(e.base + "/en" + art.Path())
	if h := c.eval("document.querySelector('h1') && document.querySelector('h1').innerText"); h != "Hide me, please" {
		t.Fatalf("the article's page before hiding shows %q", h)
	}
	c.open(e.base + "/admin/articles")
	c.eval(`document.querySelector('form[action="/admin/articles/` + itoa(art.ID) + `/hide"] button').click()`)
	c.waitFor("location.search.includes('done=hidden')")
	// As a new reader sees it: the site lets browsers keep a page for a
	// minute, so this browser's copy would be the old one.
	c.call("Network.enable", map[string]any{})
	c.call("Network.setCacheDisabled", map[string]any{"cacheDisabled": true})
	c.open(e.base + "/en" + art.Path())
	if body := c.eval("document.body.innerText"); strings.Contains(body, "Hide me, please") {
		t.Errorf("the hidden article is still on the site:\n%s", body)
	}
	// Correct a headline in the browser and see it on the site.
	fix := &store.Article{SourceID: ss[0].ID, URL: good.URL + "/a/fix", Title: "Minister resigns after scandel", Summary: "The minister stepped down.",
		Text: "The minister resigned on Monday.", HTML: "<p>The minister resigned on Monday.</p>", Language: "en", Section: "ukraine"}
	if _, err := e.st.UpsertArticle(ctx, fix); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutTranslation(ctx, &store.Translation{ArticleID: fix.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Minister tritt nach Skandal zurück", Summary: "Der Minister ist zurückgetreten.", Text: "Der Minister trat am Montag zurück.", Provider: "apertium",
		ContentHash: fix.ContentHash}); err != nil {
		t.Fatal(err)
	}
	c.open(e.base + "/admin/articles/" + itoa(fix.ID))
	c.eval(`document.querySelector('#title').value = 'Minister resigns after scandal';
		document.querySelector('form[action$="/correct"] button').click()`)
	c.waitFor("location.search.includes('done=corrected')")
	c.open(e.base + "/en" + fix.Path())
	if h := c.eval("document.querySelector('h1') && document.querySelector('h1').innerText"); h != "Minister resigns after scandal" {
		t.Errorf("the corrected article's page shows %q", h)
	}
	for _, p := range []struct{ path, name string }{{"/admin/articles/" + itoa(fix.ID), "article"}, {"/admin/sources", "sources"}, {"/admin/users", "users"}, {"/admin/sources/1", "source"}, {"/admin/articles", "articles"},
		{"/admin/", "home"}, {"/admin/audit", "audit"}, {"/admin/newsletter", "newsletter"}, {"/admin/account", "account"}} {
		c.open(e.base + p.path)
		for _, w := range []int{1366, 390} {
			c.screenshot(filepath.Join(dir, fmt.Sprintf("admin-%s-%d.png", p.name, w)), w, false)
		}
	}
	c.open(e.base + "/admin/sources")
	c.screenshot(filepath.Join(dir, "admin-sources-390-dark.png"), 390, true)
}
