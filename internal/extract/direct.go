package extract

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseDirect parses page in one pass, where the bounded parse tokenizes
// it twice (boundTokens, then the parser's own tokenizer): it parses the
// page as it is and takes out of the tree what boundTokens keeps out of the
// stream, comments and inline SVG and MathML, joining the text they
// separated. On every test and AEB page the tree is the bounded parse's,
// node for node (TestParseDirectIsBounded).
//
// ok is false, and the caller bounds the page as before, where the trees
// could differ or a budget could be reached:
//   - more '<' in the page than maxElements (an upper bound on its tags);
//   - a parse error (x/net/html refuses trees deeper than 512) or a tree
//     deeper than maxDepth;
//   - a stray </p> or </br>, which the parser turns into an element and
//     boundTokens drops: seen as a "</br" in the page, or as more empty
//     <p> elements in the tree than "<p></p>" in the page.
//
// Where it answers, three trees still differ from the bounded parse's: the
// content after an <svg> or <math> that is never closed, or that the parser
// leaves early (an HTML element inside it), which boundTokens drops to the
// end of the page or of the element, is kept, as a browser shows it; white
// space around a comment among a table's rows is placed as a browser places
// it; and an empty <svg/>, which boundTokens lets through (it skips
// <svg>...</svg> only), is taken out like any other.
func parseDirect(page []byte) (doc *html.Node, ok bool) {
	if bytes.Count(page, []byte{'<'}) > maxElements || containsFold(page, "</br") {
		return nil, false
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, false
	}
	emptyP, ok := pruneUnbounded(doc, 0)
	if !ok || emptyP > bytes.Count(page, []byte("<p></p>"))+bytes.Count(page, []byte("<P></P>")) {
		return nil, false
	}
	return doc, true
}

// pruneUnbounded removes the comments and the <svg> and <math> subtrees
// under n, joining the text nodes a removal leaves side by side. It returns
// how many empty <p> without attributes it leaves (the parser makes one of
// a stray </p>), and whether n's elements are nested at most maxDepth deep;
// it stops at the first that is not.
func pruneUnbounded(n *html.Node, depth int) (emptyP int, ok bool) {
	if depth > maxDepth {
		return 0, false
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.CommentNode || (c.Type == html.ElementNode && (c.DataAtom == atom.Svg || c.DataAtom == atom.Math)) {
			prev := c.PrevSibling
			n.RemoveChild(c)
			if prev != nil && next != nil && prev.Type == html.TextNode && next.Type == html.TextNode {
				prev.Data += next.Data
				after := next.NextSibling
				n.RemoveChild(next)
				next = after
			}
			c = next
			continue
		}
		if c.Type == html.ElementNode {
			e, ok := pruneUnbounded(c, depth+1)
			if !ok {
				return 0, false
			}
			emptyP += e
			if c.DataAtom == atom.P && c.FirstChild == nil && len(c.Attr) == 0 {
				emptyP++
			}
		}
		c = next
	}
	return emptyP, true
}

// containsFold reports whether s holds lower, an ASCII lower-case string,
// in any case.
func containsFold(s []byte, lower string) bool {
	for i := 0; ; {
		j := bytes.IndexByte(s[i:], lower[0])
		if j < 0 {
			return false
		}
		i += j
		if len(s)-i < len(lower) {
			return false
		}
		if bytes.EqualFold(s[i:i+len(lower)], []byte(lower)) {
			return true
		}
		i++
	}
}
