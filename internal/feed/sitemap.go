package feed

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"spektrum/internal/weburl"
)

// Wire structs of the sitemap protocol (sitemaps.org), the image extension
// and the Google News extension. Tags name only the local element, so a
// sitemap with a missing or misspelt namespace still parses.
type sitemapURL struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod"`
	Image   firstImage   `xml:"image"`
	News    *sitemapNews `xml:"news"`
}

type sitemapImage struct {
	Loc string `xml:"loc"`
}

// firstImage keeps the first image of a <url> that has a location and
// skips the rest, so an entry listing a million images costs no more than
// one with a single image.
type firstImage string

func (f *firstImage) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if *f != "" {
		return d.Skip()
	}
	var img sitemapImage
	if err := d.DecodeElement(&img, &start); err != nil {
		return err
	}
	if weburl.Usable(img.Loc) {
		*f = firstImage(strings.TrimSpace(img.Loc))
	}
	return nil
}

type sitemapNews struct {
	Publication struct {
		Name     string `xml:"name"`
		Language string `xml:"language"`
	} `xml:"publication"`
	PublicationDate string `xml:"publication_date"`
	Title           string `xml:"title"`
	Keywords        string `xml:"keywords"`
}

type sitemapRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod"`
}

func newSitemapDecoder(text []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(text))
	// Generated sitemaps still carry raw "&" in query strings now and then.
	d.Strict = false
	// toUTF8 already rewrote the declaration; the CharsetReader is there
	// so a declaration it did not recognise never stops the parse.
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// eachElement calls fn for every element named local directly or deeper
// below the root, at most limit times.
func eachElement(d *xml.Decoder, kind Format, local string, limit int, fn func(se *xml.StartElement) error) error {
	n := 0
	for n < limit {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return xmlError(kind, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != local {
			continue
		}
		if err := fn(&se); err != nil {
			return xmlError(kind, err)
		}
		n++
	}
	return nil
}

func parseURLSet(text []byte, baseURL string) (*Feed, error) {
	f := &Feed{Format: FormatSitemap}
	seen := make(map[string]bool)
	d := newSitemapDecoder(text)
	err := eachElement(d, FormatSitemap, "url", maxSitemapEntries, func(se *xml.StartElement) error {
		var w sitemapURL
		if err := d.DecodeElement(&w, se); err != nil {
			return err
		}
		loc := weburl.Resolve(baseURL, w.Loc)
		if loc == "" || seen[loc] {
			return nil
		}
		seen[loc] = true
		it := Item{GUID: loc, URL: loc, Updated: parseW3CDate(w.LastMod)}
		it.Image = weburl.Resolve(loc, string(w.Image))
		if n := w.News; n != nil {
			f.Format = FormatNewsSitemap
			it.Title = clean(n.Title)
			it.Published = parseW3CDate(n.PublicationDate)
			it.Language = strings.TrimSpace(n.Publication.Language)
			it.Categories = categories(strings.Split(n.Keywords, ","))
			if f.Title == "" {
				f.Title = clean(n.Publication.Name)
			}
			if f.Language == "" {
				f.Language = it.Language
			}
		}
		if it.Published.IsZero() {
			it.Published = it.Updated
		}
		f.Items = append(f.Items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

func parseSitemapIndex(text []byte, baseURL string) (*Feed, error) {
	type ref struct {
		loc string
		mod time.Time
	}
	var refs []ref
	seen := make(map[string]bool)
	d := newSitemapDecoder(text)
	err := eachElement(d, FormatSitemapIndex, "sitemap", maxSitemapEntries, func(se *xml.StartElement) error {
		var w sitemapRef
		if err := d.DecodeElement(&w, se); err != nil {
			return err
		}
		loc := weburl.Resolve(baseURL, w.Loc)
		if loc == "" || seen[loc] {
			return nil
		}
		seen[loc] = true
		refs = append(refs, ref{loc, parseW3CDate(w.LastMod)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Newest first; undated children keep document order after the dated.
	slices.SortStableFunc(refs, func(a, b ref) int {
		switch {
		case a.mod.IsZero() && b.mod.IsZero():
			return 0
		case a.mod.IsZero():
			return 1
		case b.mod.IsZero():
			return -1
		}
		return cmp.Compare(b.mod.UnixNano(), a.mod.UnixNano())
	})
	f := &Feed{Format: FormatSitemapIndex, Sitemaps: make([]string, 0, len(refs))}
	for _, r := range refs {
		f.Sitemaps = append(f.Sitemaps, r.loc)
	}
	return f, nil
}

// w3cLayouts are the W3C Datetime profiles sitemaps use, plus the variants
// seen in the wild (space separator, no colon in the zone, no zone).
var w3cLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseW3CDate returns the UTC time, or zero when s is empty or unparseable.
func parseW3CDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range w3cLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
