package feed

import (
	"strings"
	"testing"

	"spektrum/internal/weburl"
)

// TestHostileURLs is issue 13's attack: script and data URLs in every place
// a feed or sitemap carries a URL (links, GUIDs used as links, enclosures,
// media:content and thumbnails, itunes:image, xml:base, JSON Feed url, image,
// banner_image and attachments, sitemap loc and image:loc, the site link)
// were stored and republished as article links and images. Nothing but
// absolute http(s) may come out of Parse; the good URLs next to the bad
// ones, relative ones resolved against the feed, are still found.
func TestHostileURLs(t *testing.T) {
	const base = "https://example.com/feed.xml"
	tests := []struct {
		file     string
		urls     []string // the items' URLs, in order
		images   map[string]string
		sitemaps []string
	}{
		{
			file:   "hostile_urls_rss.xml",
			urls:   []string{"", "", "", "", "https://example.com/permalink", "https://example.com/news/fine.html"},
			images: map[string]string{"Script media, data URL thumbnail": "https://example.com/real.jpg", "GUID as link": "https://example.com/images/relative.jpg", "Fine": "https://example.com/fine.jpg"},
		},
		{
			file:   "hostile_urls_atom.xml",
			urls:   []string{"", "", "https://example.com/fine"},
			images: map[string]string{"Fine": "https://cdn.example.com/fine.jpg"},
		},
		{
			file:   "hostile_urls_jsonfeed.json",
			urls:   []string{"", "", "", "https://example.com/fine"},
			images: map[string]string{"": "https://example.com/fine.jpg"},
		},
		{
			file: "hostile_urls_sitemap.xml",
			urls: []string{"https://example.com/one", "https://example.com/two", "https://example.com/three", "https://example.com/four"},
			// The last entry's good image comes after a script one: the
			// script URL must not take its place.
			images: map[string]string{"": "https://example.com/four.jpg"},
		},
		{file: "hostile_urls_sitemapindex.xml", sitemaps: []string{"https://example.com/fine.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := Parse(readFixture(t, tt.file), base)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what, u string) {
				t.Helper()
				if u != "" && !weburl.Valid(u) {
					t.Errorf("%s %q is not an absolute http(s) URL", what, u)
				}
			}
			check("site URL", f.SiteURL)
			var urls []string
			images := map[string]string{}
			for _, it := range f.Items {
				check("item URL", it.URL)
				check("item image", it.Image)
				urls = append(urls, it.URL)
				if it.Image != "" {
					images[it.Title] = it.Image
				}
				if strings.Contains(strings.ToLower(it.URL+it.Image), "script") {
					t.Errorf("item %q kept a script URL: %q %q", it.Title, it.URL, it.Image)
				}
			}
			for _, s := range f.Sitemaps {
				check("child sitemap", s)
			}
			if strings.Join(urls, " ") != strings.Join(tt.urls, " ") {
				t.Errorf("item URLs %q, want %q", urls, tt.urls)
			}
			for title, want := range tt.images {
				if images[title] != want {
					t.Errorf("image of %q = %q, want %q (all: %q)", title, images[title], want, images)
				}
			}
			if len(images) != len(tt.images) {
				t.Errorf("images %q, want only %q", images, tt.images)
			}
			if strings.Join(f.Sitemaps, " ") != strings.Join(tt.sitemaps, " ") {
				t.Errorf("sitemaps %q, want %q", f.Sitemaps, tt.sitemaps)
			}
		})
	}
}
