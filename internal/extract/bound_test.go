package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// articleParagraphs is enough prose for a page to count as an article.
const articleParagraphs = `<p>The council voted on Thursday to approve the new tram line, which will connect the main station with the northern districts of the city.</p>
<p>Construction is expected to begin next year and to take about three years, the transport department said in a statement.</p>
<p>Residents had raised concerns about noise and the loss of parking spaces during several public meetings held over the summer.</p>`

func TestExtractDeeplyNested(t *testing.T) {
	for _, tag := range []string{"div", "b", "table", "p"} {
		t.Run(tag, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString("<html><head><title>Deep</title></head><body>")
			b.WriteString(articleParagraphs)
			b.WriteString(strings.Repeat("<"+tag+">", 100_000))
			b.WriteString("bottom of the well")
			b.WriteString(strings.Repeat("</"+tag+">", 100_000))
			b.WriteString("</body></html>")
			start := time.Now()
			a, err := New().Extract(context.Background(), b.Bytes(), "https://deep.example/a")
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !strings.Contains(a.Text, "approve the new tram line") {
				t.Errorf("article text lost in a deep page: %q", a.Text)
			}
			t.Logf("%s: %d bytes in %v", tag, b.Len(), time.Since(start))
		})
	}
}

func TestBoundTokensDepth(t *testing.T) {
	in := strings.Repeat("<div>", 1000) + "x" + strings.Repeat("</div>", 1000)
	doc, err := parseBounded([]byte(in))
	if err != nil {
		t.Fatalf("parseBounded: %v", err)
	}
	if d := maxTreeDepth(doc); d > maxDepth+4 {
		t.Errorf("tree depth %d exceeds budget %d", d, maxDepth)
	}
	if !strings.Contains(textOf(doc), "x") {
		t.Error("text below the depth budget was lost; it should be flattened, not dropped")
	}
	// Unclosed <p> and <li> must not count as nesting.
	in = "<ul>" + strings.Repeat("<li>item", 2000) + "</ul>" + strings.Repeat("<p>para", 2000)
	doc, err = parseBounded([]byte(in))
	if err != nil {
		t.Fatalf("parseBounded: %v", err)
	}
	if n := countElements(doc, "li"); n != 2000 {
		t.Errorf("got %d <li>, want 2000 (implicitly closed siblings must survive)", n)
	}
	if n := countElements(doc, "p"); n != 2000 {
		t.Errorf("got %d <p>, want 2000", n)
	}
}

func TestBoundTokensElements(t *testing.T) {
	in := strings.Repeat("<span>w</span>", maxElements*2)
	doc, err := parseBounded([]byte(in))
	if err != nil {
		t.Fatalf("parseBounded: %v", err)
	}
	if n := countElements(doc, "span"); n != maxElements {
		t.Errorf("got %d elements, want the budget %d", n, maxElements)
	}
}

func TestExtractLargePage(t *testing.T) {
	// A 4 MB page: a real article followed by an endless comment-section-like
	// tail of small blocks, the shape of the largest pages we have seen.
	var b bytes.Buffer
	b.WriteString(`<html lang="en"><head><title>Big page</title></head><body><article><h1>Big page</h1>`)
	b.WriteString(articleParagraphs)
	b.WriteString(`</article><section id="comments" class="comments-area"><h2>Comments</h2>`)
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, `<div class="comment"><span class="comment-author">user%d</span><p>Comment number %d says something short.</p></div>`, i, i)
	}
	b.WriteString("</section></body></html>")
	start := time.Now()
	a, err := New().Extract(context.Background(), b.Bytes(), "https://big.example/a")
	if err != nil {
		t.Fatalf("Extract on %d bytes: %v", b.Len(), err)
	}
	if !strings.Contains(a.Text, "approve the new tram line") {
		t.Errorf("article text missing from a large page")
	}
	t.Logf("%d bytes in %v, %d bytes of text", b.Len(), time.Since(start), len(a.Text))
}

