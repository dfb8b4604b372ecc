package pipeline

import (
	"testing"
	"time"

	"spektrum/internal/feed"
)

func TestCanonicalTrustsOnlyTheSameSite(t *testing.T) {
	page := "https://news.example/2025/03/story.html"
	cases := map[string]string{
		"https://news.example/2025/03/story.html":     "https://news.example/2025/03/story.html",
		"https://amp.news.example/2025/03/story.html": "https://amp.news.example/2025/03/story.html",
		"https://news.example/":                       "", // a site pointing every canonical at its home
		"/2025/03/story.html":                         "", // relative: not trusted
		"javascript:void(0)":                          "",
		// Another site's URL is a claim anyone can make: never believed.
		"https://other.example/2025/03/story.html":     "",
		"https://news.example:8443/2025/03/story.html": "",
		"https://news.example.evil.example/2025/03/x":  "",
	}
	for in, want := range cases {
		if got := canonical(in, page); got != want {
			t.Errorf("canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewestOrdersAndCaps(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	items := []feed.Item{
		{GUID: "undated-1"}, {GUID: "old", Published: day(1)}, {GUID: "new", Published: day(9)},
		{GUID: "updated-only", Updated: day(5)}, {GUID: "undated-2"},
	}
	got := newest(items, 4)
	want := []string{"new", "updated-only", "old", "undated-1"}
	if len(got) != len(want) {
		t.Fatalf("newest kept %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].GUID != want[i] {
			t.Fatalf("newest order %v, want %v", guids(got), want)
		}
	}
}

func guids(items []feed.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.GUID)
	}
	return out
}

func TestArticleKeyIsStableAndDistinct(t *testing.T) {
	a := articleKey(1, feed.Item{GUID: "g1", URL: "https://x/1"})
	if a != articleKey(1, feed.Item{GUID: "g1", URL: "https://x/other"}) {
		t.Error("the key must follow the GUID when there is one")
	}
	if a == articleKey(2, feed.Item{GUID: "g1"}) || a == articleKey(1, feed.Item{GUID: "g2"}) {
		t.Error("keys of different sources or GUIDs must differ")
	}
	if articleKey(1, feed.Item{URL: "https://x/1"}) == articleKey(1, feed.Item{URL: "https://x/2"}) {
		t.Error("without GUIDs, URLs must tell items apart")
	}
}

func TestSummaryCutsAtWords(t *testing.T) {
	text := "Erster Absatz mit einigen Wörtern, die zusammen deutlich länger sind als erlaubt.\n\nZweiter Absatz."
	got := summary(text, 40)
	if len([]rune(got)) > 41 || got[len(got)-len("…"):] != "…" {
		t.Errorf("summary = %q: want at most 40 runes plus an ellipsis", got)
	}
	if summary("Kurz.\n\nMehr.", 40) != "Kurz." {
		t.Errorf("summary keeps only the first paragraph, got %q", summary("Kurz.\n\nMehr.", 40))
	}
}
