package search

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func TestTermsPerLanguage(t *testing.T) {
	tests := []struct {
		lang, a, b string // a and b must give the same term
	}{
		{"en", "elections", "election"},
		{"en", "Running", "runs"},
		{"de", "Bäckereien", "Bäckerei"},
		{"de", "Häuser", "Hauser"},
		{"fr", "élections", "Election"},
		{"fr", "économiques", "economique"},
		{"es", "políticas", "politica"},
		{"it", "città", "citta"},
		{"it", "ministri", "ministro"},
		{"pl", "wyborach", "wybory"},
		{"pl", "Łódź", "lodz"},
		{"pl", "tramwajów", "tramwaje"},
		{"ja", "東京", "東京"},
	}
	for _, tc := range tests {
		a := NewAnalyzer(tc.lang)
		ta, tb := a.Term(tc.a), a.Term(tc.b)
		if ta == "" || ta != tb {
			t.Errorf("%s: %q → %q, %q → %q; want one non-empty term", tc.lang, tc.a, ta, tc.b, tb)
		}
	}
}

func TestStopWords(t *testing.T) {
	for l, words := range map[string]string{
		"en": "the and of", "de": "der und über", "fr": "les et", "es": "el y más", "it": "il e più", "pl": "i się że",
	} {
		a := NewAnalyzer(l)
		for _, w := range strings.Fields(words) {
			if a.Term(w) != "" {
				t.Errorf("%s: stop word %q gave term %q", l, w, a.Term(w))
			}
		}
	}
	// Languages without a stemmer keep every word.
	if got := NewAnalyzer("xx").Terms("The Quick"); strings.Join(got, " ") != "the quick" {
		t.Errorf("unknown language: %q", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		q, want string
		err     error
	}{
		{`flooding Rhine`, `flood rhine`, nil},
		{`"the Rhine floods" Köln`, `"rhine flood" koln`, nil},
		{`„Hochwasser am Rhein“`, `"hochwass am rhein"`, nil}, // German quotes, English analysis
		{`unclosed "phrase here`, `unclos "phrase here"`, nil},
		{`a* NEAR(b c) :x "" ''`, `b c x near`, nil},
		{`NEAR`, `near`, nil},
		{`   `, ``, ErrEmpty},
		{`"" ** ::`, ``, ErrEmpty},
		{`the of and`, ``, ErrOnlyStopWords},
		{strings.Repeat("x", MaxQueryRunes+1), ``, ErrTooLong},
	}
	for _, tc := range tests {
		q, err := Parse("en", tc.q)
		if !errors.Is(err, tc.err) {
			t.Errorf("Parse(%q) error %v, want %v", tc.q, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		// Order of single words follows the query; compare as sets of groups.
		if !sameGroups(q.String(), tc.want) {
			t.Errorf("Parse(%q) = %s, want %s", tc.q, q, tc.want)
		}
	}
	q, err := Parse("en", strings.Repeat("word ", 100)+strings.Repeat("other", 0))
	if err != nil || len(q.Groups) != 1 {
		t.Errorf("repeated word: %v %v", q, err)
	}
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("w%dx", i))
	}
	if q, err := Parse("en", strings.Join(many, " ")); err != nil || len(q.Terms()) != MaxTerms {
		t.Errorf("40 words: %d terms, %v; want %d", len(q.Terms()), err, MaxTerms)
	}
}

func sameGroups(a, b string) bool {
	split := func(s string) map[string]bool {
		m := map[string]bool{}
		for len(s) > 0 {
			s = strings.TrimSpace(s)
			if strings.HasPrefix(s, `"`) {
				end := strings.Index(s[1:], `"`) + 1
				m[s[:end+1]] = true
				s = s[end+1:]
				continue
			}
			w, rest, _ := strings.Cut(s, " ")
			if w != "" {
				m[w] = true
			}
			s = rest
		}
		return m
	}
	ma, mb := split(a), split(b)
	if len(ma) != len(mb) {
		return false
	}
	for k := range ma {
		if !mb[k] {
			return false
		}
	}
	return true
}

func TestHighlight(t *testing.T) {
	q, err := Parse("en", `flood <script>`)
	if err != nil {
		t.Fatal(err)
	}
	h := q.Highlighter()
	got := h.Mark(`<b>Floods</b> & "script" on the Rhine`)
	want := `&lt;b&gt;<mark>Floods</mark>&lt;/b&gt; &amp; &#34;<mark>script</mark>&#34; on the Rhine`
	if got != want {
		t.Errorf("Mark:\n got %s\nwant %s", got, want)
	}
	text := strings.Repeat("calm words here. ", 30) + "Then the river flooded the old town. " + strings.Repeat("more calm. ", 30)
	s := h.Snippet(text, 12)
	if !strings.Contains(s, "<mark>flooded</mark>") || !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") {
		t.Errorf("Snippet = %q", s)
	}
	if n := len(strings.Fields(strings.Trim(s, "… "))); n > 14 {
		t.Errorf("Snippet has %d words, want about 12", n)
	}
	if s := h.Snippet("No hit at all here.", 30); s != "No hit at all here." {
		t.Errorf("Snippet without hit = %q", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`"a b" c`, `NEAR("x" y)`, `***`, `„x“ «y»`, "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse("de", s)
		if err != nil {
			return
		}
		for _, g := range q.Groups {
			for _, term := range g {
				for _, r := range term {
					if !isWordRune(r) {
						t.Fatalf("term %q of %q has %q", term, s, r)
					}
				}
			}
		}
		_ = q.Highlighter().Snippet(s, 5)
	})
}

