package extract

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// sitePage builds a press-release page of one site: its own story, then the
// boilerplate paragraph every release of the site ends with, inside the
// article container where no class marks it.
func sitePage(story []string) []byte {
	var b strings.Builder
	b.WriteString(`<html lang="en"><head><title>Release</title></head><body><div class="content"><h1>Release</h1>`)
	for _, p := range story {
		fmt.Fprintf(&b, "<p>%s</p>", p)
	}
	b.WriteString(`<p>Northwind is a global provider of logistics software for hospitals. The company is headquartered in Basel and employs around 1,300 people worldwide.</p>`)
	b.WriteString(`<p>For further information, please contact our media relations team at any time of the day.</p>`)
	b.WriteString(`</div></body></html>`)
	return []byte(b.String())
}

func story(topic string) []string {
	return []string{
		fmt.Sprintf("Northwind announced on Monday a new partnership on %s with a regional hospital group, the first of its kind in the country.", topic),
		fmt.Sprintf("The agreement covers %s across twelve sites and runs for five years, the company said in a statement released in the morning.", topic),
		fmt.Sprintf("Analysts expect the deal on %s to add several million to revenue next year, although the terms were not disclosed by either side.", topic),
	}
}

func TestSiteProfileDropsTemplate(t *testing.T) {
	prof := NewSiteProfile()
	for _, topic := range []string{"patient alarms", "nurse call systems", "mobile workflows"} {
		if err := prof.Learn(sitePage(story(topic))); err != nil {
			t.Fatal(err)
		}
	}
	if prof.Pages() != 3 {
		t.Fatalf("Pages() = %d, want 3", prof.Pages())
	}
	page := sitePage(story("bed management"))
	e := New()
	plain, err := e.Extract(context.Background(), page, "https://www.northwind.example/news/1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.Text, "headquartered in Basel") {
		t.Fatalf("test premise: without a profile the boilerplate should be kept:\n%s", plain.Text)
	}
	got, err := e.ExtractWithProfile(context.Background(), page, "https://www.northwind.example/news/1", prof)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Text, "headquartered in Basel") || strings.Contains(got.Text, "media relations") {
		t.Errorf("template paragraphs kept with a profile of 3 pages:\n%s", got.Text)
	}
	for _, p := range story("bed management") {
		if !strings.Contains(got.Text, p) {
			t.Errorf("story paragraph lost: %q", p)
		}
	}
}

func TestSiteProfileSameStoryKept(t *testing.T) {
	// The "other pages" are copies of the same story (an update, an AMP
	// version): the profile must not empty the body.
	prof := NewSiteProfile()
	for i := 0; i < 3; i++ {
		if err := prof.Learn(sitePage(story("bed management"))); err != nil {
			t.Fatal(err)
		}
	}
	got, err := New().ExtractWithProfile(context.Background(), sitePage(story("bed management")), "https://www.northwind.example/news/1", prof)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range story("bed management") {
		if !strings.Contains(got.Text, p) {
			t.Errorf("story paragraph lost to a profile of copies of the same story: %q", p)
		}
	}
}

func TestSiteProfileOnePageIsNotEnough(t *testing.T) {
	// One other page cannot tell template from a paragraph two stories
	// happen to share (a quote, a wire-service background paragraph).
	prof := NewSiteProfile()
	if err := prof.Learn(sitePage(story("patient alarms"))); err != nil {
		t.Fatal(err)
	}
	got, err := New().ExtractWithProfile(context.Background(), sitePage(story("bed management")), "https://www.northwind.example/news/1", prof)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "headquartered in Basel") {
		t.Errorf("a profile of one page removed a shared paragraph")
	}
}

func TestSiteKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.Example.org/a/b?c": "example.org",
		"http://news.example.org":       "news.example.org",
	} {
		if got := SiteKey(in); got != want {
			t.Errorf("SiteKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A profile learned from the pages' blocks as ExtractLearning reads them
// is the profile Learn builds from the pages, and it drops the template.
func TestExtractLearningLearnsAsLearn(t *testing.T) {
	e := New()
	byLearn, byExtract := NewSiteProfile(), NewSiteProfile()
	for i, topic := range []string{"patient alarms", "nurse call systems", "mobile workflows"} {
		page := sitePage(story(topic))
		if err := byLearn.Learn(page); err != nil {
			t.Fatal(err)
		}
		a, blocks, err := e.ExtractLearning(context.Background(), page, fmt.Sprintf("https://www.northwind.example/news/%d", i), byExtract, true)
		if err != nil {
			t.Fatal(err)
		}
		if blocks == nil || a.Text == "" {
			t.Fatalf("page %d: blocks %v, text %q", i, blocks, a.Text)
		}
		byExtract.LearnBlocks(blocks)
	}
	if byExtract.Pages() != byLearn.Pages() || len(byExtract.seen) != len(byLearn.seen) {
		t.Fatalf("learned %d pages, %d blocks; Learn: %d pages, %d blocks", byExtract.Pages(), len(byExtract.seen), byLearn.Pages(), len(byLearn.seen))
	}
	for k, n := range byLearn.seen {
		if byExtract.seen[k] != n {
			t.Fatalf("block %x seen on %d pages, Learn says %d", k, byExtract.seen[k], n)
		}
	}
	_, blocks, err := e.ExtractLearning(context.Background(), sitePage(story("bed management")), "https://www.northwind.example/news/9", byExtract, false)
	if err != nil || blocks != nil {
		t.Fatalf("without learning: blocks %v, err %v; want none", blocks, err)
	}
	got, err := e.ExtractWithProfile(context.Background(), sitePage(story("bed management")), "https://www.northwind.example/news/9", byExtract)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Text, "headquartered in Basel") {
		t.Errorf("template kept with the learned profile:\n%s", got.Text)
	}
}
