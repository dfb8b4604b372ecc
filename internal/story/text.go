package story

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and strips diacritics ("Économie" → "economie"), so
// the same name written with and without accents, or in two languages that
// share it, is one word.
func fold(s string) string { return newFolder().fold(s) }

// folder folds words with one transformer, made once per text: building
// the x/text chain costs two 4 KB buffers, too much to pay per word of a
// Cyrillic or Greek article.
type folder struct{ t transform.Transformer }

func newFolder() *folder {
	return &folder{t: transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)}
}

func (f *folder) fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	out, _, err := transform.String(f.t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// word is one token of a text: its folded form and whether it was written
// with a capital letter inside a sentence (a name, in most languages the
// outlet publishes).
type word struct {
	text    string
	capital bool
}

// words splits s into folded words; capital marks words that start with an
// upper-case letter and do not start a sentence.
func words(s string) []word {
	var out []word
	var f *folder // made at the first non-ASCII word
	sentenceStart := true
	for len(s) > 0 {
		// Skip to the next letter or digit, noting sentence ends.
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if r == '.' || r == '!' || r == '?' || r == ':' || r == '\n' || r == '"' || r == '«' || r == '“' {
				sentenceStart = true
			}
			s = s[size:]
			continue
		}
		end := 0
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !(r == '\'' || r == '’') {
				break
			}
			end += size
		}
		tok := s[:end]
		s = s[end:]
		// Drop elisions and possessives: l'économie → économie, Obama's → Obama.
		if i := strings.IndexAny(tok, "'’"); i >= 0 {
			_, n := utf8.DecodeRuneInString(tok[i:])
			if i <= 3 && i+n < len(tok) {
				tok = tok[i+n:]
			} else {
				tok = tok[:i]
			}
			tok = strings.TrimRight(tok, "'’")
		}
		if tok == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(tok)
		folded := strings.ToLower(tok)
		for i := 0; i < len(tok); i++ {
			if tok[i] >= utf8.RuneSelf {
				if f == nil {
					f = newFolder()
				}
				folded = f.fold(tok)
				break
			}
		}
		out = append(out, word{text: folded, capital: unicode.IsUpper(first) && !sentenceStart})
		sentenceStart = false
	}
	return out
}

// stem reduces a folded word to a language-blind stem: its first stemLen
// letters. Truncation is crude for one language but it is the same rule for
// all of them, so cognates meet across languages ("president",
// "presidente", "präsident" → "presid"/"prasid" close enough in their
// shared names and numbers; "economy", "economia" → "econom").
func stem(w string) string {
	const stemLen = 6
	n := 0
	for i := range w {
		if n == stemLen {
			return w[:i]
		}
		n++
	}
	return w
}

// urlWords are the words of a URL's path: the slug most news sites build
// from the headline. Numeric ids and file extensions carry nothing.
func urlWords(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	for _, seg := range strings.Split(u.Path, "/") {
		seg = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(seg, ".html"), ".htm"), ".php")
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '+' || r == '.' || r == ',' }) {
			w = fold(w)
			if len(w) < 3 || isNumber(w) || looksLikeID(w) {
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// looksLikeID is a URL token mixing letters and many digits (idINBREA290VH).
func looksLikeID(s string) bool {
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits >= 3
}

// lead returns at most the first n bytes of s, cut at a rune boundary.
func lead(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
