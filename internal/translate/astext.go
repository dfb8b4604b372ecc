package translate

import (
	"errors"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// An engine may keep a segment's words but mangle its markup. Apertium, for
// one, moves words around tags it passes through untouched: "The <a>city’s</a>
// plan" comes back as "El plan del</a> <a>ciudad", a stray end tag and a link
// left open. Such a segment is not garbage (its text is a translation) and
// asking again gives the same answer, so rejecting it would reject the
// article for ever. It is translated as text instead (asText) and its links
// are put back on the translations of their anchor texts.

// markupKept reports whether out keeps in's links and images, each link
// around some text if it had text, and is well formed (no stray end tag, no
// element left open, no link inside a link).
func markupKept(in, out string) bool {
	a, _ := linkShape(in) // segments are rendered by the html package: well formed
	b, ok := linkShape(out)
	return ok && a == b && strings.TrimSpace(out) != ""
}

// linkShape summarises a fragment's links (target, and whether they hold
// text) and images (source), sorted: a translation may move a link within
// its sentence. ok is false when the fragment is not well formed.
func linkShape(fragment string) (shape string, ok bool) {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var parts, open []string
	link := -1 // index in parts of the link we are in
	ok = true
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				return "", false
			}
			slices.Sort(parts)
			return strings.Join(parts, " "), ok && len(open) == 0
		case html.TextToken:
			if link >= 0 && strings.TrimSpace(string(z.Text())) != "" && !strings.HasSuffix(parts[link], "+text") {
				parts[link] += "+text"
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.DataAtom {
			case atom.A:
				if link >= 0 {
					ok = false // a link in a link
				}
				parts = append(parts, "a["+attr(t, "href")+"]")
				if tt == html.StartTagToken {
					link = len(parts) - 1
				}
			case atom.Img:
				parts = append(parts, "img["+attr(t, "src")+"]")
			}
			if tt == html.StartTagToken && !isVoid(t.DataAtom) {
				open = append(open, t.Data)
			}
		case html.EndTagToken:
			t := z.Token()
			if isVoid(t.DataAtom) {
				continue
			}
			if len(open) == 0 || open[len(open)-1] != t.Data {
				ok = false // a stray or crossed end tag
				continue
			}
			open = open[:len(open)-1]
			if t.DataAtom == atom.A {
				link = -1
			}
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input, atom.Link,
		atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// textSegment is a segment taken apart for translation as text: its text,
// its links' anchor texts, and what cannot be put on a word (images, links
// around an image), kept before or after the text as they were.
type textSegment struct {
	text          string
	links         []textLink
	before, after []string // rendered markup without text
}

type textLink struct {
	start string // the rendered start tag
	text  string
}

// splitText takes a segment apart; inline emphasis is lost (it is the
// engine's mangling of markup that brought us here).
func splitText(seg string) textSegment {
	var ts textSegment
	var b strings.Builder
	var cur *textLink
	var loose strings.Builder // markup of a text-less link in progress
	z := html.NewTokenizer(strings.NewReader(seg))
	put := func(m string) {
		if strings.TrimSpace(b.String()) == "" {
			ts.before = append(ts.before, m)
		} else {
			ts.after = append(ts.after, m)
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return finishText(ts, b.String())
		case html.TextToken:
			s := string(z.Text()) // unescaped by the tokenizer
			b.WriteString(s)
			if cur != nil {
				cur.text += s
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.DataAtom {
			case atom.A:
				if tt == html.StartTagToken && cur == nil {
					cur = &textLink{start: t.String()}
					loose.Reset()
				}
			case atom.Img:
				if cur != nil {
					loose.WriteString(t.String())
				} else {
					put(t.String())
				}
			case atom.Br:
				b.WriteString(" ")
			}
		case html.EndTagToken:
			if t := z.Token(); t.DataAtom == atom.A && cur != nil {
				switch {
				case strings.TrimSpace(cur.text) != "":
					ts.links = append(ts.links, *cur)
				case loose.Len() > 0:
					put(cur.start + loose.String() + "</a>")
				}
				cur = nil
			}
		}
	}
}

func finishText(ts textSegment, text string) textSegment {
	ts.text = strings.Join(strings.Fields(text), " ")
	for i := range ts.links {
		ts.links[i].text = strings.Join(strings.Fields(ts.links[i].text), " ")
	}
	return ts
}

// requests are the texts to translate for ts: its text, then each anchor
// text, escaped as HTML (every segment sent is HTML).
func (ts textSegment) requests() []string {
	out := []string{html.EscapeString(ts.text)}
	for _, l := range ts.links {
		out = append(out, html.EscapeString(l.text))
	}
	return out
}

// join builds the segment from the translations of requests(): each link
// goes on the first unclaimed place its anchor text's translation appears
// (a link that was the whole text stays on the whole text), and is left out
// where it appears nowhere. It returns the HTML and the links left out.
func (ts textSegment) join(tr []string) (string, int) {
	text := strings.Join(strings.Fields(plain(tr[0])), " ")
	lower := fold(text)
	type span struct {
		lo, hi int
		start  string
	}
	var spans []span
	free := func(lo, hi int) bool {
		for _, s := range spans {
			if lo < s.hi && s.lo < hi {
				return false
			}
		}
		return true
	}
	find := func(needle string, from int) (int, bool) {
		for off := from; off < len(lower); {
			j := strings.Index(lower[off:], needle)
			if j < 0 {
				return 0, false
			}
			lo, hi := off+j, off+j+len(needle)
			if free(lo, hi) && wordEdge(lower, lo) && wordEdge(lower, hi) {
				return lo, true
			}
			off = lo + 1
		}
		return 0, false
	}
	dropped, pos := 0, 0
	for i, l := range ts.links {
		if len(ts.links) == 1 && l.text == ts.text {
			spans = append(spans, span{0, len(text), l.start})
			continue
		}
		placed := false
		for _, needle := range anchorCandidates(fold(plain(tr[i+1]))) {
			j, ok := find(needle, pos)
			if !ok {
				j, ok = find(needle, 0)
			}
			if ok {
				spans = append(spans, span{j, j + len(needle), l.start})
				pos, placed = j+len(needle), true
				break
			}
		}
		if !placed {
			dropped++
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.lo - b.lo })
	var b strings.Builder
	for _, m := range ts.before {
		b.WriteString(m)
		b.WriteString(" ")
	}
	at := 0
	for _, s := range spans {
		b.WriteString(html.EscapeString(text[at:s.lo]))
		b.WriteString(s.start)
		b.WriteString(html.EscapeString(text[s.lo:s.hi]))
		b.WriteString("</a>")
		at = s.hi
	}
	b.WriteString(html.EscapeString(text[at:]))
	for _, m := range ts.after {
		b.WriteString(" ")
		b.WriteString(m)
	}
	return strings.TrimSpace(b.String()), dropped
}

// anchorCandidates lists what to look for in the translated text for a link
// whose anchor text translated alone as anchor: the whole of it, then its
// runs of consecutive words, longest first, that hold a word of four or more
// letters ("government’s" alone is "El gobierno es", in a sentence "del
// gobierno": the link goes on "gobierno").
func anchorCandidates(anchor string) []string {
	const trim = " .,;:!?¡¿\"'«»“”‘’()"
	words := strings.Fields(anchor)
	if len(words) > 12 { // long anchors: only the whole
		words = []string{strings.Join(words, " ")}
	}
	var out []string
	seen := map[string]bool{}
	for n := len(words); n >= 1; n-- {
		for i := 0; i+n <= len(words); i++ {
			c := strings.Trim(strings.Join(words[i:i+n], " "), trim)
			if c == "" || seen[c] || (n < len(words) && !hasLongWord(c)) {
				continue
			}
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func hasLongWord(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if utf8.RuneCountInString(w) >= 4 {
			return true
		}
	}
	return false
}

// wordEdge reports whether i in s is not inside a word.
func wordEdge(s string, i int) bool {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); isWord(r) && i < len(s) {
			if r2, _ := utf8.DecodeRuneInString(s[i:]); isWord(r2) {
				return false
			}
		}
	}
	return true
}

// plain is the text of a translated fragment, unescaped; an engine that
// added markup to a text gets it removed.
func plain(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// fold lower-cases s where that keeps every byte offset, so that a match in
// fold(s) is a match at the same place in s.
func fold(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, s)
}
