package story

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

const wire = `The central bank left its main interest rate unchanged on Thursday, saying inflation had eased faster than
expected over the winter but warning that wage growth remained strong. Economists had widely expected the decision.
The bank's governor told reporters that the board would watch the labour market closely before any cut, and that
energy prices were still a risk for the months ahead. Markets reacted calmly and the currency barely moved.

In its statement the board said consumer prices rose by 2.4 percent in the year to February, down from a peak of more
than ten percent two years ago. Services inflation, which the bank watches as a sign of domestic price pressure, fell
more slowly, and rents in the large cities kept climbing. Two members of the board voted for a cut of a quarter point,
one more than at the previous meeting, a split that traders read as a sign that the first cut could come in early summer.

The government welcomed the decision and said its budget next month would keep spending in check. The opposition
said households were still paying far more for food and housing than before the pandemic and called for help with
energy bills. Business groups asked the bank to move faster, arguing that high borrowing costs were holding back
investment in factories and new homes across the country.`

func TestNearDuplicatesAreFoundAndOthersAreNot(t *testing.T) {
	a, ok := TextSignature(wire)
	if !ok {
		t.Fatal("no signature for a long text")
	}
	// Another outlet's copy: a word added, a credit line, other spacing.
	copy := strings.ReplaceAll(wire, "Thursday", "Thursday afternoon") + "\n(Reporting by our correspondent; editing by the desk.)"
	b, _ := TextSignature(copy)
	if s := a.Similarity(b); !a.NearDuplicate(b) {
		t.Errorf("copy has similarity %.2f, want ≥ %.2f", s, NearDuplicateSimilarity)
	}
	// The same event written apart shares words but hardly any shingles.
	apart := `Interest rates stay where they are: on Thursday the central bank's board kept borrowing costs on hold. Prices
have cooled since the winter, the governor said, yet pay is still rising quickly, so the board wants to see more of the
jobs market before it lowers rates. Energy remains a risk. Traders had bet on the outcome and the currency hardly moved.`
	c, _ := TextSignature(apart)
	if a.NearDuplicate(c) {
		t.Errorf("a report written apart has similarity %.2f", a.Similarity(c))
	}
	if _, ok := TextSignature("Too short to judge."); ok {
		t.Error("a short text got a signature")
	}
	// A copy shares at least one band key, so indexed lookups find it.
	shared := false
	bb := map[uint64]bool{}
	for _, k := range b.Bands() {
		bb[k] = true
	}
	for _, k := range a.Bands() {
		shared = shared || bb[k]
	}
	if !shared {
		t.Error("near-duplicates share no band")
	}
}

func TestStoriesFormAcrossLanguagesAndStayApart(t *testing.T) {
	c := NewClusterer(DefaultOptions())
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	// A day of other news first: document frequencies come from what the
	// clusterer has seen, as in the pipeline.
	for i, title := range []string{
		"Stocks fall as oil prices climb again", "Parliament passes new housing law", "Storm closes schools on the coast",
		"Football club names new coach", "Central bank holds interest rate", "Film festival opens with a comedy",
		"Train strike disrupts travel across the country", "New vaccine trial shows promising results",
		"Search engine company reports higher profit", "Airport expansion approved by the city council",
	} {
		c.Add(Item{ID: title, Title: title, URL: "https://z.example/news/" + strings.ReplaceAll(strings.ToLower(title), " ", "-"),
			Published: at.Add(time.Duration(i-24) * time.Hour)})
	}
	add := func(title, u string, h int) int {
		return c.Story(c.Add(Item{ID: title, Title: title, URL: u, Published: at.Add(time.Duration(h) * time.Hour)}))
	}
	s1 := add("Malaysia Airlines flight MH370 missing over South China Sea", "https://a.example/world/malaysia-airlines-mh370-missing", 0)
	add("Apple sues Samsung over smartphone patents in California", "https://b.example/tech/apple-samsung-patents", 1)
	s2 := add("Search for missing Malaysia Airlines MH370 widens", "https://c.example/2026/03/10/search-mh370-widens", 2)
	s3 := add("Búsqueda del vuelo MH370 de Malaysia Airlines se amplía", "https://d.example/busqueda-vuelo-mh370-malaysia-airlines", 3)
	s4 := add("Samsung responds to Apple patent lawsuit", "https://e.example/samsung-apple-patent-lawsuit", 4)
	if s1 != s2 || s1 != s3 {
		t.Errorf("MH370 reports in stories %d, %d, %d; want one", s1, s2, s3)
	}
	if s4 == s1 {
		t.Errorf("the patent story joined the flight story")
	}
	// After the window an item with the same words starts a new story.
	late := c.Story(c.Add(Item{ID: "late", Title: "Malaysia Airlines MH370 anniversary", Published: at.Add(30 * 24 * time.Hour)}))
	if late == s1 {
		t.Error("an item a month later joined a closed story")
	}
}

func TestWordsFoldAndFindNames(t *testing.T) {
	ws := words("L'économie de l'Union: Angela Merkel's visit. Obama arrives")
	var got []string
	for _, w := range ws {
		s := w.text
		if w.capital {
			s += "*"
		}
		got = append(got, s)
	}
	// "Union" follows an elision inside the sentence: a name. "Angela" and
	// "Obama" start sentences, so their capitals say nothing.
	want := "economie de union* angela merkel* visit obama arrives"
	if strings.Join(got, " ") != want {
		t.Errorf("words = %q, want %q", strings.Join(got, " "), want)
	}
}

// Huge, empty and odd texts cost what their lead costs and never panic.
func TestHugeAndEmptyTexts(t *testing.T) {
	huge := strings.Repeat("Markets rallied as the central bank held rates. ", 400000) // ~19 MB
	if _, ok := TextSignature(huge); !ok {
		t.Error("no signature for a long text")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c := NewClusterer(DefaultOptions())
	c.Add(Item{ID: "huge", Title: "Markets rally", Text: huge})
	c.Add(Item{ID: "empty"})
	c.Add(Item{ID: "odd", Title: "\x00\xff\xfe ''' ’’", URL: "::not a url::"})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("clustering a 19 MB text allocated %d MB", alloc>>20)
	}
	if _, ok := TextSignature(""); ok {
		t.Error("an empty text got a signature")
	}
}

// A long non-Latin text is folded with one transformer, not one per word.
func TestFoldingCyrillicIsCheap(t *testing.T) {
	text := strings.Repeat("Правительство объявило о новых мерах поддержки экономики. ", 1000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, ok := TextSignature(text); !ok {
		t.Fatal("no signature")
	}
	runtime.ReadMemStats(&after)
	// ~7,000 words: one x/text chain per word allocated ~60 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("signing 7,000 Cyrillic words allocated %d MB", alloc>>20)
	}
}

func TestRankWeighsCoverageAgainstAge(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if a, b := Rank(10, now.Add(-RankHalfLife), now), Rank(5, now, now); math.Abs(a-b) > 1e-9 {
		t.Errorf("ten sources a half-life ago rank %v, five now %v: want equal", a, b)
	}
	if Rank(3, now.Add(-time.Hour), now) <= Rank(2, now, now) {
		t.Error("a story with more sources an hour ago ranks below a smaller one now")
	}
	if Rank(4, now.Add(time.Hour), now) != 4 {
		t.Error("a story dated in the future gains weight")
	}
}
