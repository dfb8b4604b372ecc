package web

import (
	"context"
	"encoding/json"
	"fmt"
	stdhtml "html"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"spektrum/internal/search"
	"spektrum/internal/store"
)

// index puts every visible fixture article into the search index as the
// pipeline's search stage does for a one-edition site.
func (s *site) index(t *testing.T) {
	t.Helper()
	for _, a := range append(slices.Clone(s.visible), s.hidden) {
		title, body := search.Fields("en", a.Title, a.Summary+"\n"+a.Text)
		if err := s.st.PutSearchDocs(context.Background(), a.ID, []store.SearchDoc{{Lang: "en", Title: title, Body: body}}); err != nil {
			t.Fatal(err)
		}
	}
}

// matching lists the visible originals whose words include word's term,
// newest first: what a search for word must find.
func (s *site) matching(word string) []int64 {
	a := search.NewAnalyzer("en")
	term := a.Term(word)
	var out []int64
	for _, v := range s.visible {
		if v.DuplicateOf == 0 && slices.Contains(a.Terms(v.Title+" "+v.Summary+" "+v.Text), term) {
			out = append(out, v.ID)
		}
	}
	return out
}

// hitIDs reads the result page's article links back to fixture ids.
func (s *site) hitIDs(t *testing.T, doc *html.Node) []int64 {
	t.Helper()
	var out []int64
	for _, li := range findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "story") }) {
		h := findAll(li, elem("h2"))
		if len(h) == 0 {
			t.Fatal("a result without a headline")
		}
		href := attr(findAll(h[0], elem("a"))[0], "href")
		for _, v := range s.visible {
			if enArticle(&v) == href {
				out = append(out, v.ID)
			}
		}
	}
	return out
}

func TestSearchPage(t *testing.T) {
	s := newSite(t, "https://img.example")
	s.index(t)

	// Every page has the search box: a plain GET form to the edition's search.
	home := parseHTML(t, s.mustGet(t, "/en/", 200).body)
	forms := findAll(home, func(n *html.Node) bool { return n.Data == "form" && attr(n, "role") == "search" })
	if len(forms) != 1 || attr(forms[0], "action") != "/en/search" || attr(forms[0], "method") != "get" {
		t.Fatalf("home page search forms: %d", len(forms))
	}

	// All pages of a search, newest first, hold exactly the matching articles.
	want := s.matching("paragraphs")
	if len(want) < 10 {
		t.Fatalf("fixture: only %d articles match", len(want))
	}
	var got []int64
	path := "/en/search?" + url.Values{"q": {"paragraphs"}, "sort": {"newest"}}.Encode()
	for range 20 {
		r := s.mustGet(t, path, 200)
		doc := parseHTML(t, r.body)
		if len(got) == 0 {
			count := findAll(doc, func(n *html.Node) bool { return hasClass(n, "count") })
			if len(count) != 1 || !strings.HasPrefix(textOf(count[0]), strings.TrimSpace(strings.Split(textOf(count[0]), " ")[0])) ||
				!strings.Contains(textOf(count[0]), "results") {
				t.Errorf("result count missing")
			}
			if !strings.Contains(string(r.body), `<meta name="robots" content="noindex">`) {
				t.Error("a results page does not ask not to be indexed")
			}
			if !strings.Contains(string(r.body), `value="paragraphs"`) {
				t.Error("the search box does not show the query")
			}
		}
		if !strings.Contains(string(r.body), "<mark>paragraph</mark>") && !strings.Contains(string(r.body), "<mark>Paragraph</mark>") {
			t.Errorf("%s: no highlighted hit", path)
		}
		got = append(got, s.hitIDs(t, doc)...)
		older := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") == "next" })
		if len(older) == 0 {
			break
		}
		path = attr(older[0], "href")
	}
	if !slices.Equal(got, want) {
		t.Errorf("search pages = %v\nwant %v", got, want)
	}

	// A hostile title is found and stays text, its hit marked.
	hostile := s.byTitle(t, hostileTitle)
	r := s.mustGet(t, "/en/search?q=quotes", 200)
	if !strings.Contains(string(r.body), `&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;<mark>Quotes</mark>&#34;`) {
		t.Errorf("hostile title not escaped and marked: %s", r.body)
	}
	if ids := s.hitIDs(t, parseHTML(t, r.body)); !slices.Equal(ids, []int64{hostile.ID}) {
		t.Errorf("quotes: %v, want %d", ids, hostile.ID)
	}
	if n := len(findAll(parseHTML(t, r.body), elem("script"))); n != 0 {
		t.Errorf("results page has %d script elements", n)
	}

	// States: no query, nothing found, only stop words, syntax characters,
	// too long, a bad cursor or order.
	for _, tc := range []struct {
		q      string
		status int
		text   string
	}{
		{"", 200, "double quotes"},
		{"zzyzx", 200, "No articles match “zzyzx”."},
		{"the of", 200, "very common words"},
		{`"headline number" NEAR(*) : AND`, 200, "results"},
		{`"`, 200, "double quotes"},
		{strings.Repeat("word ", 2000), 400, "too long"},
	} {
		r := s.get(t, "/en/search?"+url.Values{"q": {tc.q}}.Encode())
		if r.StatusCode != tc.status || !strings.Contains(string(r.body), tc.text) {
			t.Errorf("q=%.40q: status %d, want %d with %q", tc.q, r.StatusCode, tc.status, tc.text)
		}
	}
	for _, q := range []string{"q=x&cursor=bogus", "q=x&sort=oldest"} {
		if r := s.get(t, "/en/search?"+q); r.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", q, r.StatusCode)
		}
	}
}

