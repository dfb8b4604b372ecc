package web

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"spektrum/internal/edition"
	"spektrum/internal/store"
)

type feedFormat int

const (
	fmtRSS feedFormat = iota
	fmtAtom
	fmtJSON
)

// feedItem is the format-neutral view of an article in a feed; the wire
// structs below only translate it.
type feedItem struct {
	ID, Link, Original, Title, Author, Summary, HTML, Image, Section, Lang string
	Published, Updated                                                     time.Time
}

type feedMeta struct {
	Title, Description, HomeURL, SelfPath, Lang string
	SiteName                                    string // the edition's outlet name (settings)
	Updated                                     time.Time
	Items                                       []feedItem
}

func (s *server) handleFeed(f feedFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		slug := r.PathValue("slug")
		lang := s.edition(ctx)
		txt, err := s.textFor(ctx, lang)
		if err != nil {
			s.serverError(w, r, "feed: settings", err)
			return
		}
		meta := feedMeta{
			Title: txt.Name, Description: txt.Tagline, HomeURL: s.absURL(prefix(lang) + "/"), SelfPath: r.URL.Path,
			Lang: lang, SiteName: txt.Name,
		}
		names := map[string]string{}
		secs, err := s.st.Sections(ctx)
		if err != nil {
			s.serverError(w, r, "feed: sections", err)
			return
		}
		for _, sec := range secs {
			names[sec.Slug] = s.ed.SectionName(lang, sec)
		}
		if slug != "" {
			_, err := s.st.Section(ctx, slug)
			if errors.Is(err, store.ErrNotFound) {
				s.notFound(w, r)
				return
			}
			if err != nil {
				s.serverError(w, r, "feed: section", err)
				return
			}
			meta.Title = s.msg.T(lang, "feed.title.section", names[slug], txt.Name)
			meta.HomeURL = s.absURL(prefix(lang) + sectionPath(slug))
		}
		if meta.Description == "" {
			meta.Description = meta.Title
		}
		page, err := s.st.EditionArticles(ctx, lang, store.ArticleQuery{Section: slug, Limit: feedSize, OriginalsOnly: true})
		if err != nil {
			s.serverError(w, r, "feed: articles", err)
			return
		}
		ls, err := s.ed.List(ctx, lang, page.Articles)
		if err != nil {
			s.serverError(w, r, "feed: translations", err)
			return
		}
		if s.cfg.Untranslated == edition.Apart {
			// A feed has no block apart: an edition that keeps the
			// untranslated apart keeps them out of its feeds. Ranked
			// after, they stay in date order, which feed readers keep
			// anyway; each item says its language.
			ls, _ = edition.Arrange(lang, ls, edition.Apart)
		}
		for i := range ls {
			a := &ls[i].Article
			link := s.absURL(prefix(lang) + a.Path())
			it := feedItem{
				ID: link, Link: link, Original: originalURL(a),
				Title: a.Title, Author: a.Author, Summary: summary(a, 400), HTML: a.HTML, Image: a.Image,
				Section: names[a.Section], Lang: ls[i].Shown, Published: a.Date(), Updated: a.Date(),
			}
			if it.Author == "" {
				it.Author = a.SourceName
			}
			if it.Section == "" {
				it.Section = a.Section
			}
			if a.UpdatedAt.After(it.Published) {
				it.Updated = a.UpdatedAt.UTC()
			}
			if it.Updated.After(meta.Updated) {
				meta.Updated = it.Updated
			}
			meta.Items = append(meta.Items, it)
		}
		if meta.Updated.IsZero() {
			// An empty feed still needs a date; a fixed one keeps its ETag stable.
			meta.Updated = time.Unix(0, 0).UTC()
		}
		var (
			body []byte
			ct   string
		)
		switch f {
		case fmtRSS:
			body, err = s.rss(meta)
			ct = "application/rss+xml; charset=utf-8"
		case fmtAtom:
			body, err = s.atom(meta)
			ct = "application/atom+xml; charset=utf-8"
		default:
			body, err = s.jsonFeed(meta)
			ct = "application/feed+json; charset=utf-8"
		}
		if err != nil {
			s.serverError(w, r, "feed: encode", err)
			return
		}
		send(w, r, http.StatusOK, ct, body, pageCacheControl())
	}
}

