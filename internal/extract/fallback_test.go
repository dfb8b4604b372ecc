package extract_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/extract"
)

// TestFallbackSkipChangesNothing holds the extractor that leaves out
// go-trafilatura's fallbacks where they cannot win to the one that runs
// them on every page: the same article, byte for byte, on the labelled
// corpus, the other testdata pages and (when the data is present) the 181
// pages of the AEB benchmark.
func TestFallbackSkipChangesNothing(t *testing.T) {
	type page struct {
		name, url string
		html      []byte
	}
	var pages []page
	_, corpus := loadCorpus(t)
	for name, b := range corpus {
		pages = append(pages, page{name, "https://news.example/" + name, b})
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
		pages = append(pages, page{f, "https://news.example/" + filepath.Base(f), b})
	}
	if dir := aeb.DefaultDir(); dir != "" {
		aebPages, err := aeb.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range aebPages {
			pages = append(pages, page{p.ID, p.URL, p.HTML})
		}
	} else {
		t.Log("AEB data absent: testdata pages only")
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].name < pages[j].name })
	if len(pages) < 70 {
		t.Fatalf("%d pages, want the corpus at least", len(pages))
	}
	ctx := context.Background()
	gated, full := extract.New(), extract.NewAlwaysFallback()
	for _, p := range pages {
		got, gerr := gated.Extract(ctx, p.html, p.url)
		want, werr := full.Extract(ctx, p.html, p.url)
		if (gerr == nil) != (werr == nil) || (gerr != nil && !errors.Is(gerr, extract.ErrNoArticle) && gerr.Error() != werr.Error()) {
			t.Errorf("%s: error %v, with every fallback %v", p.name, gerr, werr)
			continue
		}
		if gerr != nil {
			continue
		}
		if d := articleDiff(got, want); d != "" {
			t.Errorf("%s: the article differs from the one with every fallback run in %s", p.name, d)
		}
	}
	t.Logf("%d pages compared", len(pages))
}

// articleDiff names the first field where a and b differ; times are
// compared as instants (their locations are parsed afresh each time).
func articleDiff(a, b *extract.Article) string {
	switch {
	case a.Text != b.Text:
		return fmt.Sprintf("Text:\n got %.300q\nwant %.300q", a.Text, b.Text)
	case a.HTML != b.HTML:
		return "HTML"
	case !a.Published.Equal(b.Published) || !a.Modified.Equal(b.Modified):
		return "the dates"
	}
	x, y := *a, *b
	x.Published, x.Modified, y.Published, y.Modified = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if x != y {
		return fmt.Sprintf("metadata: %+v against %+v", x, y)
	}
	return ""
}
