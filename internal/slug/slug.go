// Package slug is the one rule for the words in Spektrum's addresses: article
// slugs (/2025/03/04/{slug}) and section slugs (/section/{slug}), and the
// display name a section gets from its slug. It only makes strings; where a
// slug is stored and kept unique is the store's business.
//
// Changing the rule changes only new slugs: stored ones are looked up as
// they are, so existing addresses keep working.
package slug

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen keeps slugs readable in URLs; collision suffixes may add a few.
const maxSlugLen = 80

// translit spells letters that do not decompose into ASCII plus accents, and
// the German umlauts whose accepted spelling is not the bare vowel.
var translit = map[rune]string{
	'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'Ä': "ae", 'Ö': "oe", 'Ü': "ue", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ŀ': "l",
	// Cyrillic, roughly (a readable slug, not a standard transliteration).
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "ye",
	'ж': "zh", 'з': "z", 'и': "i", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh",
	'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e",
	'ю': "yu", 'я': "ya", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz",
	// Greek, roughly.
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i",
	'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s",
	'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// Make makes a URL slug from a title or name: lowercase ASCII letters and
// digits joined by single hyphens, at most about 80 characters, cut at a
// word boundary when possible. Accented Latin letters lose their accents,
// German umlauts become ae/oe/ue, Cyrillic and Greek are transliterated
// roughly, anything else (CJK, symbols) is dropped. A text with nothing left
// gives "": the caller decides what stands in for it.
func Make(title string) string {
	var b strings.Builder
	hyphen := false // a separator is pending
	emit := func(s string) {
		if s == "" {
			return
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(s)
	}
	// NFC first so a decomposed "a\u0308" is found in translit as 'ä'.
	for _, r := range norm.NFC.String(title) {
		lr := unicode.ToLower(r)
		switch {
		case lr < 128 && (lr >= 'a' && lr <= 'z' || lr >= '0' && lr <= '9'):
			emit(string(lr))
		case translit[lr] != "":
			emit(translit[lr])
		case lr == '\'' || lr == '’' || unicode.Is(unicode.Mn, lr):
			// apostrophes join ("don't" → "dont"); stray marks vanish
		case unicode.IsLetter(lr) || unicode.IsNumber(lr):
			// Strip accents: é → e + ◌́, keep the ASCII base letters.
			for _, d := range norm.NFD.String(string(lr)) {
				if d < 128 && (d >= 'a' && d <= 'z' || d >= '0' && d <= '9') {
					emit(string(d))
				} else if t := translit[d]; t != "" {
					emit(t)
				}
			}
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	return s
}

// acronyms are slug words that name something by its initials: a "us"
// section is "US", not "Us".
var acronyms = map[string]bool{
	"us": true, "usa": true, "uk": true, "eu": true, "un": true, "uae": true, "nato": true,
	"ai": true, "tv": true, "lgbt": true, "lgbtq": true, "g7": true, "g20": true,
}

// Name makes a display name from a slug, for a section nobody named:
// "eu-politics" → "EU Politics", "us" → "US", "middle-east" → "Middle East".
func Name(slug string) string {
	words := strings.Split(slug, "-")
	for i, w := range words {
		switch {
		case w == "":
		case acronyms[w]:
			words[i] = strings.ToUpper(w)
		default:
			r, n := utf8.DecodeRuneInString(w)
			words[i] = string(unicode.ToTitle(r)) + w[n:]
		}
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " ")
}
