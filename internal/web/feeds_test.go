package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func TestFeedsParseBackWithAllArticles(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	bySection := map[string][]int{"": nil}
	for i, a := range s.visible {
		bySection[""] = append(bySection[""], i)
		if a.Section != "" {
			bySection[a.Section] = append(bySection[a.Section], i)
		}
	}
	feeds := []struct {
		path, section, ct, kind string
	}{
		{"/feed.xml", "", "application/rss+xml; charset=utf-8", "rss"},
		{"/atom.xml", "", "application/atom+xml; charset=utf-8", "atom"},
		{"/feed.json", "", "application/feed+json; charset=utf-8", "json"},
		{"/section/russia/feed.xml", "russia", "application/rss+xml; charset=utf-8", "rss"},
		{"/section/russia/atom.xml", "russia", "application/atom+xml; charset=utf-8", "atom"},
		{"/section/culture/feed.json", "culture", "application/feed+json; charset=utf-8", "json"},
	}
	for _, f := range feeds {
		t.Run(f.path, func(t *testing.T) {
			r := s.mustGet(t, f.path, http.StatusOK)
			if got := r.Header.Get("Content-Type"); got != f.ct {
				t.Errorf("content type %q, want %q", got, f.ct)
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(r.body))
			if err != nil {
				t.Fatalf("gofeed cannot parse %s: %v", f.path, err)
			}
			if feed.FeedType != f.kind {
				t.Errorf("feed type %q, want %q", feed.FeedType, f.kind)
			}
			if !strings.HasPrefix(feed.Link, s.srv.URL+"/") {
				t.Errorf("feed link %q is not absolute on the site", feed.Link)
			}
			want := bySection[f.section]
			if len(feed.Items) != len(want) {
				t.Fatalf("%d items, want %d", len(feed.Items), len(want))
			}
			for j, it := range feed.Items {
				a := s.visible[want[j]]
				if it.Title != a.Title {
					t.Errorf("item %d title %q, want %q", j, it.Title, a.Title)
				}
				if it.Link != s.url(enArticle(&a)) {
					t.Errorf("item %d link %q, want absolute %q", j, it.Link, s.url(enArticle(&a)))
				}
				if it.Content != a.HTML {
					t.Errorf("item %d content %q, want the full sanitized body %q", j, it.Content, a.HTML)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(a.Date().Truncate(time.Second)) {
					t.Errorf("item %d published %v, want %v", j, it.PublishedParsed, a.Date())
				}
				if strings.Contains(a.Title, "<script>") && !strings.Contains(it.Title, "<script>") {
					t.Errorf("hostile title should round-trip as text, got %q", it.Title)
				}
			}
		})
	}
	s.mustGet(t, "/section/nope/feed.xml", http.StatusNotFound)
	// An empty section still yields a valid feed.
	if _, err := gofeed.NewParser().Parse(bytes.NewReader(s.mustGet(t, "/section/empty/atom.xml", http.StatusOK).body)); err != nil {
		t.Errorf("empty section's Atom feed does not parse: %v", err)
	}
}

type testURLSet struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		News    *struct {
			Publication struct {
				Name     string `xml:"name"`
				Language string `xml:"language"`
			} `xml:"publication"`
			Date  string `xml:"publication_date"`
			Title string `xml:"title"`
		} `xml:"http://www.google.com/schemas/sitemap-news/0.9 news"`
	} `xml:"url"`
}

func TestSitemapsAndRobots(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	r := s.mustGet(t, "/sitemap.xml", http.StatusOK)
	var set testURLSet
	if err := xml.Unmarshal(r.body, &set); err != nil {
		t.Fatalf("sitemap.xml does not parse: %v", err)
	}
	locs := map[string]bool{}
	for _, u := range set.URLs {
		locs[u.Loc] = true
	}
	want := []string{s.url("/en/"), s.url("/en/section/russia"), s.url("/en/section/economy"), s.url("/en/section/culture"), s.url("/en/section/empty")}
	for i := range s.visible {
		want = append(want, s.url(enArticle(&s.visible[i])))
	}
	for _, w := range want {
		if !locs[w] {
			t.Errorf("sitemap lacks %s", w)
		}
	}
	if len(set.URLs) != len(want) {
		t.Errorf("sitemap has %d URLs, want %d (no hidden articles, no duplicates)", len(set.URLs), len(want))
	}

	r = s.mustGet(t, "/news-sitemap.xml", http.StatusOK)
	if !bytes.Contains(r.body, []byte(`xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"`)) {
		t.Error("news sitemap lacks the news namespace declaration")
	}
	var news testURLSet
	if err := xml.Unmarshal(r.body, &news); err != nil {
		t.Fatalf("news-sitemap.xml does not parse: %v", err)
	}
	var recent int
	for i := range s.visible {
		if !s.visible[i].Date().Before(s.now.Add(-48 * time.Hour)) {
			recent++
		}
	}
	if len(news.URLs) != recent || recent == 0 || recent == len(s.visible) {
		t.Fatalf("news sitemap lists %d articles, want the %d of the last 48 hours", len(news.URLs), recent)
	}
	for i, u := range news.URLs {
		a := s.visible[i]
		if u.Loc != s.url(enArticle(&a)) || u.News == nil || u.News.Title != a.Title ||
			u.News.Publication.Name != "Spektrum Test" || u.News.Publication.Language != "en" {
			t.Errorf("news entry %d = %+v, want %s titled %q by Spektrum Test in en", i, u, enArticle(&a), a.Title)
			continue
		}
		if d, err := time.Parse(time.RFC3339, u.News.Date); err != nil || !d.Equal(a.Date().Truncate(time.Second)) {
			t.Errorf("news entry %d publication_date %q, want %v", i, u.News.Date, a.Date())
		}
	}

	robots := string(s.mustGet(t, "/robots.txt", http.StatusOK).body)
	for _, w := range []string{"Sitemap: " + s.url("/sitemap.xml"), "Sitemap: " + s.url("/news-sitemap.xml"), "User-agent: *"} {
		if !strings.Contains(robots, w) {
			t.Errorf("robots.txt lacks %q:\n%s", w, robots)
		}
	}
}
