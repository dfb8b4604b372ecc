package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// storyFixture files two English articles of two sources and a German one
// under one story, and returns the story and its articles, oldest first.
func storyFixture(t *testing.T, s *site) (int64, []store.Article) {
	t.Helper()
	ctx := context.Background()
	a, b := s.visible[len(s.visible)-1], s.visible[len(s.visible)-2] // the two oldest: sources 0 and 1
	de := store.Article{SourceID: s.sources[0].ID, URL: "https://src0.example.org/de/gipfel", GUID: "de-gipfel",
		Title: "Gipfel in Brüssel: Einigung über Zölle", Language: "de", Text: "Die Minister einigten sich.",
		HTML: "<p>Die Minister einigten sich.</p>", PublishedAt: s.now.Add(-time.Hour)}
	if _, err := s.st.UpsertArticle(ctx, &de); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.st.InStoryTx(ctx, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: 3, Last: s.now}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		id = c.ID
		for _, x := range []int64{a.ID, b.ID, de.ID} {
			if err := tx.SetArticleStory(ctx, x, c.ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	back, err := s.st.Article(ctx, de.ID) // with its source's name
	if err != nil {
		t.Fatal(err)
	}
	return id, []store.Article{a, b, *back}
}

// A story page shows the headline in the edition's language, every
// source's article with its own headline, source and language, linked, and
// the counts; article pages link to it; the front page leads with it.
func TestStoryPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	id, arts := storyFixture(t, s)
	path := fmt.Sprintf("/en/story/%d", id)
	doc := parseHTML(t, s.mustGet(t, path, http.StatusOK).body)
	h1 := findAll(doc, elem("h1"))
	if len(h1) != 1 || textOf(h1[0]) != arts[0].Title {
		t.Errorf("English headline = %q, want the English representative's %q", textOf(h1[0]), arts[0].Title)
	}
	items := findAll(doc, func(n *html.Node) bool { return hasClass(n, "timeline-item") })
	if len(items) != 3 {
		t.Fatalf("timeline has %d items, want 3", len(items))
	}
	for i, a := range arts {
		txt := textOf(items[i])
		if !strings.Contains(txt, a.Title) || !strings.Contains(txt, a.SourceName) {
			t.Errorf("timeline item %d = %q, want %q by %q", i, txt, a.Title, a.SourceName)
		}
		if !contains(links(items[i]), "/en"+a.Path()) {
			t.Errorf("timeline item %d does not link to the article's page", i)
		}
	}
	if !strings.Contains(textOf(items[2]), "German") {
		t.Errorf("the German article's language is not named: %q", textOf(items[2]))
	}
	counts := findAll(doc, func(n *html.Node) bool { return hasClass(n, "story-counts") })
	if len(counts) != 1 || textOf(counts[0]) != "2 sources, 2 languages" {
		t.Errorf("counts = %q, want \"2 sources, 2 languages\"", textOf(counts[0]))
	}
	// The article page links to its story.
	page := parseHTML(t, s.mustGet(t, enArticle(&arts[1]), http.StatusOK).body)
	sl := findAll(page, func(n *html.Node) bool { return hasClass(n, "story-link") })
	if len(sl) != 1 || !contains(links(sl[0]), path) || !strings.Contains(textOf(sl[0]), "2 sources, 2 languages") {
		t.Errorf("article page's story link missing or wrong")
	}
	// The front page leads with it.
	front := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
	top := findAll(front, func(n *html.Node) bool { return hasClass(n, "top-stories") })
	if len(top) != 1 || !contains(links(top[0]), path) {
		t.Error("the front page's Top stories do not lead with the story")
	}

	// Bad and unknown ids are 404 pages, the default edition redirects.
	for _, p := range []string{"/en/story/0", "/en/story/x", "/en/story/99999", "/en/story/-1"} {
		s.mustGet(t, p, http.StatusNotFound)
	}
	if r := s.mustGet(t, fmt.Sprintf("/story/%d", id), http.StatusMovedPermanently); r.Header.Get("Location") != path {
		t.Errorf("/story/%d redirects to %q", id, r.Header.Get("Location"))
	}
}

// A story covered by one source does not lead, and its articles do not
// link to a one-source "story".
func TestSingleSourceStoryIsNotShown(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	ctx := context.Background()
	a := s.visible[0]
	if err := s.st.InStoryTx(ctx, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{}, Last: s.now}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		return tx.SetArticleStory(ctx, a.ID, c.ID)
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(s.mustGet(t, enArticle(&a), http.StatusOK).body), `class="story-link"`) {
		t.Error("a one-source story is linked")
	}
	if strings.Contains(string(s.mustGet(t, "/en/", http.StatusOK).body), `class="top-stories"`) {
		t.Error("a one-source story leads the front page")
	}
}

