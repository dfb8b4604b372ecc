package whatlanggo

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// This file is spektrum's fork (see FORK.md): the same answers as count,
// calculateDistance and DetectScript, without a string allocated and a map
// entry made for every trigram of the text, and without every script's
// table consulted for every letter. go-trafilatura runs DetectLang over the
// whole extracted text of every page, where it was a tenth of an ingest's CPU.

// profileIndex is one script's language profiles with every distinct
// trigram numbered: a text's trigrams are counted into a slice by number,
// and only those some profile holds are counted at all (calculateDistance
// looks up no others).
type profileIndex struct {
	profiles langProfileList
	langs    []Lang
	ids      map[uint64]int32 // by trigramCode
	// entries holds each language's profile as trigram numbers, in the
	// profile's order (the distance weighs by position); -1 for an entry
	// that is not three runes, which no text trigram can equal.
	entries map[Lang][]int32
}

func newProfileIndex(profiles langProfileList) *profileIndex {
	px := &profileIndex{
		profiles: profiles,
		langs:    sortedLangs(profiles),
		ids:      map[uint64]int32{},
		entries:  make(map[Lang][]int32, len(profiles)),
	}
	for _, lang := range px.langs {
		trigrams := profiles[lang]
		ids := make([]int32, len(trigrams))
		for i, t := range trigrams {
			key, ok := trigramKey(t)
			if !ok {
				ids[i] = -1
				continue
			}
			code := trigramCode(key[0], key[1], key[2])
			id, seen := px.ids[code]
			if !seen {
				id = int32(len(px.ids))
				px.ids[code] = id
			}
			ids[i] = id
		}
		px.entries[lang] = ids
	}
	return px
}

// trigramKey is t's three runes, if it has exactly three.
func trigramKey(t string) (key [3]rune, ok bool) {
	if utf8.RuneCountInString(t) != 3 {
		return key, false
	}
	i := 0
	for _, r := range t {
		key[i] = r
		i++
	}
	return key, true
}

// trigramCode packs three runes (21 bits each, unicode.MaxRune being
// 0x10FFFF) into a map key that hashes as one word.
func trigramCode(r1, r2, r3 rune) uint64 {
	return uint64(r1)<<42 | uint64(r2)<<21 | uint64(r3)
}

