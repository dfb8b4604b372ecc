package lang

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type labelledText struct{ lang, class, text string }

func labelled(t testing.TB) []labelledText {
	t.Helper()
	f, err := os.Open("testdata/labelled.tsv")
	if err != nil {
		t.Fatalf("open labelled set: %v", err)
	}
	defer f.Close()
	var out []labelledText
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "\t", 3)
		if len(p) != 3 {
			t.Fatalf("bad line in labelled set: %q", line)
		}
		out = append(out, labelledText{p[0], p[1], p[2]})
	}
	return out
}

func TestLabelledSetCoversTwentyLanguages(t *testing.T) {
	langs := map[string]bool{}
	for _, s := range labelled(t) {
		langs[s.lang] = true
	}
	if len(langs) < 20 {
		t.Fatalf("labelled set has %d languages, want at least 20", len(langs))
	}
}

func TestDetectLabelledSet(t *testing.T) {
	d := New()
	var wrong []string
	total := map[string]int{}
	ok := map[string]int{}
	for _, s := range labelled(t) {
		total[s.class]++
		r := d.Detect(s.text)
		if r.Code == s.lang {
			ok[s.class]++
			continue
		}
		wrong = append(wrong, s.lang+"→"+r.Code+": "+s.text)
	}
	// Long texts must all be right; headlines may miss a close neighbour
	// (Portuguese/Spanish) now and then.
	if ok["long"] != total["long"] {
		t.Errorf("long texts: %d of %d right; wrong: %v", ok["long"], total["long"], wrong)
	}
	if float64(ok["short"]) < 0.9*float64(total["short"]) {
		t.Errorf("short texts: %d of %d right, want ≥ 90%%; wrong: %v", ok["short"], total["short"], wrong)
	}
	t.Logf("short %d/%d, long %d/%d; wrong: %v", ok["short"], total["short"], ok["long"], total["long"], wrong)
}

func TestDetectUnknown(t *testing.T) {
	d := New()
	for _, text := range []string{"", "2024 – 17:45", "OK", "🙂🙂🙂 !!!", "<p></p>"} {
		if r := d.Detect(text); r.Code != "" {
			t.Errorf("Detect(%q) = %q, want unknown", text, r.Code)
		}
	}
}

func TestResolve(t *testing.T) {
	d := New()
	german := "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der Grundschulen und öffentlichen Bibliotheken mehr Geld gibt."
	cases := []struct {
		declared, text, want string
		mismatch             bool
	}{
		{"", german, "de", false},
		{"de-AT", german, "de", false},
		{"en", german, "de", true},           // the feed declared the site's language for a German item
		{"en", "Stadtrat tagt", "en", false}, // too short to contradict a declaration
		{"fr", "12:30 — 4:2", "fr", false},   // nothing to detect
		{"", "12:30 — 4:2", "", false},       // unknown stays unknown
		{"EN", "City council approves new budget for schools", "en", false},
	}
	for _, c := range cases {
		got, mm := d.Resolve(c.declared, c.text)
		if got != c.want || mm != c.mismatch {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q, %v", c.declared, c.text, got, mm, c.want, c.mismatch)
		}
	}
}

// When the declaration and the cheap guess agree, lingua is not asked, so
// not even a long text in another language overrules them; otherwise it is
// Resolve.
func TestResolveGuessed(t *testing.T) {
	d := New()
	german := "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der Grundschulen und öffentlichen Bibliotheken mehr Geld gibt."
	cases := []struct {
		declared, guess, text, want string
		mismatch                    bool
	}{
		{"en", "en", german, "en", false},    // agreed: lingua spared (Resolve would say de)
		{"de-AT", "de", german, "de", false}, // agreed after the subtag
		{"en", "de", german, "de", true},     // disagreed: Resolve, which overrules
		{"en", "", german, "de", true},       // no guess: Resolve
		{"", "", german, "de", false},        // no declaration: the detection
		{"", "fr", german, "de", false},      // a guess alone is no declaration
	}
	for _, c := range cases {
		got, mm := d.ResolveGuessed(c.declared, c.guess, c.text)
		if got != c.want || mm != c.mismatch {
			t.Errorf("ResolveGuessed(%q, %q, …) = %q, %v; want %q, %v", c.declared, c.guess, got, mm, c.want, c.mismatch)
		}
	}
}

func TestDetectLongTextIsSampled(t *testing.T) {
	d := New()
	long := strings.Repeat("Le conseil municipal a adopté mardi un nouveau budget pour les écoles. ", 2000)
	r := d.Detect(long)
	if r.Code != "fr" || r.Letters > 1200 {
		t.Fatalf("Detect(long French) = %+v, want fr from a sample of at most 1200 characters", r)
	}
}

func BenchmarkDetectHeadline(b *testing.B) {
	d := New()
	for b.Loop() {
		d.Detect("Le conseil municipal adopte un nouveau budget pour les écoles")
	}
}

// BenchmarkDetectArticle: a whole article's text, as the pipeline passes it.
func BenchmarkDetectArticle(b *testing.B) {
	d := New()
	text := strings.Repeat("Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der Grundschulen und öffentlichen Bibliotheken mehr Geld gibt. ", 60)
	for b.Loop() {
		d.Detect(text)
	}
}

func BenchmarkDetectLead(b *testing.B) {
	d := New()
	text := "Der Stadtrat hat am Dienstag einen neuen Haushalt beschlossen, der Grundschulen und öffentlichen Bibliotheken mehr Geld gibt. Kritiker sagen, der Plan übersehe die steigenden Mieten, während der Bürgermeister von einem fairen Kompromiss spricht."
	for b.Loop() {
		d.Detect(text)
	}
}
