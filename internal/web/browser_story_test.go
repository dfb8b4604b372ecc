package web

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserRendersStoryPage loads a story page in real headless
// Chromium and takes screenshots at desktop and phone width (to
// $SPEKTRUM_SCREENSHOTS when set, to look at them).
func TestBrowserRendersStoryPage(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	s := newSite(t, imageServer(t).URL)
	id, arts := storyFixture(t, s)
	path := fmt.Sprintf("/en/story/%d", id)
	dom := string(chromium(t, "--dump-dom", s.url(path)))
	for _, want := range []string{"Who reported it", "2 sources, 2 languages", `lang="de"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered story page lacks %q", want)
		}
	}
	for _, a := range arts {
		if !strings.Contains(dom, strings.ReplaceAll(a.Title, "&", "&amp;")) {
			t.Errorf("rendered story page lacks the headline %q", a.Title)
		}
	}
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []struct{ name, size string }{
		{"story-desktop.png", "1366,900"},
		{"story-mobile.png", "390,844"},
		{"home-stories-desktop.png", "1366,900"},
	} {
		p := path
		if strings.HasPrefix(sh.name, "home") {
			p = "/en/"
		}
		file := filepath.Join(dir, sh.name)
		chromium(t, "--screenshot="+file, "--window-size="+sh.size, s.url(p))
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("screenshot %s not written: %v", sh.name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", sh.name, err)
		}
		if w := strings.Split(sh.size, ",")[0]; fmt.Sprint(cfg.Width) != w {
			t.Errorf("screenshot %s is %d wide, want %s", sh.name, cfg.Width, w)
		}
	}
}
