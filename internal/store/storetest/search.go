package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"spektrum/internal/search"
	"spektrum/internal/store"
)

// searchDoc analyses an article's own text as the pipeline's search stage
// does, for edition l.
func searchDoc(l string, a *store.Article) store.SearchDoc {
	title, body := search.Fields(a.Language, a.Title, a.Summary+"\n"+a.Text)
	return store.SearchDoc{Lang: l, Title: title, Body: body}
}

func putDocs(t *testing.T, s store.Store, a *store.Article, docs ...store.SearchDoc) {
	t.Helper()
	if err := s.PutSearchDocs(context.Background(), a.ID, docs); err != nil {
		t.Fatalf("PutSearchDocs(%d): %v", a.ID, err)
	}
}

// find runs q through every page (limit 2) and returns the ids in order,
// checking that Total agrees with what the pages hold.
func find(t *testing.T, s store.Store, q store.SearchQuery) []int64 {
	t.Helper()
	q.Limit = 2
	var out []int64
	total := -1
	for range 100 {
		page, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		if total >= 0 && page.Total != total {
			t.Errorf("Search(%+v): Total changed from %d to %d between pages", q, total, page.Total)
		}
		total = page.Total
		out = append(out, ids(page.Articles)...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	if len(out) != total {
		t.Errorf("Search(%+v): pages hold %d articles, Total says %d", q, len(out), total)
	}
	return out
}

func query(t *testing.T, lang, raw, sort string) store.SearchQuery {
	t.Helper()
	q, err := search.Parse(lang, raw)
	if err != nil {
		t.Fatalf("search.Parse(%q): %v", raw, err)
	}
	return store.SearchQuery{Lang: lang, Groups: q.Groups, Sort: sort}
}

func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	mk := func(n int, lang, title, text string) *store.Article {
		a := &store.Article{SourceID: src.ID, URL: "https://a.example/" + title, Title: title, Text: text,
			Language: lang, PublishedAt: base.Add(-time.Duration(n) * time.Hour)}
		upsert(t, s, a, store.Created)
		return a
	}
	// Newest first: flood1 (1 h old), flood2, flood3, …
	flood1 := mk(1, "en", "Rhine floods reach Cologne", "The river Rhine rose overnight; flooding closed the old town.")
	flood2 := mk(2, "en", "Weather report", "Some flooding is expected near the Rhine river this week.")
	flood3 := mk(3, "en", "Floods in the south", "Heavy rain flooded villages. River levels of the Rhine are high.")
	other := mk(4, "en", "Markets calm", "Shares rose slightly on Monday.")
	crossing := mk(5, "en", "A story about the river", "Rhine barges were stopped.") // "river" ends the title, "Rhine" starts the body
	german := mk(6, "de", "Hochwasser am Rhein", "Der Pegel des Rheins steigt, die Altstadt von Köln ist überflutet.")
	hidden := &store.Article{SourceID: src.ID, URL: "https://a.example/hidden", Title: "Hidden flood", Text: "Rhine flooding.",
		Language: "en", Hidden: true, PublishedAt: base}
	upsert(t, s, hidden, store.Created)
	copyOf := mk(7, "en", "Rhine floods reach Cologne (copy)", "The river Rhine rose overnight; flooding closed the old town.")
	if err := s.SetDuplicateOf(ctx, copyOf.ID, flood1.ID); err != nil {
		t.Fatal(err)
	}
	// Both pairs of "wombat smiles charm", but not the three words in a row.
	pairs := mk(8, "en", "Island notes", "Wombat smiles were seen. Smiles charm tourists.")
	for _, a := range []*store.Article{flood1, flood2, flood3, other, crossing, hidden, copyOf, pairs} {
		putDocs(t, s, a, searchDoc("en", a))
	}
	// The German article is in both editions: in its own language in de,
	// and "translated" into en, where its original words are the extra field.
	title, body := search.Fields("en", "Flooding on the Rhine", "The level of the Rhine rises; Cologne's old town is flooded.")
	orig := searchDoc("de", german)
	// Every field is analysed in the edition's language, as its queries are.
	origTitle, origBody := search.Fields("en", german.Title, german.Text)
	putDocs(t, s, german, orig, store.SearchDoc{Lang: "en", Title: title, Body: body, Extra: append(origTitle, origBody...)})

	tests := []struct {
		lang, q string
		newest  []int64
	}{
		// Stemming: "floods" finds flooding, flooded; hidden and copies never.
		{"en", "floods", []int64{flood1.ID, flood2.ID, flood3.ID, german.ID}},
		{"en", "flood rhine", []int64{flood1.ID, flood2.ID, flood3.ID, german.ID}},
		// A phrase in that order only; not from the title into the body.
		{"en", `"river Rhine"`, []int64{flood1.ID}},
		{"en", `"Rhine river"`, []int64{flood2.ID}},
		{"en", `"river rhine" barges`, nil},
		// Longer phrases: every word in a row (PostgreSQL finds the pairs,
		// then checks the positions).
		{"en", `"river Rhine rose"`, []int64{flood1.ID}},
		{"en", `"Rhine rose river"`, nil},
		{"en", `"smiles charm tourists"`, []int64{pairs.ID}},
		{"en", `"wombat smiles charm"`, nil},
		{"en", `"wombat smiles" "charm tourists"`, []int64{pairs.ID}},
		{"en", `"wombat smiles" rhine`, nil},
		// Diacritics and case folded, the original's words found in the
		// translated edition.
		{"en", "KÖLN", []int64{german.ID}},
		{"en", "koln", []int64{german.ID}},
		{"de", "Rhein Köln", []int64{german.ID}},
		{"de", "flooding", nil},
		{"en", "shares", []int64{other.ID}},
		// Words that are syntax to FTS5 or tsquery are words.
		{"en", `near AND or NOT`, nil},
		{"en", "markets*", []int64{other.ID}},
	}
	relevance := map[string][]int64{}
	for _, tc := range tests {
		q := query(t, tc.lang, tc.q, store.SortNewest)
		if got := find(t, s, q); !slices.Equal(got, tc.newest) {
			t.Errorf("%s %q newest = %v, want %v", tc.lang, tc.q, got, tc.newest)
		}
		q.Sort = store.SortRelevance
		got := find(t, s, q)
		if !sameSet(got, tc.newest) {
			t.Errorf("%s %q relevance = %v, want the set %v", tc.lang, tc.q, got, tc.newest)
		}
		relevance[tc.lang+" "+tc.q] = got
	}
	// Optimizing the index (after a bulk load) changes no result, in
	// either order, and the index keeps taking documents.
	if _, err := s.OptimizeSearch(ctx); err != nil {
		t.Fatalf("OptimizeSearch: %v", err)
	}
	for _, tc := range tests {
		q := query(t, tc.lang, tc.q, store.SortNewest)
		if got := find(t, s, q); !slices.Equal(got, tc.newest) {
			t.Errorf("after OptimizeSearch: %s %q newest = %v, want %v", tc.lang, tc.q, got, tc.newest)
		}
		q.Sort = store.SortRelevance
		if got, want := find(t, s, q), relevance[tc.lang+" "+tc.q]; !slices.Equal(got, want) {
			t.Errorf("after OptimizeSearch: %s %q relevance = %v, before %v", tc.lang, tc.q, got, want)
		}
	}
	// Relevance: the article with the words in its title and text comes
	// before those with them once in the text, on both engines.
	if got := find(t, s, query(t, "en", "rhine floods", store.SortRelevance)); len(got) == 0 || got[0] != flood1.ID {
		t.Errorf("relevance order %v, want %d first", got, flood1.ID)
	}

	// Re-indexing replaces; no documents removes.
	putDocs(t, s, other, store.SearchDoc{Lang: "en", Title: []string{"bond"}})
	if got := find(t, s, query(t, "en", "shares", store.SortNewest)); len(got) != 0 {
		t.Errorf("after re-index, old terms still found: %v", got)
	}
	if got := find(t, s, query(t, "en", "bonds", store.SortNewest)); !slices.Equal(got, []int64{other.ID}) {
		t.Errorf("after re-index, new terms: %v", got)
	}
	putDocs(t, s, other)
	if got := find(t, s, query(t, "en", "bonds", store.SortNewest)); len(got) != 0 {
		t.Errorf("after removal: %v", got)
	}
	putDocs(t, s, other, searchDoc("en", other)) // and back, after its FTS row was deleted
	if got := find(t, s, query(t, "en", "shares", store.SortNewest)); !slices.Equal(got, []int64{other.ID}) {
		t.Errorf("indexed again: %v", got)
	}

	// Articles of the same time order by id, newest (highest) first, on
	// both engines, and a page boundary between them loses none.
	var ties []int64
	for _, title := range []string{"Quokka census", "Quokka numbers", "Quokka island"} {
		a := mk(10, "en", title, "Quokkas were counted.")
		putDocs(t, s, a, searchDoc("en", a))
		ties = append([]int64{a.ID}, ties...)
	}
	if got := find(t, s, query(t, "en", "quokka", store.SortNewest)); !slices.Equal(got, ties) {
		t.Errorf("same time, newest = %v, want %v", got, ties)
	}
	if got := find(t, s, query(t, "en", "quokka", store.SortRelevance)); !sameSet(got, ties) {
		t.Errorf("same time, relevance = %v, want the set %v", got, ties)
	}

	// Relevance ranks the newest SearchRankCap matches and lists the older
	// ones after them, newest first: every match, once, in both orders.
	// More than SearchCountCap of them, where PostgreSQL may walk its
	// newest-first index instead of reading the matches from GIN.
	var many []int64 // newest first
	for i := range store.SearchCountCap + 5 {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/numbat/%d", i), Title: "Numbat sighting",
			Text: strings.Repeat("numbat ", i%7+1), Language: "en", PublishedAt: base.Add(-time.Duration(20+i) * time.Hour)}
		upsert(t, s, a, store.Created)
		putDocs(t, s, a, searchDoc("en", a))
		many = append(many, a.ID)
	}
	all := func(raw, sort string) []int64 {
		var out []int64
		q := query(t, "en", raw, sort)
		q.Limit = 60
		for range 30 {
			page, err := s.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search(%+v): %v", q, err)
			}
			if page.Total != store.SearchCountCap || !page.TotalMore {
				t.Errorf("Search(%+v): total %d, more %v; want %d, true", q, page.Total, page.TotalMore, store.SearchCountCap)
			}
			out = append(out, ids(page.Articles)...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		return out
	}
	// A word, and a phrase (which PostgreSQL searches another way).
	for _, raw := range []string{"numbat", `"numbat sighting"`} {
		if got := all(raw, store.SortNewest); !slices.Equal(got, many) {
			t.Errorf("%s: %d matches newest first: got %d, not in order", raw, len(many), len(got))
		}
		ranked := all(raw, store.SortRelevance)
		if !sameSet(ranked, many) || len(ranked) != len(many) {
			t.Errorf("%s: relevance over %d matches: %d results, not the same set", raw, len(many), len(ranked))
		} else if !sameSet(ranked[:store.SearchRankCap], many[:store.SearchRankCap]) || !slices.Equal(ranked[store.SearchRankCap:], many[store.SearchRankCap:]) {
			t.Errorf("%s: relevance: the newest %d are not ranked first, or the older ones not newest first after them", raw, store.SearchRankCap)
		}
	}

	// Cursors: mangled, or of the other order, are ErrBadCursor.
	first, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"flood"}}, Sort: store.SortNewest, Limit: 1})
	if err != nil || first.NextCursor == "" || first.Total != 4 {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	rel, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"flood"}}, Limit: 1})
	if err != nil || rel.NextCursor == "" {
		t.Fatalf("first relevance page: %+v, %v", rel, err)
	}
	for _, bad := range []store.SearchQuery{
		{Lang: "en", Groups: [][]string{{"flood"}}, Sort: store.SortNewest, Cursor: "!!"},
		{Lang: "en", Groups: [][]string{{"flood"}}, Sort: store.SortNewest, Cursor: rel.NextCursor},
		{Lang: "en", Groups: [][]string{{"flood"}}, Sort: store.SortRelevance, Cursor: first.NextCursor},
	} {
		if _, err := s.Search(ctx, bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("Search(cursor %q, %s) = %v, want ErrBadCursor", bad.Cursor, bad.Sort, err)
		}
	}
	if page, err := s.Search(ctx, store.SearchQuery{Lang: "en"}); err != nil || page.Total != 0 {
		t.Errorf("no groups: %+v, %v", page, err)
	}

	// Deleting the source deletes its articles and their documents.
	if err := s.DeleteSource(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if got := find(t, s, query(t, "en", "rhine", store.SortNewest)); len(got) != 0 {
		t.Errorf("after deleting the source: %v", got)
	}
}

