package demo

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var pictureRE = regexp.MustCompile(`(?:<img[^>]+src|property="og:image" content)="([^"]+\.(?:jpe?g|png))"`)

// TestPagePicturesExist: every picture a hand-written demo page shows or
// names as its og:image answers with a real image, the same one each time.
func TestPagePicturesExist(t *testing.T) {
	srv := startServer(t)
	seen := 0
	for _, s := range srv.Sites {
		for _, a := range s.Articles {
			_, page := get(t, a.URL)
			for _, m := range pictureRE.FindAllStringSubmatch(string(page), -1) {
				ref, err := url.Parse(m[1])
				if err != nil {
					t.Fatal(err)
				}
				base, _ := url.Parse(a.URL)
				u := base.ResolveReference(ref).String()
				if !strings.HasPrefix(u, srv.URL) {
					continue // benchmark pages name their publishers' images
				}
				resp, body := get(t, u)
				if resp.StatusCode != 200 {
					t.Errorf("%s on %s: status %d", u, a.URL, resp.StatusCode)
					continue
				}
				cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
				if err != nil || cfg.Width < 600 || !strings.HasSuffix(resp.Header.Get("Content-Type"), format) {
					t.Errorf("%s: %s %dx%d as %s (%v)", u, format, cfg.Width, cfg.Height, resp.Header.Get("Content-Type"), err)
				}
				if _, again := get(t, u); !bytes.Equal(again, body) {
					t.Errorf("%s differs between requests", u)
				}
				seen++
			}
		}
	}
	if seen < 8 {
		t.Errorf("checked %d pictures; the hand-written sites show at least 8", seen)
	}
}
