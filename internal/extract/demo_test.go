package extract_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/extract"
)

// The demo sites (internal/demo/sites) were written for the end-to-end
// tests by another engineer: 22 article pages of six sites in English,
// German, French, Spanish, Italian and Polish, each with its true text and
// a manifest of title, author and date. They are a second check beside our
// own corpus, and the only set with several pages per site, so the one
// where site profiles can be measured (each page's profile learns the
// site's other pages).

type demoArticle struct {
	File, Text, Path, Title, Author, Published, Lang string
}

type demoManifest struct {
	Name     string
	Articles []demoArticle
}

type demoPage struct {
	site, url string
	page      []byte
	a         demoArticle
	truth     string
}

func loadDemo(t *testing.T) []demoPage {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "demo", "sites", "*", "manifest.json"))
	if err != nil || len(dirs) == 0 {
		t.Skip("no demo sites beside internal/extract")
	}
	var out []demoPage
	for _, m := range dirs {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var man demoManifest
		if err := json.Unmarshal(raw, &man); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		dir := filepath.Dir(m)
		for _, a := range man.Articles {
			page, err := readPage(filepath.Join(dir, a.File))
			if err != nil {
				t.Fatal(err)
			}
			base := "https://" + man.Name + ".example"
			page = bytes.ReplaceAll(page, []byte("{{base}}"), []byte(base))
			truth, err := os.ReadFile(filepath.Join(dir, a.Text))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, demoPage{site: man.Name, url: "https://" + man.Name + ".example/" + a.Path, page: page, a: a, truth: string(truth)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].url < out[j].url })
	return out
}

// readPage reads a demo page, gunzipping the benchmark pages stored
// gzipped.
func readPage(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return raw, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func TestDemoSites(t *testing.T) {
	pages := loadDemo(t)
	ex := extract.New()
	truth, ours, withProfile, theirs := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	var score [2]struct{ title, author, date int }
	for _, p := range pages {
		truth[p.url] = p.truth
		a, err := ex.Extract(context.Background(), p.page, p.url)
		if err != nil {
			t.Errorf("%s: %v", p.url, err)
			a = &extract.Article{}
		}
		ours[p.url] = a.Text

		prof := extract.NewSiteProfile()
		for _, q := range pages {
			if q.site == p.site && q.url != p.url {
				if err := prof.Learn(q.page); err != nil {
					t.Fatal(err)
				}
			}
		}
		if b, err := ex.ExtractWithProfile(context.Background(), p.page, p.url, prof); err == nil {
			withProfile[p.url] = b.Text
		}

		u, _ := url.Parse(p.url)
		doc, err := html.Parse(bytes.NewReader(p.page))
		if err != nil {
			t.Fatal(err)
		}
		var tm trafilatura.Metadata
		if res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{OriginalURL: u, EnableFallback: true}); err == nil {
			tm = res.Metadata
			theirs[p.url] = res.ContentText
		}
		want, _ := time.Parse(time.RFC3339, p.a.Published)
		for i, m := range []struct {
			title, author string
			date          time.Time
		}{{a.Title, a.Author, a.Published}, {tm.Title, tm.Author, tm.Date}} {
			if norm(m.title) == norm(p.a.Title) {
				score[i].title++
			} else if i == 0 {
				t.Logf("%s: title %q, want %q", p.url, m.title, p.a.Title)
			}
			if norm(m.author) == norm(p.a.Author) {
				score[i].author++
			} else if i == 0 {
				t.Logf("%s: author %q, want %q", p.url, m.author, p.a.Author)
			}
			if !m.date.IsZero() && m.date.In(want.Location()).Format("2006-01-02") == want.Format("2006-01-02") {
				score[i].date++
			} else if i == 0 {
				t.Logf("%s: date %v, want %v", p.url, m.date, want)
			}
		}
	}
	ro, rp, rt := aeb.Score(truth, ours), aeb.Score(truth, withProfile), aeb.Score(truth, theirs)
	t.Logf("body, %d pages: spektrum F1 %.4f exact %.3f | with site profiles F1 %.4f exact %.3f | go-trafilatura F1 %.4f exact %.3f",
		len(pages), ro.F1, ro.Accuracy, rp.F1, rp.Accuracy, rt.F1, rt.Accuracy)
	n := len(pages)
	t.Logf("title %d/%d vs %d/%d, author %d/%d vs %d/%d, date %d/%d vs %d/%d (spektrum vs go-trafilatura)",
		score[0].title, n, score[1].title, n, score[0].author, n, score[1].author, n, score[0].date, n, score[1].date, n)
	if ro.F1 < rt.F1 || ro.F1 < 0.95 {
		t.Errorf("body F1 %.4f: want at least 0.95 and go-trafilatura's %.4f", ro.F1, rt.F1)
	}
	if rp.F1 < ro.F1-0.005 {
		t.Errorf("site profiles cost F1: %.4f with, %.4f without", rp.F1, ro.F1)
	}
	if score[0].title < score[1].title || score[0].author < score[1].author || score[0].date < score[1].date {
		t.Errorf("metadata behind go-trafilatura's on the demo pages")
	}
	if strings.TrimSpace(truth[pages[0].url]) == "" {
		t.Error("demo truth is empty")
	}
}
