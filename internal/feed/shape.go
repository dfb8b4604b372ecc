package feed

import (
	"bytes"
	"fmt"
	"strings"

	"spektrum/internal/feed/bound"
)

// The bounds every body passes before a parser sees it. gofeed holds the
// whole feed as a tree, about a kilobyte per element or JSON value, so
// the feed limits keep a feed near 60 MB however it is shaped; a real feed of
// 100 items with full content and media elements has 2,000 to 5,000
// elements, a 3,000-episode podcast archive about 50,000, and nests fewer
// than 10 levels (Atom XHTML content a few more). Sitemaps are read one
// <url> at a time, so only their nesting and the attributes of one element
// cost memory; their element bound is there to stop a body of millions of
// empty elements early, and leaves room for 50,000 URLs with a dozen
// hreflang alternates each.
func limitsFor(root string) bound.Limits {
	switch strings.ToLower(root) {
	case "urlset", "sitemapindex":
		return bound.Limits{Depth: 32, Elements: 500000, ElementAttrs: 256, Namespaces: 32, Text: 1 << 20, Element: 1 << 20}
	}
	return bound.Limits{Depth: 100, Elements: 60000, Attrs: 120000, ElementAttrs: 256, Namespaces: 32, Text: 4 << 20, Element: 6 << 20, Containers: []string{"channel"}}
}

// checkShape refuses a body whose shape would cost a parser far more memory
// than its size. It is the one gate between fetched bytes and every parser
// in this package. gofeed drops C0 control bytes before it tokenizes; they
// are dropped here first, for every XML parser, so that the bound counts
// exactly the markup the parsers will read.
func checkShape(text []byte) ([]byte, error) {
	t := bytes.TrimLeft(text, " \t\r\n\f")
	if len(t) == 0 {
		return text, nil
	}
	var err error
	switch t[0] {
	case '<':
		text = dropControlBytes(text)
		err = bound.XML(text, limitsFor)
	case '{', '[':
		err = bound.JSON(text, limitsFor("json"))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the body has %v; no real feed or sitemap is shaped like that, and reading it would cost far more memory than its size", ErrTooComplex, err)
	}
	return text, nil
}

// dropControlBytes removes the C0 control bytes XML forbids (all below
// 0x20 but tab, LF and CR), copying only when there are any.
func dropControlBytes(b []byte) []byte {
	i := bytes.IndexFunc(b, isControl)
	if i < 0 {
		return b
	}
	out := make([]byte, i, len(b))
	copy(out, b[:i])
	for _, c := range b[i:] {
		if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
			out = append(out, c)
		}
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }
