package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// The body trafilatura picks is one opinion on where the story is. A page
// often states another: schema.org's articleBody, written by the CMS from
// the same field the editor typed the story into, for search engines. It
// has no chrome by construction, but it is frequently truncated (paywalls,
// "teaser" bodies) or stale, so it only votes on blocks — it never replaces
// the extraction unless the two agree on most of the story.

// articleBodyOf returns the articleBody of the first article-typed JSON-LD
// object that has one.
func articleBodyOf(objs []map[string]any) string {
	for _, o := range objs {
		if !anyOf(typesOf(o), articleTypes) {
			continue
		}
		if b := str(o["articleBody"]); b != "" {
			// CMSes put entity-escaped HTML in the JSON string.
			b = html.UnescapeString(Text(html.UnescapeString(b)))
			if t := strings.TrimSpace(b); strings.HasSuffix(t, "…") || strings.HasSuffix(t, "...") || strings.HasSuffix(t, "[…]") {
				return "" // a teaser, cut off by the CMS
			}
			return b
		}
	}
	return ""
}

// wordsOf splits s into lower-cased words (letters and digits), the unit
// the votes are counted in.
//
// It is strings.FieldsFunc(strings.ToLower(s), not a letter or number) in
// one pass that lowers only the words' runes, ASCII from a table: ToLower
// maps every rune through a function call, FieldsFunc counts the fields
// first and calls its function twice a rune, and wordsOf runs on every
// block of a page several times.
func wordsOf(s string) []string {
	buf := make([]byte, 0, len(s))
	var ends []int // where each word ends in buf
	in := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if asciiWordByte[c] {
				buf, in = append(buf, c), true
			} else if in {
				ends, in = append(ends, len(buf)), false
			}
			i++
			continue
		}
		// An invalid byte is U+FFFD, as strings.ToLower makes it: no letter.
		r, size := utf8.DecodeRuneInString(s[i:])
		if r = unicode.ToLower(r); unicode.IsLetter(r) || unicode.IsNumber(r) {
			buf, in = utf8.AppendRune(buf, r), true
		} else if in {
			ends, in = append(ends, len(buf)), false
		}
		i += size
	}
	if in {
		ends = append(ends, len(buf))
	}
	if len(ends) == 0 {
		return nil
	}
	all := string(buf)
	words := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		words[i], start = all[start:end], end
	}
	return words
}

// asciiWordByte marks the ASCII letters and digits.
var asciiWordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range rune(utf8.RuneSelf) {
		t[c] = unicode.IsLetter(c) || unicode.IsNumber(c)
	}
	return t
}()

const (
	// minBodyWords: a shorter articleBody is a teaser, not a statement of
	// the whole text.
	minBodyWords = 50
	// agreeShare: the share of articleBody's words the extraction must hold
	// before articleBody may vote blocks out. Below it the two disagree on
	// what the story is, and neither is trusted over the other.
	agreeShare = 0.8
	// minBodyShare: articleBody must be at least this long relative to the
	// extraction; a shorter one is a teaser even when it does not say so.
	minBodyShare = 0.5
	// foreignShare: a block whose words are mostly absent from articleBody
	// is chrome that sits inside the article container (captions of other
	// stories, author boxes, "about us" footers).
	foreignShare = 0.5
	// minVoteWords: blocks this short carry too few words to judge.
	minVoteWords = 4
)

// voteArticleBody removes the extracted blocks articleBody disowns, when
// articleBody and the extraction agree on the story as a whole.
func voteArticleBody(root *html.Node, body string) {
	bw := wordsOf(body)
	if len(bw) < minBodyWords {
		return
	}
	inBody := make(map[string]bool, len(bw))
	for _, w := range bw {
		inBody[w] = true
	}
	ew := wordsOf(textOf(root))
	if float64(len(bw)) < minBodyShare*float64(len(ew)) {
		return
	}
	inExtract := make(map[string]bool, len(ew))
	for _, w := range ew {
		inExtract[w] = true
	}
	held := 0
	for _, w := range bw {
		if inExtract[w] {
			held++
		}
	}
	if float64(held) < agreeShare*float64(len(bw)) {
		return
	}
	var drop []*html.Node
	walk(root, func(n *html.Node) bool {
		if !leafBlocks[n.Data] || hasBlockChild(n) {
			return true
		}
		words := wordsOf(textOf(n))
		if len(words) < minVoteWords {
			return false
		}
		known := 0
		for _, w := range words {
			if inBody[w] {
				known++
			}
		}
		if float64(known) < foreignShare*float64(len(words)) {
			drop = append(drop, n)
		}
		return false
	})
	for _, n := range drop {
		remove(n)
	}
}
