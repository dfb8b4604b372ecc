package storetest

import (
	"context"
	"testing"

	"spektrum/internal/store"
)

// testSourceViewpoints: a source's viewpoint attributes (migration 0010)
// are stored by CreateSource and UpdateSource, read back by every source
// query, cleared by writing "", and left alone by an update of polling
// state. The store checks none of them: a position from a scale the
// outlet no longer uses must come back as it was (ops validates input).
func testSourceViewpoints(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := &store.Source{URL: "https://vp.example/feed", Name: "VP", Enabled: true, NextPollAt: base,
		Country: "DE", Type: "public-broadcaster", Ownership: "Öffentlich-rechtlich (ARD), „Rundfunkbeitrag“", Position: "centre-left"}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	other := newSource(t, s, "https://plain.example/feed")
	want := func(where string, got *store.Source, country, typ, owner, pos string) {
		t.Helper()
		if got.Country != country || got.Type != typ || got.Ownership != owner || got.Position != pos {
			t.Errorf("%s: country %q type %q ownership %q position %q; want %q %q %q %q", where,
				got.Country, got.Type, got.Ownership, got.Position, country, typ, owner, pos)
		}
	}
	got, err := s.Source(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	want("Source after create", got, "DE", "public-broadcaster", src.Ownership, "centre-left")
	byURL, err := s.SourceByURL(ctx, src.URL)
	if err != nil {
		t.Fatal(err)
	}
	want("SourceByURL", byURL, "DE", "public-broadcaster", src.Ownership, "centre-left")

	// A poll records its state: the attributes stay.
	got.LastPolledAt, got.ErrorCount = base, 1
	if err := s.RecordPoll(ctx, got); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueSources(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range due {
		if due[i].ID == src.ID {
			found = true
			want("DueSources", &due[i], "DE", "public-broadcaster", src.Ownership, "centre-left")
		}
	}
	if !found {
		t.Fatalf("source %d not due at %v", src.ID, base)
	}

	// Edited: another country and a position no scale of today has.
	got.Country, got.Position = "FR", "retired-step"
	if err := s.UpdateSource(ctx, got); err != nil {
		t.Fatal(err)
	}
	all, err := s.Sources(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Sources = %d, %v", len(all), err)
	}
	want("Sources after edit", &all[0], "FR", "public-broadcaster", src.Ownership, "retired-step")
	want("a source never described", &all[1], "", "", "", "")
	if all[1].ID != other.ID {
		t.Fatalf("Sources order: %d, want %d", all[1].ID, other.ID)
	}

	// Cleared, one by one and then all.
	got.Position = ""
	if err := s.UpdateSource(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Source(ctx, src.ID)
	want("position cleared", again, "FR", "public-broadcaster", src.Ownership, "")
	again.Country, again.Type, again.Ownership = "", "", ""
	if err := s.UpdateSource(ctx, again); err != nil {
		t.Fatal(err)
	}
	cleared, _ := s.Source(ctx, src.ID)
	want("all cleared", cleared, "", "", "", "")
}