func TestSearchAPI(t *testing.T) {
	s := newSite(t, "https://img.example")
	s.index(t)
	want := s.matching("emphasis")

	// Pages of the API hold the matching articles, each with the fields of
	// /api/v1/articles?lang= exactly, plus its highlight.
	var got []int64
	cursor := ""
	for range 20 {
		v := url.Values{"q": {"Emphasis"}, "limit": {"4"}, "sort": {"newest"}, "lang": {"en"}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		r := s.mustGet(t, "/api/v1/search?"+v.Encode(), 200)
		var page struct {
			Total      int               `json:"total"`
			Articles   []json.RawMessage `json:"articles"`
			NextCursor *string           `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) {
			t.Errorf("total %d, want %d", page.Total, len(want))
		}
		for _, raw := range page.Articles {
			var hit map[string]any
			if err := json.Unmarshal(raw, &hit); err != nil {
				t.Fatal(err)
			}
			hl, _ := hit["highlight"].(map[string]any)
			if sn, _ := hl["snippet"].(string); !strings.Contains(sn, "<mark>emphasis</mark>") {
				t.Errorf("snippet %q has no marked hit", sn)
			}
			delete(hit, "highlight")
			id := int64(hit["id"].(float64))
			got = append(got, id)
			var one map[string]any
			if err := json.Unmarshal(s.mustGet(t, "/api/v1/articles/"+strconvI(id)+"?lang=en", 200).body, &one); err != nil {
				t.Fatal(err)
			}
			if a, b := mustJSON(t, hit), mustJSON(t, one); a != b {
				t.Errorf("search hit %d differs from the article API:\n%s\n%s", id, a, b)
			}
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if !slices.Equal(got, want) {
		t.Errorf("API pages = %v\nwant %v", got, want)
	}

	// Relevance (the default) finds the same set.
	r := s.mustGet(t, "/api/v1/search?q=emphasis&limit=100", 200)
	var rel struct {
		Sort     string `json:"sort"`
		Articles []struct {
			ID int64 `json:"id"`
		} `json:"articles"`
	}
	if err := json.Unmarshal(r.body, &rel); err != nil {
		t.Fatal(err)
	}
	var relIDs []int64
	for _, a := range rel.Articles {
		relIDs = append(relIDs, a.ID)
	}
	slices.Sort(relIDs)
	sorted := slices.Clone(want)
	slices.Sort(sorted)
	if rel.Sort != "relevance" || !slices.Equal(relIDs, sorted) {
		t.Errorf("relevance: %s %v, want %v", rel.Sort, relIDs, sorted)
	}

	// Bad input is a JSON error, never a 500.
	for _, q := range []string{"", "q=", "q=the", "q=x&sort=best", "q=x&limit=0", "q=x&limit=x", "q=x&lang=xx",
		"q=x&cursor=%21%21", "q=" + strings.Repeat("a", 10000)} {
		r := s.get(t, "/api/v1/search?"+q)
		var e struct{ Error string }
		if r.StatusCode != 400 || json.Unmarshal(r.body, &e) != nil || e.Error == "" {
			t.Errorf("%.40s: status %d, body %.200s; want a 400 with a JSON error", q, r.StatusCode, r.body)
		}
	}
	for _, q := range []string{`"`, `*`, `NEAR`, `a:b`, `"x y`, `(`, `-`} {
		if r := s.get(t, "/api/v1/search?"+url.Values{"q": {q}}.Encode()); r.StatusCode != 200 && r.StatusCode != 400 {
			t.Errorf("q=%q: status %d", q, r.StatusCode)
		}
	}
}

func strconvI(id int64) string { b, _ := json.Marshal(id); return string(b) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBrowserSearchPage renders the search page in headless Chromium at
// phone and desktop widths. Screenshots go to $SPEKTRUM_SCREENSHOTS when set.
func TestBrowserSearchPage(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	s := newSite(t, imageServer(t).URL)
	s.index(t)
	path := "/en/search?q=" + url.QueryEscape(`paragraph "second paragraph"`)
	dom := string(chromium(t, "--dump-dom", s.url(path)))
	for _, want := range []string{"<mark>paragraph</mark>", `role="search"`, "results", "Best match"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	dir := os.Getenv("SPEKTRUM_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []struct{ name, size, path string }{
		{"search-desktop.png", "1366,900", path},
		{"search-mobile.png", "390,844", path},
		{"search-none-mobile.png", "390,844", "/en/search?q=zzyzx"},
	} {
		file := filepath.Join(dir, sh.name)
		chromium(t, "--screenshot="+file, "--window-size="+sh.size, s.url(sh.path))
		if st, err := os.Stat(file); err != nil || st.Size() < 1000 {
			t.Errorf("screenshot %s: %v", sh.name, err)
		}
	}
}

// Every page carries the masthead's search box except the results page,
// whose own form (which keeps the sort order) takes its place: one search
// form per page, not two on a phone.
func TestOneSearchFormPerPage(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	for path, want := range map[string]string{"/en/": "search-box", "/en/search?q=headline": "search-form"} {
		doc := parseHTML(t, s.mustGet(t, path, 200).body)
		forms := findAll(doc, func(n *html.Node) bool {
			return n.Type == html.ElementNode && n.Data == "form" && attr(n, "role") == "search"
		})
		if len(forms) != 1 || !hasClass(forms[0], want) {
			t.Errorf("%s has %d search forms, want one %q", path, len(forms), want)
		}
	}
}

// TestSearchCountCapped: past store.SearchCountCap matches the page says
// "1,000+ results" and the API answers total_more, in both orders.
func TestSearchCountCapped(t *testing.T) {
	s := newSite(t, "https://img.example")
	ctx := context.Background()
	for i := range store.SearchCountCap + 1 {
		a := &store.Article{SourceID: s.sources[0].ID, URL: fmt.Sprintf("https://a.example/wombat/%d", i),
			Title: fmt.Sprintf("Wombat count %d", i), Text: "Wombats were counted again.", Language: "en",
			PublishedAt: s.now.Add(-time.Duration(i) * time.Minute)}
		if _, err := s.st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		title, body := search.Fields("en", a.Title, a.Text)
		if err := s.st.PutSearchDocs(ctx, a.ID, []store.SearchDoc{{Lang: "en", Title: title, Body: body}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, order := range []string{"relevance", "newest"} {
		if body := s.mustGet(t, "/en/search?q=wombat&sort="+order, 200).body; !strings.Contains(stdhtml.UnescapeString(string(body)), "1,000+ results") {
			t.Errorf("%s: the page does not say 1,000+ results", order)
		}
		var list struct {
			Total     int  `json:"total"`
			TotalMore bool `json:"total_more"`
		}
		if err := json.Unmarshal(s.mustGet(t, "/api/v1/search?q=wombat&sort="+order, 200).body, &list); err != nil {
			t.Fatal(err)
		}
		if list.Total != store.SearchCountCap || !list.TotalMore {
			t.Errorf("%s: API total %d, total_more %v; want %d, true", order, list.Total, list.TotalMore, store.SearchCountCap)
		}
	}
	if body := s.mustGet(t, "/en/search?q=wombat+%22counted+again%22+%22count+7%22", 200).body; strings.Contains(stdhtml.UnescapeString(string(body)), "+ results") {
		t.Error("a query with few matches says there are more")
	}
}