func TestFieldsBounds(t *testing.T) {
	title, body := Fields("de", "", "")
	if len(title)+len(body) != 0 {
		t.Errorf("empty text gave terms %v %v", title, body)
	}
	huge := strings.Repeat("Hochwasser überflutet Köln ", 5000) // 15,000 words
	title, body = Fields("de", huge, huge)
	if len(title) != MaxFieldTerms || len(body) != MaxFieldTerms {
		t.Errorf("huge text: %d and %d terms, want %d each", len(title), len(body), MaxFieldTerms)
	}
	if long := NewAnalyzer("en").Term(strings.Repeat("x", maxTermBytes+1)); long != "" {
		t.Errorf("a %d-byte word was indexed", maxTermBytes+1)
	}
}

// TestTermsRemembered: an Analyzer remembers the term of each word it has
// analysed; what it answers from memory must be what analysing the word
// afresh gives. Every stop word of every language, in three cases, the
// words of the tests above, words with marks, digits and over-long ones,
// shuffled and repeated, through one analyzer per language.
func TestTermsRemembered(t *testing.T) {
	words := []string{"elections", "Running", "Bäckereien", "Häuser", "élections", "Election", "économiques",
		"políticas", "città", "ministri", "wyborach", "Łódź", "tramwajów", "東京", "2026", "COVID19", "ǅemal",
		strings.Repeat("x", 70), "Straße", "STRASSE", "İstanbul", "Ωmega", "naïve", "NAÏVE", "Œuvre"}
	for _, stop := range stopwords {
		for w := range stop {
			words = append(words, w, strings.ToUpper(w), strings.ToUpper(w[:1])+w[1:])
		}
	}
	rng := rand.New(rand.NewSource(1))
	var b strings.Builder
	for range 3 * len(words) {
		b.WriteString(words[rng.Intn(len(words))])
		b.WriteString([]string{" ", ", ", ". ", "'", "\n"}[rng.Intn(5)])
	}
	text := b.String()
	for _, l := range append(Languages(), "", "ja") {
		a := NewAnalyzer(l)
		for round := range 2 {
			for _, tok := range a.Tokens(text) {
				if want := NewAnalyzer(l).analyze(text[tok.Start:tok.End]); tok.Term != want {
					t.Fatalf("%s, round %d: %q remembered as %q, analysed afresh %q", l, round, text[tok.Start:tok.End], tok.Term, want)
				}
			}
		}
	}
}

func BenchmarkFields(b *testing.B) {
	body := strings.Repeat("The government said on Wednesday that the elections, which were postponed twice, "+
		"would be held in March; the opposition said the elections would not be free. ", 60)
	b.ReportAllocs()
	for b.Loop() {
		Fields("en", "Elections to be held in March", body)
	}
}
