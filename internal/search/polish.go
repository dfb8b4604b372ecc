package search

import (
	"strings"
	"unicode/utf8"
)

// polishSuffixes are Polish inflectional endings (folded: no ogonek or
// acute), longest first so the longest that fits is stripped. Snowball
// has no Polish stemmer; this light stemmer strips one ending so that the
// cases and numbers of a noun or an adjective ("wyborach", "wyborów",
// "wybory") meet, and never leaves a stem under four letters.
var polishSuffixes = [...]string{
	"owie",
	"ami", "ach", "ego", "emu", "ich", "imi", "ymi", "ych", "owi", "iem",
	"om", "ow", "ie", "em", "ej", "ia", "ii", "iu",
	"a", "e", "i", "o", "u", "y",
}

// stemPolish strips one inflectional ending from a folded word.
func stemPolish(w string) string {
	n := utf8.RuneCountInString(w)
	for _, suf := range polishSuffixes {
		if strings.HasSuffix(w, suf) && n-len(suf) >= 4 {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}
