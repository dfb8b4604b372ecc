package aeb

import (
	"context"
	"testing"

	"spektrum/internal/extract"
	"spektrum/internal/lang"
)

// On the benchmark's pages (sites in several languages, most declaring
// theirs), settling an article's language with the extraction's cheap
// guess (lang.ResolveGuessed, as the pipeline does for a declared
// language) gives what lingua's pass alone gives on every page: where the
// declaration and the guess agree, lingua never overrules them.
func TestResolveGuessedAEB(t *testing.T) {
	pages, err := Load(dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	ex, d := extract.New(), lang.New()
	var extracted, declared, spared int
	for _, p := range pages {
		a, err := ex.Extract(context.Background(), p.HTML, p.URL)
		if err != nil {
			continue
		}
		extracted++
		if !a.LanguageDeclared {
			continue // the pipeline runs Resolve itself then
		}
		declared++
		if a.Language == a.TextLanguage {
			spared++
		}
		text := a.Title + "\n" + a.Description + "\n" + a.Text
		want, wantMM := d.Resolve(a.Language, text)
		got, gotMM := d.ResolveGuessed(a.Language, a.TextLanguage, text)
		if got != want || gotMM != wantMM {
			t.Errorf("%s: declared %q, guess %q: ResolveGuessed gives %q (overruled %v), Resolve %q (%v)",
				p.ID, a.Language, a.TextLanguage, got, gotMM, want, wantMM)
		}
	}
	t.Logf("%d pages extracted, %d declare a language, %d of those agree with the guess (lingua spared)", extracted, declared, spared)
	if spared == 0 {
		t.Error("no page's declaration agreed with the guess: the test compared nothing")
	}
}
