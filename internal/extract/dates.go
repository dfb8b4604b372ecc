package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateLayouts are the machine-readable forms found in meta tags, JSON-LD and
// <time datetime>, most common first. Dates without a zone are taken as UTC:
// a wrong hour is better than no date.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102",
	"02.01.2006",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC850,
	time.RFC822Z,
	time.RFC822,
	time.ANSIC,
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
}

// parseDate reads one machine-readable date. Years outside 1990–2100 are
// treated as garbage (epoch zero, "0001-01-01" placeholders).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2100 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// monthNames maps month names (and their genitive and abbreviated forms) in
// the languages we publish from to month numbers.
var monthNames = buildMonthNames()

func buildMonthNames() map[string]time.Month {
	months := map[string]time.Month{}
	for m, names := range [12]string{
		"january jan januar jänner janvier enero gennaio styczeń stycznia sty gen ene janv",
		"february feb februar février fevrier febrero febbraio luty lutego lut févr",
		"march mar märz maerz mär mars marzo marzec marca",
		"april apr avril abril aprile kwiecień kwietnia kwi avr",
		"may mai mayo maggio maj maja mag",
		"june jun juni juin junio giugno czerwiec czerwca cze giu",
		"july jul juli juillet julio luglio lipiec lipca lip lug juil",
		"august aug août aout agosto sierpień sierpnia sie ago",
		"september sep sept septembre septiembre setiembre settembre wrzesień września wrz set",
		"october oct okt oktober octobre octubre ottobre październik października paź ott",
		"november nov novembre noviembre listopad listopada lis",
		"december dec dez dezember décembre decembre diciembre dicembre grudzień grudnia gru dic déc",
	} {
		for _, n := range strings.Fields(names) {
			months[n] = time.Month(m + 1)
		}
	}
	return months
}

// publishedLabels are the words pages put before a visible publication
// date, in lower case. None is a prefix of another, so at most one is found
// at any place (TestPublishedLabelsScan).
var publishedLabels = [...]string{"veröffentlicht", "erschienen", "publiziert", "published", "posted", "publié",
	"mis en ligne", "publicado", "publicada", "opublikowano", "opublikowany", "data publikacji", "pubblicato",
	"pubblicata", "stand:"}

// labelStarts marks the bytes a published label starts with.
var labelStarts = func() (t [256]bool) {
	for _, l := range publishedLabels {
		t[l[0]] = true
	}
	return t
}()

// labelEnds returns where the first limit labels found in text end, found
// left to right, each search resuming where the last label ended: what a
// regexp alternation of the labels finds (FindAllStringIndex), in one pass
// over the text, where the regexp's machine went over up to 50 kB a page.
func labelEnds(text string, limit int) []int {
	var ends []int
	for i := 0; i < len(text) && len(ends) < limit; i++ {
		if !labelStarts[text[i]] {
			continue
		}
		for _, l := range publishedLabels {
			if strings.HasPrefix(text[i:], l) {
				ends = append(ends, i+len(l))
				i += len(l) - 1
				break
			}
		}
	}
	return ends
}

var (
	// 12. Dezember 2021, 12 décembre 2021, 12 de diciembre de 2021, 12 grudnia 2021
	dayMonthYear = regexp.MustCompile(`(?i)^\D{0,30}?(\d{1,2})\.?\s+(?:de\s+)?(\p{L}+)\.?\s+(?:de\s+)?(\d{4})`)
	// December 12, 2021
	monthDayYear = regexp.MustCompile(`(?i)^\D{0,30}?(\p{L}+)\.?\s+(\d{1,2}),?\s+(\d{4})`)
	// 12.12.2021, 12/12/2021 (day first, as in every language we read but English)
	numericDate = regexp.MustCompile(`^\D{0,30}?(\d{1,2})[./](\d{1,2})[./](\d{4})`)
)

// visibleDate looks for a labelled human-readable date ("Veröffentlicht am
// 12. Dezember 2021") in the page text. It is a best effort for pages that
// carry no machine-readable date; unlabelled dates are not guessed at,
// because article text is full of dates that are not the publication date.
func visibleDate(text string) (time.Time, bool) {
	// The date sits by the headline, and the headline comes within the
	// first few screens of text even behind a long navigation.
	if len(text) > 50_000 {
		text = text[:50_000]
	}
	// Lower case spares the label regexp its (?i); the windows are cut from
	// the same lowered text, as lowering can change byte lengths.
	text = strings.ToLower(text)
	for _, end := range labelEnds(text, 20) {
		win := text[end:min(len(text), end+80)]
		if m := dayMonthYear.FindStringSubmatch(win); m != nil {
			if t, ok := civilDate(m[3], monthNames[strings.ToLower(m[2])], m[1]); ok {
				return t, true
			}
		}
		if m := monthDayYear.FindStringSubmatch(win); m != nil {
			if t, ok := civilDate(m[3], monthNames[strings.ToLower(m[1])], m[2]); ok {
				return t, true
			}
		}
		if m := numericDate.FindStringSubmatch(win); m != nil {
			mon, _ := strconv.Atoi(m[2])
			if t, ok := civilDate(m[3], time.Month(mon), m[1]); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func civilDate(year string, month time.Month, day string) (time.Time, bool) {
	y, err1 := strconv.Atoi(year)
	d, err2 := strconv.Atoi(day)
	if err1 != nil || err2 != nil || month < 1 || month > 12 || d < 1 || d > 31 || y < 1990 || y > 2100 {
		return time.Time{}, false
	}
	t := time.Date(y, month, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 31 February
	}
	return t, true
}

// urlDate matches the dates CMSes put in article paths: /2021/12/13/,
// /2021-12-13/, /20211213/ (WordPress, Arc, Brightspot and most newspaper
// systems). A year and month alone (/2021/12/slug) is too coarse to use.
var urlDate = regexp.MustCompile(`/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/_.-]|$)|[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_.-]|$)`)

// dateFromURL reads the publication day from an article's address.
func dateFromURL(u string) (time.Time, bool) {
	m := urlDate.FindStringSubmatch(u)
	if m == nil {
		return time.Time{}, false
	}
	y, mo, d := m[1], m[2], m[3]
	if y == "" {
		y, mo, d = m[4], m[5], m[6]
	}
	n, err := strconv.Atoi(mo)
	if err != nil {
		return time.Time{}, false
	}
	return civilDate(y, time.Month(n), d)
}
