package bound

import (
	"bytes"
	"slices"
	"strings"

	"golang.org/x/net/html/charset"
)

// XML reports whether doc stays within the limits that limitsFor returns
// for its root element's local name (and for "" before the root), and
// returns an *Error when it does not.
// It mirrors the tokenizer of encoding/xml in non-strict mode (the mode
// every feed, sitemap and OPML parser here uses), so it counts at least
// every element, attribute and level the decoder will produce. XML never
// fails on malformed XML: it leaves that to the parser, which stops at the
// first error having seen no more than XML counted.
func XML(doc []byte, limitsFor func(root string) Limits) error {
	s := scanner{b: doc}
	return s.run(limitsFor)
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) fail(bound string, limit int) error {
	return &Error{Bound: bound, Limit: limit, Line: line(s.b, s.i)}
}

func (s *scanner) getc() (byte, bool) {
	if s.i >= len(s.b) {
		return 0, false
	}
	c := s.b[s.i]
	s.i++
	return c, true
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\r', '\n', '\t':
			s.i++
		default:
			return
		}
	}
}

// name consumes a name as encoding/xml's readName does and returns it, or
// ok=false (consuming nothing) when no name starts here.
func (s *scanner) name() ([]byte, bool) {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c < 0x80 && !isNameByte(c) {
			break
		}
		s.i++
	}
	return s.b[start:s.i], s.i > start
}

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// skipPast moves past the next occurrence of sep, or to the end.
func (s *scanner) skipPast(sep string) {
	if k := bytes.Index(s.b[s.i:], []byte(sep)); k >= 0 {
		s.i += k + len(sep)
		return
	}
	s.i = len(s.b)
}

func (s *scanner) run(limitsFor func(string) Limits) error {
	var (
		lim      = limitsFor("")
		runStart int // where the text since the last tag began
		elements int
		attrs    int
		inScope  int
		// open holds each open element; its length is the current depth.
		// It never grows past lim.Depth.
		open []openElement
	)
	for {
		c, ok := s.getc()
		if !ok {
			if over(s.i-runStart, lim.Text) {
				return s.fail("text", lim.Text)
			}
			// An element left open runs to the end: the parser reads all
			// of it before it notices.
			for _, e := range open {
				if !e.exempt && over(len(s.b)-e.start, lim.Element) {
					s.i = e.start
					return s.fail("element", lim.Element)
				}
			}
			return nil
		}
		if c != '<' {
			// Character data runs to the next '<' (entities never swallow one).
			if k := bytes.IndexByte(s.b[s.i:], '<'); k >= 0 {
				s.i += k
			} else {
				s.i = len(s.b)
			}
			continue
		}
		tagStart := s.i - 1
		if c, ok = s.getc(); !ok {
			return nil
		}
		if c != '?' && c != '!' {
			// A tag ends the run of text (CDATA and comments are part of it).
			if over(tagStart-runStart, lim.Text) {
				s.i = tagStart
				return s.fail("text", lim.Text)
			}
		}
		switch c {
		case '/':
			if _, ok := s.name(); ok && len(open) > 0 {
				// In non-strict mode a mismatched end tag closes at least
				// the innermost element too, so one level per end tag never
				// undercounts.
				e := open[len(open)-1]
				if !e.exempt && over(tagStart-e.start, lim.Element) {
					s.i = e.start
					return s.fail("element", lim.Element)
				}
				inScope -= e.decls
				open = open[:len(open)-1]
			}
			s.skipPast(">")
			runStart = s.i
			continue
		case '?':
			start := s.i
			target, ok := s.name()
			if !ok {
				continue
			}
			s.space()
			body := s.i
			s.skipPast("?>")
			if string(target) == "xml" && switchesEncoding(procInst("encoding", string(s.b[body:max(body, s.i-2)])), atStart(s.b[:start-2])) {
				s.i = start
				return s.fail("encoding", 0)
			}
			continue
		case '!':
			s.bang()
			continue
		}
		// A start tag.
		s.i--
		name, ok := s.name()
		if !ok {
			continue // the decoder stops here: "expected element name after <"
		}
		if elements == 0 {
			lim = limitsFor(localName(string(name)))
			if over(tagStart-runStart, lim.Text) {
				s.i = tagStart
				return s.fail("text", lim.Text) // a prologue of comments, say
			}
		}
		elements++
		if over(elements, lim.Elements) {
			return s.fail("elements", lim.Elements)
		}
		n, decls, empty, longest := s.attrs()
		longest = max(longest, len(name))
		runStart = s.i
		attrs += n
		switch {
		case over(n, lim.ElementAttrs):
			return s.fail("element attributes", lim.ElementAttrs)
		case over(attrs, lim.Attrs):
			return s.fail("attributes", lim.Attrs)
		case over(inScope+decls, lim.Namespaces):
			return s.fail("namespaces", lim.Namespaces)
		case over(longest, lim.Text):
			return s.fail("text", lim.Text)
		}
		if over(len(open)+1, lim.Depth) {
			return s.fail("depth", lim.Depth)
		}
		if over(s.i-tagStart, lim.Element) {
			s.i = tagStart
			return s.fail("element", lim.Element)
		}
		if empty {
			continue
		}
		// Only the document's first root, and the containers directly in it,
		// may be longer than lim.Element.
		root := len(open) == 0 && elements == 1
		exempt := root || len(open) == 1 && open[0].root && slices.Contains(lim.Containers, localName(string(name)))
		open = append(open, openElement{start: tagStart, decls: decls, exempt: exempt, root: root})
		inScope += decls
	}
}

