package bound

import (
	"bytes"
	"encoding/xml"
	"os"
	"testing"
)

func benchDoc(b *testing.B) []byte {
	doc, err := os.ReadFile("../testdata/rss2_tagesschau.xml")
	if err != nil {
		b.Fatal(err)
	}
	return doc
}

// BenchmarkXML is the bound every XML body passes.
func BenchmarkXML(b *testing.B) {
	doc := benchDoc(b)
	lim := Limits{Depth: 100, Elements: 60000, Attrs: 120000, ElementAttrs: 256, Namespaces: 32, Text: 4 << 20, Element: 6 << 20}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := XML(doc, fixed(lim)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawToken is the alternative XML's byte scanner was measured
// against: counting with encoding/xml's RawToken, which allocates for every
// name, attribute and text token.
func BenchmarkRawToken(b *testing.B) {
	doc := benchDoc(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(doc))
		d.Strict = false
		n := 0
		for {
			tok, err := d.RawToken()
			if err != nil {
				break
			}
			if _, ok := tok.(xml.StartElement); ok {
				n++
			}
		}
		if n == 0 {
			b.Fatal("no elements")
		}
	}
}
