package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// describe sets a source's viewpoint through the store, as ops does.
func (s *site) describe(t *testing.T, id int64, country, typ, position string) {
	t.Helper()
	ctx := context.Background()
	src, err := s.st.Source(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	src.Country, src.Type, src.Position = country, typ, position
	if err := s.st.UpdateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
}

// coverageOf returns the coverage section of a page: its legend entries
// per dimension (the text equivalent of the bars) and its findings.
func coverageOf(t *testing.T, body []byte) (map[string][]string, []string, *html.Node) {
	t.Helper()
	doc := parseHTML(t, body)
	secs := findAll(doc, func(n *html.Node) bool { return hasClass(n, "coverage") })
	if len(secs) != 1 {
		t.Fatalf("%d coverage sections, want 1", len(secs))
	}
	legends := map[string][]string{}
	for _, dim := range []string{"position", "country", "type"} {
		for _, d := range findAll(secs[0], func(n *html.Node) bool { return hasClass(n, "coverage-"+dim) }) {
			for _, li := range findAll(d, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "li" }) {
				legends[dim] = append(legends[dim], strings.Join(strings.Fields(textOf(li)), " "))
			}
		}
	}
	var only []string
	for _, p := range findAll(secs[0], func(n *html.Node) bool { return hasClass(n, "coverage-only") }) {
		only = append(only, textOf(p))
	}
	return legends, only, secs[0]
}

// The article page of an original with copies shows the spread of their
// sources: bars with a legend in words, and "only covered by …" where
// one side is missing; the API shows each source's attributes.
func TestCoverageOnTheArticlePage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	original := s.byTitle(t, "Headline number 4 about the world")
	cp := s.byTitle(t, "Headline number 9 about the world")
	if cp.SourceID == original.SourceID {
		t.Fatal("fixture: the copy must come from the other source")
	}
	page := enArticle(&original)
	if strings.Contains(string(s.mustGet(t, page, http.StatusOK).body), `class="coverage"`) {
		t.Error("an article without copies shows a coverage bar")
	}
	if err := s.st.SetDuplicateOf(ctx, cp.ID, original.ID); err != nil {
		t.Fatal(err)
	}
	s.describe(t, original.SourceID, "DE", "agency", "left")
	s.describe(t, cp.SourceID, "DE", "newspaper", "centre-left")

	legends, only, sec := coverageOf(t, s.mustGet(t, page, http.StatusOK).body)
	want := map[string][]string{
		"position": {"Left 1 source · 50 %", "Centre-left 1 source · 50 %"},
		"country":  {"Germany 2 sources · 100 %"},
		"type":     {"News agency 1 source · 50 %", "Newspaper 1 source · 50 %"},
	}
	for dim, w := range want {
		if strings.Join(legends[dim], "|") != strings.Join(w, "|") {
			t.Errorf("%s legend = %q, want %q", dim, legends[dim], w)
		}
	}
	if strings.Join(only, "|") != "Only covered by sources rated Left, Centre-left|Only covered by sources from Germany" {
		t.Errorf("findings = %q", only)
	}
	// The bars are drawn, sized by share, and hidden from screen readers
	// (the legend says it all).
	svgs := findAll(sec, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "svg" })
	if len(svgs) != 3 || attr(svgs[0], "aria-hidden") != "true" {
		t.Fatalf("%d bars, aria-hidden %q", len(svgs), attr(svgs[0], "aria-hidden"))
	}
	rects := findAll(svgs[0], func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "rect" })
	if len(rects) != 2 || attr(rects[0], "width") != "50" || attr(rects[1], "x") != "50" || attr(rects[0], "class") != "vp-s0" || attr(rects[1], "class") != "vp-s2" {
		t.Errorf("position bar rects: %d, %q %q %q %q", len(rects), attr(rects[0], "width"), attr(rects[1], "x"), attr(rects[0], "class"), attr(rects[1], "class"))
	}

	// Both sides and two countries: no finding. A step the scale does not
	// have (a scale changed since) shows as not stated.
	s.describe(t, cp.SourceID, "FR", "newspaper", "right")
	legends, only, _ = coverageOf(t, s.mustGet(t, page, http.StatusOK).body)
	if len(only) != 0 || strings.Join(legends["country"], "|") != "Germany 1 source · 50 %|France 1 source · 50 %" {
		t.Errorf("both sides: findings %q, countries %q", only, legends["country"])
	}
	s.describe(t, cp.SourceID, "", "", "far-out")
	legends, _, _ = coverageOf(t, s.mustGet(t, page, http.StatusOK).body)
	if strings.Join(legends["position"], "|") != "Left 1 source · 50 %|Not stated 1 source · 50 %" {
		t.Errorf("an off-scale position: %q", legends["position"])
	}

	// The API: country, type and position (one on the scale) of each
	// source; ownership is the editor's.
	var out struct {
		Sources []map[string]any `json:"sources"`
	}
	if err := json.Unmarshal(s.mustGet(t, "/api/v1/sources", http.StatusOK).body, &out); err != nil {
		t.Fatal(err)
	}
	got := map[float64]map[string]any{}
	for _, src := range out.Sources {
		got[src["id"].(float64)] = src
		if _, ok := src["ownership"]; ok {
			t.Errorf("the public API shows ownership: %v", src)
		}
	}
	if o := got[float64(original.SourceID)]; o["country"] != "DE" || o["type"] != "agency" || o["position"] != "left" {
		t.Errorf("API source %d: %v", original.SourceID, o)
	}
	if c := got[float64(cp.SourceID)]; c["position"] != "" || c["country"] != "" {
		t.Errorf("API source %d with an off-scale position: %v", cp.SourceID, c)
	}
}

// TestBrowserCoverage renders the coverage block in real Chromium at phone
// and desktop width, light and dark: the legend's words are in the DOM
// and the bars are drawn (screenshots in $SPEKTRUM_SCREENSHOTS when set).
func TestBrowserCoverage(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	s := newSite(t, imageServer(t).URL)
	original := s.byTitle(t, "Headline number 4 about the world")
	cp := s.byTitle(t, "Headline number 9 about the world")
	if err := s.st.SetDuplicateOf(context.Background(), cp.ID, original.ID); err != nil {
		t.Fatal(err)
	}
	s.describe(t, original.SourceID, "DE", "public-broadcaster", "centre-left")
	s.describe(t, cp.SourceID, "DE", "", "left")
	page := s.url(enArticle(&original))
	dom := string(chromium(t, "--dump-dom", page))
	for _, want := range []string{`class="coverage"`, "Centre-left", "Public broadcaster", "Not stated", "Only covered by sources from Germany"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []struct {
		name, size string
		extra      []string
	}{
		{"coverage-mobile.png", "390,1400", nil},
		{"coverage-desktop.png", "1280,1100", nil},
		{"coverage-mobile-dark.png", "390,1400", []string{"--force-dark-mode", "--blink-settings=preferredColorScheme=0"}},
	} {
		file := filepath.Join(dir, sh.name)
		chromium(t, append(sh.extra, "--screenshot="+file, "--window-size="+sh.size, page)...)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("screenshot %s: %v", sh.name, err)
		}
		if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", sh.name, err)
		}
	}
}