func sortedLangs(profiles langProfileList) []Lang {
	langs := make([]Lang, 0, len(profiles))
	for lang := range profiles {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	return langs
}

var (
	latinIndex      = newProfileIndex(latinLangs)
	cyrillicIndex   = newProfileIndex(cyrillicLangs)
	devanagariIndex = newProfileIndex(devanagariLangs)
	hebrewIndex     = newProfileIndex(hebrewLangs)
	ethiopicIndex   = newProfileIndex(ethiopicLangs)
	arabicIndex     = newProfileIndex(arabicLangs)
)

// tableRunes is how many runes the tables below hold: the Latin, Greek,
// Cyrillic, Armenian, Hebrew and Arabic blocks, where most text is, up to
// the General Punctuation and Currency blocks (typographic quotes, dashes
// and ellipses are in every news text).
const tableRunes = 0x20d0

// trigramChars is unicode.ToLower(toTrigramChar(r)) for r < tableRunes.
var trigramChars = func() (t [tableRunes]rune) {
	for r := range rune(tableRunes) {
		t[r] = unicode.ToLower(toTrigramChar(r))
	}
	return t
}()

// runeScripts is, for r < tableRunes, stopRune when isStopChar(r), else
// the index in scriptOrder of r's script, or noScript.
var runeScripts = func() (t [tableRunes]int8) {
	for r := range rune(tableRunes) {
		t[r] = scriptOf(r)
	}
	return t
}()

const (
	stopRune = -2
	noScript = -1
)

func scriptOf(r rune) int8 {
	if isStopChar(r) {
		return stopRune
	}
	for i := range scriptOrder {
		if scriptOrder[i].checkFunc(r) {
			return int8(i)
		}
	}
	return noScript
}

// weights is count(text) by trigram number, leaving out the trigrams no
// profile of px holds.
func (px *profileIndex) weights(text string) []int32 {
	w := make([]int32, len(px.ids))
	r1, r2 := ' ', ' '
	first := true
	for _, ch := range text {
		var r3 rune
		if ch < tableRunes {
			r3 = trigramChars[ch]
		} else {
			r3 = unicode.ToLower(toTrigramChar(ch))
		}
		if first {
			r2, first = r3, false
			continue
		}
		if !(r2 == ' ' && (r1 == ' ' || r3 == ' ')) {
			if id, ok := px.ids[trigramCode(r1, r2, r3)]; ok {
				w[id]++
			}
		}
		r1, r2 = r2, r3
	}
	if !first && !(r2 == ' ' && r1 == ' ') { // the space count puts last
		if id, ok := px.ids[trigramCode(r1, r2, ' ')]; ok {
			w[id]++
		}
	}
	return w
}

// detectLangInIndex is detectLangInProfiles over px.
func detectLangInIndex(text string, options Options, px *profileIndex) (Lang, float64) {
	w := px.weights(text)
	langDistances := make([]langDistance, 0, len(px.langs))
	for _, lang := range px.langs {
		if len(options.Whitelist) != 0 {
			if _, ok := options.Whitelist[lang]; !ok {
				continue
			}
		} else if len(options.Blacklist) != 0 {
			if _, ok := options.Blacklist[lang]; ok {
				continue
			}
		}
		dist, n := 0, 0
		for i, id := range px.entries[lang] {
			if id >= 0 && w[id] > 0 {
				n++
				dist += (maxTrigramDistance - i) * int(w[id])
			}
		}
		langDistances = append(langDistances, langDistance{lang, dist, n})
	}
	switch len(langDistances) {
	case 0:
		return -1, 0
	case 1:
		return langDistances[0].lang, 1
	default:
		return calculateConfidence(langDistances)
	}
}

// scriptOrder is DetectScript's initial order of the scripts; the scripts'
// tables are disjoint, so a letter belongs to one at most.
var scriptOrder = [...]scriptCounter{
	{isLatin, unicode.Latin, 0},
	{isCyrillic, unicode.Cyrillic, 0},
	{isArabic, unicode.Arabic, 0},
	{isDevanagari, unicode.Devanagari, 0},
	{isHiraganaKatakana, _HiraganaKatakana, 0},
	{isEthiopic, unicode.Ethiopic, 0},
	{isHebrew, unicode.Hebrew, 0},
	{isBengali, unicode.Bengali, 0},
	{isGeorgian, unicode.Georgian, 0},
	{isHan, unicode.Han, 0},
	{isHangul, unicode.Hangul, 0},
	{isGreek, unicode.Greek, 0},
	{isKannada, unicode.Kannada, 0},
	{isTamil, unicode.Tamil, 0},
	{isThai, unicode.Thai, 0},
	{isGujarati, unicode.Gujarati, 0},
	{isGurmukhi, unicode.Gurmukhi, 0},
	{isTelugu, unicode.Telugu, 0},
	{isMalayalam, unicode.Malayalam, 0},
	{isOriya, unicode.Oriya, 0},
	{isMyanmar, unicode.Myanmar, 0},
	{isSinhala, unicode.Sinhala, 0},
	{isKhmer, unicode.Khmer, 0},
}

// detectScriptFast is DetectScript: the same counts, the same early answer,
// and the same move-to-front order (which breaks ties at the end), but each
// letter's script found once, from a table for the commonest blocks.
func detectScriptFast(text string) *unicode.RangeTable {
	halfLen := len(text) / 2
	counters := scriptOrder       // a copy
	var pos [len(scriptOrder)]int // pos[s] is where scriptOrder[s] is in counters
	for s := range pos {
		pos[s] = s
	}
	for _, ch := range text {
		var s int8
		if ch < tableRunes {
			s = runeScripts[ch]
		} else {
			s = scriptOf(ch)
		}
		if s < 0 { // a stop character, or in none of the scripts
			continue
		}
		i := pos[s]
		counters[i].count++
		if counters[i].count > halfLen {
			return counters[i].script
		}
		if i > 0 {
			counters[i], counters[i-1] = counters[i-1], counters[i]
			pos[s] = i - 1
			pos[indexOfScript(counters[i].script)] = i
		}
	}
	jpCount := 0
	max := 0
	maxScript := &unicode.RangeTable{}
	for _, script := range counters {
		if script.count > max {
			max = script.count
			maxScript = script.script
			if script.script == _HiraganaKatakana {
				jpCount = max
			}
		}
	}
	switch {
	case max == 0:
		return nil
	case max != 0 && (maxScript == unicode.Han && jpCount > 0):
		return _HiraganaKatakana
	default:
		return maxScript
	}
}

func indexOfScript(t *unicode.RangeTable) int {
	for i := range scriptOrder {
		if scriptOrder[i].script == t {
			return i
		}
	}
	return -1
}