func TestStoriesAPI(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	id, arts := storyFixture(t, s)
	var list struct {
		Stories []struct {
			ID            int64   `json:"id"`
			Title         string  `json:"title"`
			Language      string  `json:"language"`
			URL           string  `json:"url"`
			SourceCount   int     `json:"source_count"`
			LanguageCount int     `json:"language_count"`
			ArticleCount  int     `json:"article_count"`
			First         *string `json:"first_published_at"`
		} `json:"stories"`
		NextCursor *string `json:"next_cursor"`
	}
	r := s.mustGet(t, "/api/v1/stories?limit=5&lang=en", http.StatusOK)
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Stories) != 1 || list.NextCursor != nil {
		t.Fatalf("stories = %s", r.body)
	}
	st := list.Stories[0]
	if st.ID != id || st.SourceCount != 2 || st.LanguageCount != 2 || st.ArticleCount != 3 || st.Title != arts[0].Title ||
		st.Language != "en" || !strings.HasSuffix(st.URL, fmt.Sprintf("/en/story/%d", id)) || st.First == nil {
		t.Errorf("story = %+v", st)
	}

	var one struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		Articles []struct {
			ID       int64  `json:"id"`
			Title    string `json:"title"`
			Language string `json:"language"`
			Source   struct {
				Name string `json:"name"`
			} `json:"source"`
		} `json:"articles"`
	}
	r = s.mustGet(t, fmt.Sprintf("/api/v1/stories/%d", id), http.StatusOK)
	if err := json.Unmarshal(r.body, &one); err != nil {
		t.Fatal(err)
	}
	if one.ID != id || one.Title != arts[0].Title || len(one.Articles) != 3 {
		t.Fatalf("story = %s", r.body)
	}
	for i, a := range arts {
		if one.Articles[i].ID != a.ID || one.Articles[i].Title != a.Title || one.Articles[i].Language != a.Language || one.Articles[i].Source.Name != a.SourceName {
			t.Errorf("article %d = %+v, want %d %q", i, one.Articles[i], a.ID, a.Title)
		}
	}

	for _, c := range []struct {
		path   string
		status int
		says   string
	}{
		{"/api/v1/stories/0", http.StatusNotFound, "positive whole numbers"},
		{"/api/v1/stories/abc", http.StatusNotFound, "positive whole numbers"},
		{"/api/v1/stories/99999", http.StatusNotFound, "no story with id 99999"},
		{"/api/v1/stories?limit=0", http.StatusBadRequest, "bad limit"},
		{"/api/v1/stories?limit=x", http.StatusBadRequest, "bad limit"},
		{"/api/v1/stories?cursor=%22%2A", http.StatusBadRequest, "bad cursor"},
		{"/api/v1/stories?lang=xx", http.StatusBadRequest, "unknown edition"},
	} {
		r := s.get(t, c.path)
		var e struct {
			Error string `json:"error"`
		}
		if r.StatusCode != c.status || json.Unmarshal(r.body, &e) != nil || !strings.Contains(e.Error, c.says) {
			t.Errorf("GET %s = %d %s, want %d with a JSON error saying %q", c.path, r.StatusCode, r.body, c.status, c.says)
		}
	}
}

