package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"net/http/httptest"

	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// TestBrowserAdsAndSocial: a front page and an article page with ad slots
// in every placement (HTML with a picture, a picture with a link) and the
// footer's social links are axe-clean at desktop and phone width in two
// editions. Screenshots go to $SPEKTRUM_SCREENSHOTS when set.
func TestBrowserAdsAndSocial(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ctx := context.Background()
	imgs := imageServer(t)
	s := newSiteEditions(t, imgs.URL, []string{"en", "de"})
	a := s.byTitle(t, unicodeTitle)
	if err := s.st.SaveSettings(ctx, map[string]string{
		settings.KeySocial: `[{"network":"mastodon","url":"https://social.example/@spektrum"},{"network":"bluesky","url":"https://bsky.example/profile/spektrum"},{"network":"youtube","url":"https://video.example/@spektrum"}]`,
		"disclaimer.de":    "Spektrum veröffentlicht Artikel aus vielen externen Quellen; ihre Positionen sind nicht unbedingt unsere.",
	}); err != nil {
		t.Fatal(err)
	}
	for _, ad := range []store.AdSlot{
		{Name: "Top", Placement: settings.PlaceFrontTop, Kind: settings.KindHTML, Enabled: true,
			HTML: `<p><a href="https://shop.example/">Autumn sale at the <strong>Example Shop</strong>: 20% off</a></p>`},
		{Name: "Side", Placement: settings.PlaceSidebar, Kind: settings.KindImage, Enabled: true,
			ImageURL: imgs.URL + "/ad.png", LinkURL: "https://travel.example/", Alt: "Example Travel: city breaks from 99 euros"},
		{Name: "Middle", Placement: settings.PlaceFrontMiddle, Kind: settings.KindHTML, Enabled: true,
			HTML: `<p><img src="` + imgs.URL + `/banner.png" alt="Example Bank"></p><p><a href="https://bank.example/">Open an account</a></p>`},
		{Name: "Below", Placement: settings.PlaceArticleBelow, Kind: settings.KindHTML, Enabled: true,
			HTML: `<p>Subscribe to <em>Example Weekly</em> — <a href="https://weekly.example/">first month free</a></p>`},
	} {
		if err := s.st.SaveAdSlot(ctx, &ad); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(withAxe(t, s.srv.Config.Handler))
	t.Cleanup(srv.Close)

	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, size string }{{"en", "1366,1400"}, {"de", "390,844"}} {
		for _, p := range []string{"/", a.Path()} {
			path := "/" + c.lang + p
			body := string(s.mustGet(t, path, 200).body)
			label := map[string]string{"en": "Advertisement", "de": "Werbung"}[c.lang]
			if !strings.Contains(body, `<p class="ad-label">`+label+`</p>`) || !strings.Contains(body, `rel="me noopener">Mastodon</a>`) {
				t.Fatalf("%s lacks the labelled ads or the social links", path)
			}
			for _, v := range axeViolations(t, srv.URL+path, c.size) {
				t.Errorf("%s at %s: axe %s (%s): %s\n\t%s", path, c.size, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
			}
			name := c.lang + "-" + map[bool]string{true: "front", false: "article"}[p == "/"] + "-" + strings.Split(c.size, ",")[0] + ".png"
			// Tall, to show the whole page down to the footer.
			chromium(t, "--screenshot="+filepath.Join(dir, name), "--window-size="+strings.Split(c.size, ",")[0]+",3200", "--virtual-time-budget=3000", s.url(path))
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("screenshot %s: %v", name, err)
			}
		}
	}
}
