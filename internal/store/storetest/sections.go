package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"spektrum/internal/store"
)

// sameSection compares sections field by field (Names is a map).
func sameSection(a, b store.Section) bool {
	return a.Slug == b.Slug && a.Name == b.Name && a.Position == b.Position && a.OffMenu == b.OffMenu &&
		a.ArticleCount == b.ArticleCount && maps.Equal(a.Names, b.Names)
}

func slugsOf(secs []store.Section) []string {
	out := make([]string, len(secs))
	for i := range secs {
		out[i] = secs[i].Slug
	}
	return out
}

// testSectionEdits: create (duplicates refused), names per edition, off the
// menu, menu order, and that each change advances the page generation.
func testSectionEdits(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, sl := range []string{"world", "sport"} {
		if err := s.EnsureSection(ctx, store.Section{Slug: sl, Name: sl}); err != nil {
			t.Fatal(err)
		}
	}
	gen := func() int64 {
		t.Helper()
		g, err := s.PageGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	ru := &store.Section{Slug: "russia", Name: "Russia", Names: map[string]string{"de": "Russland"}}
	if err := s.CreateSection(ctx, ru); err != nil {
		t.Fatalf("CreateSection: %v", err)
	}
	if err := s.CreateSection(ctx, &store.Section{Slug: "russia", Name: "Again"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("CreateSection(existing slug): err = %v, want ErrDuplicate", err)
	}
	if err := s.CreateSection(ctx, &store.Section{Slug: "world", Name: "World"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("CreateSection(slug EnsureSection made): err = %v, want ErrDuplicate", err)
	}
	g1 := gen()
	if g1 <= g0 {
		t.Fatalf("creating a section left the page generation at %d", g1)
	}
	got, err := s.Section(ctx, "russia")
	if err != nil || !sameSection(*got, store.Section{Slug: "russia", Name: "Russia", Names: map[string]string{"de": "Russland"}}) {
		t.Fatalf("Section(russia) = %+v, %v", got, err)
	}

	// Names per edition: set, replace, remove; each bumps the generation.
	if err := s.SetSectionName(ctx, "russia", "fr", "Russie"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSectionName(ctx, "russia", "de", "Russland (Ost)"); err != nil {
		t.Fatal(err)
	}
	g2 := gen()
	if g2 <= g1 {
		t.Fatal("naming a section in an edition left the page generation as it was")
	}
	if err := s.SetSectionName(ctx, "russia", "fr", ""); err != nil {
		t.Fatal(err)
	}
	if g3 := gen(); g3 <= g2 {
		t.Fatal("removing an edition's name left the page generation as it was")
	}
	if err := s.SetSectionName(ctx, "nope", "de", "Nichts"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetSectionName(missing): err = %v, want ErrNotFound", err)
	}
	got, _ = s.Section(ctx, "russia")
	if !maps.Equal(got.Names, map[string]string{"de": "Russland (Ost)"}) {
		t.Fatalf("names = %v, want only de", got.Names)
	}

	// Default name and off the menu.
	got.Name, got.OffMenu = "Russia & Ukraine", true
	if err := s.UpdateSection(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateSection(ctx, &store.Section{Slug: "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateSection(missing): err = %v, want ErrNotFound", err)
	}
	got, _ = s.Section(ctx, "russia")
	if got.Name != "Russia & Ukraine" || !got.OffMenu || got.Names["de"] != "Russland (Ost)" {
		t.Fatalf("after UpdateSection: %+v", got)
	}

	// Unplaced sections list by name; placed ones lead in their order.
	all, err := s.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"russia", "sport", "world"}; !slices.Equal(slugsOf(all), want) {
		t.Fatalf("unplaced order = %v, want %v (by name)", slugsOf(all), want)
	}
	if all[0].Names["de"] != "Russland (Ost)" || all[1].Names != nil {
		t.Fatalf("Sections' names: %+v", all)
	}
	g4 := gen()
	if err := s.OrderSections(ctx, []string{"world", "russia"}); err != nil {
		t.Fatal(err)
	}
	if gen() <= g4 {
		t.Fatal("ordering sections left the page generation as it was")
	}
	all, _ = s.Sections(ctx)
	if want := []string{"world", "russia", "sport"}; !slices.Equal(slugsOf(all), want) {
		t.Fatalf("order = %v, want %v (placed first, then the rest by name)", slugsOf(all), want)
	}
	if all[0].Position != 1 || all[1].Position != 2 || all[2].Position != 0 {
		t.Fatalf("positions = %d %d %d", all[0].Position, all[1].Position, all[2].Position)
	}
	// One unknown slug changes nothing.
	if err := s.OrderSections(ctx, []string{"sport", "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OrderSections(unknown): err = %v, want ErrNotFound", err)
	}
	all, _ = s.Sections(ctx)
	if want := []string{"world", "russia", "sport"}; !slices.Equal(slugsOf(all), want) {
		t.Fatalf("order after a refused OrderSections = %v, want %v", slugsOf(all), want)
	}
	// A section EnsureSection makes later is unplaced: after the placed ones.
	if err := s.EnsureSection(ctx, store.Section{Slug: "arts", Name: "Arts"}); err != nil {
		t.Fatal(err)
	}
	all, _ = s.Sections(ctx)
	if want := []string{"world", "russia", "arts", "sport"}; !slices.Equal(slugsOf(all), want) {
		t.Fatalf("order = %v, want %v", slugsOf(all), want)
	}
}

// testSectionRemove: refused while articles (hidden ones too), sources or
// subscribers name it; with a section to move to, everything moves in one
// go and the names go with the section.
func testSectionRemove(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, sec := range []store.Section{{Slug: "russia", Name: "Russia", Names: map[string]string{"de": "Russland"}}, {Slug: "world", Name: "World"}, {Slug: "empty", Name: "Empty"}} {
		if err := s.CreateSection(ctx, &sec); err != nil {
			t.Fatal(err)
		}
	}
	src := newSource(t, s, "https://a.example/feed")
	src.Section = "russia"
	if err := s.UpdateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	a := article(src.ID, 1)
	a.Section = "russia"
	upsert(t, s, a, store.Created)
	hidden := article(src.ID, 2)
	hidden.Section, hidden.Hidden = "russia", true
	upsert(t, s, hidden, store.Created)
	moved := article(src.ID, 3)
	upsert(t, s, moved, store.Created)
	sec := "russia"
	if err := s.CorrectArticle(ctx, moved.ID, store.ArticleCorrection{Section: &sec}); err != nil {
		t.Fatal(err)
	}
	sub := &store.Subscriber{Email: "r@example.org", Language: "en", Sections: []string{"russia", "world"}, Frequency: store.Daily, Status: store.SubActive}
	if err := s.CreateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}

	u, err := s.SectionUse(ctx, "russia")
	if err != nil || u != (store.SectionUse{Articles: 3, Sources: 1, Subscribers: 1}) {
		t.Fatalf("SectionUse(russia) = %+v, %v; want 3 articles (a hidden one too), 1 source, 1 subscriber", u, err)
	}
	if err := s.DeleteSection(ctx, "russia", ""); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("DeleteSection(in use): err = %v, want ErrInUse", err)
	}
	if _, err := s.Section(ctx, "russia"); err != nil {
		t.Fatalf("a refused removal removed it: %v", err)
	}
	if err := s.DeleteSection(ctx, "russia", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteSection(move to missing): err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSection(ctx, "empty", ""); err != nil {
		t.Fatalf("DeleteSection(unused): %v", err)
	}
	if err := s.DeleteSection(ctx, "empty", ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteSection(gone): err = %v, want ErrNotFound", err)
	}

	if err := s.DeleteSection(ctx, "russia", "world"); err != nil {
		t.Fatalf("DeleteSection(move to world): %v", err)
	}
	if _, err := s.Section(ctx, "russia"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Section(removed): err = %v", err)
	}
	for _, id := range []int64{a.ID, hidden.ID, moved.ID} {
		got, err := s.Article(ctx, id)
		if err != nil || got.Section != "world" {
			t.Fatalf("article %d after the move: %+v, %v", id, got, err)
		}
	}
	if got, _ := s.Source(ctx, src.ID); got.Section != "world" {
		t.Fatalf("source section = %q, want world", got.Section)
	}
	if got, _ := s.Subscriber(ctx, sub.ID); !slices.Equal(got.Sections, []string{"world"}) {
		t.Fatalf("subscriber sections = %v, want [world] (moved, no repeat)", got.Sections)
	}
	// The editor's move outlives a re-fetch: the override moved too.
	again := article(src.ID, 3)
	again.Title = "Changed"
	upsert(t, s, again, store.Updated)
	if got, _ := s.Article(ctx, moved.ID); got.Section != "world" {
		t.Fatalf("re-fetched moved article's section = %q, want world", got.Section)
	}
	// A section made again under the slug starts without the old names.
	if err := s.CreateSection(ctx, &store.Section{Slug: "russia", Name: "Russia"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Section(ctx, "russia"); got.Names != nil {
		t.Fatalf("old names came back: %v", got.Names)
	}
}
