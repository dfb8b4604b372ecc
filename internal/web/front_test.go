package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/store"
)

// TestRelatedFillsTheGrid: an article alone in its section still gets a
// full grid of related articles, its section's first, then the newest.
func TestRelatedFillsTheGrid(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	if err := s.st.EnsureSection(ctx, store.Section{Slug: "science", Name: "Science"}); err != nil {
		t.Fatal(err)
	}
	lone := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/science/1", Title: "A lone science story",
		PublishedAt: s.now.Add(-100 * 24 * time.Hour), Language: "en", Section: "science", Text: "t", HTML: "<p>t</p>"}
	if _, err := s.st.UpsertArticle(ctx, &lone); err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, s.mustGet(t, "/en"+lone.Path(), http.StatusOK).body)
	rel := findAll(doc, func(n *html.Node) bool { return hasClass(n, "related-list") })
	if len(rel) != 1 {
		t.Fatal("an article alone in its section has no related articles")
	}
	var got []string
	for _, h := range findAll(rel[0], func(n *html.Node) bool { return hasClass(n, "headline") }) {
		got = append(got, attr(h, "href"))
	}
	var want []string
	for _, a := range s.visible[:relatedSize] {
		want = append(want, enArticle(&a))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("related = %q, want the %d newest %q", got, relatedSize, want)
	}
}

// TestDisclaimerOncePerPage: every page carries the disclaimer once, in the
// footer, or under the article on an article page.
func TestDisclaimerOncePerPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	a := s.visible[4]
	for _, c := range []struct {
		path   string
		status int
	}{{"/en/", 200}, {"/en/section/economy", 200}, {enArticle(&a), 200}, {"/en/section/no-such-section", 404}} {
		r := s.mustGet(t, c.path, c.status)
		if n := strings.Count(string(r.body), "not necessarily those of Spektrum Test"); n != 1 {
			t.Errorf("%s shows the disclaimer %d times, want once", c.path, n)
		}
	}
}