func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// searchTiered is a store whose search index keeps a tier of its newest
// documents (sqlstore.Store), with the knob and the state its test needs.
type searchTiered interface {
	SetSearchTierDocs(n int)
	SearchTier(ctx context.Context) (floor, bound int64, err error)
	SearchTierEditions(ctx context.Context) (map[string]int64, error)
}

// searchPages runs q through every page (60 a page) and returns the ids in
// order and the first page.
func searchPages(t *testing.T, s store.Store, q store.SearchQuery) ([]int64, store.SearchPage) {
	t.Helper()
	q.Limit = 60
	var got []int64
	var first store.SearchPage
	for range 50 {
		page, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("Search(%+v): %v", q, err)
		}
		if q.Cursor == "" {
			first = page
		}
		got = append(got, ids(page.Articles)...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	return got, first
}

// testSearchTier: searches answered from the tier of the newest documents
// give what the whole index gives. Articles arrive in time order, as news
// does, and the tier (kept small here) moves up many times under them: a
// word in every article is counted, paged newest first across the tier's
// bound, and ranked from the tier's candidates; a word only older articles
// hold is found in the whole index; pages read while the tier moves lose
// nothing.
func testSearchTier(t *testing.T, s store.Store) {
	ctx := context.Background()
	ts, ok := s.(searchTiered)
	if !ok {
		t.Fatalf("%T keeps no tier of the newest search documents", s)
	}
	const n, keep = 500, 220
	ts.SetSearchTierDocs(keep)
	src := newSource(t, s, "https://tier.example/feed")
	var all []int64 // oldest first
	put := func(i int) {
		t.Helper()
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://tier.example/%d", i), Title: fmt.Sprintf("Report %d", i),
			Text: "text", Language: "en", PublishedAt: base.Add(time.Duration(i) * time.Minute)}
		upsert(t, s, a, store.Created)
		doc := store.SearchDoc{Lang: "en", Title: []string{"report", fmt.Sprintf("n%d", i)}, Body: []string{"common", "ground"}}
		if i%2 == 0 {
			doc.Body = append(doc.Body, "even")
		}
		if i < 100 {
			doc.Body = append(doc.Body, "early")
		}
		if i == n-40 {
			doc.Title = append(doc.Title, "common") // the best match of "common"
		}
		putDocs(t, s, a, doc)
		all = append(all, a.ID)
	}
	for i := range n {
		put(i)
	}
	floor, bound, err := ts.SearchTier(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if floor == 0 || bound < floor {
		t.Fatalf("after %d documents with a tier of %d: floor %d, bound %d; want it moved up", n, keep, floor, bound)
	}
	newestFirst := func(ids []int64) []int64 {
		out := slices.Clone(ids)
		slices.Reverse(out)
		return out
	}
	pages := func(q store.SearchQuery) ([]int64, store.SearchPage) {
		t.Helper()
		return searchPages(t, s, q)
	}
	word := func(w, sort string) store.SearchQuery {
		return store.SearchQuery{Lang: "en", Groups: [][]string{{w}}, Sort: sort}
	}

	// Every article, newest first, in pages that start in the tier and run
	// below it; the count from the tier alone (more than the cap? no: n is
	// under it, so the whole index counts).
	got, first := pages(word("common", store.SortNewest))
	if !slices.Equal(got, newestFirst(all)) {
		t.Errorf("common, newest: %d articles, want all %d newest first", len(got), n)
	}
	if first.Total != n || first.TotalMore {
		t.Errorf("common: Total %d (more %v), want %d", first.Total, first.TotalMore, n)
	}
	// A phrase, from the tier (PostgreSQL finds its pair there, as in the
	// whole index): in that order only.
	phrase := func(words ...string) store.SearchQuery {
		return store.SearchQuery{Lang: "en", Groups: [][]string{words}, Sort: store.SortNewest}
	}
	if got, _ := pages(phrase("common", "ground")); !slices.Equal(got, newestFirst(all)) {
		t.Errorf(`"common ground", newest: %d articles, want all %d newest first`, len(got), n)
	}
	if got, first := pages(phrase("ground", "common")); len(got) != 0 || first.Total != 0 {
		t.Errorf(`"ground common": %d articles (Total %d), want none`, len(got), first.Total)
	}
	var even []int64
	for i, id := range all {
		if i%2 == 0 {
			even = append(even, id)
		}
	}
	if got, _ := pages(word("even", store.SortNewest)); !slices.Equal(got, newestFirst(even)) {
		t.Errorf("even, newest: %v, want %v", got, newestFirst(even))
	}
	// Only the oldest articles hold it: none is in the tier any more.
	if got, _ := pages(word("early", store.SortNewest)); !slices.Equal(got, newestFirst(all[:100])) {
		t.Errorf("early, newest: %d articles, want the oldest 100 newest first", len(got))
	}
	if got, _ := pages(word("early", store.SortRelevance)); !sameSet(got, all[:100]) {
		t.Errorf("early, relevance: %d articles, want the oldest 100", len(got))
	}
	// Relevance: the newest SearchRankCap matches are ranked (from the
	// tier, which holds them), the title match first; the rest follow
	// newest first.
	got, _ = pages(word("common", store.SortRelevance))
	want := newestFirst(all)
	if len(got) != n || got[0] != all[n-40] || !sameSet(got[:store.SearchRankCap], want[:store.SearchRankCap]) ||
		!slices.Equal(got[store.SearchRankCap:], want[store.SearchRankCap:]) {
		t.Errorf("common, relevance: %d articles, first %v; want %d, first %d (the title match), the newest %d ranked, then the rest newest first",
			len(got), got[:min(len(got), 1)], n, all[n-40], store.SearchRankCap)
	}

	// Pages read while articles arrive and the tier moves: "early" keeps
	// its 100 newest first, and "even" in relevance order always fills a
	// page of 200 (its candidates from the tier or the whole index, never
	// a tier that moved under the search).
	early := newestFirst(all[:100]) // all grows meanwhile
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(done)
		for range 150 {
			page, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"early"}}, Sort: store.SortNewest, Limit: 200})
			if err == nil && !slices.Equal(ids(page.Articles), early) {
				err = fmt.Errorf("early during the moves: %d articles, want 100", len(page.Articles))
			}
			if err == nil {
				page, err = s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"even"}}, Sort: store.SortRelevance, Limit: 200})
				if err == nil && len(page.Articles) != 200 {
					err = fmt.Errorf("even, relevance, during the moves: %d articles, want 200", len(page.Articles))
				}
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for i := n; i < n+200; i++ {
		put(i)
	}
	<-done
	select {
	case err := <-errs:
		t.Error(err)
	default:
	}
	if f2, _, err := ts.SearchTier(ctx); err != nil || f2 <= floor {
		t.Errorf("after 200 more documents the floor is %d (%v), want above %d", f2, err, floor)
	}
	if got, _ := pages(word("common", store.SortNewest)); !slices.Equal(got, newestFirst(all)) {
		t.Errorf("common, newest, after the moves: %d articles, want all %d newest first", len(got), len(all))
	}
}

