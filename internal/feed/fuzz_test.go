package feed

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unicode/utf8"

	"spektrum/internal/weburl"
)

// addFixtures seeds a fuzz corpus with the files in testdata matching glob.
func addFixtures(f *testing.F, glob string) {
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures %s to seed the corpus: %v", glob, err)
	}
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// allocPerByte and allocBase make the allocation ceiling of one Parse:
// proportional to the body, because the bounds cap what a body's shape can
// cost. The costliest shape the bounds let through (60,000 elements with 31
// namespaces in scope, each element copying the namespace map) allocates
// about 850 bytes per byte of body; real feeds 5 to 30.
const (
	allocPerByte = 1024
	allocBase    = 4 << 20
)

// checkParse asserts what must hold for any body: no panic, a classified
// error or a feed whose every URL is absolute http(s), unique GUIDs, valid
// UTF-8 text, and allocations within the ceiling.
func checkParse(t *testing.T, body []byte, base string) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fd, err := Parse(body, base)
	runtime.ReadMemStats(&after)
	if total, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(allocBase+allocPerByte*len(body)); total > ceiling {
		t.Fatalf("a %d-byte body allocated %d bytes, over the ceiling of %d", len(body), total, ceiling)
	}
	if err != nil {
		if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrTooComplex) {
			t.Fatalf("unclassified error: %v", err)
		}
		return
	}
	if fd == nil {
		t.Fatal("nil feed without error")
	}
	if fd.SiteURL != "" && !weburl.Valid(fd.SiteURL) {
		t.Fatalf("site URL %q is not absolute http(s)", fd.SiteURL)
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
		for _, u := range []string{it.URL, it.Image} {
			if u != "" && !weburl.Valid(u) {
				t.Fatalf("item URL %q is not absolute http(s)", u)
			}
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
}

// FuzzParse fuzzes the feed parsers (RSS, RDF, Atom, JSON Feed). Its seed
// corpus, the feed fixtures in testdata and testdata/fuzz/FuzzParse, runs in
// the normal suite.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"rss*", "rdf*", "atom*", "jsonfeed*", "hostile_urls_rss.xml", "hostile_urls_atom.xml", "hostile_urls_jsonfeed.json"} {
		addFixtures(f, glob)
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":1}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParse(t, body, "https://example.com/feed.xml")
	})
}

// FuzzParseSitemap fuzzes the sitemap, news sitemap and sitemap index
// parsers; its seed corpus is the sitemap fixtures in testdata and
// testdata/fuzz/FuzzParseSitemap.
func FuzzParseSitemap(f *testing.F) {
	for _, glob := range []string{"sitemap*", "newssitemap*", "hostile_urls_sitemap*"} {
		addFixtures(f, glob)
	}
	f.Add([]byte(`<sitemapindex><sitemap><loc>/a.xml</loc></sitemap></sitemapindex>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParse(t, body, "https://example.com/sitemap.xml")
	})
}

func FuzzDiscover(f *testing.F) {
	addFixtures(f, "*")
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
