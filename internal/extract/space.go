package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Trafilatura trims the text before and after every inline element
// ("<strong>Summary</strong> Studies show…"), which is harmless for its own
// plain-text output (it joins the pieces with spaces) but glues words in
// the markup we keep: "SummaryStudies". Word boundaries matter to readers
// and to the benchmark's token-exact metric alike. So before extraction
// the whitespace that separates an inline element from its neighbouring
// text is marked with a character trimming does not touch, and after
// extraction the mark becomes a space again.

// spaceMark is a private-use code point: it never stands for text in a
// page (icon fonts use other private-use ranges, and a stray one only
// becomes a space).
const spaceMark = "\U000F0000"

var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "cite": true, "code": true, "em": true, "font": true,
	"i": true, "mark": true, "q": true, "s": true, "small": true, "span": true, "strong": true,
	"sub": true, "sup": true, "time": true, "u": true,
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

// markInlineSpaces marks the spaces next to inline elements.
func markInlineSpaces(doc *html.Node) {
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.ElementNode:
				if !invisibleElements[c.Data] {
					rec(c)
				}
			case html.TextNode:
				d := c.Data
				if d == "" || strings.TrimSpace(d) == "" {
					continue
				}
				if p := c.PrevSibling; p != nil && p.Type == html.ElementNode && inlineElements[p.Data] && isSpaceByte(d[0]) {
					d = spaceMark + d
				}
				if s := c.NextSibling; s != nil && s.Type == html.ElementNode && inlineElements[s.Data] && isSpaceByte(d[len(d)-1]) {
					d += spaceMark
				}
				c.Data = d
			}
		}
	}
	rec(doc)
}

// unmarkSpaces turns the marks in an extracted tree back into spaces.
func unmarkSpaces(root *html.Node) {
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				if strings.Contains(c.Data, spaceMark) {
					c.Data = strings.ReplaceAll(c.Data, spaceMark, " ")
				}
				continue
			}
			rec(c)
			for i, a := range c.Attr {
				if strings.Contains(a.Val, spaceMark) {
					c.Attr[i].Val = strings.ReplaceAll(a.Val, spaceMark, " ")
				}
			}
		}
	}
	rec(root)
}

// renameCustomElements turns the custom elements (names with a hyphen,
// which the HTML standard reserves for them) inside paragraphs into spans.
// Trafilatura knows only the standard elements and drops an unknown one
// inside a paragraph with the rest of the paragraph after it: a citation
// wrapped in "<x-source>" cut every sentence of a health article at its
// first reference. Inside a paragraph such an element can only be inline
// text; elsewhere it may be a widget, and it is left alone.
func renameCustomElements(doc *html.Node) {
	var rec func(n *html.Node, inP bool)
	rec = func(n *html.Node, inP bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || invisibleElements[c.Data] {
				continue
			}
			if inP && strings.IndexByte(c.Data, '-') > 0 && c.Namespace == "" {
				c.Data, c.DataAtom = "span", atom.Span
			}
			rec(c, inP || c.Data == "p")
		}
	}
	rec(doc, false)
}

// looseTextParents are the containers whose bare text is wrapped into
// paragraphs.
var looseTextParents = map[string]bool{
	"div": true, "section": true, "article": true, "main": true, "td": true, "font": true, "center": true,
}

// minLooseText is the bare text (bytes, trimmed) a container must hold
// directly before its text is wrapped: a layout div with a stray separator
// is left alone.
const minLooseText = 20

// wrapLooseText wraps the text a container holds directly — prose set as
// text and inline elements separated by "<br><br>", as older CMSes and
// hand-written pages do — into paragraphs, one per run between blank lines
// and block children. Trafilatura reads such a container's text piecemeal:
// the words before its first inline element were lost ("…publication
// <em>DigiTimes</em>. A preview…" kept only from "DigiTimes" on).
// Readability does the same conversion for the same reason.
func wrapLooseText(doc *html.Node) {
	walk(doc, func(n *html.Node) bool {
		if !looseTextParents[n.Data] || !hasLooseText(n) {
			return true
		}
		var run []*html.Node
		flush := func() {
			text := false // anything shown besides line breaks
			for _, c := range run {
				if c.Type == html.TextNode {
					text = text || strings.TrimSpace(c.Data) != ""
				} else {
					text = text || c.Data != "br"
				}
			}
			if text {
				p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
				n.InsertBefore(p, run[0])
				for _, c := range run {
					n.RemoveChild(c)
					p.AppendChild(c)
				}
			}
			run = run[:0]
		}
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			switch {
			case c.Type == html.TextNode:
				run = append(run, c)
			case c.Type == html.ElementNode && c.Data == "br":
				if isBlankLine(c) {
					flush()
					// the blank line's second break opens no paragraph
					for next != nil && next.Type == html.TextNode && strings.TrimSpace(next.Data) == "" {
						next = next.NextSibling
					}
					if next != nil && next.Data == "br" && !isBlankLine(next) {
						next = next.NextSibling
					}
				} else {
					run = append(run, c)
				}
			case c.Type == html.ElementNode && (inlineElements[c.Data] || c.Data == "img"):
				run = append(run, c)
			case c.Type == html.CommentNode:
			default:
				flush()
			}
			c = next
		}
		flush()
		return true
	})
}

// hasLooseText reports whether n holds enough text directly, set in
// paragraphs by blank lines.
func hasLooseText(n *html.Node) bool {
	l, blank := 0, false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			l += len(strings.TrimSpace(c.Data))
		} else if c.Type == html.ElementNode && c.Data == "br" && !blank {
			blank = isBlankLine(c)
		}
	}
	return l >= minLooseText && blank
}

// isBlankLine reports whether br is the first of two line breaks in a row
// (whitespace between them), which ends a paragraph.
func isBlankLine(br *html.Node) bool {
	for s := br.NextSibling; s != nil; s = s.NextSibling {
		switch {
		case s.Type == html.TextNode && strings.TrimSpace(s.Data) == "", s.Type == html.CommentNode:
		case s.Type == html.ElementNode && s.Data == "br":
			return true
		default:
			return false
		}
	}
	return false
}
