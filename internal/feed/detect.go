package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// htmlStarts are the first tags an HTML page opens with; a feed never
// starts with any of them.
var htmlStarts = []string{
	"<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<link", "<script", "<style", "<div", "<p>", "<p ", "<h1", "<br", "<table", "<iframe", "<noscript",
}

// LooksLikeHTML reports whether body is (the start of) an HTML page rather
// than a feed. It skips a BOM, whitespace, an XML declaration and comments,
// then looks at the first tag, so it is cheap enough to call on every fetch.
func LooksLikeHTML(body []byte) bool {
	b := bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF})
	b = b[:min(len(b), 4096)]
	for {
		b = bytes.TrimLeft(b, " \t\r\n\f")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return false
			}
			b = b[i+2:]
			continue
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b, []byte("-->"))
			if i < 0 {
				return false
			}
			b = b[i+3:]
			continue
		}
		break
	}
	head := strings.ToLower(string(b[:min(len(b), 32)]))
	for _, p := range htmlStarts {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// sniff detects the format of a UTF-8 body from its first significant
// character and, for XML, its root element. RSS 2.0 vs 0.9x and the kind of
// urlset (plain or news) are left to the parsers.
func sniff(text []byte) (Format, error) {
	t := bytes.TrimLeft(text, " \t\r\n\f")
	if len(t) == 0 {
		return "", fmt.Errorf("%w: the body is only whitespace; check that the URL serves a feed", ErrNotFeed)
	}
	switch t[0] {
	case '{':
		return FormatJSON, nil
	case '[':
		if !json.Valid(t) {
			return "", jsonError(t, json.Unmarshal(t, new(any)))
		}
		return "", fmt.Errorf("%w: the body is a JSON array, not a JSON Feed object (https://jsonfeed.org)", ErrUnknownFormat)
	case '<':
		return sniffXML(t)
	}
	return "", fmt.Errorf("%w: the body is plain text starting %q; add the site's feed URL as the source, or add the home page and let discovery find its feed", ErrNotFeed, snippet(t))
}

func sniffXML(t []byte) (Format, error) {
	d := xml.NewDecoder(bytes.NewReader(t))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("%w: the XML document ends before its root element", ErrMalformed)
			}
			return "", fmt.Errorf("%w: %v; the document is not well-formed XML", ErrMalformed, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch strings.ToLower(se.Name.Local) {
		case "rss":
			return FormatRSS, nil
		case "rdf":
			return FormatRDF, nil
		case "feed":
			return FormatAtom, nil
		case "urlset":
			return FormatSitemap, nil
		case "sitemapindex":
			return FormatSitemapIndex, nil
		case "html":
			return "", fmt.Errorf("%w: the body is an (X)HTML page; add the page's feed URL as the source, or let discovery find it", ErrNotFeed)
		case "opml":
			return "", fmt.Errorf("%w: root element <opml> is a subscription list, not a feed; import it as OPML instead", ErrUnknownFormat)
		}
		name := se.Name.Local
		if se.Name.Space != "" {
			name = se.Name.Space + ":" + name
		}
		return "", fmt.Errorf("%w: XML with root element <%s>; expected <rss>, <rdf:RDF>, <feed>, <urlset> or <sitemapindex>", ErrUnknownFormat, name)
	}
}

// jsonError turns an encoding/json error into ErrMalformed with a position.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(data, syn.Offset)
		if syn.Offset >= int64(len(data)) {
			return fmt.Errorf("%w: JSON ends unexpectedly at line %d, column %d; the body is probably truncated (retry the fetch)", ErrMalformed, line, col)
		}
		return fmt.Errorf("%w: invalid JSON at line %d, column %d (byte %d): %v", ErrMalformed, line, col, syn.Offset, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		line, col := position(data, typ.Offset)
		return fmt.Errorf("%w: JSON Feed field %q has the wrong type at line %d, column %d: %v", ErrMalformed, typ.Field, line, col, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: JSON ends unexpectedly; the body is probably truncated", ErrMalformed)
	}
	return fmt.Errorf("%w: invalid JSON: %v", ErrMalformed, err)
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// snippet quotes the start of a body for an error message.
func snippet(b []byte) string {
	const n = 40
	if len(b) <= n {
		return string(b)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}
