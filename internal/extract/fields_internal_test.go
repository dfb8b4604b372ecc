package extract

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// textOfFields is textOf as it was: the text nodes joined by spaces, then
// strings.Join(strings.Fields(...), " ").
func textOfFields(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			b.WriteByte(' ')
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
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestTextOfIsFieldsJoined holds textOf's one pass to the Fields and Join
// it replaced, on every element of the testdata pages and on text with
// every kind of white space, invalid UTF-8 and none at all.
func TestTextOfIsFieldsJoined(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	elements := 0
	for _, f := range append(files, more...) {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := parseBounded(page)
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			if n.Type == html.ElementNode {
				elements++
				if got, want := textOf(n), textOfFields(n); got != want {
					t.Fatalf("%s <%s>: textOf %q, Fields and Join %q", f, n.Data, got, want)
				}
			}
			return true
		})
	}
	for _, s := range []string{"", " ", "a", " a ", "a\u00a0b\u0085c\u2003d\u3000e", "\xff \xfe\x80x", "é\t\v\f\r\nü", "日本 語", "a\u200bb"} {
		n := &html.Node{Type: html.ElementNode, Data: "div"}
		n.AppendChild(&html.Node{Type: html.TextNode, Data: s})
		n.AppendChild(&html.Node{Type: html.TextNode, Data: s})
		if got, want := textOf(n), textOfFields(n); got != want {
			t.Errorf("%q twice: textOf %q, Fields and Join %q", s, got, want)
		}
	}
	if elements < 5000 {
		t.Errorf("%d elements compared, want the testdata pages'", elements)
	}
}

// TestWordsOfIsFieldsFunc holds wordsOf's one pass to the FieldsFunc it
// replaced, on the text of every element of the testdata pages and on
// mixed scripts, digits, invalid UTF-8 and case changes that change length.
func TestWordsOfIsFieldsFunc(t *testing.T) {
	old := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r)
		})
	}
	texts := []string{"", " ", "Ab", "a-b c_d", "Ünïcödé ÅNGSTRÖM İstanbul ẞ", "\xffab\xfe", "x²³ ٣ 12,5 %", "日本語 テキスト", "K\u212aelvin", "a\u0301b"}
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := parseBounded(page)
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			if n.Type == html.ElementNode {
				texts = append(texts, textOf(n))
			}
			return true
		})
	}
	for _, s := range texts {
		if got, want := wordsOf(s), old(s); !slices.Equal(got, want) {
			t.Fatalf("wordsOf(%.80q) = %q, FieldsFunc gives %q", s, got, want)
		}
	}
}

// TestClassWordsAreFieldsFunc holds anyClassWord to the FieldsFunc over the
// lowered value it replaced, on every attribute value of the corpus pages
// and on values whose case changes bytes (the Kelvin sign lowers to "k").
func TestClassWordsAreFieldsFunc(t *testing.T) {
	notClassWordRune := func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }
	vals := []string{"", "-", "Main-Nav", "nav__item--ACTIVE", "\u212aontakt İnfo", "a\xffb", "é-teaser 2col", "  x  "}
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := parseBounded(page)
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) bool {
			for _, a := range n.Attr {
				vals = append(vals, a.Val)
			}
			return true
		})
	}
	for _, v := range vals {
		var got []string
		anyClassWord(v, func(w string) bool { got = append(got, w); return false })
		if want := strings.FieldsFunc(strings.ToLower(v), notClassWordRune); !slices.Equal(got, want) {
			t.Fatalf("class words of %q: %q, FieldsFunc gives %q", v, got, want)
		}
	}
	if !hasClassWordIn("Site-SHARE", chromeTokens) || hasClassWordIn("navigation-free", map[string]bool{"nav": true}) {
		t.Error("hasClassWordIn: a word must match whole, in any case")
	}
	if len(vals) < 5000 {
		t.Errorf("%d values compared, want the corpus pages'", len(vals))
	}
}
