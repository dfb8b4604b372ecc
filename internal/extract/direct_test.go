package extract_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"spektrum/internal/extract"
)

func render(t *testing.T, n *html.Node) string {
	t.Helper()
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// dump writes the tree node by node (rendering would hide two text nodes
// side by side, which the one pass must join as the parser joins them).
func dump(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		fmt.Fprintf(&b, "%*s%d %s %q %q %v\n", depth, "", n.Type, n.Namespace, n.Data, n.DataAtom.String(), n.Attr)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// TestParseDirectIsBounded: the page parsed in one pass, comments, SVG and
// MathML taken out of the tree, is the tree the bounding pass gives, on the
// corpus, the testdata pages and (when present) the 181 AEB pages; and the
// one pass answers for nearly all of them, or the saving is gone.
func TestParseDirectIsBounded(t *testing.T) {
	pages := testPages(t)
	direct := 0
	for _, p := range pages {
		d, b, err := extract.ParseTrees(p.html)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if d == nil {
			continue
		}
		direct++
		if got, want := dump(d), dump(b); got != want {
			t.Errorf("%s: the one-pass tree differs from the bounded one", p.name)
		}
	}
	if direct < len(pages)*9/10 {
		t.Errorf("one pass answered for %d of %d pages, want nine in ten", direct, len(pages))
	}
	t.Logf("one pass on %d of %d pages", direct, len(pages))
}

// TestParseDirectCases: what the one pass takes out, where it hands the page
// to the bounding pass, and the two trees it builds as a browser would.
func TestParseDirectCases(t *testing.T) {
	same := []string{
		"<!DOCTYPE html><!-- c --><html><!-- d --><head>\n<!-- e -->\n<title>t</title></head><body>x</body><!-- f --></html>\n<!-- g -->",
		"<div>a <!-- x --> b</div><p>c<svg><path d='x'/></svg>d<math><mi>x</mi></math>e</p>",
		"<p>a<![CDATA[foo]]>b</p><p>x<SVG></svg>y</p>",
		"<ul><li>a<li>b</ul></li></ul><a>1<a>2<a>3",
		"<select><option>a<!-- x -->b</select><p></p><P></P>",
		"<table><tr><td>a</td></tr><!--x--></table>",
	}
	for _, page := range same {
		d, b, err := extract.ParseTrees([]byte(page))
		if err != nil {
			t.Fatal(err)
		}
		if d == nil {
			t.Errorf("%q: one pass declined", page)
			continue
		}
		if got, want := dump(d), dump(b); got != want {
			t.Errorf("%q:\n one pass %s\n bounded  %s", page, got, want)
		}
	}
	declined := map[string]string{
		"a stray </p>":              "<p>a<div>b</div></p><p>c</p>",
		"stray </p>s":               "<p>a</p></p></p><p></p>",
		"a </br>":                   "<br></BR>x",
		"a comment in an empty p":   "<p><!-- x --></p>",
		"nesting over the budget":   strings.Repeat("<div>", 300) + "x",
		"more tags than the budget": strings.Repeat("<i>w</i>", 6000),
	}
	for what, page := range declined {
		if d, _, err := extract.ParseTrees([]byte(page)); err != nil || d != nil {
			t.Errorf("%s: one pass answered (%v), want the bounded parse", what, err)
		}
	}
	// An <svg> never closed: the bounding pass drops the rest of the page,
	// the one pass keeps it, as a browser shows it.
	d, b, err := extract.ParseTrees([]byte("<p>before<svg><path d='x'/><p>after the icon</p>"))
	if err != nil || d == nil {
		t.Fatalf("one pass declined: %v", err)
	}
	if !strings.Contains(render(t, d), "after the icon") || strings.Contains(render(t, b), "after the icon") {
		t.Errorf("unclosed <svg>: one pass %q, bounded %q", render(t, d), render(t, b))
	}
}
