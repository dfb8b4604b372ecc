package bound

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html/charset"
)

// shape is what encoding/xml in non-strict mode (as gofeed, the sitemap and
// the OPML parsers run it) produces from a document before it stops.
type shape struct {
	elements, depth, attrs, elementAttrs, namespaces int
}

func decoderShape(doc []byte) shape {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	var sh shape
	var open []int // namespace declarations of each open element
	inScope := 0
	for range 1 << 20 {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			sh.elements++
			sh.attrs += len(t.Attr)
			sh.elementAttrs = max(sh.elementAttrs, len(t.Attr))
			decls := 0
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					decls++
				}
			}
			open = append(open, decls)
			inScope += decls
			sh.depth = max(sh.depth, len(open))
			sh.namespaces = max(sh.namespaces, inScope)
		case xml.EndElement:
			if len(open) > 0 {
				inScope -= open[len(open)-1]
				open = open[:len(open)-1]
			}
		}
	}
	return sh
}

func fixed(l Limits) func(string) Limits { return func(string) Limits { return l } }

// checkCountsAtLeastDecoder fails when the decoder produced more of anything
// than XML allowed: for each measure, a limit one below what the decoder
// saw must be refused.
func checkCountsAtLeastDecoder(t *testing.T, doc []byte) {
	t.Helper()
	if err := XML(doc, fixed(Limits{})); err != nil {
		var be *Error
		if !errors.As(err, &be) || be.Bound != "encoding" {
			t.Fatalf("no limits, yet: %v", err)
		}
		return // refused outright
	}
	sh := decoderShape(doc)
	for _, c := range []struct {
		name string
		seen int
		lim  Limits
	}{
		{"elements", sh.elements, Limits{Elements: sh.elements - 1}},
		{"depth", sh.depth, Limits{Depth: sh.depth - 1}},
		{"attributes", sh.attrs, Limits{Attrs: sh.attrs - 1}},
		{"element attributes", sh.elementAttrs, Limits{ElementAttrs: sh.elementAttrs - 1}},
		{"namespaces", sh.namespaces, Limits{Namespaces: sh.namespaces - 1}},
	} {
		if c.seen < 2 {
			continue // a limit of 0 means none
		}
		if XML(doc, fixed(c.lim)) == nil {
			t.Fatalf("the decoder saw %d %s, but a limit of %d passed %q", c.seen, c.name, c.seen-1, doc)
		}
	}
}

var xmlSeeds = []string{
	`<rss><channel><item><title>a</title></item></channel></rss>`,
	`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="urn:m"><entry m:a='x>y' b=unquoted c><m:x/></entry></feed>`,
	`<a><!-- <b><c> --><![CDATA[<d><e>]]><?pi <f>?><g/></a>`,
	`<!DOCTYPE rss [<!ENTITY x "<a>"><!-- <b> -->]><rss><x/></rss>`,
	`<a><b></c><d></d></a>`,
	`<a xmlns:p="1"><b xmlns:q="2" xmlns="3"><c/></b><d xmlns:r="4"/></a>`,
	`<a>text &amp; &unknown; &#60; < b>`,
	`<a b="<c>"><d/></a>`,
	`<a><b/ ><c/></a>`,
	`<urlset><url><loc>https://x/</loc><image:image><image:loc>/i.jpg</image:loc></image:image></url></urlset>`,
	`<a><?xml version="1.0" encoding="utf-16"?><b/></a>`,
	`<a:b:c><d/></a:b:c>`,
	`<a><!--- -- --><b/><!----><c/></a>`,
}

func FuzzXML(f *testing.F) {
	for _, s := range xmlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkCountsAtLeastDecoder(t, doc)
	})
}

func TestXMLRefuses(t *testing.T) {
	lim := Limits{Depth: 10, Elements: 100, Attrs: 50, ElementAttrs: 5, Namespaces: 3, Text: 20, Element: 50}
	for _, c := range []struct {
		name, doc, bound string
	}{
		{"nested", "<r>" + strings.Repeat("<a>", 10) + "\n", "depth"},
		{"siblings", "<r>\n" + strings.Repeat("<a/>", 100), "elements"},
		{"attributes on one element", `<r><a b c d e f g/></r>`, "element attributes"},
		{"attributes in all", "<r>" + strings.Repeat(`<a b="1" c='2' d=3/>`, 17) + "</r>", "attributes"},
		{"namespaces", `<r xmlns="a" xmlns:b="b"><c xmlns:d="d"><e xmlns:f="f"/></c></r>`, "namespaces"},
		{"encoding switch", `<r><?xml version="1.0" encoding="iso-8859-1"?></r>`, "encoding"},
		{"utf-16 declaration", `<?xml version="1.0" encoding="UTF-16"?><r/>`, "encoding"},
		{"text", "<r><a>" + strings.Repeat("x", 21) + "</a></r>", "text"},
		{"CDATA and comments are text", "<r><a>xxxxxxx<![CDATA[xxxxxxx]]><!--xxxxxxx--></a></r>", "text"},
		{"attribute value", `<r><a b="` + strings.Repeat("x", 21) + `"/></r>`, "text"},
		{"unquoted attribute value", `<r><a b=` + strings.Repeat("x", 21) + `/></r>`, "text"},
		{"name", "<r><" + strings.Repeat("x", 21) + "/></r>", "text"},
		{"element with children", "<r><a>" + strings.Repeat("xxxxxxxxxx<b/>", 4) + "</a></r>", "element"},
		{"element left open", "<r><a>" + strings.Repeat("xxxxxxxxxx<b/>", 4), "element"},
		{"text after the root", "<r/>" + strings.Repeat("x", 21), "text"},
		{"prologue", "<!--" + strings.Repeat("x", 21) + "--><r/>", "text"},
		{"unclosed prologue comment", "<!--" + strings.Repeat("x", 21), "text"},
		{"a second root", "<r/><r>" + strings.Repeat("xxxxxxxxxx<b/>", 4) + "</r>", "element"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := XML([]byte(c.doc), fixed(lim))
			var be *Error
			if !errors.As(err, &be) || be.Bound != c.bound {
				t.Fatalf("got %v, want the %s bound", err, c.bound)
			}
			if be.Error() == "" || be.Line < 1 {
				t.Errorf("error %+v says nothing", be)
			}
		})
	}
}