func marshalXML(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal XML: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// RSS 2.0 with content:encoded for the full body and dc:creator for authors.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	DCNS      string     `xml:"xmlns:dc,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	MediaNS   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	GUID        rssGUID   `xml:"guid"`
	PubDate     string    `xml:"pubDate"`
	Creator     string    `xml:"dc:creator,omitempty"`
	Category    string    `xml:"category,omitempty"`
	Description string    `xml:"description"`
	Content     string    `xml:"content:encoded"`
	Media       *rssMedia `xml:"media:content"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// rssMedia is the item's image as Media RSS <media:content>: an RSS
// <enclosure> must state the file's length, which the site does not know
// without fetching every image, and length="0" would be a lie readers'
// apps act on.
type rssMedia struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Medium string `xml:"medium,attr"`
}

func (s *server) rss(m feedMeta) ([]byte, error) {
	doc := rssDoc{
		Version: "2.0", ContentNS: "http://purl.org/rss/1.0/modules/content/",
		DCNS: "http://purl.org/dc/elements/1.1/", AtomNS: "http://www.w3.org/2005/Atom", MediaNS: "http://search.yahoo.com/mrss/",
		Channel: rssChannel{
			Title: m.Title, Link: m.HomeURL, Description: m.Description, Language: m.Lang,
			LastBuildDate: m.Updated.Format(time.RFC1123Z), Generator: "Spektrum",
			Self: rssSelf{Href: s.absURL(m.SelfPath), Rel: "self", Type: "application/rss+xml"},
		},
	}
	for _, it := range m.Items {
		ri := rssItem{
			Title: it.Title, Link: it.Link, GUID: rssGUID{IsPermaLink: true, Value: it.ID},
			PubDate: it.Published.Format(time.RFC1123Z), Creator: it.Author, Category: it.Section,
			Description: it.Summary, Content: it.HTML,
		}
		if it.Image != "" {
			ri.Media = &rssMedia{URL: it.Image, Type: imageType(it.Image), Medium: "image"}
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	return marshalXML(doc)
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr,omitempty"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	ID        string      `xml:"id"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	Title     string        `xml:"title"`
	ID        string        `xml:"id"`
	Links     []atomLink    `xml:"link"`
	Published string        `xml:"published"`
	Updated   string        `xml:"updated"`
	Author    *atomPerson   `xml:"author"`
	Category  *atomCategory `xml:"category"`
	Summary   atomText      `xml:"summary"`
	Content   atomText      `xml:"content"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

func (s *server) atom(m feedMeta) ([]byte, error) {
	f := atomFeed{
		Lang: m.Lang, Title: m.Title, Subtitle: m.Description, ID: s.absURL(m.SelfPath),
		Updated: m.Updated.Format(time.RFC3339), Generator: "Spektrum",
		Links: []atomLink{
			{Href: s.absURL(m.SelfPath), Rel: "self", Type: "application/atom+xml"},
			{Href: m.HomeURL, Rel: "alternate", Type: "text/html"},
		},
	}
	for _, it := range m.Items {
		e := atomEntry{
			Title: it.Title, ID: it.ID,
			Links: []atomLink{
				{Href: it.Link, Rel: "alternate", Type: "text/html"},
				{Href: it.Original, Rel: "related", Type: "text/html"},
			},
			Published: it.Published.Format(time.RFC3339), Updated: it.Updated.Format(time.RFC3339),
			Summary: atomText{Type: "text", Body: it.Summary},
			Content: atomText{Type: "html", Body: it.HTML},
		}
		if it.Author != "" {
			e.Author = &atomPerson{Name: it.Author}
		} else {
			// Atom requires an author on the entry or the feed.
			e.Author = &atomPerson{Name: m.SiteName}
		}
		if it.Section != "" {
			e.Category = &atomCategory{Term: it.Section}
		}
		f.Entries = append(f.Entries, e)
	}
	return marshalXML(f)
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	ExternalURL   string           `json:"external_url,omitempty"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Language      string           `json:"language,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

func (s *server) jsonFeed(m feedMeta) ([]byte, error) {
	doc := jsonFeedDoc{
		Version: "https://jsonfeed.org/version/1.1", Title: m.Title, HomePageURL: m.HomeURL,
		FeedURL: s.absURL(m.SelfPath), Description: m.Description, Language: m.Lang, Items: []jsonFeedItem{},
	}
	for _, it := range m.Items {
		ji := jsonFeedItem{
			ID: it.ID, URL: it.Link, ExternalURL: it.Original, Title: it.Title, ContentHTML: it.HTML,
			Summary: it.Summary, Image: it.Image, DatePublished: it.Published.Format(time.RFC3339),
			Language: it.Lang,
		}
		if !it.Updated.Equal(it.Published) {
			ji.DateModified = it.Updated.Format(time.RFC3339)
		}
		if it.Author != "" {
			ji.Authors = []jsonFeedAuthor{{Name: it.Author}}
		}
		if it.Section != "" {
			ji.Tags = []string{it.Section}
		}
		doc.Items = append(doc.Items, ji)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal JSON Feed: %w", err)
	}
	return append(b, '\n'), nil
}

// imageType guesses an image's MIME type from its URL for the RSS media element.
func imageType(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	switch strings.ToLower(path.Ext(u)) {
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	case ".svg":
		return "image/svg+xml"
	}
	return "image/jpeg"
}
