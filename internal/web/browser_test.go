package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// imageServer serves generated PNGs, which pages show through the media
// proxy, without any request leaving the machine.
func imageServer(t *testing.T) *httptest.Server {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 960, 540))
	for y := 0; y < 540; y++ {
		for x := 0; x < 960; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x/8), uint8(70 + y/6), 140, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// chromium runs headless Chromium with args and returns its stdout.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestBrowserRendersPages loads pages in a real headless Chromium. Screenshots
// go to a temp dir, or to $SPEKTRUM_SCREENSHOTS when set (to look at them).
func TestBrowserRendersPages(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	imgs := imageServer(t)
	s := newSite(t, imgs.URL)
	a := s.byTitle(t, unicodeTitle)

	dom := string(chromium(t, "--dump-dom", s.url(enArticle(&a))))
	for _, want := range []string{unicodeTitle, "Body paragraph of story 0 with <em>emphasis</em>.", "EU Reporter", "Share this article"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	// The button exists only if copy.js ran: our same-origin script passes the CSP.
	if !strings.Contains(dom, `class="copy-button"`) {
		t.Error("copy.js did not add its button: blocked by the CSP or broken")
	}

	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	hostile := s.byTitle(t, hostileTitle)
	shots := []struct {
		name, path, size string
		extra            []string
	}{
		{"home-mobile.png", "/", "390,844", nil},
		{"home-desktop.png", "/", "1280,900", nil},
		{"article-mobile.png", enArticle(&a), "390,844", nil},
		{"article-desktop.png", enArticle(&hostile), "1280,900", nil},
		// prefers-color-scheme: dark (Blink's enum: 0 = dark).
		{"article-mobile-dark.png", enArticle(&a), "390,844", []string{"--force-dark-mode", "--blink-settings=preferredColorScheme=0"}},
	}
	for _, sh := range shots {
		file := filepath.Join(dir, sh.name)
		chromium(t, append(sh.extra, "--screenshot="+file, "--window-size="+sh.size, s.url(sh.path))...)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("screenshot %s not written: %v", sh.name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", sh.name, err)
		}
		if w := strings.Split(sh.size, ",")[0]; cfg.Width < 300 || (w == "1280" && cfg.Width != 1280) {
			t.Errorf("screenshot %s is %dx%d, want width %s", sh.name, cfg.Width, cfg.Height, w)
		}
	}
}

// probeJS runs in the page after it loaded and writes what each picture
// loaded (its natural width) into the DOM, where --dump-dom shows it. It
// is served from the site's origin, so the real CSP applies to it too.
const probeJS = `addEventListener("load", function () {
  setTimeout(function () {
    var out = [];
    document.querySelectorAll("img").forEach(function (i) {
      out.push(i.parentNode.className + ":" + (i.currentSrc || i.src).replace(location.origin, "") + "=" + i.naturalWidth);
    });
    document.body.setAttribute("data-probe", out.join(" "));
  }, 500);
});`

// withProbe serves the site with probeJS added to every HTML page.
func withProbe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/probe.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(probeJS))
			return
		}
		r = r.Clone(r.Context())
		r.Header.Del("Accept-Encoding")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			body = bytes.Replace(body, []byte("</body>"), []byte(`<script src="/probe.js"></script></body>`), 1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestBrowserLoadsPictures: the front page's pictures come through the
// media proxy and really load in Chromium under the site's CSP.
func TestBrowserLoadsPictures(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	imgs := imageServer(t)
	s := newSite(t, imgs.URL)
	probe := httptest.NewServer(withProbe(s.srv.Config.Handler))
	t.Cleanup(probe.Close)

	dom := string(chromium(t, "--dump-dom", "--window-size=1366,3000", "--virtual-time-budget=15000", probe.URL+"/en/"))
	m := regexp.MustCompile(`data-probe="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run (blocked by the CSP?):\n%.2000s", dom)
	}
	pics := strings.Fields(m[1])
	t.Logf("pictures and their natural widths: %q", pics)
	if len(pics) < 2 {
		t.Fatalf("the front page shows %d pictures, want the lead's and a thumbnail: %q", len(pics), m[1])
	}
	lead := false
	for _, p := range pics {
		class, p, _ := strings.Cut(p, ":")
		lead = lead || class == "lead-image"
		src, width, _ := strings.Cut(p, "=")
		if !strings.HasPrefix(src, "/media/") {
			t.Errorf("picture %s is not served by the site's media proxy", src)
		}
		if width == "0" {
			t.Errorf("picture %s did not load (naturalWidth 0)", src)
		}
	}
	if !lead {
		t.Error("the lead story shows no picture")
	}
}

// consoleMessages loads url in headless Chromium and returns what its
// pages wrote to the console (errors, CSP refusals, script failures), as
// Chromium logs them with --enable-logging.
func consoleMessages(t *testing.T, url string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--ignore-certificate-errors",
		"--enable-logging=stderr", "--v=1", "--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if _, err := cmd.Output(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	var out []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			out = append(out, line)
		}
	}
	return out
}

// TestBrowserNoConsoleErrors: the site's pages, in two editions, write
// nothing to the browser console: no CSP refusal (of the manifest, icons,
// styles or script), no script error.
func TestBrowserNoConsoleErrors(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	// The check itself works: a page that logs an error is caught.
	if got := consoleMessages(t, `data:text/html,<script>console.error("spektrum-console-check")</script>`); len(got) == 0 ||
		!strings.Contains(strings.Join(got, "\n"), "spektrum-console-check") {
		t.Fatalf("console capture does not work: %q", got)
	}
	imgs := imageServer(t)
	s := newSite(t, imgs.URL)
	a := s.byTitle(t, unicodeTitle)
	for _, p := range []string{"/en/", "/en/section/economy", enArticle(&a), "/en/section/no-such-section", "/manifest.webmanifest"} {
		if got := consoleMessages(t, s.url(p)); len(got) > 0 {
			t.Errorf("%s writes to the console:\n%s", p, strings.Join(got, "\n"))
		}
	}
	m, _, _, _, _ := newMixedSite(t, "apart")
	for _, p := range []string{"/fr/", "/en/", "/fr/section/world"} {
		if got := consoleMessages(t, m.url(p)); len(got) > 0 {
			t.Errorf("%s writes to the console:\n%s", p, strings.Join(got, "\n"))
		}
	}
}
