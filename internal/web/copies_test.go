package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// A near-duplicate copy (the same wire text from another source) is listed
// once, under its original, whose page names the other source that
// published it; the copy keeps its own page.
func TestCopiesAreListedOnceAndNamedOnTheOriginal(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	original := s.byTitle(t, "Headline number 4 about the world")
	cp := s.byTitle(t, "Headline number 9 about the world") // the other source's
	if cp.SourceID == original.SourceID {
		t.Fatal("fixture: the copy must come from the other source")
	}
	if !strings.Contains(string(s.mustGet(t, "/en/", http.StatusOK).body), cp.Title) {
		t.Fatal("fixture: the copy must be on the front page before it is marked")
	}
	if err := s.st.SetDuplicateOf(ctx, cp.ID, original.ID); err != nil {
		t.Fatal(err)
	}
	front := s.mustGet(t, "/en/", http.StatusOK)
	if strings.Contains(string(front.body), cp.Title) {
		t.Error("the front page lists the copy")
	}
	if !strings.Contains(string(front.body), original.Title) {
		t.Error("the front page lost the original")
	}
	doc := parseHTML(t, s.mustGet(t, enArticle(&original), http.StatusOK).body)
	also := findAll(doc, func(n *html.Node) bool { return hasClass(n, "also-by") })
	if len(also) != 1 || !strings.Contains(textOf(also[0]), "Also published by") || !strings.Contains(textOf(also[0]), cp.SourceName) ||
		!contains(links(also[0]), originalURL(&cp)) {
		t.Fatalf("the original's page should name %q as also publishing it", cp.SourceName)
	}
	s.mustGet(t, enArticle(&cp), http.StatusOK)
	if strings.Contains(string(s.mustGet(t, enArticle(&cp), http.StatusOK).body), `class="also-by"`) {
		t.Error("the copy's page claims copies of its own")
	}
}
