package extract_test

import (
	"testing"

	"github.com/RadhiFadlillah/whatlanggo"

	"spektrum/internal/extract"
)

// TestWhatlanggoForkAnswersAsReleased: go-trafilatura guesses every page's
// language with whatlanggo (Article.TextLanguage, which decides whether
// lingua runs), and go.mod replaces whatlanggo with a faster fork
// (third_party/whatlanggo). On the text of every test page and of
// the AEB pages, and on the testdata pages as they are, the fork must
// answer what the released algorithm answers: the language, the script and
// the confidence.
func TestWhatlanggoForkAnswersAsReleased(t *testing.T) {
	pages := testPages(t)
	var texts []string
	for _, p := range pages { // the testdata pages too as they are, markup and all (the AEB pages are large)
		if !p.aeb {
			texts = append(texts, string(p.html))
		}
	}
	// A page's text as the extractor renders it: what go-trafilatura's
	// extraction is a part of, in every language of the pages.
	for _, p := range pages {
		texts = append(texts, extract.Text(string(p.html)))
	}
	if len(texts) < 2*70 {
		t.Fatalf("%d texts, want the corpus's pages and their text at least", len(texts))
	}
	for i, text := range texts {
		if got, want := whatlanggo.Detect(text), whatlanggo.DetectReference(text); got != want {
			t.Errorf("text %d (%.60q): the fork gives %s %v %.2f, the released algorithm %s %v %.2f", i, text,
				got.Lang.Iso6391(), whatlanggo.Scripts[got.Script], got.Confidence,
				want.Lang.Iso6391(), whatlanggo.Scripts[want.Script], want.Confidence)
		}
	}
	t.Logf("%d texts compared (%d pages)", len(texts), len(pages))
}
