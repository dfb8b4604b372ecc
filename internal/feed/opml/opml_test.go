package opml

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func parseFile(t testing.TB, name string) []Outline {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want []Outline
	}{
		{"flat.opml", []Outline{
			{Title: "tagesschau.de", XMLURL: "https://www.tagesschau.de/index~rss2.xml", HTMLURL: "https://www.tagesschau.de/", Language: "de"},
			{Title: "Le Monde.fr - Actualités et Infos en France et dans le monde", XMLURL: "https://www.lemonde.fr/rss/une.xml", HTMLURL: "https://www.lemonde.fr/", Category: "Frankreich"},
			// No text: the URL is the title.
			{Title: "https://elpais.com/rss/elpais/portada.xml", XMLURL: "https://elpais.com/rss/elpais/portada.xml"},
			{Title: "Gazeta Wyborcza & Wiadomości", XMLURL: "https://rss.gazeta.pl/pub/rss/wiadomosci.xml?a=1&b=2"},
			// The duplicate tagesschau and the type="link" bookmark are dropped.
		}},
		{"nested.opml", []Outline{
			{Title: "Süddeutsche Zeitung", XMLURL: "https://rss.sueddeutsche.de/rss/Topthemen", HTMLURL: "https://www.sueddeutsche.de/", Category: "Deutschland"},
			{Title: "heise online", XMLURL: "https://www.heise.de/rss/heise-atom.xml", HTMLURL: "https://www.heise.de/", Category: "Deutschland"},
			{Title: "BR24", XMLURL: "https://www.br.de/nachrichten/rss.xml", Category: "Regional"},
			// Folder named by title= only.
			{Title: "Corriere della Sera", XMLURL: "https://xml2.corriereobjects.it/rss/homepage.xml", HTMLURL: "https://www.corriere.it/", Category: "Italia", Language: "it"},
			{Title: "The Guardian", XMLURL: "https://www.theguardian.com/world/rss", HTMLURL: "https://www.theguardian.com/world"},
		}},
		{"opml10_latin1.opml", []Outline{
			// OPML 1.0 writers spell the attributes xmlurl / xmlURL.
			{Title: "ORF.at", XMLURL: "https://rss.orf.at/news.xml", HTMLURL: "https://orf.at/", Category: "Nachrichten"},
			{Title: "Der Standard - Österreich", XMLURL: "https://www.derstandard.at/rss/inland", Category: "Nachrichten"},
			{Title: "Scripting News", XMLURL: "http://scripting.com/rss.xml", HTMLURL: "http://scripting.com/"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := parseFile(t, tt.file)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, body, msgPart string }{
		{"empty", "  \n", "empty"},
		{"truncated", `<?xml version="1.0"?><opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/rss"/>`, "line 1"},
		{"rss instead of opml", `<rss version="2.0"><channel/></rss>`, "<opml>"},
		{"html", "<!DOCTYPE html><html><body>Not found</body></html>", "opml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Parse(strings.NewReader(tt.body))
			if err == nil {
				t.Fatalf("Parse = %+v, want error", out)
			}
			if !strings.Contains(err.Error(), tt.msgPart) {
				t.Errorf("error %q does not mention %q", err, tt.msgPart)
			}
		})
	}
}

// TestParseHostileShape is issue 13's attack on the importer: outlines
// nested millions deep (or millions of them) made the decoder build them
// all before the walk's own limits applied. They are refused up front,
// having cost next to nothing.
func TestParseHostileShape(t *testing.T) {
	const size = 20 << 20
	head := `<?xml version="1.0"?><opml version="2.0"><body>`
	for name, body := range map[string]string{
		"nested":     head + strings.Repeat(`<outline text="f">`, size/18),
		"siblings":   head + strings.Repeat(`<outline/>`, size/10) + `</body></opml>`,
		"attributes": head + `<outline` + strings.Repeat(` a=""`, size/5) + `/></body></opml>`,
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse(strings.NewReader(body))
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "no subscription list is shaped like that") {
				t.Fatalf("got %v, want the shape refused", err)
			}
			// io.ReadAll's growing copy of the body is the only sizeable
			// cost (about 3 times the file; 5 under the race detector).
			// Before the bound these files cost gigabytes.
			if total := after.TotalAlloc - before.TotalAlloc; total > 8*size {
				t.Errorf("allocated %d MB for a %d MB file", total>>20, size>>20)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	outlines := []Outline{
		{Title: "tagesschau.de", XMLURL: "https://www.tagesschau.de/index~rss2.xml", HTMLURL: "https://www.tagesschau.de/", Category: "Deutschland", Language: "de"},
		{Title: "The Guardian", XMLURL: "https://www.theguardian.com/world/rss"},
		{Title: "Süddeutsche Zeitung & Co", XMLURL: "https://rss.sueddeutsche.de/rss/Topthemen?a=1&b=2", Category: "Deutschland"},
		{Title: "Corriere", XMLURL: "https://xml2.corriereobjects.it/rss/homepage.xml", Category: "Italia"},
	}
	var buf bytes.Buffer
	now := time.Date(2024, 5, 14, 8, 0, 0, 0, time.UTC)
	if err := write(&buf, "Spektrum – Quellen", outlines, now); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<opml version="2.0">`,
		`<title>Spektrum – Quellen</title>`,
		`<dateCreated>Tue, 14 May 2024 08:00:00 +0000</dateCreated>`,
		`xmlUrl="https://rss.sueddeutsche.de/rss/Topthemen?a=1&amp;b=2"`,
		`text="Süddeutsche Zeitung &amp; Co"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	// Well-formed, and grouped: one folder per category, in order of first
	// appearance, with uncategorised feeds at the top level.
	var doc struct {
		Body struct {
			Outlines []struct {
				Text     string `xml:"text,attr"`
				XMLURL   string `xml:"xmlUrl,attr"`
				Children []struct {
					Text string `xml:"text,attr"`
				} `xml:"outline"`
			} `xml:"outline"`
		} `xml:"body"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output is not well-formed XML: %v", err)
	}
	var top []string
	for _, o := range doc.Body.Outlines {
		top = append(top, o.Text+"/"+strconv.Itoa(len(o.Children)))
	}
	if want := []string{"Deutschland/2", "The Guardian/0", "Italia/1"}; !slices.Equal(top, want) {
		t.Errorf("top level = %q, want %q", top, want)
	}
}

func TestWriteUsesCurrentDate(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "x", nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Date string `xml:"head>dateCreated"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	d, err := time.Parse(time.RFC1123Z, doc.Date)
	if err != nil || time.Since(d) > time.Hour || time.Since(d) < -time.Hour {
		t.Errorf("dateCreated %q is not the current time (%v)", doc.Date, err)
	}
}

// Whatever Parse reads, Write must write back so that Parse returns the same.
func TestRoundTrip(t *testing.T) {
	for _, file := range []string{"flat.opml", "nested.opml", "opml10_latin1.opml"} {
		t.Run(file, func(t *testing.T) {
			first := parseFile(t, file)
			var buf bytes.Buffer
			if err := Write(&buf, "Export", first); err != nil {
				t.Fatal(err)
			}
			second, err := Parse(&buf)
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, buf.String())
			}
			// Write groups by category, so compare as sets.
			key := func(a, b Outline) int { return strings.Compare(a.XMLURL, b.XMLURL) }
			slices.SortFunc(first, key)
			slices.SortFunc(second, key)
			if !slices.Equal(first, second) {
				t.Errorf("round trip changed outlines:\n%+v\n%+v", first, second)
			}
		})
	}
}

func FuzzOPML(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.opml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		outlines, err := Parse(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, o := range outlines {
			if o.XMLURL == "" || o.Title == "" {
				t.Fatalf("outline without feed URL or title: %+v", o)
			}
		}
		// What was read must survive a write and a re-read.
		var buf bytes.Buffer
		if err := Write(&buf, "fuzz", outlines); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("re-parse of written OPML: %v\n%s", err, buf.String())
		}
		if len(again) != len(outlines) {
			t.Fatalf("round trip: %d outlines, then %d", len(outlines), len(again))
		}
	})
}
