package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

type charsetCase struct {
	file        string
	contentType string
	wantCharset string
	wantLetters []string
}

var (
	german = []string{"Größere", "Äpfel", "über", "Öl", "Übung", "schöne", "Cafés", "5 €"}
	polish = []string{"Zażółć", "gęślą", "jaźń", "łódź", "żółw", "źdźbło"}
)

var charsetCases = []charsetCase{
	{"cp1252-header.html", "text/html; charset=windows-1252", "windows-1252", german},
	// ISO-8859-1 labels mean windows-1252 on the web (WHATWG), which is
	// what makes a € in 0x80 come out right.
	{"cp1252-header.html", "text/html; charset=ISO-8859-1", "windows-1252", german},
	{"cp1252-meta.html", "text/html", "windows-1252", german},
	{"cp1252-http-equiv.html", "text/html", "windows-1252", german},
	{"cp1252-undeclared.html", "text/html", "windows-1252", german},
	{"cp1252-undeclared.html", "", "windows-1252", german},
	{"cp1252-labelled-utf8.html", "text/html; charset=utf-8", "windows-1252", german},
	{"cp1252-labelled-utf8.html", "text/html; charset=UTF8", "windows-1252", german},
	{"iso-8859-2-polish.html", "text/html", "iso-8859-2", polish},
	{"iso-8859-15.html", "text/html; charset=iso-8859-15", "iso-8859-15", []string{"10 €", "cœur", "l'œuvre", "Orléans", "Ÿ", "Š", "Große Straße"}},
	{"utf8-bom.html", "text/html", "utf-8", append(append([]string{}, german...), polish...)},
	// The BOM is in the bytes; a contradicting header loses.
	{"utf8-bom.html", "text/html; charset=iso-8859-1", "utf-8", german},
	{"utf16le-bom.html", "text/html", "utf-16le", append(append([]string{}, german...), polish...)},
	{"latin1-xml-decl.xml", "application/rss+xml", "windows-1252", []string{"Größere", "Äpfel", "über", "Öl", "Cafés"}},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

func checkDecoded(t *testing.T, c charsetCase, text, name string) {
	t.Helper()
	if name != c.wantCharset {
		t.Errorf("charset = %q, want %q", name, c.wantCharset)
	}
	if !utf8.ValidString(text) {
		t.Errorf("decoded text is not valid UTF-8")
	}
	if strings.ContainsRune(text, utf8.RuneError) {
		t.Errorf("decoded text contains U+FFFD: %q", text)
	}
	if strings.HasPrefix(text, "\uFEFF") {
		t.Errorf("decoded text still starts with a BOM")
	}
	for _, w := range c.wantLetters {
		if !strings.Contains(text, w) {
			t.Errorf("decoded text lacks %q: %q", w, text)
		}
	}
}

func TestDecodeHTML(t *testing.T) {
	for _, c := range charsetCases {
		t.Run(c.file+"|"+c.contentType, func(t *testing.T) {
			text, name := DecodeHTML(readFixture(t, c.file), c.contentType)
			checkDecoded(t, c, text, name)
			b, name := DecodeHTMLBytes(readFixture(t, c.file), c.contentType)
			checkDecoded(t, c, string(b), name)
		})
	}
}

// TestResponseText serves each fixture over HTTP with its Content-Type, so the
// header really travels through the transport into Response.Text.
func TestResponseText(t *testing.T) {
	mux := http.NewServeMux()
	for i, c := range charsetCases {
		body := readFixture(t, c.file)
		ct := c.contentType
		mux.HandleFunc("/"+itoa(i), func(w http.ResponseWriter, _ *http.Request) {
			if ct == "" {
				w.Header()["Content-Type"] = nil // stop net/http from sniffing one
			} else {
				w.Header().Set("Content-Type", ct)
			}
			w.Write(body)
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cl := newTestClient(Options{})
	for i, c := range charsetCases {
		t.Run(c.file+"|"+c.contentType, func(t *testing.T) {
			resp, err := cl.Get(context.Background(), Request{URL: srv.URL + "/" + itoa(i)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.ContentType != c.contentType {
				t.Fatalf("ContentType = %q, want %q", resp.ContentType, c.contentType)
			}
			text, name := DecodeHTML(resp.Body, resp.ContentType)
			checkDecoded(t, c, text, name)
			if resp.Text() != text {
				t.Errorf("Text() differs from DecodeHTML")
			}
			if string(resp.HTML()) != text {
				t.Errorf("HTML() differs from DecodeHTML")
			}
		})
	}
}

func TestDecodeHTMLEdgeCases(t *testing.T) {
	tests := []struct {
		name, body, ct, wantText, wantCharset string
	}{
		{"empty", "", "", "", "utf-8"},
		{"plain utf-8", "Grüße", "text/html", "Grüße", "utf-8"},
		{"unknown header label falls through", "Grüße", "text/html; charset=x-nonsense", "Grüße", "utf-8"},
		{"malformed content type", "Grüße", "text/html; charset", "Grüße", "utf-8"},
		{"meta utf-16 without BOM means utf-8", `<meta charset="utf-16">Grüße`, "", `<meta charset="utf-16">Grüße`, "utf-8"},
		{"content without http-equiv is ignored", "<meta content=\"text/html; charset=iso-8859-2\">\xb3", "", "<meta content=\"text/html; charset=iso-8859-2\">³", "windows-1252"},
		{"invalid utf-8 in utf-16 is replaced", "\xff\xfe\x00\xd8", "", "\uFFFD", "utf-16le"},
		{"utf-8 BOM with invalid bytes", "\xef\xbb\xbfa\xffb", "", "a\uFFFDb", "utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, name := DecodeHTML([]byte(tc.body), tc.ct)
			if text != tc.wantText || name != tc.wantCharset {
				t.Errorf("DecodeHTML = (%q, %q), want (%q, %q)", text, name, tc.wantText, tc.wantCharset)
			}
		})
	}
}

func FuzzDecodeHTML(f *testing.F) {
	for _, c := range charsetCases {
		f.Add(readFixture(f, c.file), c.contentType)
	}
	f.Add([]byte("\xfe\xff\x00G\x00r"), "")
	f.Add([]byte(`<?xml version="1.0" encoding="utf-16"?><a/>`), "application/xml")
	f.Add([]byte("<meta http-equiv=content-type content='text/html;charset=koi8-r'>\xc1"), "")
	f.Add([]byte("a\x80\xff\xc3"), "text/html; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		text, name := DecodeHTML(body, ct)
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 out of DecodeHTML(%q, %q)", body, ct)
		}
		if name == "" {
			t.Fatalf("no charset name for DecodeHTML(%q, %q)", body, ct)
		}
		if name == "utf-8" && utf8.Valid(body) && !strings.HasPrefix(string(body), "\uFEFF") && text != string(body) {
			t.Fatalf("valid UTF-8 input was altered: %q -> %q", body, text)
		}
		if text2, name2 := DecodeHTML(body, ct); text2 != text || name2 != name {
			t.Fatalf("DecodeHTML is not deterministic")
		}
		if b, name2 := DecodeHTMLBytes(body, ct); string(b) != text || name2 != name {
			t.Fatalf("DecodeHTMLBytes(%q, %q) = %q, %s; DecodeHTML gives %q, %s", body, ct, b, name2, text, name)
		}
	})
}

func BenchmarkDecodeHTML(b *testing.B) {
	// A realistic article page size: ~100 KB.
	for _, c := range []struct{ file, ct string }{
		{"cp1252-meta.html", "text/html"},
		{"cp1252-labelled-utf8.html", "text/html; charset=utf-8"},
		{"utf8-bom.html", "text/html"},
	} {
		unit := readFixture(b, c.file)
		body := append([]byte{}, unit...)
		for len(body) < 100<<10 {
			body = append(body, unit...)
		}
		b.Run(c.file, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				DecodeHTML(body, c.ct)
			}
		})
	}
	plain := []byte(strings.Repeat("<p>Plain ASCII and UTF-8 text: Grüße aus Köln.</p>\n", 2000))
	b.Run("utf-8 header", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		b.ReportAllocs()
		for b.Loop() {
			DecodeHTML(plain, "text/html; charset=utf-8")
		}
	})
}

