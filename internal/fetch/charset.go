package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// prescanBytes is how far into a document we look for <meta charset> or an
// XML declaration. WHATWG says 1024; some CMSes put a kilobyte of comments and
// scripts first, and looking further costs next to nothing.
const prescanBytes = 4096

// Text returns the body as valid UTF-8; see DecodeHTML.
func (r *Response) Text() string {
	text, _ := DecodeHTML(r.Body, r.ContentType)
	return text
}

// HTML is Text as bytes: r.Body itself when it is valid UTF-8 (see
// DecodeHTMLBytes), which the caller must not change.
func (r *Response) HTML() []byte {
	text, _ := DecodeHTMLBytes(r.Body, r.ContentType)
	return text
}

// DecodeHTML decodes body (HTML, XML or feed bytes) to valid UTF-8 and names
// the charset it used. The evidence is weighed in this order:
//
//  1. a byte order mark — it is in the bytes themselves, so it beats a header
//     (WHATWG does the same);
//  2. the charset parameter of contentType;
//  3. <meta charset> or <meta http-equiv="Content-Type"> in the first bytes;
//  4. the encoding of an XML declaration;
//  5. sniffing: valid UTF-8 stays UTF-8, anything else is read as
//     windows-1252, the WHATWG default for Western European text.
//
// A declaration of UTF-8 (header, meta or XML) is trusted only if the bytes
// are valid UTF-8: misconfigured servers routinely label windows-1252 pages
// as UTF-8, and believing them would turn every umlaut into U+FFFD.
// Invalid sequences are replaced with U+FFFD, never passed on.
func DecodeHTML(body []byte, contentType string) (text string, charsetName string) {
	text, same, charsetName := decodeHTML(body, contentType)
	if same {
		return string(body), charsetName
	}
	return text, charsetName
}

// DecodeHTMLBytes is DecodeHTML for a caller that wants bytes: a valid
// UTF-8 page (most) is body itself, not two copies of it (the string, then
// the bytes of the string); the caller must not change body while it uses
// the result.
func DecodeHTMLBytes(body []byte, contentType string) (text []byte, charsetName string) {
	s, same, charsetName := decodeHTML(body, contentType)
	if same {
		return body, charsetName
	}
	return []byte(s), charsetName
}

// decodeHTML is DecodeHTML; same reports that the text is body as it is,
// left for the caller to copy or not (text is then "").
func decodeHTML(body []byte, contentType string) (text string, same bool, charsetName string) {
	if enc, name, n := bomEncoding(body); enc != nil {
		return decodeWith(enc, body[n:]), false, name
	}
	valid := utf8.Valid(body)
	accept := func(enc encoding.Encoding, name string) bool {
		if enc == nil {
			return false
		}
		return name != "utf-8" || valid
	}
	decode := func(enc encoding.Encoding, name string) (string, bool) {
		if name == "utf-8" {
			// Valid (accept): decoding would copy the bytes twice (the
			// decoder's output, then the string), check them twice and
			// give them back as they are. Most pages; 3% of ingest's CPU.
			return "", true
		}
		return decodeWith(enc, body), false
	}

	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if label := params["charset"]; label != "" {
			if enc, name := charset.Lookup(label); accept(enc, name) {
				text, same := decode(enc, name)
				return text, same, name
			}
		}
	}
	head := body[:min(len(body), prescanBytes)]
	if enc, name := metaCharset(head); accept(enc, name) {
		text, same := decode(enc, name)
		return text, same, name
	}
	if enc, name := xmlDeclCharset(head); accept(enc, name) {
		text, same := decode(enc, name)
		return text, same, name
	}
	if valid {
		return "", true, "utf-8"
	}
	return decodeWith(charmap.Windows1252, body), false, "windows-1252"
}

func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	}
	return nil, "", 0
}

func decodeWith(enc encoding.Encoding, b []byte) string {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// x/text decoders replace rather than fail; should one still fail,
		// the raw bytes sanitised below are the best we have.
		out = b
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// metaCharset is the WHATWG prescan for <meta charset=…> and
// <meta http-equiv="Content-Type" content="…; charset=…">.
func metaCharset(head []byte) (encoding.Encoding, string) {
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tag, hasAttr := z.TagName()
			if string(tag) != "meta" {
				continue
			}
			var label string
			pragma, fromContent := false, false
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "charset":
					label, fromContent = string(v), false
				case "http-equiv":
					pragma = strings.EqualFold(string(v), "content-type")
				case "content":
					if label == "" {
						if _, params, err := mime.ParseMediaType(string(v)); err == nil {
							label, fromContent = params["charset"], true
						}
					}
				}
			}
			if label == "" || fromContent && !pragma {
				continue
			}
			enc, name := charset.Lookup(label)
			if enc == nil {
				continue
			}
			// A document that could declare itself in ASCII-compatible
			// bytes is not UTF-16, whatever it says (WHATWG).
			if strings.HasPrefix(name, "utf-16") {
				return unicode.UTF8, "utf-8"
			}
			return enc, name
		}
	}
}

var xmlDeclRE = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

func xmlDeclCharset(head []byte) (encoding.Encoding, string) {
	m := xmlDeclRE.FindSubmatch(head)
	if m == nil {
		return nil, ""
	}
	enc, name := charset.Lookup(string(m[1]))
	if strings.HasPrefix(name, "utf-16") {
		return unicode.UTF8, "utf-8"
	}
	return enc, name
}
