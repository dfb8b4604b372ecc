package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Language names come from CLDR through x/text's display tables: one table
// for every language Spektrum identifies in every UI language, so no
// language is ever shown as a bare key or code where CLDR has a name.

// Base reduces "de-AT", "de_AT", " DE " to "de", and a list such as a
// Content-Language header ("de, en") to its first: the one normaliser of
// language codes (pages, feeds, editions, sources, subscribers, catalogues).
func Base(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_,; "); i >= 0 {
		code = code[:i]
	}
	return code
}

// Code is Base for a code that must be a language: "" unless the result is
// two or three letters a–z ("deutsch", "x" and "" give "").
func Code(code string) string {
	code = Base(code)
	if len(code) < 2 || len(code) > 3 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz") != "" {
		return ""
	}
	return code
}

// Endonym names a language in itself, capitalised for a menu ("de" →
// "Deutsch", "fr" → "Français"), or gives the code in capitals when it is
// not a known language.
func Endonym(code string) string {
	t, ok := tag(code)
	if !ok {
		return strings.ToUpper(Base(code))
	}
	n := display.Self.Name(t)
	if n == "" {
		return strings.ToUpper(Base(code))
	}
	return capitalize(n)
}

// Name names the language code in the language in, as it is written in
// running text ("id" in "es" → "indonesio", in "de" → "Indonesisch"). An
// unknown in gives English; an unknown code gives the code in capitals.
func Name(code, in string) string {
	t, ok := tag(code)
	if !ok {
		return strings.ToUpper(Base(code))
	}
	it, ok := tag(in)
	if !ok {
		it = language.English
	}
	n := display.Languages(it).Name(t)
	if n == "" {
		if n = display.English.Languages().Name(t); n == "" {
			return strings.ToUpper(Base(code))
		}
	}
	return n
}

// tag parses a base code; codes that are not two- or three-letter
// languages (an empty one, "und", garbage) are not names.
func tag(code string) (language.Tag, bool) {
	code = Code(code)
	if code == "" {
		return language.Und, false
	}
	b, err := language.ParseBase(code)
	if err != nil {
		return language.Und, false
	}
	t, err := language.Compose(b)
	if err != nil || t == language.Und {
		return language.Und, false
	}
	return t, true
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + s[n:]
}