func TestXMLAccepts(t *testing.T) {
	lim := Limits{Depth: 3, Elements: 6, Attrs: 4, ElementAttrs: 2, Namespaces: 2, Text: 120, Element: 60, Containers: []string{"c"}}
	for _, doc := range []string{
		// Markup inside comments, CDATA, PIs, quoted values and the DTD is
		// text, not elements.
		`<r xmlns:a="a"><!-- <x><x><x><x> --><b><![CDATA[<x><x><x>]]><?p <x><x>?></b><c d="<x><x>" e='/>'/></r>`,
		`<!DOCTYPE r [<!ELEMENT r (#PCDATA)><!-- <x><x><x><x><x><x><x> --><!ENTITY e "<x><x><x>">]><r/>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><r><a><b/></a><a><b/></a></r>`,
		// Depth comes back down at each end tag.
		`<r><a><b/></a><a><b/></a></r>`,
		// The root and the containers below it may be long.
		"<r><c>" + strings.Repeat("<a>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</a>", 4) + "</c></r>",
	} {
		if err := XML([]byte(doc), fixed(lim)); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
		checkCountsAtLeastDecoder(t, []byte(doc))
	}
}

func TestXMLLimitsByRoot(t *testing.T) {
	var roots []string
	err := XML([]byte(`<?xml version="1.0"?><!-- c --><sm:urlset xmlns:sm="x"><url/><url/></sm:urlset>`), func(root string) Limits {
		roots = append(roots, root)
		return Limits{Elements: 2}
	})
	if len(roots) != 2 || roots[0] != "" || roots[1] != "urlset" {
		t.Fatalf("limits asked for roots %q, want [\"\" urlset]", roots)
	}
	if err == nil {
		t.Fatal("3 elements passed a limit of 2")
	}
}

// jsonValues counts what encoding/json builds from a document.
func jsonValues(v any) int {
	switch t := v.(type) {
	case map[string]any:
		n := 1
		for _, x := range t {
			n += 1 + jsonValues(x) // the key and the value
		}
		return n
	case []any:
		n := 1
		for _, x := range t {
			n += jsonValues(x)
		}
		return n
	}
	return 1
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1,"tags":["a","b"]},{}]}`,
		`[1,2.5e3,true,null,"a\"b]",{"k":[[]]}]`,
		`{"a":"\\","b":"}"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var v any
		if json.Unmarshal(doc, &v) != nil {
			_ = JSON(doc, Limits{Depth: 3, Elements: 3}) // must not panic
			return
		}
		if n := jsonValues(v); n > 1 && JSON(doc, Limits{Elements: n - 1}) == nil {
			t.Fatalf("encoding/json built %d values, but a limit of %d passed %q", n, n-1, doc)
		}
	})
}

func TestJSONRefuses(t *testing.T) {
	lim := Limits{Depth: 5, Elements: 20, Text: 10}
	for _, c := range []struct{ name, doc, bound string }{
		{"string", `{"a":"` + strings.Repeat(`\"`, 6) + `"}`, "text"},
		{"nested", strings.Repeat("[", 6), "depth"},
		{"items", `{"items":[` + strings.Repeat(`{},`, 20) + `{}]}`, "values"},
		{"numbers", `[` + strings.Repeat(`1,`, 20) + `1]`, "values"},
	} {
		err := JSON([]byte(c.doc), lim)
		var be *Error
		if !errors.As(err, &be) || be.Bound != c.bound {
			t.Errorf("%s: got %v, want the %s bound", c.name, err, c.bound)
		}
	}
	if err := JSON([]byte(`{"s":"[[[[[[[[ {{{{ ,,,,,,,,,,,,,,,,,,,,,, \" ]]"}`), Limits{Depth: 5, Elements: 20}); err != nil {
		t.Errorf("brackets inside a string counted: %v", err)
	}
}
