package extract_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"spektrum/internal/extract"
)

// TestFallbackSkipChangesNothing holds the extractor that leaves out
// go-trafilatura's fallbacks where they cannot win to the one that runs
// them on every page: the same article, byte for byte, on the labelled
// corpus, the other testdata pages and (when the data is present) the 181
// pages of the AEB benchmark.
func TestFallbackSkipChangesNothing(t *testing.T) {
	pages := testPages(t)
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