// Each edition heads a story in its language: an article written in it,
// else the representative's translation; the API's ?lang= does the same.
func TestStoryHeadlineInEachEdition(t *testing.T) {
	s := newEdSite(t)
	ctx := context.Background()
	src := store.Source{URL: "https://elbkurier.example/feed", Kind: store.KindFeed, Name: "Elbkurier", Enabled: true, PollInterval: time.Hour}
	if err := s.st.CreateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	other := store.Article{SourceID: src.ID, URL: "https://elbkurier.example/haushalt", Title: "Haushalt der Stadt steht", Language: "de",
		HTML: "<p>Der Haushalt steht.</p>", Text: "Der Haushalt steht.", PublishedAt: published.Add(time.Minute)}
	if _, err := s.st.UpsertArticle(ctx, &other); err != nil {
		t.Fatal(err)
	}
	// Written in English, not the story's representative: the English
	// edition names the story by it (page, front page and API alike).
	written := store.Article{SourceID: src.ID, URL: "https://elbkurier.example/en/budget", Title: "Elbe city agrees its budget", Language: "en",
		HTML: "<p>The budget stands.</p>", Text: "The budget stands.", PublishedAt: published.Add(2 * time.Minute)}
	if _, err := s.st.UpsertArticle(ctx, &written); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.st.InStoryTx(ctx, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{}, Last: published}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		id = c.ID
		for _, x := range []int64{s.de.ID, other.ID, written.ID} {
			if err := tx.SetArticleStory(ctx, x, id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want, attr string }{
		{"en", written.Title, ""}, // written in English
		{"de", s.de.Title, ""},    // written in German
		{"fr", s.de.Title, "de"},  // no French translation: the original, marked German
	} {
		doc := parseHTML(t, s.mustGet(t, fmt.Sprintf("/%s/story/%d", c.lang, id), http.StatusOK).body)
		h := findAll(doc, elem("h1"))
		if len(h) != 1 || textOf(h[0]) != c.want || attr(h[0], "lang") != c.attr {
			t.Errorf("%s headline = %q (lang %q), want %q (lang %q)", c.lang, textOf(h[0]), attr(h[0], "lang"), c.want, c.attr)
		}
		// The front page's Top stories names the story as its page does.
		top := findAll(parseHTML(t, s.mustGet(t, "/"+c.lang+"/", http.StatusOK).body), func(n *html.Node) bool {
			return hasClass(n, "headline") && attr(n, "href") == fmt.Sprintf("/%s/story/%d", c.lang, id)
		})
		if len(top) != 1 || textOf(top[0]) != c.want || attr(top[0], "lang") != c.attr {
			t.Errorf("%s front page: top story links %d, want one headlined %q (lang %q)", c.lang, len(top), c.want, c.attr)
		}
	}
	if c := findAll(parseHTML(t, s.mustGet(t, fmt.Sprintf("/de/story/%d", id), http.StatusOK).body),
		func(n *html.Node) bool { return hasClass(n, "story-counts") }); len(c) != 1 || textOf(c[0]) != "2 Quellen, 2 Sprachen" {
		t.Errorf("German counts = %v", c)
	}
	var one struct {
		Title    string `json:"title"`
		Language string `json:"language"`
	}
	r := s.mustGet(t, fmt.Sprintf("/api/v1/stories/%d?lang=en", id), http.StatusOK)
	if err := json.Unmarshal(r.body, &one); err != nil || one.Title != written.Title || one.Language != "en" {
		t.Errorf("API story in English = %s", r.body)
	}
	// The list names it as the detail does.
	var list struct {
		Stories []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"stories"`
	}
	r = s.mustGet(t, "/api/v1/stories?lang=en", http.StatusOK)
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	for _, x := range list.Stories {
		if x.ID == id && x.Title != written.Title {
			t.Errorf("API story list in English names it %q, the detail %q", x.Title, written.Title)
		}
	}
}

// A story page shows the spread of its sources over their viewpoints, and
// the story API gives the same spread.
func TestStoryCoverage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	id, arts := storyFixture(t, s)
	path := fmt.Sprintf("/en/story/%d", id)
	s.describe(t, arts[0].SourceID, "DE", "agency", "right")
	s.describe(t, arts[1].SourceID, "FR", "newspaper", "centre-right")
	legends, only, _ := coverageOf(t, s.mustGet(t, path, http.StatusOK).body)
	if got := strings.Join(legends["position"], "|"); got != "Centre-right 1 source · 50 %|Right 1 source · 50 %" {
		t.Errorf("position legend = %q", got)
	}
	if strings.Join(only, "|") != "Only covered by sources rated Centre-right, Right" {
		t.Errorf("findings = %q", only)
	}
	var got struct {
		Coverage struct {
			Total     int `json:"total"`
			Countries []struct {
				Key   string `json:"key"`
				Count int    `json:"count"`
			} `json:"countries"`
		} `json:"coverage"`
	}
	if err := json.Unmarshal(s.mustGet(t, fmt.Sprintf("/api/v1/stories/%d", id), http.StatusOK).body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Coverage.Total != 2 || len(got.Coverage.Countries) != 2 {
		t.Errorf("API coverage = %+v, want 2 sources in 2 countries", got.Coverage)
	}
}

// An article an editor hides leaves its story at once: the story page's
// timeline and counts, the article pages' story links and the front page's
// Top stories all stop counting it (pages cached before included), and
// showing it again brings it all back.
func TestHiddenArticleLeavesItsStory(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	id, arts := storyFixture(t, s)
	ctx := context.Background()
	editor := ops.NewArticles(s.st, nil)
	path := fmt.Sprintf("/en/story/%d", id)
	// The article of the source that has no other in the story (the
	// German one shares its source with one of the English two).
	lone, other := arts[0], arts[1]
	if lone.SourceID == arts[2].SourceID {
		lone, other = arts[1], arts[0]
	}
	check := func(when string, counts string, timeline int, leads bool) {
		t.Helper()
		doc := parseHTML(t, s.mustGet(t, path, http.StatusOK).body)
		c := findAll(doc, func(n *html.Node) bool { return hasClass(n, "story-counts") })
		if len(c) != 1 || textOf(c[0]) != counts {
			t.Errorf("%s: story page counts %q, want %q", when, textOf(c[0]), counts)
		}
		items := findAll(doc, func(n *html.Node) bool { return hasClass(n, "timeline-item") })
		if len(items) != timeline {
			t.Errorf("%s: timeline has %d items, want %d", when, len(items), timeline)
		}
		shown := false
		for _, it := range items {
			shown = shown || strings.Contains(textOf(it), lone.Title)
		}
		if shown != (timeline == 3) {
			t.Errorf("%s: the timeline shows %q: %v, want %v", when, lone.Title, shown, timeline == 3)
		}
		front := parseHTML(t, s.mustGet(t, "/en/", http.StatusOK).body)
		top := findAll(front, func(n *html.Node) bool { return hasClass(n, "top-stories") })
		if got := len(top) == 1 && contains(links(top[0]), path); got != leads {
			t.Errorf("%s: the front page's Top stories lead with the story: %v, want %v", when, got, leads)
		}
		page := string(s.mustGet(t, enArticle(&other), http.StatusOK).body)
		if got := strings.Contains(page, `class="story-link"`); got != leads {
			t.Errorf("%s: the article page links to its story: %v, want %v", when, got, leads)
		}
	}
	check("before", "2 sources, 2 languages", 3, true)
	// One source is left, which is no story to lead with or link to.
	if _, err := editor.SetHidden(ctx, lone.ID, true); err != nil {
		t.Fatal(err)
	}
	check("hidden", "1 source, 2 languages", 2, false)
	if _, err := editor.SetHidden(ctx, lone.ID, false); err != nil {
		t.Fatal(err)
	}
	check("shown again", "2 sources, 2 languages", 3, true)
}
