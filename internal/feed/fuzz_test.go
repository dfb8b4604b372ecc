package feed

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"spektrum/internal/weburl"
)

// addFixtures seeds a fuzz corpus with every file in testdata.
func addFixtures(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures to seed the corpus: %v", err)
	}
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParse(f *testing.F) {
	addFixtures(f)
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1}]}`))
	f.Add([]byte(`<sitemapindex><sitemap><loc>/a.xml</loc></sitemap></sitemapindex>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, err := Parse(body, "https://example.com/feed.xml")
		if err != nil {
			if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrTooComplex) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if fd == nil {
			t.Fatal("nil feed without error")
		}
		seen := map[string]bool{}
		for _, it := range fd.Items {
			if it.GUID == "" {
				t.Fatalf("item without GUID: %+v", it)
			}
			if seen[it.GUID] {
				t.Fatalf("duplicate GUID %q", it.GUID)
			}
			seen[it.GUID] = true
			if it.URL != "" && !weburl.Valid(it.URL) {
				t.Fatalf("item URL %q is not absolute http(s)", it.URL)
			}
			for _, s := range []string{it.Title, it.Summary, it.Content, it.Author} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 in item: %q", s)
				}
			}
		}
		for _, s := range fd.Sitemaps {
			if !weburl.Valid(s) {
				t.Fatalf("sitemap URL %q is not absolute http(s)", s)
			}
		}
	})
}

func FuzzDiscover(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, page []byte) {
		seen := map[string]bool{}
		for _, l := range Discover(page, "https://example.com/news/") {
			if !weburl.Valid(l.URL) {
				t.Fatalf("link %q is not absolute http(s)", l.URL)
			}
			if seen[l.URL] {
				t.Fatalf("duplicate link %q", l.URL)
			}
			seen[l.URL] = true
		}
	})
}

func BenchmarkParseRSS(b *testing.B) {
	body := readFixture(b, "rss2_tagesschau.xml")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body, "https://www.tagesschau.de/index~rss2.xml"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSitemap(b *testing.B) {
	body := generatedSitemap(5000)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(body, "https://example.com/sitemap.xml"); err != nil {
			b.Fatal(err)
		}
	}
}
