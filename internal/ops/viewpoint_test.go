package ops

import (
	"context"
	"strings"
	"testing"
	"time"

	"spektrum/internal/fetch"
	"spektrum/internal/store"
	"spektrum/internal/viewpoint"
)

// TestSourceViewpoint runs on both databases: describing a source, checking
// each attribute, clearing them, and a change of scale that keeps what was
// stored.
func TestSourceViewpoint(t *testing.T) {
	onBothDatabases(t, testSourceViewpoint)
}

func testSourceViewpoint(t *testing.T, st store.Store) {
	ctx := context.Background()
	fc := fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 5 * time.Second})
	svc := New(st, fc, &polls{}, Options{}) // the default scale, left to right
	src := &store.Source{URL: "https://vp.example/feed", Name: "VP", Enabled: true}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }

	got, err := svc.EditSource(ctx, src.ID, Edit{Country: str(" de "), Type: str("Public broadcaster"),
		Ownership: str("  Owned by the\n public,  funded by a licence fee "), Position: str("Centre-Left")})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := st.Source(ctx, src.ID)
	for _, s := range []*store.Source{got, stored} {
		if s.Country != "DE" || s.Type != viewpoint.PublicBroadcaster || s.Ownership != "Owned by the public, funded by a licence fee" || s.Position != "centre-left" {
			t.Errorf("described: %q %q %q %q", s.Country, s.Type, s.Ownership, s.Position)
		}
	}

	// Each bad value is refused with what is allowed, and nothing changes.
	for _, bad := range []struct {
		e     Edit
		field string
		says  string
	}{
		{Edit{Country: str("Germany")}, FieldCountry, "two-letter ISO 3166-1 code"},
		{Edit{Country: str("ZZ")}, FieldCountry, "two-letter ISO 3166-1 code"},
		{Edit{Type: str("radio")}, FieldType, "public-broadcaster, state-media, agency"},
		{Edit{Position: str("far-left")}, FieldPosition, "use one of left, centre-left, centre, centre-right, right"},
		{Edit{Ownership: str(strings.Repeat("x", 201))}, FieldOwnership, "at most 200"},
		{Edit{Name: str("Renamed"), Position: str("up")}, FieldPosition, "not on the outlet's scale"},
	} {
		_, err := svc.EditSource(ctx, src.ID, bad.e)
		e := wantCode(t, err, Invalid)
		if e.Field != bad.field || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%+v: field %q, %v; want %q saying %q", bad.e, e.Field, err, bad.field, bad.says)
		}
	}
	if s, _ := st.Source(ctx, src.ID); s.Name != "VP" || s.Position != "centre-left" {
		t.Errorf("a refused edit changed the source: %+v", s)
	}

	// The outlet changes its scale: the stored position is kept through
	// other edits and only a new position must be on the new scale.
	gov, err := viewpoint.ParseScale("government,opposition", "")
	if err != nil {
		t.Fatal(err)
	}
	svc2 := New(st, fc, &polls{}, Options{Scale: gov})
	if s, err := svc2.EditSource(ctx, src.ID, Edit{Name: str("VP 2")}); err != nil || s.Position != "centre-left" {
		t.Fatalf("an edit under another scale: %v, position %q", err, s.Position)
	}
	if _, err := svc2.EditSource(ctx, src.ID, Edit{Position: str("centre")}); err == nil || !strings.Contains(err.Error(), "use one of government, opposition") {
		t.Errorf("old step on the new scale: %v", err)
	}
	if s, err := svc2.EditSource(ctx, src.ID, Edit{Position: str("opposition")}); err != nil || s.Position != "opposition" {
		t.Errorf("new step: %v, %+v", err, s)
	}

	// Cleared one at a time.
	for _, c := range []struct {
		e    Edit
		read func(*store.Source) string
	}{
		{Edit{Position: str("")}, func(s *store.Source) string { return s.Position }},
		{Edit{Country: str("")}, func(s *store.Source) string { return s.Country }},
		{Edit{Type: str(" ")}, func(s *store.Source) string { return s.Type }},
		{Edit{Ownership: str("")}, func(s *store.Source) string { return s.Ownership }},
	} {
		if _, err := svc2.EditSource(ctx, src.ID, c.e); err != nil {
			t.Fatal(err)
		}
		if s, _ := st.Source(ctx, src.ID); c.read(s) != "" {
			t.Errorf("%+v did not clear: %+v", c.e, s)
		}
	}
	if s, _ := st.Source(ctx, src.ID); s.Country+s.Type+s.Ownership+s.Position != "" || s.Name != "VP 2" {
		t.Errorf("after clearing: %+v", s)
	}
}

func TestAddSourceWithViewpoint(t *testing.T) {
	srv := site(t)
	ctx := context.Background()
	svc, _, _ := newService(t, true)
	_, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/feed.xml", Position: "north"})
	if e := wantCode(t, err, Invalid); e.Field != FieldPosition {
		t.Errorf("field %q", e.Field)
	}
	src, err := svc.AddSource(ctx, AddRequest{URL: srv.URL + "/site/x/feed.xml", Country: "fr", Type: "agency", Position: "centre"})
	if err != nil {
		t.Fatal(err)
	}
	if src.Country != "FR" || src.Type != "agency" || src.Position != "centre" {
		t.Errorf("added %+v", src)
	}
}
