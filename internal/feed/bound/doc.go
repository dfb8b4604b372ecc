// Package bound refuses feed, sitemap and OPML documents whose shape, not
// their size, would make a parser's memory explode: elements nested millions
// deep, millions of sibling elements or JSON values, elements with millions
// of attributes, or thousands of namespace declarations. gofeed builds a tree
// of maps for every extension element and item (about a kilobyte each) and
// copies the in-scope namespace map for every element; encoding/xml keeps a
// stack entry per open element. Unchecked, a 20 MB body cost gigabytes.
//
// The package owns that one rule, which every parser of feed, sitemap and
// OPML bytes must pass first: XML and JSON walk the bytes once, allocate
// nothing that grows with the document, and say which bound was crossed and
// where. They do not parse, repair or decode anything, and they never fail
// on malformed input: that is the parser's to report.
package bound

import (
	"bytes"
	"fmt"
)

// Limits bounds the shape of one document. A zero field means no limit.
type Limits struct {
	// Depth is the deepest nesting of elements (JSON: objects and arrays).
	Depth int
	// Elements is the number of elements (JSON: values) in the document.
	Elements int
	// Attrs is the number of attributes in the document.
	Attrs int
	// ElementAttrs is the number of attributes on one element.
	ElementAttrs int
	// Namespaces is the number of namespace declarations in scope at once
	// (on an element and its ancestors).
	Namespaces int
	// Text is the longest run of bytes between two tags (character data,
	// CDATA sections, comments), and the longest attribute value (JSON: the
	// longest string). gofeed copies an element's text some seven times
	// over while it decodes, unescapes and trims it.
	Text int
	// Element is the most bytes one element may span, from its start tag to
	// its end tag. The root is exempt, and so are its children named in
	// Containers (RSS's <channel>). gofeed reads a text element's whole
	// content as raw XML, children included, and copies it about five times.
	Element    int
	Containers []string
}

// Error says which bound a document crossed and where.
type Error struct {
	// Bound is "depth", "elements", "values", "attributes", "element
	// attributes", "namespaces", "text", "element" or "encoding".
	Bound string
	Limit int
	Line  int // 1-based line where the bound was crossed
}

func (e *Error) Error() string {
	switch e.Bound {
	case "depth":
		return fmt.Sprintf("nested more than %d levels deep (line %d)", e.Limit, e.Line)
	case "elements":
		return fmt.Sprintf("more than %d elements (line %d)", e.Limit, e.Line)
	case "values":
		return fmt.Sprintf("more than %d JSON values (line %d)", e.Limit, e.Line)
	case "attributes":
		return fmt.Sprintf("more than %d attributes (line %d)", e.Limit, e.Line)
	case "element attributes":
		return fmt.Sprintf("an element with more than %d attributes (line %d)", e.Limit, e.Line)
	case "namespaces":
		return fmt.Sprintf("more than %d namespace declarations in scope (line %d)", e.Limit, e.Line)
	case "text":
		return fmt.Sprintf("a text or attribute value longer than %d bytes (line %d)", e.Limit, e.Line)
	case "element":
		return fmt.Sprintf("an element longer than %d bytes (line %d)", e.Limit, e.Line)
	case "encoding":
		return fmt.Sprintf("an XML declaration that switches the encoding mid-document or to UTF-16 without a byte order mark (line %d); XML allows one declaration, at the start", e.Line)
	}
	return fmt.Sprintf("over the %s bound %d (line %d)", e.Bound, e.Limit, e.Line)
}

func over(n, limit int) bool { return limit > 0 && n > limit }

func line(b []byte, i int) int {
	return bytes.Count(b[:min(max(i, 0), len(b))], []byte{'\n'}) + 1
}
