package extract_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/RadhiFadlillah/whatlanggo"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/extract"
)

// TestWhatlanggoForkAnswersAsReleased: go-trafilatura guesses every page's
// language with whatlanggo (Article.TextLanguage, which decides whether
// lingua runs), and go.mod replaces whatlanggo with a faster fork
// (third_party/whatlanggo). On the text extracted from every test page and
// the AEB pages, and on the pages' raw text, the fork must answer what the
// released algorithm answers: the language, the script and the confidence.
func TestWhatlanggoForkAnswersAsReleased(t *testing.T) {
	var texts []string
	_, corpus := loadCorpus(t)
	for _, b := range corpus {
		texts = append(texts, string(b))
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	if dir := aeb.DefaultDir(); dir != "" {
		pages, err := aeb.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			texts = append(texts, string(p.HTML))
		}
	} else {
		t.Log("AEB data absent: testdata pages only")
	}
	ex := extract.New()
	pages := len(texts)
	for _, page := range texts[:pages] {
		if a, err := ex.Extract(context.Background(), []byte(page), "https://news.example/a"); err == nil {
			texts = append(texts, a.Text, a.Title)
		}
	}
	if len(texts) < 2*70 {
		t.Fatalf("%d texts, want the corpus's pages and their articles at least", len(texts))
	}
	for i, text := range texts {
		if got, want := whatlanggo.Detect(text), whatlanggo.DetectReference(text); got != want {
			t.Errorf("text %d (%.60q): the fork gives %s %v %.2f, the released algorithm %s %v %.2f", i, text,
				got.Lang.Iso6391(), whatlanggo.Scripts[got.Script], got.Confidence,
				want.Lang.Iso6391(), whatlanggo.Scripts[want.Script], want.Confidence)
		}
	}
	t.Logf("%d texts compared (%d pages)", len(texts), pages)
}
