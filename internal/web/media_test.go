package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/store"
)

// TestPicturesLearnFromTheProxy: once the proxy has served an image, the
// article page gives its lead picture the original's width and height (so
// nothing shifts); once an image failed, pages leave it out, cards and
// article bodies alike, instead of showing an empty box.
func TestPicturesLearnFromTheProxy(t *testing.T) {
	imgs := imageServer(t) // 960×540 at every path
	gone := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(gone.Close)
	s := newSite(t, imgs.URL)

	a5 := s.byTitle(t, "Headline number 5 about the world") // lead picture imgs/photo-5.jpg
	lead := func() *html.Node {
		doc := parseHTML(t, s.mustGet(t, enArticle(&a5), http.StatusOK).body)
		figs := findAll(doc, func(n *html.Node) bool { return n.Data == "img" && hasClass(n.Parent, "article-image") })
		if len(figs) != 1 {
			t.Fatalf("want one lead picture, got %d", len(figs))
		}
		return figs[0]
	}
	if img := lead(); attr(img, "width") != "" {
		t.Errorf("width %q before the proxy has seen the image", attr(img, "width"))
	}
	s.mustGet(t, s.media.URL(a5.Image, cardWidth), http.StatusOK)
	if img := lead(); attr(img, "width") != "960" || attr(img, "height") != "540" || attr(img, "alt") != "" {
		t.Errorf("lead picture width=%q height=%q alt=%q, want the original's 960×540 and an empty alt",
			attr(img, "width"), attr(img, "height"), attr(img, "alt"))
	}

	// A body picture and a card picture whose originals are gone.
	broken := gone.URL + "/chart.png"
	a2 := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/news/gone", GUID: "gone",
		Title: "A story whose pictures are gone", PublishedAt: s.now.Add(-time.Minute), Language: "en", Section: "russia",
		Image: gone.URL + "/lead.png", Text: "Story.",
		HTML: `<figure><img src="` + broken + `" alt="A chart"><figcaption>Chart</figcaption></figure><p>Story.</p>`}
	if _, err := s.st.UpsertArticle(t.Context(), &a2); err != nil {
		t.Fatal(err)
	}
	if r := s.mustGet(t, enArticle(&a2), http.StatusOK); !strings.Contains(string(r.body), s.media.URL(broken, 960)) {
		t.Fatal("the body picture is not proxied before it failed")
	}
	section := s.mustGet(t, "/en"+sectionPath(a2.Section), http.StatusOK)
	if !strings.Contains(string(section.body), s.media.URL(a2.Image, cardWidth)) {
		t.Fatal("the card picture is not shown before it failed")
	}
	s.mustGet(t, s.media.URL(a2.Image, cardWidth), http.StatusNotFound)
	s.mustGet(t, s.media.URL(broken, 960), http.StatusNotFound)
	r := s.mustGet(t, enArticle(&a2), http.StatusOK)
	if strings.Contains(string(r.body), s.media.URL(broken, 960)) {
		t.Error("a picture that failed is still on the article page")
	}
	if !strings.Contains(string(r.body), "<figcaption>Chart</figcaption>") {
		t.Error("the rest of the body went with the picture")
	}
	section = s.mustGet(t, "/en"+sectionPath(a2.Section), http.StatusOK)
	if strings.Contains(string(section.body), s.media.URL(a2.Image, cardWidth)) {
		t.Error("a card still shows a picture that failed")
	}
}

// TestUnservedPicturesGetNoBox: a card picture the proxy has not served
// yet has no width and height, so the browser gives it no box until it
// loads and none at all when it cannot be fetched (the demo offline): a
// page rendered and cached before the picture's fate is known never
// shows an empty frame. Once served, the card reserves its box again.
func TestUnservedPicturesGetNoBox(t *testing.T) {
	imgs := imageServer(t)
	s := newSite(t, imgs.URL)
	a := s.byTitle(t, "Headline number 5 about the world")
	thumb := func() *html.Node {
		doc := parseHTML(t, s.mustGet(t, "/en"+sectionPath(a.Section), http.StatusOK).body)
		for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "img" && hasClass(n.Parent, "thumb") }) {
			if attr(n, "src") == s.media.URL(a.Image, cardWidth) {
				return n
			}
		}
		t.Fatal("the card's picture is missing")
		return nil
	}
	if img := thumb(); attr(img, "width") != "" || attr(img, "height") != "" {
		t.Errorf("unserved picture has width=%q height=%q, want none", attr(img, "width"), attr(img, "height"))
	}
	s.mustGet(t, s.media.URL(a.Image, cardWidth), http.StatusOK)
	if img := thumb(); attr(img, "width") == "" || attr(img, "height") == "" {
		t.Error("a picture the proxy served gets no box")
	}
	b, err := os.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if css := string(b); !strings.Contains(css, ".thumb img:not([width])") || !strings.Contains(css, "aspect-ratio: auto; height: auto;") {
		t.Error("the style sheet does not let an unsized picture collapse")
	}
}