// testSearchTierEditions: the tier keeps its size per edition. Articles
// have a document in English and German each, and every other one in
// French too; after many moves the busiest editions (English, German) each
// hold about as many of their newest as the tier keeps of one, where a
// size for all editions together would leave each some two fifths of it,
// and French its documents of the same span, about half. Searches in each
// edition still give what the whole index gives.
func testSearchTierEditions(t *testing.T, s store.Store) {
	ctx := context.Background()
	ts, ok := s.(searchTiered)
	if !ok {
		t.Fatalf("%T keeps no tier of the newest search documents", s)
	}
	// keep is above SearchRankCap, so the English and German relevance
	// candidates come from the tier; every is how often PutSearchDocs
	// looks at the tier's size with this keep (sqlstore's searchTier.due).
	const n, keep, every = 420, 210, 26
	ts.SetSearchTierDocs(keep)
	src := newSource(t, s, "https://editions.example/feed")
	all := map[string][]int64{} // per edition, oldest first
	for i := range n {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://editions.example/%d", i), Title: fmt.Sprintf("Report %d", i),
			Text: "text", Language: "en", PublishedAt: base.Add(time.Duration(i) * time.Minute)}
		upsert(t, s, a, store.Created)
		langs := []string{"en", "de"}
		if i%2 == 0 {
			langs = append(langs, "fr")
		}
		var docs []store.SearchDoc
		for _, l := range langs {
			d := store.SearchDoc{Lang: l, Title: []string{"report", fmt.Sprintf("n%d", i)}, Body: []string{"common", "ground"}}
			if i < 100 {
				d.Body = append(d.Body, "early")
			}
			if i == n-40 {
				d.Title = append(d.Title, "common") // the best match of "common"
			}
			docs = append(docs, d)
			all[l] = append(all[l], a.ID)
		}
		putDocs(t, s, a, docs...)
	}
	floor, _, err := ts.SearchTier(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if floor == 0 {
		t.Fatalf("after %d articles in 2-3 editions with a tier of %d an edition: floor 0, want it moved up", n, keep)
	}
	held, err := ts.SearchTierEditions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the tier holds per edition: %v", held)
	// A move leaves the busiest edition keep (the other of two equal
	// editions one fewer on SQLite, where their keys differ by a slot);
	// until the next, it grows to a quarter more, and by up to every
	// articles more until the look after that.
	for _, l := range []string{"en", "de"} {
		if held[l] < keep-1 || held[l] > keep+keep/4+every {
			t.Errorf("tier holds %d %s documents (%v), want %d to %d", held[l], l, held, keep-1, keep+keep/4+every)
		}
	}
	if half := held["en"] / 2; held["fr"] < half-1 || held["fr"] > half+1 {
		t.Errorf("tier holds %d fr documents (%v), want half the en ones (%d), of the same articles", held["fr"], held, half)
	}
	if len(held) != 3 {
		t.Errorf("tier holds the editions %v, want en, de and fr", held)
	}

	newestFirst := func(ids []int64) []int64 {
		out := slices.Clone(ids)
		slices.Reverse(out)
		return out
	}
	for _, l := range []string{"en", "de", "fr"} {
		word := func(w, sort string) store.SearchQuery {
			return store.SearchQuery{Lang: l, Groups: [][]string{{w}}, Sort: sort}
		}
		mine := all[l]
		got, first := searchPages(t, s, word("common", store.SortNewest))
		if !slices.Equal(got, newestFirst(mine)) {
			t.Errorf("%s: common, newest: %d articles, want all %d newest first", l, len(got), len(mine))
		}
		if first.Total != len(mine) || first.TotalMore {
			t.Errorf("%s: common: Total %d (more %v), want %d", l, first.Total, first.TotalMore, len(mine))
		}
		var early []int64
		for _, id := range mine {
			if id <= all["en"][99] {
				early = append(early, id)
			}
		}
		if got, _ := searchPages(t, s, word("early", store.SortNewest)); !slices.Equal(got, newestFirst(early)) {
			t.Errorf("%s: early, newest: %d articles, want the oldest %d newest first", l, len(got), len(early))
		}
		// Relevance: the newest SearchRankCap matches ranked, the title
		// match first, the rest newest first.
		got, _ = searchPages(t, s, word("common", store.SortRelevance))
		want := newestFirst(mine)
		if len(got) != len(mine) || got[0] != all["en"][n-40] || !sameSet(got[:store.SearchRankCap], want[:store.SearchRankCap]) ||
			!slices.Equal(got[store.SearchRankCap:], want[store.SearchRankCap:]) {
			t.Errorf("%s: common, relevance: %d articles, first %v; want %d, first %d (the title match), the newest %d ranked, then the rest newest first",
				l, len(got), got[:min(len(got), 1)], len(mine), all["en"][n-40], store.SearchRankCap)
		}
	}
}
