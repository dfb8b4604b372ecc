package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxPageBytes is the largest page Extract accepts. Real article pages are a
// few hundred kilobytes; anything bigger is a data dump or an attack, and the
// extraction algorithms are super-linear enough that refusing is the honest
// answer.
const MaxPageBytes = 5 << 20

const (
	// maxDepth bounds element nesting. golang.org/x/net/html refuses documents
	// nested deeper than 512 elements outright, and go-trafilatura, the
	// readability and dom-distiller fallbacks recurse over the tree. Real pages
	// rarely go beyond 40 levels, so 256 leaves room while keeping recursion
	// shallow. Tags below the limit are dropped, their text kept ("flattened").
	maxDepth = 256
	// fallbackDepth is used when the parser still rejects the flattened
	// stream: its own tree can be deeper than the tag nesting we counted
	// (implied <tbody>, re-opened formatting elements).
	fallbackDepth = 32
	// maxElements bounds the number of elements (inline SVG and MathML,
	// which are skipped, do not count). A heavy news page has two to five
	// thousand; beyond the budget the rest of the document is cut off, because
	// article bodies come early in the source order and trafilatura with its
	// two fallbacks is super-linear: on one test page 10,000 elements took
	// 1.2 s and 20,000 took 6 s.
	maxElements = 10000
)

// ErrTooLarge is wrapped when a page exceeds MaxPageBytes.
var ErrTooLarge = errors.New("page too large")

// voidElements never have an end tag, so they never deepen the tree.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "param": true,
	"source": true, "track": true, "wbr": true, "keygen": true,
}

// closesP lists start tags that implicitly close an open <p>; without it a page
// of unclosed <p> tags would look thousands of levels deep to our counter.
var closesP = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "div": true,
	"dl": true, "fieldset": true, "figure": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "main": true, "nav": true, "ol": true, "p": true,
	"pre": true, "section": true, "table": true, "ul": true,
}

// selfClosing lists elements whose start tag closes an open sibling of the
// same kind (<li>, <td>, ...), for the same reason as closesP.
var selfClosing = map[string]bool{
	"li": true, "dt": true, "dd": true, "tr": true, "td": true, "th": true,
	"option": true, "thead": true, "tbody": true, "tfoot": true,
}

type openTag struct {
	name    string
	emitted bool
}

// boundTokens rewrites an HTML token stream so that the parsed tree stays
// within depth and element budgets. It uses the tokenizer, which is
// iterative, so it is safe on any input. Comments are dropped: nothing
// downstream needs them and they can hide conditional markup.
func boundTokens(r io.Reader, depth, elements int) []byte {
	z := html.NewTokenizer(r)
	var out bytes.Buffer
	var stack []openTag
	open := map[string]int{} // how many of each tag are on the stack
	emitted := 0             // emitted entries on the stack
	count := 0
	foreign := 0 // depth inside <svg> or <math>, whose subtrees are skipped

	pop := func() {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		open[t.name]--
		if t.emitted {
			emitted--
		}
	}

	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		// Raw and TagName stay valid until the next call to Next, which is
		// all the use they get here.
		raw := z.Raw()
		var name string
		if tt == html.StartTagToken || tt == html.EndTagToken {
			nb, _ := z.TagName() // consumes the name: call once
			// A known tag's name is the atom table's string; only unknown
			// (custom) tags cost an allocation, once per tag of a page.
			if a := atom.Lookup(nb); a != 0 {
				name = a.String()
			} else {
				name = string(nb)
			}
			// Inline SVG icons can hold thousands of <path>s and never
			// article text; skipping them keeps the element budget for prose.
			if name == "svg" || name == "math" {
				if tt == html.StartTagToken {
					foreign++
				} else if foreign > 0 {
					foreign--
				}
				continue
			}
		}
		if foreign > 0 {
			continue
		}
		switch tt {
		case html.CommentToken:
			continue
		case html.TextToken, html.DoctypeToken:
			out.Write(raw)
		case html.SelfClosingTagToken:
			if count >= elements {
				return out.Bytes()
			}
			count++
			if emitted < depth {
				out.Write(raw)
			}
		case html.StartTagToken:
			if count >= elements {
				return out.Bytes()
			}
			count++
			if voidElements[name] {
				if emitted < depth {
					out.Write(raw)
				}
				continue
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1].name
				if (top == "p" && closesP[name]) || (top == name && selfClosing[name]) {
					pop()
				}
			}
			ok := emitted < depth
			if ok {
				out.Write(raw)
				emitted++
			}
			stack = append(stack, openTag{name: name, emitted: ok})
			open[name]++
		case html.EndTagToken:
			if open[name] == 0 {
				// A stray end tag: the parser would ignore it (or invent an
				// element, for </p> and </br>); dropping it is equivalent and
				// keeps the counter honest.
				continue
			}
			// Popping everything above the match keeps this amortised O(1).
			for {
				t := stack[len(stack)-1]
				pop()
				if t.name == name {
					if t.emitted {
						out.Write(raw)
					}
					break
				}
			}
		}
	}
}

// parseBounded parses a whole document within the budgets: in one pass
// where it can (parseDirect), else through boundTokens.
func parseBounded(page []byte) (*html.Node, error) {
	if doc, ok := parseDirect(page); ok {
		return doc, nil
	}
	doc, err := html.Parse(bytes.NewReader(boundTokens(bytes.NewReader(page), maxDepth, maxElements)))
	if err == nil {
		return doc, nil
	}
	doc, err2 := html.Parse(bytes.NewReader(boundTokens(bytes.NewReader(page), fallbackDepth, maxElements)))
	if err2 != nil {
		return nil, fmt.Errorf("parse html (also flattened to depth %d): %w", fallbackDepth, errors.Join(err, err2))
	}
	return doc, nil
}

// parseFragmentBounded parses an HTML fragment (feed content, an extracted
// body) as the children of a <body>, within the same budgets.
func parseFragmentBounded(fragment string) ([]*html.Node, error) {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(bytes.NewReader(boundTokens(strings.NewReader(fragment), maxDepth, maxElements)), body)
	if err == nil {
		return nodes, nil
	}
	nodes, err2 := html.ParseFragment(bytes.NewReader(boundTokens(strings.NewReader(fragment), fallbackDepth, maxElements)), body)
	if err2 != nil {
		return nil, fmt.Errorf("parse html fragment (also flattened to depth %d): %w", fallbackDepth, errors.Join(err, err2))
	}
	return nodes, nil
}
