package translate

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// A document is cut into segments at block level: each innermost block
// (paragraph, heading, list item, caption, cell …) becomes one HTML fragment
// with its inline markup (links, emphasis), which every provider translates
// in its HTML mode. A sentence keeps its context, a repeated paragraph hits
// the cache, and links, images and structure stay where they were because
// only fragments inside blocks are replaced.

// isBlock reports elements whose content is translated as one segment when
// they contain no other block.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Dt, atom.Dd,
		atom.Blockquote, atom.Figcaption, atom.Td, atom.Th, atom.Caption, atom.Div, atom.Section,
		atom.Article, atom.Figure, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Tbody, atom.Thead,
		atom.Tr, atom.Aside, atom.Header, atom.Footer, atom.Main:
		return true
	}
	return false
}

// isVerbatim reports elements that are never translated.
func isVerbatim(a atom.Atom) bool {
	switch a {
	case atom.Pre, atom.Code, atom.Script, atom.Style, atom.Kbd, atom.Samp:
		return true
	}
	return false
}

// doc is a parsed HTML fragment and the nodes whose content is translated.
type doc struct {
	root  *html.Node
	slots []*html.Node // each slot's children are replaced by its segment's translation
	texts []*html.Node // a loose text node among blocks, translated as plain text
}

func parseFragment(s string) (*doc, error) {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	for _, n := range nodes {
		ctx.AppendChild(n)
	}
	d := &doc{root: ctx}
	d.collect(ctx)
	return d, nil
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (isBlock(c.DataAtom) || hasBlockChild(c)) {
			return true
		}
	}
	return false
}

func hasText(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) != "":
			return true
		case c.Type == html.ElementNode && !isVerbatim(c.DataAtom) && hasText(c):
			return true
		}
	}
	return false
}

func (d *doc) collect(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				d.texts = append(d.texts, c)
			}
		case c.Type != html.ElementNode || isVerbatim(c.DataAtom):
		case !hasBlockChild(c):
			if hasText(c) {
				d.slots = append(d.slots, c)
			}
		default:
			d.collect(c)
		}
	}
}

// segments returns the HTML fragments to translate: slots first, then loose
// texts (escaped, so every segment is HTML).
func (d *doc) segments() []string {
	out := make([]string, 0, len(d.slots)+len(d.texts))
	for _, n := range d.slots {
		out = append(out, innerHTML(n))
	}
	for _, n := range d.texts {
		out = append(out, html.EscapeString(n.Data))
	}
	return out
}

// replace puts translations in, in segments() order, and renders the result.
func (d *doc) replace(tr []string) (string, error) {
	if len(tr) != len(d.slots)+len(d.texts) {
		return "", fmt.Errorf("got %d translated segments for %d", len(tr), len(d.slots)+len(d.texts))
	}
	for i, n := range d.slots {
		kids, err := html.ParseFragment(strings.NewReader(tr[i]), n)
		if err != nil {
			return "", fmt.Errorf("parse translated segment %d: %w", i, err)
		}
		for n.FirstChild != nil {
			n.RemoveChild(n.FirstChild)
		}
		for _, k := range kids {
			n.AppendChild(k)
		}
	}
	for i, n := range d.texts {
		n.Data = html.UnescapeString(tr[len(d.slots)+i])
	}
	return innerHTML(d.root), nil
}

func innerHTML(n *html.Node) string {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c) // writes to memory cannot fail
	}
	return b.String()
}

// TextOf returns the plain text of an HTML fragment, blocks separated by
// blank lines, for the translated article's Text.
func TextOf(fragment string) string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && isBlock(n.DataAtom) {
			b.WriteString("\n\n")
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	var lines []string
	for _, l := range strings.Split(b.String(), "\n\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n\n")
}
