package aeb

import (
	"math"
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ,.;  ", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"Don't STOP", []string{"Don", "t", "STOP"}}, // no case folding
		{"snake_case 42 3.14", []string{"snake_case", "42", "3", "14"}},
		{"Grüße aus Köln, Straße", []string{"Grüße", "aus", "Köln", "Straße"}},
		{"Zażółć gęślą jaźń", []string{"Zażółć", "gęślą", "jaźń"}},
		{"Ελληνικά и русский", []string{"Ελληνικά", "и", "русский"}},
		{"日本語のテキスト", []string{"日本語のテキスト"}},
		// Number categories beyond Nd are word characters in Python (isalnum).
		{"½ x² ٣ Ⅻ 〇 ①", []string{"½", "x²", "٣", "Ⅻ", "〇", "①"}},
		// Combining marks are not: Python splits decomposed text and Devanagari
		// vowel signs, and so must we.
		{"nai\u0308ve", []string{"nai", "ve"}},
		{"हिन्दी", []string{"ह", "न", "द"}},
		// Soft hyphen (Cf), NBSP and invalid UTF-8 separate tokens.
		{"ab\u00adcd e\u00a0f g\xffh", []string{"ab", "cd", "e", "f", "g", "h"}},
	}
	for _, c := range cases {
		if got := Tokens(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestShingles(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]int
	}{
		{"", map[string]int{}},
		{"one", map[string]int{"one": 1}},
		{"one two three", map[string]int{"one two three": 1}},
		{"a b c d", map[string]int{"a b c d": 1}},
		{"a b c d e", map[string]int{"a b c d": 1, "b c d e": 1}},
		{"a b c d a b c d", map[string]int{"a b c d": 2, "b c d a": 1, "c d a b": 1, "d a b c": 1}},
	}
	for _, c := range cases {
		if got := shingles(Tokens(c.in)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("shingles(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	const third = 1.0 / 3
	cases := []struct {
		name, truth, pred string
		want              PageScore
	}{
		{"both empty", "", "...", PageScore{Precision: 1, Recall: 1, Exact: true}},
		{"exact", "Ein schöner Tag in Łódź heute", "Ein schöner Tag, in Łódź heute!",
			PageScore{TP: 1, Precision: 1, Recall: 1, Exact: true}},
		{"short exact", "tak", "tak", PageScore{TP: 1, Precision: 1, Recall: 1, Exact: true}},
		{"short differ", "ja", "nein", PageScore{FP: 0.5, FN: 0.5}},
		{"empty pred", "a b c d e", "", PageScore{FN: 1}},
		{"empty truth", "", "a b c d e", PageScore{FP: 1}},
		{"one swap", "a b c d e", "a b c d x",
			PageScore{TP: third, FP: third, FN: third, Precision: 0.5, Recall: 0.5}},
		// Repeats count as a multiset: one "a b c d" cannot match two.
		{"repeated", "a b c d a b c d", "a b c d",
			PageScore{TP: 0.2, FN: 0.8, Precision: 1, Recall: 0.2}},
		{"case matters", "A b c d", "a b c d", PageScore{FP: 0.5, FN: 0.5}},
	}
	for _, c := range cases {
		got := Match(c.truth, c.pred)
		if !near(got.TP, c.want.TP) || !near(got.FP, c.want.FP) || !near(got.FN, c.want.FN) ||
			!near(got.Precision, c.want.Precision) || !near(got.Recall, c.want.Recall) || got.Exact != c.want.Exact {
			t.Errorf("%s: Match = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestScore(t *testing.T) {
	truth := map[string]string{
		"exact":   "Zażółć gęślą jaźń dziś rano",
		"half":    "a b c d e",
		"missing": "Grüße aus dem schönen Köln",
		"blank":   "",
	}
	pred := map[string]string{
		"exact": "Zażółć gęślą jaźń dziś rano",
		"half":  "a b c d x",
		"blank": "",
		"extra": "ignored because it is not in the truth",
	}
	got := Score(truth, pred)
	// Precision over pages with TP+FP > 0: exact (1) and half (0.5).
	// Recall over pages with TP+FN > 0: exact (1), half (0.5), missing (0).
	// Accuracy over all four: exact and blank match.
	wantP, wantR := 0.75, 0.5
	want := Result{F1: 2 * wantP * wantR / (wantP + wantR), Precision: wantP, Recall: wantR, Accuracy: 0.5, Pages: 4}
	if !near(got.F1, want.F1) || !near(got.Precision, want.Precision) || !near(got.Recall, want.Recall) ||
		!near(got.Accuracy, want.Accuracy) || got.Pages != want.Pages {
		t.Errorf("Score = %+v, want %+v", got, want)
	}
	if len(got.PerPage) != 4 || got.PerPage[0].ID != "blank" || got.PerPage[2].ID != "half" {
		t.Errorf("PerPage not sorted by ID over truth pages: %+v", got.PerPage)
	}

	// Nothing predicted anywhere: no page enters the precision mean, which
	// upstream cannot average; we report zeros instead of failing.
	empty := Score(map[string]string{"x": "a b c d e"}, nil)
	if empty.F1 != 0 || empty.Precision != 0 || empty.Recall != 0 || empty.Accuracy != 0 || empty.Pages != 1 {
		t.Errorf("Score with no predictions = %+v, want zeros over 1 page", empty)
	}
	if none := Score(nil, nil); none.Pages != 0 || none.F1 != 0 {
		t.Errorf("Score(nil, nil) = %+v", none)
	}
}

func TestExactMeanMatchesFractionSum(t *testing.T) {
	// 0.1 added ten times is 0.9999999999999999 in float arithmetic; Python's
	// statistics.mean sums exactly and gives 0.1 back, and so must we.
	var m exactMean
	for range 10 {
		m.add(0.1)
	}
	if got := m.mean(); got != 0.1 {
		t.Errorf("exact mean of ten 0.1 = %v, want 0.1", got)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
