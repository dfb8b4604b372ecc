package demo

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// x escapes text for XML element content and attribute values.
func x(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// feed renders the site's feed or sitemap in its format.
func (h *handler) feed(w http.ResponseWriter, r *http.Request, s *site, root string) {
	var body, ctype string
	switch s.m.Format {
	case "rss2", "discover":
		body, ctype = rss2(s, root), "application/rss+xml; charset=utf-8"
	case "atom":
		body, ctype = atom(s, root), "application/atom+xml; charset=utf-8"
	case "jsonfeed":
		b, err := jsonFeed(s, root)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body, ctype = b, "application/feed+json; charset=utf-8"
	case "rdf":
		body, ctype = rdf(s, root), "application/rdf+xml"
	case "newssitemap":
		body, ctype = newsSitemap(s, root), "application/xml; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	out := []byte(body)
	if s.m.Encoding == "windows-1252" {
		// The XML declaration names the charset; see writeEncoded.
		enc, err := encode1252(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = enc
	}
	writeConditional(w, r, ctype, out, s.lastModified())
}

func itemLang(s *site, a *article) string {
	if a.ma.Lang != "" {
		return a.ma.Lang
	}
	return s.m.Lang
}

func rss2(s *site, root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s</link>\n<description>%s</description>\n", x(s.m.Title), root, x(s.m.Description))
	fmt.Fprintf(&b, "<atom:link href=\"%s%s\" rel=\"self\" type=\"application/rss+xml\"/>\n", root, s.m.Feed)
	if s.m.Lang != "" {
		fmt.Fprintf(&b, "<language>%s</language>\n", s.m.Lang)
	}
	fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n<generator>spektrum demo</generator>\n", s.lastModified().Format(time.RFC1123Z))
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>%s%s</link>\n<guid isPermaLink=\"false\">%s</guid>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<category>%s</category>\n<description>%s</description>\n</item>\n",
			x(a.ma.Title), root, a.ma.Path, x(a.ma.GUID), a.published.Format(time.RFC1123Z), x(a.ma.Author), x(s.m.Section), x(summary(a)))
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.String()
}

func atom(s *site, root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n", s.m.Lang)
	fmt.Fprintf(&b, "<title>%s</title>\n<subtitle>%s</subtitle>\n<id>%s</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"%s%s\"/>\n<updated>%s</updated>\n",
		x(s.m.Title), x(s.m.Description), root, root, root, s.m.Feed, s.lastModified().Format(time.RFC3339))
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<entry>\n<title type=\"text\">%s</title>\n<id>%s</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"%s%s\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>%s</name></author>\n<category term=\"%s\"/>\n<summary type=\"html\">%s</summary>\n</entry>\n",
			x(a.ma.Title), x(a.ma.GUID), root, a.ma.Path, a.published.Format(time.RFC3339), a.published.Format(time.RFC3339), x(a.ma.Author), x(s.m.Section), x("<p>"+x(summary(a))+"</p>"))
	}
	b.WriteString("</feed>\n")
	return b.String()
}

func jsonFeed(s *site, root string) (string, error) {
	type author struct {
		Name string `json:"name"`
	}
	type item struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		Summary       string   `json:"summary"`
		DatePublished string   `json:"date_published"`
		Authors       []author `json:"authors"`
		Tags          []string `json:"tags"`
		Language      string   `json:"language,omitempty"`
	}
	f := struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Description string `json:"description"`
		Language    string `json:"language"`
		Items       []item `json:"items"`
	}{"https://jsonfeed.org/version/1.1", s.m.Title, root, root + s.m.Feed, s.m.Description, s.m.Lang, nil}
	for _, a := range s.articles {
		f.Items = append(f.Items, item{
			ID: a.ma.GUID, URL: root + a.ma.Path, Title: a.ma.Title, Summary: summary(a),
			DatePublished: a.published.Format(time.RFC3339), Authors: []author{{a.ma.Author}}, Tags: []string{s.m.Section},
		})
	}
	b, err := json.MarshalIndent(f, "", "  ")
	return string(b) + "\n", err
}

