package feed

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// xmlDecl matches an XML declaration at the very start of the document and
// captures its encoding pseudo-attribute.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\?>`)
var declEncoding = regexp.MustCompile(`encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']`)

// utf8Decl replaces the original declaration once the body has been decoded,
// so that no XML decoder downstream converts the text a second time.
const utf8Decl = `<?xml version="1.0" encoding="UTF-8"?>`

// binaryReason reports why body is clearly not text, or "" if it may be.
func binaryReason(body []byte) string {
	if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		return "the body is gzip-compressed data; the fetcher must decompress it (Content-Encoding) before parsing"
	}
	if hasUTF16BOM(body) {
		return ""
	}
	head := body[:min(len(body), 1024)]
	if bytes.IndexByte(head, 0) >= 0 {
		return "the body is binary data (NUL bytes), not a text feed; check that the URL serves a feed and not a file download"
	}
	return ""
}

func hasUTF16BOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE})
}

// toUTF8 returns body as valid UTF-8, with an XML declaration (if any)
// rewritten to say so. Order of trust: a BOM, then the declared encoding,
// then UTF-8 with repair.
func toUTF8(body []byte) ([]byte, error) {
	if rest, ok := bytes.CutPrefix(body, []byte{0xEF, 0xBB, 0xBF}); ok {
		return rewriteDecl(repairUTF8(rest)), nil
	}
	if hasUTF16BOM(body) {
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("%w: the body has a UTF-16 byte order mark but does not decode as UTF-16: %v", ErrMalformed, err)
		}
		return rewriteDecl(repairUTF8(out)), nil
	}
	label := declaredEncoding(body)
	if label == "" {
		return repairUTF8(body), nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil || name == "utf-8" || enc == encoding.Nop {
		// An unknown label is more often a typo for UTF-8 than anything
		// else; decoding as UTF-8 with repair keeps the feed readable.
		return rewriteDecl(repairUTF8(body)), nil
	}
	if name == "utf-16le" || name == "utf-16be" {
		// Declared UTF-16 without a BOM, yet the bytes passed the NUL check
		// above: the declaration is wrong and the body is an 8-bit encoding.
		return rewriteDecl(repairUTF8(body)), nil
	}
	if isSingleByte(name) && utf8.Valid(body) && hasMultiByte(body) {
		// Declared ISO-8859-1 or windows-1252 but the bytes are valid UTF-8
		// with non-ASCII runes: a CMS template with a stale declaration.
		// Real Latin-1 text practically never forms valid UTF-8 sequences,
		// and decoding it as declared would turn "ü" into "Ã¼".
		return rewriteDecl(body), nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("%w: decode body as declared encoding %q: %v", ErrMalformed, label, err)
	}
	return rewriteDecl(repairUTF8(out)), nil
}

func isSingleByte(name string) bool {
	return strings.HasPrefix(name, "windows-") || strings.HasPrefix(name, "iso-8859-") || strings.HasPrefix(name, "koi8")
}

func hasMultiByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func declaredEncoding(body []byte) string {
	decl := xmlDecl.Find(body[:min(len(body), 512)])
	if decl == nil {
		return ""
	}
	m := declEncoding.FindSubmatch(decl)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func rewriteDecl(body []byte) []byte {
	loc := xmlDecl.FindIndex(body[:min(len(body), 512)])
	if loc == nil {
		return body
	}
	out := make([]byte, 0, len(body)-loc[1]+len(utf8Decl))
	out = append(out, utf8Decl...)
	return append(out, body[loc[1]:]...)
}

// repairUTF8 returns b unchanged if it is valid UTF-8. Otherwise each byte
// that does not start a valid sequence is decoded as windows-1252: feeds
// that declare UTF-8 but carry windows-1252 bytes (a legacy database behind
// a UTF-8 template) are common, and this recovers "für" where U+FFFD would
// lose the letter. Bytes windows-1252 leaves undefined become U+FFFD.
func repairUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, windows1252Rune(b[0]))
			b = b[1:]
			continue
		}
		out = append(out, b[:size]...)
		b = b[size:]
	}
	return out
}

func windows1252Rune(c byte) rune {
	r := charmap.Windows1252.DecodeByte(c)
	if r == 0 || (c >= 0x80 && c < 0xA0 && r == rune(c)) {
		return utf8.RuneError
	}
	return r
}
