package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testSettings: settings are key/value pairs written in one go ("" deletes
// one); ad slots round-trip every field; every change advances the page
// generation, and saving an unchanged value does not.
func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	gen := func() int64 {
		t.Helper()
		g, err := s.PageGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	got, err := s.Settings(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("Settings on an empty store = %v, %v; want none", got, err)
	}
	g0 := gen()
	if err := s.SaveSettings(ctx, map[string]string{"name": "Outlet", "tagline.de": "Nachrichten <b>&</b> mehr", "social": `[{"network":"mastodon"}]`}); err != nil {
		t.Fatal(err)
	}
	g1 := gen()
	if g1 <= g0 {
		t.Fatalf("saving settings left the page generation at %d", g1)
	}
	if got, _ = s.Settings(ctx); got["name"] != "Outlet" || got["tagline.de"] != "Nachrichten <b>&</b> mehr" || len(got) != 3 {
		t.Fatalf("Settings = %v", got)
	}
	if err := s.SaveSettings(ctx, map[string]string{"name": "Outlet"}); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g != g1 {
		t.Fatalf("saving an unchanged value moved the generation %d → %d", g1, g)
	}
	if err := s.SaveSettings(ctx, map[string]string{"name": "", "tagline.de": "Neu"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Settings(ctx); got["name"] != "" || got["tagline.de"] != "Neu" || len(got) != 2 {
		t.Fatalf("after deleting name: %v", got)
	}
	if g := gen(); g <= g1 {
		t.Fatal("changing settings left the page generation alone")
	}

	at := base.Add(time.Hour)
	a := &store.AdSlot{Name: "Top banner", Placement: "front-top", Edition: "de", Kind: "image", ImageURL: "https://ads.example/b.png",
		LinkURL: "https://shop.example/", Alt: "Shop now", Enabled: true, UpdatedAt: at}
	g2 := gen()
	if err := s.SaveAdSlot(ctx, a); err != nil || a.ID == 0 {
		t.Fatalf("SaveAdSlot = %v, id %d", err, a.ID)
	}
	if gen() <= g2 {
		t.Fatal("adding an ad slot left the page generation alone")
	}
	b := &store.AdSlot{Name: "Article", Placement: "article-below", Kind: "html", HTML: `<p><a href="https://x.example/">X</a></p>`}
	if err := s.SaveAdSlot(ctx, b); err != nil {
		t.Fatal(err)
	}
	one, err := s.AdSlot(ctx, a.ID)
	if err != nil || *one != *a {
		t.Fatalf("AdSlot = %+v, %v; want %+v", one, err, a)
	}
	all, err := s.AdSlots(ctx)
	if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].ID != a.ID {
		t.Fatalf("AdSlots = %+v, %v; want article-below before front-top", all, err)
	}
	if all[0].Enabled || all[0].UpdatedAt.IsZero() {
		t.Fatalf("a new slot: %+v", all[0])
	}
	a.Enabled, a.Edition, a.Alt = false, "", "Shop"
	g3 := gen()
	if err := s.SaveAdSlot(ctx, a); err != nil {
		t.Fatal(err)
	}
	if gen() <= g3 {
		t.Fatal("switching an ad off left the page generation alone")
	}
	if one, _ = s.AdSlot(ctx, a.ID); one.Enabled || one.Edition != "" || one.Alt != "Shop" {
		t.Fatalf("after the edit: %+v", one)
	}
	if err := s.DeleteAdSlot(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{s.DeleteAdSlot(ctx, a.ID), s.SaveAdSlot(ctx, a)} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("on a deleted slot: %v, want ErrNotFound", err)
		}
	}
	if _, err := s.AdSlot(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AdSlot of a deleted slot: %v", err)
	}
}
