// Package lang identifies the language of article texts and titles. It wraps
// github.com/pemistahl/lingua-go in low-accuracy mode over a fixed set of
// languages: on Spektrum's labelled set (testdata/labelled.tsv, 27 languages)
// that mode was right on 69 of 71 texts with a 22 MB model heap, where the
// high-accuracy mode needs 475 MB and whatlanggo got 58 of 71 (see
// docs/benchmarks.md and compare/).
//
// It only identifies; deciding which language an article is stored under is
// the pipeline's business (Resolve is the rule it uses).
package lang

import (
	"strings"
	"unicode"

	"github.com/pemistahl/lingua-go"
)

// Codes returns the ISO 639-1 languages the Detector tells apart: the
// languages of European and world news Spektrum is likely to republish.
func Codes() []string {
	return []string{"en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sv", "da", "fi", "hu", "ro", "tr",
		"ru", "uk", "bg", "el", "ar", "he", "ja", "zh", "ko", "hi", "id", "ca"}
}

// Thresholds for trusting a detection.
const (
	// minLetters: below this many letters (a two-word title) a guess is noise.
	minLetters = 12
	// minConfidence is lingua's relative confidence (0–1) a detection needs
	// to count at all.
	minConfidence = 0.5
	// overrideLetters and overrideConfidence: how sure we must be before we
	// contradict a language the page or feed declared.
	overrideLetters    = 80
	overrideConfidence = 0.9
)

// Detector identifies languages. It is safe for concurrent use; build one
// per process (the models are shared by lingua after the first build).
type Detector struct {
	d lingua.LanguageDetector
}

// New builds a detector for Codes.
func New() *Detector {
	codes := Codes()
	langs := make([]lingua.Language, 0, len(codes))
	for _, c := range codes {
		langs = append(langs, lingua.GetLanguageFromIsoCode639_1(lingua.GetIsoCode639_1FromValue(c)))
	}
	d := lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).WithLowAccuracyMode().Build()
	return &Detector{d: d}
}

// Result is one identification.
type Result struct {
	Code       string  // ISO 639-1, "" when the language is unknown
	Confidence float64 // 0–1, relative to the other candidate languages
	Letters    int     // letters the decision was based on
}

// Detect identifies the language of text. Text too short, without letters,
// or in none of Codes gives Code "".
func (d *Detector) Detect(text string) Result {
	text = sample(text)
	n := letters(text)
	if n < minLetters {
		return Result{Letters: n}
	}
	// One pass: DetectLanguageOf and ComputeLanguageConfidence each
	// compute every language's confidence afresh; this is what they do
	// with the values (a tie at the top is no detection), done once.
	vals := d.d.ComputeLanguageConfidenceValues(text)
	if len(vals) == 0 || (len(vals) > 1 && vals[0].Value() == vals[1].Value()) {
		return Result{Letters: n}
	}
	l, conf := vals[0].Language(), vals[0].Value()
	if conf < minConfidence {
		return Result{Confidence: conf, Letters: n}
	}
	return Result{Code: strings.ToLower(l.IsoCode639_1().String()), Confidence: conf, Letters: n}
}

// Resolve decides an article's language from what its page or feed
// declared and what its text says: the declaration wins unless the text is
// long and clearly in another language (feeds often declare the site's
// language for every item); with no declaration the detection is used.
// mismatch reports a declaration that was overruled.
func (d *Detector) Resolve(declared, text string) (code string, mismatch bool) {
	declared = Base(declared)
	r := d.Detect(text)
	switch {
	case declared == "":
		return r.Code, false
	case r.Code == "" || r.Code == declared:
		return declared, false
	case r.Letters >= overrideLetters && r.Confidence >= overrideConfidence:
		return r.Code, true
	}
	return declared, false
}

// ResolveGuessed is Resolve given also guess, the text's language as a
// cheap detector read it (the pipeline passes go-trafilatura's whatlanggo
// guess over the body, which the extraction computes anyway). When the
// declaration and the guess agree, lingua is not run: Resolve could only
// overrule the two of them when lingua alone read the text otherwise at
// 0.9 confidence, and on the benchmark's pages it never did (see
// TestResolveGuessedAEB in internal/bench/aeb). lingua's pass is a seventh of
// a page's ingest CPU. Without a declaration, or when the two disagree,
// it is Resolve.
func (d *Detector) ResolveGuessed(declared, guess, text string) (code string, mismatch bool) {
	if b := Base(declared); b != "" && b == Base(guess) {
		return b, false
	}
	return d.Resolve(declared, text)
}

// sample caps the text looked at: the first thousand or so characters of
// an article (its title, lead and first paragraphs) say as much about its
// language as the whole, at a fraction of the cost, which grows with the
// text's length (3,000 bytes, with the confidences computed twice, took
// 12 ms an article; the labelled set's longest texts are well under the cap).
func sample(text string) string {
	const max = 1200
	if len(text) <= max {
		return text
	}
	cut := text[:max]
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.ToValidUTF8(cut, "")
}

// letters counts letters, a CJK character as three: one carries about as
// much as a short word, and headlines in those scripts are a dozen long.
func letters(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
			n += 3
		case unicode.IsLetter(r):
			n++
		}
	}
	return n
}
