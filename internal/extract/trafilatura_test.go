package extract_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"spektrum/internal/extract"
)

// TestTrafilaturaLeavesItsInput: the go-trafilatura fork
// (third_party/go-trafilatura) no longer clones the tree it is given for its
// fallbacks and its baseline on every page; it clones it when they run. That
// gives what the released code gave only if nothing modifies the given tree
// in the meantime: on every test page, with the fallbacks skipped where they
// cannot win and with them run, the tree must be node for node what it was.
// (The articles of the 264 pages were also compared with the released
// module's when the fork was made: the same, field for field.)
func TestTrafilaturaLeavesItsInput(t *testing.T) {
	pages := testPages(t)
	for _, p := range pages {
		base, err := url.Parse(p.url)
		if err != nil {
			t.Fatal(err)
		}
		for _, always := range []bool{false, true} {
			_, doc, err := extract.ParseTrees(p.html)
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			before := dump(doc)
			if _, err := extract.ExtractBody(doc, base, always); err != nil {
				t.Logf("%s: %v", p.name, err) // no article: the tree must still be as it was
			}
			if dump(doc) != before {
				t.Errorf("%s (fallbacks always %v): go-trafilatura changed the tree it was given", p.name, always)
			}
		}
	}
	t.Logf("%d pages", len(pages))
}

// TestMetadataSkipChangesNothing holds the extractor that tells
// go-trafilatura which metadata it will not read (the tags, the license,
// and the author and section where the page's own layers have them) to one
// that has it search for all of it, as released: the same article, field
// for field, on every test page.
func TestMetadataSkipChangesNothing(t *testing.T) {
	pages := testPages(t)
	ctx := context.Background()
	skipping, all := extract.New(), extract.NewAllMetadata()
	for _, p := range pages {
		got, gerr := skipping.Extract(ctx, p.html, p.url)
		want, werr := all.Extract(ctx, p.html, p.url)
		if (gerr == nil) != (werr == nil) || (gerr != nil && !errors.Is(gerr, extract.ErrNoArticle) && gerr.Error() != werr.Error()) {
			t.Errorf("%s: error %v, with all the metadata %v", p.name, gerr, werr)
			continue
		}
		if gerr != nil {
			continue
		}
		if d := articleDiff(got, want); d != "" {
			t.Errorf("%s: the article differs from the one with all the metadata in %s", p.name, d)
		}
	}
	t.Logf("%d pages compared", len(pages))
}