func TestExtractLargePageWorstCase(t *testing.T) {
	// 4 MB of blocks with no class that marks them as chrome: the element
	// budget is all that stands between this page and minutes of work.
	var b bytes.Buffer
	b.WriteString(`<html><head><title>Wall</title></head><body>`)
	for i := 0; b.Len() < 4<<20; i++ {
		fmt.Fprintf(&b, `<div class="y"><span class="z">user%d</span><p>Comment number %d says something short.</p></div>`, i, i)
	}
	b.WriteString("</body></html>")
	start := time.Now()
	a, err := New().Extract(context.Background(), b.Bytes(), "https://wall.example/a")
	if err != nil && !errors.Is(err, ErrNoArticle) {
		t.Fatalf("Extract: %v", err)
	}
	// The budget cuts the page at maxElements elements, three per block.
	if err == nil && strings.Count(a.Text, "Comment number") > maxElements/3+1 {
		t.Errorf("result not bounded: %d blocks", strings.Count(a.Text, "Comment number"))
	}
	t.Logf("%d bytes in %v", b.Len(), time.Since(start))
}

func TestExtractRefusesHugePage(t *testing.T) {
	page := bytes.Repeat([]byte("<p>x</p>"), MaxPageBytes/8+1)
	_, err := New().Extract(context.Background(), page, "https://huge.example/")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Extract error = %v, want ErrTooLarge", err)
	}
}

func TestExtractHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New().Extract(ctx, readFixture(t, "seed-eureporter-de.html"), seedURL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract error = %v, want context.Canceled", err)
	}
}

func TestExtractRejectsRelativePageURL(t *testing.T) {
	if _, err := New().Extract(context.Background(), []byte(articleParagraphs), "/relative"); err == nil {
		t.Fatal("want an error for a relative page URL")
	}
}

func maxTreeDepth(n *html.Node) int {
	d := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		d = max(d, maxTreeDepth(c))
	}
	return d + 1
}

func countElements(n *html.Node, name string) int {
	c := 0
	walk(n, func(e *html.Node) bool {
		if e.Data == name {
			c++
		}
		return true
	})
	return c
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"seed-eureporter-de.html", "meta-fr-jsonld.html", "hostile.html", "no-article-index.html"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@type":["NewsArticle"],"author":[[{"@id":"x"}]],"image":[[["a"]]]},{"@id":"x","name":"N"}]}</script>`))
	f.Add([]byte(strings.Repeat("<table><tr><td>", 300) + articleParagraphs))
	e := New()
	f.Fuzz(func(t *testing.T, page []byte) {
		// The page also serves as its own site's template (twice, so the
		// profile applies): every path of the profile code sees it.
		prof := NewSiteProfile()
		for i := 0; i < 2; i++ {
			if err := prof.Learn(page); err != nil && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Learn: %v", err)
			}
		}
		if _, err := e.ExtractWithProfile(context.Background(), page, "https://fuzz.example/a/b", prof); err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
		a, err := e.Extract(context.Background(), page, "https://fuzz.example/a/b")
		if err != nil {
			return
		}
		if strings.Contains(a.Text+a.HTML+a.Title+a.Author, spaceMark) {
			t.Fatal("the inline space mark leaked into the output")
		}
		if strings.Contains(strings.ToLower(a.HTML), "<script") || strings.Contains(strings.ToLower(a.HTML), "javascript:") {
			t.Fatalf("unsanitized body: %q", a.HTML)
		}
		if a.Text == "" {
			t.Fatal("article without text")
		}
	})
}

func BenchmarkExtract(b *testing.B) {
	files := []string{"seed-eureporter-de.html", "meta-en-jsonld.html", "meta-fr-jsonld.html", "meta-es-og.html",
		"meta-it-og.html", "meta-pl-meta.html", "meta-de-meta.html", "meta-de-visible-date.html"}
	e := New()
	for _, name := range files {
		page := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				if _, err := e.Extract(context.Background(), page, "https://bench.example/a"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseBounded: the page's one parse, bounding pass included.
func BenchmarkParseBounded(b *testing.B) {
	page := readFixture(b, "seed-eureporter-de.html")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBounded(page); err != nil {
			b.Fatal(err)
		}
	}
}