// rdf is RSS 1.0. Its declaration names windows-1252; feed() encodes it.
func rdf(s *site, root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="windows-1252"?>` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n")
	fmt.Fprintf(&b, "<channel rdf:about=\"%s%s\">\n<title>%s</title>\n<link>%s</link>\n<description>%s</description>\n<dc:language>%s</dc:language>\n<dc:date>%s</dc:date>\n<items>\n<rdf:Seq>\n",
		root, s.m.Feed, x(s.m.Title), root, x(s.m.Description), s.m.Lang, s.lastModified().Format(time.RFC3339))
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<rdf:li rdf:resource=\"%s%s\"/>\n", root, a.ma.Path)
	}
	b.WriteString("</rdf:Seq>\n</items>\n</channel>\n")
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<item rdf:about=\"%s%s\">\n<title>%s</title>\n<link>%s%s</link>\n<description>%s</description>\n<dc:creator>%s</dc:creator>\n<dc:date>%s</dc:date>\n<dc:subject>%s</dc:subject>\n</item>\n",
			root, a.ma.Path, x(a.ma.Title), root, a.ma.Path, x(summary(a)), x(a.ma.Author), a.published.Format(time.RFC3339), x(s.m.Section))
	}
	b.WriteString("</rdf:RDF>\n")
	return b.String()
}

func newsSitemap(s *site, root string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` + "\n")
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<url>\n<loc>%s%s</loc>\n<lastmod>%s</lastmod>\n<news:news>\n<news:publication>\n<news:name>%s</news:name>\n<news:language>%s</news:language>\n</news:publication>\n<news:publication_date>%s</news:publication_date>\n<news:title>%s</news:title>\n</news:news>\n</url>\n",
			root, a.ma.Path, a.published.Format(time.RFC3339), x(s.m.Title), itemLang(s, a), a.published.Format(time.RFC3339), x(a.ma.Title))
	}
	b.WriteString("</urlset>\n")
	return b.String()
}

// brokenSite serves the three sites that fail on purpose. Their home pages
// work; only the source URL is broken, as it is in real life.
func (h *handler) brokenSite(w http.ResponseWriter, r *http.Request, s *site, rest, root string) {
	switch {
	case rest == "" || (rest == s.m.Feed && s.m.Format == "not-a-feed"):
		// A brochure site: the "feed" URL an editor was given answers with an
		// ordinary page that links to no feed at all.
		writeBody(w, "text/html; charset=utf-8", []byte(brochure(s, root)))
	case rest != s.m.Feed:
		http.NotFound(w, r)
	case s.m.Format == "http-500":
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case s.m.Format == "truncated":
		// The body is cut in the middle of an item, as when a CMS dies while
		// rendering; Content-Length matches the cut body so only the XML is bad.
		full := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>Truncated Times</title>
<link>` + root + `</link>
<description>News, most of it.</description>
<item>
<title>Council approves budget after long night</title>
<link>` + root + `2025/03/10/council-approves-budget</link>
<pubDate>Mon, 10 Mar 2025 08:00:00 +0000</pubDate>
<description>The vote came shortly before two in the morning.</description>
</item>
<item>
<title>Harbour bridge to close for repa`
		writeBody(w, "application/rss+xml; charset=utf-8", []byte(full))
	}
}

func brochure(s *site, root string) string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>` + x(s.m.Title) + ` – Corporate communications since 1998</title>
<meta name="description" content="We tell your story.">
</head>
<body>
<header><h1>` + x(s.m.Title) + `</h1><nav><a href="` + root + `">Home</a> <a href="` + root + `about">About us</a> <a href="` + root + `contact">Contact</a></nav></header>
<main>
<h2>Welcome</h2>
<p>We are a full-service communications agency. Our team writes brochures, annual reports and speeches for clients across the region.</p>
<p>Looking for news? We do not publish any. Call us on weekdays between nine and five.</p>
</main>
<footer><p>© ` + x(s.m.Title) + `</p></footer>
</body>
</html>
`
}
