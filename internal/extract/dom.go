package extract

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"spektrum/internal/weburl"
)

// The helpers below recurse over trees that parseBounded made: through
// boundTokens, or parsed in one pass and checked (parseDirect), so their
// depth is at most maxDepth.

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func removeAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Namespace != "" || a.Key != key {
			out = append(out, a)
		}
	}
	n.Attr = out
}

// walk calls fn for every element below n in document order; when fn returns
// false the element's children are skipped. fn may detach the element.
func walk(n *html.Node, fn func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode {
			if fn(c) && c.Parent != nil {
				walk(c, fn)
			}
		} else if c.Type == html.DocumentNode {
			walk(c, fn)
		}
		c = next
	}
}

func remove(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// unwrap replaces n by its children.
func unwrap(n *html.Node) {
	p := n.Parent
	if p == nil {
		return
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		p.InsertBefore(c, n)
		c = next
	}
	p.RemoveChild(n)
}

// textOf returns the collapsed text content of n: its text nodes joined
// by spaces, as strings.Join(strings.Fields(text), " ") would give it.
func textOf(n *html.Node) string {
	var w fieldsWriter
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			w.write(n.Data)
			w.space()
			return
		case html.ElementNode:
			if invisibleElements[n.Data] {
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return w.b.String()
}

// fieldsWriter builds strings.Join(strings.Fields(s), " ") of all that is
// written to it in one pass, without the slice of fields and the copy of s
// that the two make (textOf runs over whole pages, several times).
type fieldsWriter struct {
	b strings.Builder
	// spaceDue: white space has been seen since the last field; a space
	// goes before the next one, if any.
	spaceDue bool
}

// asciiSpace is unicode.IsSpace (and strings.Fields) for ASCII.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func (w *fieldsWriter) space() { w.spaceDue = true }

func (w *fieldsWriter) write(s string) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiSpace[c] {
				w.spaceDue = true
			} else {
				w.field()
				w.b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			w.spaceDue = true
		} else {
			w.field()
			w.b.WriteString(s[i : i+size]) // an invalid byte as it is, as Fields keeps it
		}
		i += size
	}
}

// field is called before a field's first byte: it writes the space due.
func (w *fieldsWriter) field() {
	if w.spaceDue && w.b.Len() > 0 {
		w.b.WriteByte(' ')
	}
	w.spaceDue = false
}

// linkTextLen returns the length of the text inside <a> elements below n.
func linkTextLen(n *html.Node) int {
	total := 0
	walk(n, func(c *html.Node) bool {
		if c.Data == "a" {
			total += len(textOf(c))
			return false
		}
		return true
	})
	return total
}

func findFirst(n *html.Node, name string) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) bool {
		if found != nil {
			return false
		}
		if c.Data == name {
			found = c
			return false
		}
		return true
	})
	return found
}

// resolve makes ref absolute against base. An unparsable reference or base
// yields ref unchanged; the sanitizer's scheme check decides its fate.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if base == nil || ref == "" {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(u).String()
}

// safeScheme reports whether a URL, after resolution, may appear in output.
// Relative URLs are allowed because with no base there is nothing to resolve
// against; javascript:, data:, vbscript: and friends are not.
func safeScheme(raw string, allowMailto bool) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "":
		return true
	case "mailto":
		return allowMailto
	}
	return false
}

// resolveSrcset resolves every candidate URL of a srcset and drops candidates
// with unsafe schemes. bluemonday treats srcset as an opaque string, so this
// is the only check its URLs get.
func resolveSrcset(base *url.URL, srcset string) string {
	var out []string
	for _, cand := range strings.Split(srcset, ",") {
		f := strings.Fields(cand)
		if len(f) == 0 {
			continue
		}
		u := resolve(base, f[0])
		if !safeScheme(u, false) || strings.HasPrefix(strings.ToLower(u), "data:") {
			continue
		}
		f[0] = u
		out = append(out, strings.Join(f, " "))
	}
	return strings.Join(out, ", ")
}

// fixLazyImages copies the real image URL of lazy-loading scripts into src
// and srcset, and removes images left with only a data: placeholder.
func fixLazyImages(root *html.Node) {
	walk(root, func(n *html.Node) bool {
		if n.Data != "img" {
			return true
		}
		for _, k := range []string{"data-src", "data-lazy-src", "data-original", "data-lazy", "data-url"} {
			if v := strings.TrimSpace(attr(n, k)); v != "" && !strings.HasPrefix(v, "data:") {
				setAttr(n, "src", v)
				break
			}
		}
		for _, k := range []string{"data-srcset", "data-lazy-srcset"} {
			if v := strings.TrimSpace(attr(n, k)); v != "" {
				setAttr(n, "srcset", v)
				break
			}
		}
		if src := strings.TrimSpace(attr(n, "src")); src == "" || strings.HasPrefix(strings.ToLower(src), "data:") {
			if attr(n, "srcset") == "" {
				remove(n)
				return false
			}
			removeAttr(n, "src")
		}
		return false
	})
}

// baseHref returns the document's <base href> resolved against pageURL, or
// pageURL itself.
func baseHref(root *html.Node, page *url.URL) *url.URL {
	b := findFirst(root, "base")
	if b == nil {
		return page
	}
	href := strings.TrimSpace(attr(b, "href"))
	if href == "" {
		return page
	}
	u, err := url.Parse(href)
	if err != nil {
		return page
	}
	if page != nil {
		u = page.ResolveReference(u)
	}
	if !weburl.Valid(u.String()) {
		return page
	}
	return u
}
