package feed

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"spektrum/internal/weburl"
)

// Link is a feed link found in (or guessed for) an HTML page.
type Link struct {
	URL   string
	Title string
	Type  string // MIME type as declared; "" for guesses
	// Guess marks a common feed path the page did not announce; the
	// caller must probe it (fetch and Parse) before trusting it.
	Guess bool
}

// feedTypes are the <link type> values that announce a feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/rdf+xml":   true,
}

// guessPaths are where CMSs put feeds (WordPress /feed, Hugo /index.xml,
// Jekyll /feed.xml, Ghost /rss) and sitemaps, tried when a page announces
// nothing.
var guessPaths = []string{
	"/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json", "/sitemap.xml", "/news-sitemap.xml",
}

// commentMarkers identify comment feeds in a title or URL, across the
// languages we carry ("Kommentare", "commentaires", "komentarze", ...).
var commentMarkers = []string{"comment", "komment", "koment", "coment"}

// Discover finds the feeds an HTML page announces with <link
// rel="alternate"> (RSS, Atom, RDF, JSON Feed), resolved against baseURL and
// the page's <base href>, in document order with comment feeds last. When
// the page announces none it returns Guess links for common feed paths, under
// the page's directory first, then at the host's root; it returns nil when there is nothing to guess from
// either.
func Discover(page []byte, baseURL string) []Link {
	var (
		found   []Link
		baseRef string
		hasBase bool
	)
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		switch atom.Lookup(name) {
		case atom.Base:
			attrs := attributes(z)
			if href, ok := attrs["href"]; ok && !hasBase {
				// Only the first <base href> counts (HTML spec).
				baseRef, hasBase = href, true
			}
		case atom.Link:
			if l, ok := feedLink(attributes(z)); ok {
				found = append(found, l)
			}
		}
	}

	base := baseURL
	if b := weburl.Resolve(baseURL, baseRef); hasBase && b != "" {
		base = b // a <base href> that is not http(s) is ignored, as browsers do
	}
	var links, comments []Link
	seen := make(map[string]bool)
	for _, l := range found {
		l.URL = weburl.Resolve(base, l.URL)
		if l.URL == "" || seen[l.URL] {
			continue
		}
		seen[l.URL] = true
		if isCommentFeed(l) {
			comments = append(comments, l)
		} else {
			links = append(links, l)
		}
	}
	links = append(links, comments...)
	if len(links) > 0 {
		return links
	}
	return guesses(baseURL)
}

func attributes(z *html.Tokenizer) map[string]string {
	attrs := make(map[string]string, 4)
	for {
		k, v, more := z.TagAttr()
		if _, dup := attrs[string(k)]; !dup {
			attrs[string(k)] = string(v)
		}
		if !more {
			return attrs
		}
	}
}

func feedLink(attrs map[string]string) (Link, bool) {
	rels := strings.Fields(strings.ToLower(attrs["rel"]))
	alternate := false
	for _, r := range rels {
		if r == "alternate" || r == "feed" {
			alternate = true
		}
	}
	href := strings.TrimSpace(attrs["href"])
	if !alternate || href == "" {
		return Link{}, false
	}
	typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
	if i := strings.IndexByte(typ, ';'); i >= 0 {
		typ = strings.TrimSpace(typ[:i])
	}
	ok := feedTypes[typ]
	if !ok && (typ == "application/json" || typ == "application/xml" || typ == "text/xml") {
		// Generic types are also used for oEmbed and REST endpoints
		// (WordPress /wp-json/...); accept them only for feed-like paths.
		p := strings.ToLower(href)
		ok = !strings.Contains(p, "wp-json") && !strings.Contains(p, "oembed") &&
			(strings.Contains(p, "feed") || strings.Contains(p, "rss") || strings.Contains(p, "atom"))
	}
	if !ok {
		return Link{}, false
	}
	return Link{URL: href, Title: clean(attrs["title"]), Type: typ}, true
}

func isCommentFeed(l Link) bool {
	s := strings.ToLower(l.Title + " " + l.URL)
	for _, m := range commentMarkers {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

func guesses(baseURL string) []Link {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	// A site under a path (https://host/site/x/) keeps its feed under
	// that path too, so its directory comes first (by the rule that
	// resolves relative links: up to the last slash), then the host's root.
	dirs := []string{"/"}
	if i := strings.LastIndexByte(u.Path, '/'); i > 0 {
		dirs = []string{u.Path[:i+1], "/"}
	}
	out := make([]Link, 0, len(dirs)*len(guessPaths))
	for _, d := range dirs {
		for _, p := range guessPaths {
			g := url.URL{Scheme: u.Scheme, Host: u.Host, Path: d + p[1:]}
			out = append(out, Link{URL: g.String(), Guess: true})
		}
	}
	return out
}
