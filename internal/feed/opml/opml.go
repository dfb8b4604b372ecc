// Package opml imports and exports subscription lists in OPML 1.0 and 2.0,
// the format every feed reader exchanges sources in.
//
// It owns the mapping between OPML outlines and a flat list of feeds with a
// category; it does not validate or fetch the feed URLs (the caller decides
// what to do with each), and it does not touch the store.
package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"spektrum/internal/feed/bound"
)

// Outline is one feed of a subscription list.
type Outline struct {
	Title    string
	XMLURL   string // the feed URL
	HTMLURL  string // the site URL
	Category string // the folder the feed sits in; "" at top level
	Language string
}

// maxOutlines bounds what an import will read, so an enormous or malicious
// file cannot exhaust memory; real lists have hundreds of feeds, not millions.
const maxOutlines = 100000

// maxDepth bounds folder nesting for the same reason.
const maxDepth = 64

// wireOutline keeps every attribute, because OPML writers disagree on the
// case of attribute names (xmlUrl, xmlurl, XMLURL).
type wireOutline struct {
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []wireOutline `xml:"outline"`
}

func (o *wireOutline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

type wireDoc struct {
	XMLName xml.Name `xml:"opml"`
	Body    struct {
		Outlines []wireOutline `xml:"outline"`
	} `xml:"body"`
}

// Parse reads an OPML 1.0 or 2.0 document and returns its feeds in document
// order. Nested outlines are flattened: a feed's Category is the text of the
// folder outline directly containing it (outlines without xmlUrl that have
// children are folders). Feeds listed twice are returned once.
func Parse(r io.Reader) ([]Outline, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read OPML: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("parse OPML: the file is empty; export the subscription list again")
	}
	// The decoder builds every outline before the walk below applies
	// maxOutlines and maxDepth, so the shape is bounded first.
	lim := bound.Limits{Depth: maxDepth + 8, Elements: maxOutlines + 64, ElementAttrs: 256, Namespaces: 32, Text: 1 << 20, Attrs: 20 * maxOutlines}
	if err := bound.XML(body, func(string) bound.Limits { return lim }); err != nil {
		return nil, fmt.Errorf("parse OPML: the file has %w; no subscription list is shaped like that (at most %d feeds, folders %d deep)", err, maxOutlines, maxDepth)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	// Hand-edited and app-exported lists often carry a raw "&" in URLs or
	// HTML entities in titles.
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	var doc wireDoc
	if err := d.Decode(&doc); err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("parse OPML: invalid XML at line %d: %s; the file may be truncated or not OPML", syn.Line, syn.Msg)
		}
		return nil, fmt.Errorf("parse OPML: %w (expected an <opml> document with <body><outline xmlUrl=...>)", err)
	}
	p := flattener{seen: make(map[string]bool)}
	p.walk(doc.Body.Outlines, "", 0)
	return p.out, nil
}

type flattener struct {
	out  []Outline
	seen map[string]bool
}

func (p *flattener) walk(outlines []wireOutline, category string, depth int) {
	if depth > maxDepth {
		return
	}
	for i := range outlines {
		if len(p.out) >= maxOutlines {
			return
		}
		o := &outlines[i]
		text := o.attr("text")
		if text == "" {
			text = o.attr("title")
		}
		xmlURL := o.attr("xmlUrl")
		if xmlURL == "" {
			// A folder; a childless outline without a feed URL (a link or
			// a note) has nothing to import.
			p.walk(o.Outlines, text, depth+1)
			continue
		}
		cat := category
		if cat == "" {
			// OPML 2.0 category attribute: "/News/Europe" or "News,Europe".
			cat = strings.Trim(o.attr("category"), "/ ")
		}
		if !p.seen[xmlURL] {
			p.seen[xmlURL] = true
			title := text
			if title == "" {
				title = xmlURL
			}
			p.out = append(p.out, Outline{
				Title:    title,
				XMLURL:   xmlURL,
				HTMLURL:  o.attr("htmlUrl"),
				Category: cat,
				Language: o.attr("language"),
			})
		}
		// A feed outline with children is malformed but seen in the wild;
		// keep its children under the same folder rather than drop them.
		p.walk(o.Outlines, category, depth+1)
	}
}

// Write writes outlines as an OPML 2.0 document titled title, with feeds
// grouped into one folder per Category (in order of first appearance) and
// uncategorised feeds at the top level.
func Write(w io.Writer, title string, outlines []Outline) error {
	return write(w, title, outlines, time.Now())
}

type outDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title       string `xml:"title"`
		DateCreated string `xml:"dateCreated"`
	} `xml:"head"`
	Body struct {
		Outlines []outOutline `xml:"outline"`
	} `xml:"body"`
}

type outOutline struct {
	Text     string       `xml:"text,attr"`
	Title    string       `xml:"title,attr,omitempty"`
	Type     string       `xml:"type,attr,omitempty"`
	XMLURL   string       `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string       `xml:"htmlUrl,attr,omitempty"`
	Language string       `xml:"language,attr,omitempty"`
	Outlines []outOutline `xml:"outline"`
}

func write(w io.Writer, title string, outlines []Outline, now time.Time) error {
	var doc outDoc
	doc.Version = "2.0"
	doc.Head.Title = title
	doc.Head.DateCreated = now.UTC().Format(time.RFC1123Z) // OPML 2.0 asks for RFC 822 dates
	folders := make(map[string]int)
	for _, o := range outlines {
		feed := outOutline{Text: o.Title, Title: o.Title, Type: "rss", XMLURL: o.XMLURL, HTMLURL: o.HTMLURL, Language: o.Language}
		if feed.Text == "" {
			feed.Text, feed.Title = o.XMLURL, o.XMLURL
		}
		if o.Category == "" {
			doc.Body.Outlines = append(doc.Body.Outlines, feed)
			continue
		}
		i, ok := folders[o.Category]
		if !ok {
			i = len(doc.Body.Outlines)
			folders[o.Category] = i
			doc.Body.Outlines = append(doc.Body.Outlines, outOutline{Text: o.Category, Title: o.Category})
		}
		doc.Body.Outlines[i].Outlines = append(doc.Body.Outlines[i].Outlines, feed)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	return nil
}
