package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"spektrum/internal/story"
)

// The demo has one event reported by several of its sites, each in its
// own words and language (the tanker aground at the Loreley), so a
// newcomer sees a story page with several sources and its coverage bars.
// The story stage's own step (story.Assign, here with its in-memory state
// and the settings the pipeline uses) must file those reports under one
// story and nothing else with them, from sites of different countries,
// languages and outlet types. (Eurovoix also republishes the English
// report word for word, so the article page has a copy to show coverage
// for; the pipeline files a copy with its original, here it must simply
// not pull the others apart.)
func TestSharedStory(t *testing.T) {
	var items []filed
	for _, s := range Sites("http://127.0.0.1:1") {
		for _, a := range s.Articles {
			items = append(items, filed{s, a.Title, a})
		}
	}
	// The pipeline meets articles in whatever order their jobs finish:
	// oldest first, newest first (each feed lists its newest first),
	// shuffled, and the reports before everything else. The last is the
	// hard one: the step weighs words by how rare they are among the
	// articles counted so far, and while those are a handful the words two
	// reports share are in most of them. The prior on document frequencies
	// (story.Options.PriorDocs) and the re-check (RecheckSize) are what
	// file them together all the same.
	reports := func(it filed) bool { return strings.Contains(it.title, "Aurelia") }
	orders := map[string]func([]filed){
		"oldest first": func(items []filed) {
			sort.SliceStable(items, func(i, j int) bool { return items[i].a.Published.Before(items[j].a.Published) })
		},
		"newest first": func(items []filed) {
			sort.SliceStable(items, func(i, j int) bool { return items[i].a.Published.After(items[j].a.Published) })
		},
	}
	for seed := range 50 {
		shuffle := func(items []filed) {
			rand.New(rand.NewPCG(uint64(seed), 1)).Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		}
		orders[fmt.Sprintf("shuffled %d", seed)] = shuffle
		orders[fmt.Sprintf("reports first, then shuffled %d", seed)] = func(items []filed) {
			shuffle(items)
			sort.SliceStable(items, func(i, j int) bool { return reports(items[i]) && !reports(items[j]) })
		}
	}
	for name, order := range orders {
		work := slices.Clone(items) // each order from the same start
		order(work)
		checkShared(t, name, work)
	}
}

func checkShared(t *testing.T, order string, items []filed) {
	t.Helper()
	c := story.NewClusterer(story.DefaultOptions())
	ids := make([]int, len(items))
	for i, it := range items {
		a := it.a
		ids[i] = c.Add(story.Item{ID: a.URL, Title: a.Title, URL: a.URL, Language: a.Lang, Text: a.Text, Published: a.Published})
	}
	members := map[int][]filed{}
	for i, it := range items {
		id := c.Story(ids[i])
		members[id] = append(members[id], it)
	}
	// The story of the English report (other demo stories may hold
	// several articles of one site, which pages do not show as stories).
	var shared []filed
	for _, m := range members {
		for _, f := range m {
			if f.site.Name == "harbor-gazette" && strings.Contains(f.title, "Loreley") {
				shared = m
			}
		}
	}
	countries, languages, types := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range shared {
		if !strings.Contains(m.title, "Aurelia") && !strings.Contains(m.title, "Loreley") {
			t.Errorf("%s: %s's %q joined the shared story", order, m.site.Name, m.title)
		}
		countries[m.site.Viewpoint.Country] = true
		types[m.site.Viewpoint.Type] = true
		languages[m.a.Lang] = true
	}
	if len(shared) < 3 || len(countries) < 3 || len(languages) < 3 || len(types) < 3 {
		t.Errorf("%s: the shared story holds %v: want at least three sites of different countries, languages and types", order, titles(shared))
	}
}

// filed is a demo article as the story test files it: its site and title.
type filed struct {
	site  Site
	title string
	a     Article
}

func titles(fs []filed) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.site.Name+": "+f.title)
	}
	return out
}