// A page that is valid UTF-8 and says so is its own text: one copy into the
// string, not a decoder's pass and copy and a second check and copy (twice
// the page's bytes allocated before; 3% of ingest's CPU).
func TestDecodeHTMLValidUTF8IsOneCopy(t *testing.T) {
	page := []byte(strings.Repeat("<p>Grüße aus Köln, 東京からこんにちは.</p>\n", 2000))
	for _, ct := range []string{"text/html; charset=utf-8", "text/html"} {
		body := page
		if ct == "text/html" {
			body = append([]byte(`<meta charset="utf-8">`), page...)
		}
		if got, name := DecodeHTML(body, ct); got != string(body) || name != "utf-8" {
			t.Fatalf("%s: decoded as %s to something else", ct, name)
		}
		// As bytes it is the page itself, no copy at all.
		if got, name := DecodeHTMLBytes(body, ct); &got[0] != &body[0] || len(got) != len(body) || name != "utf-8" {
			t.Fatalf("%s: DecodeHTMLBytes copied or changed a valid UTF-8 page (%s)", ct, name)
		}
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DecodeHTML(body, ct)
			}
		})
		if got := r.AllocedBytesPerOp(); got > int64(len(body))*5/4 {
			t.Errorf("%s: %d bytes allocated for a page of %d, want one copy", ct, got, len(body))
		}
	}
}
