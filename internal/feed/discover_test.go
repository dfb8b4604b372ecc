package feed

import (
	"slices"
	"testing"
)

func TestDiscover(t *testing.T) {
	links := Discover(readFixture(t, "page_with_feeds.html"), "https://nos.nl/")
	want := []Link{
		// Resolved against the first <base href>, not the page URL; the
		// WordPress REST and oEmbed alternates, the hreflang alternate and
		// the commented-out link are ignored; the upper-case duplicate with
		// a charset parameter is dropped; the comment feed comes last.
		{URL: "https://nos.nl/export/rss/nieuwsalgemeen.xml", Title: "NOS Nieuws - Algemeen", Type: "application/rss+xml"},
		{URL: "https://nos.nl/nieuws/sport.atom", Title: "NOS Sport", Type: "application/atom+xml"},
		{URL: "https://nos.nl/feed.json", Title: "NOS JSON", Type: "application/feed+json"},
		{URL: "https://nos.nl/nieuws/comments/feed/", Title: "NOS Nieuws - Reacties", Type: "application/rss+xml"},
	}
	if !slices.Equal(links, want) {
		t.Errorf("Discover =\n%+v\nwant\n%+v", links, want)
	}
}

func TestDiscoverGuessesWhenNoneAnnounced(t *testing.T) {
	links := Discover(readFixture(t, "page_without_feeds.html"), "https://www.irozhlas.cz/zpravy-domov?page=2")
	var urls []string
	for _, l := range links {
		if !l.Guess {
			t.Errorf("link %+v not marked as a guess", l)
		}
		urls = append(urls, l.URL)
	}
	want := []string{
		"https://www.irozhlas.cz/feed", "https://www.irozhlas.cz/rss", "https://www.irozhlas.cz/rss.xml",
		"https://www.irozhlas.cz/feed.xml", "https://www.irozhlas.cz/atom.xml", "https://www.irozhlas.cz/index.xml",
		"https://www.irozhlas.cz/feed.json", "https://www.irozhlas.cz/sitemap.xml", "https://www.irozhlas.cz/news-sitemap.xml",
	}
	if !slices.Equal(urls, want) {
		t.Errorf("guesses = %q, want %q", urls, want)
	}
}

func TestDiscoverEdgeCases(t *testing.T) {
	tests := []struct {
		name, html, base string
		want             []string
	}{
		{"no base URL and nothing announced", "<html></html>", "", nil},
		{"relative link without any base is unusable", `<link rel="alternate" type="application/rss+xml" href="/rss">`, "", nil},
		{"rel with several tokens", `<link rel="alternate feed" type="application/atom+xml" href="/atom">`, "https://a.example/x/", []string{"https://a.example/atom"}},
		{"generic xml type with feed path", `<link rel="alternate" type="text/xml" href="/rss/news.xml">`, "https://a.example/", []string{"https://a.example/rss/news.xml"}},
		{"javascript href ignored, guesses instead", `<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">`, "https://a.example/", nil},
		{"truncated page", `<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"><link rel="altern`, "https://a.example/", []string{"https://a.example/rss.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range Discover([]byte(tt.html), tt.base) {
				if !l.Guess {
					got = append(got, l.URL)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Discover = %q, want %q", got, tt.want)
			}
		})
	}
}

// A site under a path keeps its feed there: those paths are tried first,
// then the host's root.
func TestDiscoverGuessesUnderThePagePath(t *testing.T) {
	links := Discover([]byte("<html><head><title>x</title></head></html>"), "https://host.example/site/x/")
	if len(links) != 2*len(guessPaths) {
		t.Fatalf("%d guesses, want %d: %+v", len(links), 2*len(guessPaths), links)
	}
	if links[0].URL != "https://host.example/site/x/feed" || links[len(guessPaths)-1].URL != "https://host.example/site/x/news-sitemap.xml" {
		t.Errorf("first guesses %q … %q; want the page's directory first", links[0].URL, links[len(guessPaths)-1].URL)
	}
	if links[len(guessPaths)].URL != "https://host.example/feed" {
		t.Errorf("guess %d is %q; want the root paths after the directory's", len(guessPaths), links[len(guessPaths)].URL)
	}
}
