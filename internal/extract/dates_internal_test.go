package extract

import (
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// publishedLabelRegexp is how the labels were found before labelEnds.
var publishedLabelRegexp = regexp.MustCompile(`(veröffentlicht|erschienen|publiziert|published|posted|publié|mis en ligne|publicado|publicada|opublikowano|opublikowany|data publikacji|pubblicato|pubblicata|stand:)`)

// TestPublishedLabelsScan holds labelEnds to the regexp alternation it
// replaced, on the lowered text of the testdata pages, on labels run
// together and on random strings of their pieces; and checks what its one
// pass relies on: no label is a prefix of another.
func TestPublishedLabelsScan(t *testing.T) {
	for _, a := range publishedLabels {
		for _, b := range publishedLabels {
			if a != b && strings.HasPrefix(b, a) {
				t.Fatalf("label %q is a prefix of %q", a, b)
			}
		}
	}
	var texts []string
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, more...) {
		page, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := parseBounded(page)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.ToLower(textOf(doc)))
	}
	all := strings.Join(publishedLabels[:], "")
	texts = append(texts, all, strings.Repeat("publishedpubliéopublikowanoopublikowanypp", 9), "stand:stand", "ppublicadoo")
	rnd := rand.New(rand.NewSource(1))
	pieces := []rune(all + " :.12")
	for range 3000 {
		var b strings.Builder
		for range rnd.Intn(120) {
			if rnd.Intn(8) == 0 {
				b.WriteString(publishedLabels[rnd.Intn(len(publishedLabels))])
			} else {
				b.WriteRune(pieces[rnd.Intn(len(pieces))])
			}
		}
		texts = append(texts, b.String())
	}
	found := 0
	for _, text := range texts {
		var want []int
		for _, loc := range publishedLabelRegexp.FindAllStringIndex(text, 20) {
			want = append(want, loc[1])
		}
		got := labelEnds(text, 20)
		if !slices.Equal(got, want) {
			t.Fatalf("labelEnds(%.80q) = %v, the regexp finds %v", text, got, want)
		}
		found += len(got)
	}
	if found < 1000 {
		t.Errorf("%d labels found in all, want the test to exercise the scan", found)
	}
}