type openElement struct {
	start  int // offset of the start tag
	decls  int // namespace declarations on it
	exempt bool
	root   bool
}

// attrs consumes the rest of a start tag after its name and counts its
// attributes and namespace declarations, as the decoder would read them.
func (s *scanner) attrs() (attrs, decls int, empty bool, longest int) {
	for {
		s.space()
		c, ok := s.getc()
		if !ok {
			return
		}
		if c == '/' {
			// "/>" ends an empty element; anything else stops the decoder.
			empty = s.i < len(s.b) && s.b[s.i] == '>'
			if empty {
				s.i++
			}
			return
		}
		if c == '>' {
			return
		}
		s.i--
		n, ok := s.name()
		if !ok {
			return // "expected attribute name in element"
		}
		attrs++
		longest = max(longest, len(n))
		if string(n) == "xmlns" || bytes.HasPrefix(n, []byte("xmlns:")) {
			decls++
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != '=' {
			continue // non-strict: an attribute without a value
		}
		s.i++
		s.space()
		if s.i >= len(s.b) {
			return
		}
		if q := s.b[s.i]; q == '"' || q == '\'' {
			s.i++
			k := bytes.IndexByte(s.b[s.i:], q)
			if k < 0 {
				k = len(s.b) - s.i
			}
			longest = max(longest, k)
			s.i = min(s.i+k+1, len(s.b))
			continue
		}
		// Non-strict: an unquoted value of letters, digits and _:-
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == ':' || c == '-' {
				s.i++
				continue
			}
			break
		}
		longest = max(longest, s.i-start)
	}
}

// bang consumes a comment, a CDATA section or a directive (<!DOCTYPE ...>)
// after "<!", exactly as far as the decoder would.
func (s *scanner) bang() {
	c, ok := s.getc()
	if !ok {
		return
	}
	switch c {
	case '-':
		if c, ok = s.getc(); !ok || c != '-' {
			return
		}
		// The comment ends at the first "--", which must be followed by '>'.
		s.skipPast("--")
		if s.i < len(s.b) && s.b[s.i] == '>' {
			s.i++
		}
		return
	case '[':
		if !bytes.HasPrefix(s.b[s.i:], []byte("CDATA[")) {
			return
		}
		s.i += len("CDATA[")
		s.skipPast("]]>")
		return
	}
	// A directive: quoted angle brackets do not count for nesting, and
	// comments inside it are skipped.
	var quote byte
	depth := 0
	for {
		c, ok := s.getc()
		if !ok {
			return
		}
		if quote == 0 && c == '>' && depth == 0 {
			return
		}
	handle:
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			for _, want := range []byte("!--") {
				if c, ok = s.getc(); !ok {
					return
				}
				if c != want {
					depth++
					goto handle
				}
			}
			s.skipPast("-->")
		}
	}
}

// switchesEncoding reports whether a declaration of enc makes the decoder
// read the following bytes as something other than this scan sees: any
// encoding declared after the start of the document, or UTF-16 anywhere
// (ASCII-compatible encodings keep every markup byte as it is).
func switchesEncoding(enc string, atStart bool) bool {
	if enc == "" || strings.EqualFold(enc, "utf-8") {
		return false
	}
	if !atStart {
		return true
	}
	e, name := charset.Lookup(enc)
	return e != nil && strings.HasPrefix(name, "utf-16")
}

// atStart reports whether only a byte order mark and white space come
// before a declaration.
func atStart(before []byte) bool {
	before = bytes.TrimPrefix(before, []byte{0xEF, 0xBB, 0xBF})
	return len(bytes.TrimLeft(before, " \t\r\n")) == 0
}

// localName is what encoding/xml reports as the local part of a name.
func localName(n string) string {
	if _, local, ok := strings.Cut(n, ":"); ok && local != "" {
		return local
	}
	return n
}

// procInst returns the value of param in a processing instruction's body,
// as encoding/xml reads it.
func procInst(param, s string) string {
	param += "="
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], param)
		if k < 0 || i+k+len(param) >= len(s) {
			return ""
		}
		i += k + len(param)
		if q := s[i]; q == '\'' || q == '"' {
			if j := strings.IndexByte(s[i+1:], q); j >= 0 {
				return s[i+1 : i+1+j]
			}
			return ""
		}
	}
	return ""
}
