package ops

import (
	"context"
	"slices"
	"strings"
	"testing"

	"spektrum/internal/store"
)

func sectionSlugs(secs []store.Section) []string {
	out := make([]string, len(secs))
	for i := range secs {
		out[i] = secs[i].Slug
	}
	return out
}

func TestSections(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	s := NewSections(st, []string{"en", "de", "fr"})

	// Slugs: checked, or made from the name; a taken one is refused.
	wantCode(t, func() error { _, err := s.Add(ctx, "cli", NewSection{Slug: "Not a slug"}); return err }(), Invalid)
	wantCode(t, func() error { _, err := s.Add(ctx, "cli", NewSection{}); return err }(), Invalid)
	e := wantCode(t, func() error {
		_, err := s.Add(ctx, "cli", NewSection{Slug: "russia", Names: map[string]string{"xx": "Nope"}})
		return err
	}(), Invalid)
	if e.Field != FieldLanguage || !strings.Contains(e.Error(), "en, de, fr") {
		t.Errorf("a name in no edition's language: %v (field %q)", e, e.Field)
	}
	e = wantCode(t, func() error {
		_, err := s.Add(ctx, "cli", NewSection{Slug: "long", Name: strings.Repeat("x", 61)})
		return err
	}(), Invalid)
	if e.Field != FieldName {
		t.Errorf("a long name refused on field %q", e.Field)
	}
	ru, err := s.Add(ctx, "ada@example.org", NewSection{Name: "  Russland  und   Osteuropa ", Names: map[string]string{"en": "Russia"}})
	if err != nil {
		t.Fatal(err)
	}
	if ru.Slug != "russland-und-osteuropa" || ru.Name != "Russland und Osteuropa" || ru.Names["en"] != "Russia" {
		t.Fatalf("added %+v", ru)
	}
	if _, err := s.Add(ctx, "cli", NewSection{Slug: "eu-politics"}); err != nil {
		t.Fatal(err)
	}
	if sec, _ := s.Get(ctx, "eu-politics"); sec.Name != "EU Politics" {
		t.Fatalf("a section added without a name is named %q, want EU Politics (from its slug)", sec.Name)
	}
	e = wantCode(t, func() error { _, err := s.Add(ctx, "cli", NewSection{Slug: "eu-politics", Name: "Again"}); return err }(), SectionExists)
	if e.Value != "eu-politics" || !strings.Contains(e.Error(), "already exists") {
		t.Errorf("duplicate: %v", e)
	}

	// Renames: per edition, the default, taking one back; unchanged is no entry.
	if _, err := s.Rename(ctx, "cli", "russland-und-osteuropa", "de", "Russland"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rename(ctx, "cli", "russland-und-osteuropa", "", "Russia and Eastern Europe"); err != nil {
		t.Fatal(err)
	}
	sec, err := s.Rename(ctx, "cli", "russland-und-osteuropa", "en", "")
	if err != nil {
		t.Fatal(err)
	}
	if sec.Name != "Russia and Eastern Europe" || sec.Names["de"] != "Russland" || sec.Names["en"] != "" {
		t.Fatalf("after renames: %+v", sec)
	}
	wantCode(t, func() error { _, err := s.Rename(ctx, "cli", "russland-und-osteuropa", "", " "); return err }(), Invalid)
	wantCode(t, func() error { _, err := s.Rename(ctx, "cli", "nope", "de", "Nichts"); return err }(), NoSection)
	before, _ := st.Audit(ctx, 0, 100)
	if _, err := s.Rename(ctx, "cli", "russland-und-osteuropa", "de", "Russland"); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.Audit(ctx, 0, 100); len(after) != len(before) {
		t.Errorf("a rename to the same name was logged")
	}
	off := true
	if sec, err = s.Edit(ctx, "cli", "eu-politics", SectionEdit{OffMenu: &off}); err != nil || !sec.OffMenu {
		t.Fatalf("off the menu: %+v, %v", sec, err)
	}

	// Order and move.
	if _, err := s.Add(ctx, "cli", NewSection{Slug: "world"}); err != nil {
		t.Fatal(err)
	}
	secs, err := s.Order(ctx, "cli", []string{"world"})
	if err != nil || !slices.Equal(sectionSlugs(secs), []string{"world", "eu-politics", "russland-und-osteuropa"}) {
		t.Fatalf("Order(world) = %v, %v", sectionSlugs(secs), err)
	}
	wantCode(t, func() error { _, err := s.Order(ctx, "cli", []string{"world", "nope"}); return err }(), NoSection)
	wantCode(t, func() error { _, err := s.Order(ctx, "cli", []string{"world", "world"}); return err }(), Invalid)
	if secs, err = s.Move(ctx, "cli", "russland-und-osteuropa", -1); err != nil || !slices.Equal(sectionSlugs(secs), []string{"world", "russland-und-osteuropa", "eu-politics"}) {
		t.Fatalf("Move up = %v, %v", sectionSlugs(secs), err)
	}
	if secs, err = s.Move(ctx, "cli", "world", -1); err != nil || secs[0].Slug != "world" {
		t.Fatalf("Move the first up = %v, %v", sectionSlugs(secs), err)
	}

	// Remove: refused in use, with the counts; moving first works.
	src := &store.Source{URL: "https://a.example/feed", Name: "A", Kind: store.KindFeed, Section: "russland-und-osteuropa", Enabled: true}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	e = wantCode(t, func() error { _, err := s.Remove(ctx, "cli", "russland-und-osteuropa", ""); return err }(), SectionInUse)
	if e.Use.Sources != 1 || !strings.Contains(e.Error(), "1 sources") {
		t.Errorf("in use: %v %+v", e, e.Use)
	}
	wantCode(t, func() error {
		_, err := s.Remove(ctx, "cli", "russland-und-osteuropa", "russland-und-osteuropa")
		return err
	}(), Invalid)
	wantCode(t, func() error { _, err := s.Remove(ctx, "cli", "russland-und-osteuropa", "nope"); return err }(), NoSection)
	u, err := s.Remove(ctx, "cli", "russland-und-osteuropa", "world")
	if err != nil || u.Sources != 1 {
		t.Fatalf("Remove moving to world = %+v, %v", u, err)
	}
	if got, _ := st.Source(ctx, src.ID); got.Section != "world" {
		t.Fatalf("source's section = %q", got.Section)
	}
	if _, err := s.Remove(ctx, "cli", "eu-politics", ""); err != nil {
		t.Fatalf("Remove unused: %v", err)
	}

	// Every change is in the audit log, under its actor.
	es, _ := st.Audit(ctx, 0, 100)
	actions := map[string]int{}
	for _, e := range es {
		actions[e.Action]++
	}
	if actions["section.add"] != 3 || actions["section.edit"] != 4 || actions["section.order"] != 2 || actions["section.remove"] != 2 {
		t.Errorf("audit log actions = %v", actions)
	}
	if es[len(es)-1].Actor != "ada@example.org" || es[len(es)-1].Target != "russland-und-osteuropa Russland und Osteuropa" {
		t.Errorf("first entry = %+v", es[len(es)-1])
	}
}
