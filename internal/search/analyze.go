package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"spektrum/internal/lang"
)

// maxTermBytes bounds one term: a longer "word" is a URL, a hash or junk,
// and no reader types it.
const maxTermBytes = 64

// stemmers are the Snowball stemmers by language; Polish has none in
// Snowball and gets a light suffix stripper (polish.go). A language with
// neither is folded and lower-cased only.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"en": english.Stem, "de": german.Stem, "fr": french.Stem,
	"es": spanish.Stem, "it": italian.Stem, "pt": portuguese.Stem,
}

// Languages lists the languages with stemming and stop words.
func Languages() []string { return []string{"de", "en", "es", "fr", "it", "pl", "pt"} }

// Analyzer turns text of one language into index terms. It is cheap to
// make and not safe for concurrent use (it reuses buffers). It remembers
// the term of every distinct word it has analysed, so make one per
// document or query, not one for a process.
type Analyzer struct {
	lang string
	stem func(*snowballstem.Env) bool
	env  *snowballstem.Env
	stop map[string]bool
	fold transform.Transformer
	// terms holds the term of every word analysed so far: an article
	// repeats most of its words, and stemming each afresh was most of
	// indexing it (made at the first word).
	terms map[string]string
}

// NewAnalyzer returns the analyzer of language code l ("" or an unknown
// language: no stemming, no stop words).
func NewAnalyzer(l string) *Analyzer {
	l = lang.Base(l)
	return &Analyzer{lang: l, stem: stemmers[l], env: snowballstem.NewEnv(""), stop: stopwords[l],
		fold: transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)}
}

// Token is one word of a text: where it is (byte offsets) and its term,
// "" for a stop word or a word too long to index.
type Token struct {
	Start, End int
	Term       string
}

// Tokens splits text into words (runs of letters and digits; an
// apostrophe splits, so "l'élection" is "l" and "élection") and analyses
// each.
func (a *Analyzer) Tokens(text string) []Token {
	var out []Token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		out = append(out, Token{Start: start, End: i, Term: a.Term(text[start:i])})
	}
	return out
}

// Terms returns the terms of text in order, stop words left out.
func (a *Analyzer) Terms(text string) []string {
	var out []string
	for _, t := range a.Tokens(text) {
		if t.Term != "" {
			out = append(out, t.Term)
		}
	}
	return out
}

// Term analyses one word: lower-cased, stop word dropped (""), stemmed in
// its language, then diacritics folded — stemming first, because the
// Snowball rules read accents (French "é", German "ä"), folding after, so
// that "Economie" and "économie" meet.
func (a *Analyzer) Term(word string) string {
	if t, ok := a.terms[word]; ok {
		return t
	}
	if a.terms == nil {
		a.terms = make(map[string]string)
	}
	t := a.analyze(word)
	a.terms[word] = t
	return t
}

// analyze is Term without the memory of words analysed before.
func (a *Analyzer) analyze(word string) string {
	w := strings.ToLower(word)
	f := a.foldWord(w)
	if len(f) > maxTermBytes || a.stop[f] {
		return ""
	}
	switch {
	case a.stem != nil:
		a.env.SetCurrent(w)
		a.stem(a.env)
		return a.foldWord(a.env.Current())
	case a.lang == "pl":
		return stemPolish(f)
	}
	return f
}

// special are letters that are not a base letter plus combining marks,
// so NFD leaves them; folded by hand so "Łódź" and "Lodz" meet.
var special = strings.NewReplacer("ł", "l", "ß", "ss", "ø", "o", "æ", "ae", "œ", "oe", "đ", "d", "ı", "i", "þ", "th", "ð", "d")

func (a *Analyzer) foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	out, _, err := transform.String(a.fold, w)
	if err != nil {
		out = w
	}
	return special.Replace(out)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// MaxFieldTerms bounds the terms indexed from one field: PostgreSQL keeps
// word positions only up to 16,383, and the two databases must index the
// same terms at the same positions. News texts stay far below it.
const MaxFieldTerms = 8000

// Fields analyses a document's title and body (lead and text) in
// language l, each capped at MaxFieldTerms.
func Fields(l, title, body string) (titleTerms, bodyTerms []string) {
	a := NewAnalyzer(l)
	titleTerms, bodyTerms = a.Terms(title), a.Terms(body)
	return titleTerms[:min(len(titleTerms), MaxFieldTerms)], bodyTerms[:min(len(bodyTerms), MaxFieldTerms)]
}
