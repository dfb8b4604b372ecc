package ops

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// TestSettingsOps runs on both databases: what the admin's settings and ad
// forms and `spektrum settings` / `spektrum ads` call, with their checks,
// the sanitizer's report and the audit log entries.
func TestSettingsOps(t *testing.T) {
	onBothDatabases(t, testSettingsOps)
}

func testSettingsOps(t *testing.T, st store.Store) {
	ctx := context.Background()
	s := NewSettings(st, []string{"en", "de"})
	str := func(v string) *string { return &v }

	// Texts: one field at a time keeps the others; "" is the default again.
	if _, err := s.SaveText(ctx, "ada@example.org", "", settings.Text{Name: "Outlet", Tagline: "For all", Disclaimer: "Note"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.EditText(ctx, "cli", "", TextEdit{Tagline: str("  News\n from   all sides ")})
	if err != nil || got != (settings.Text{Name: "Outlet", Tagline: "News from all sides", Disclaimer: "Note"}) {
		t.Fatalf("EditText = %+v, %v", got, err)
	}
	if _, err := s.EditText(ctx, "cli", "de", TextEdit{Name: str("Das Blatt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditText(ctx, "cli", "", TextEdit{Disclaimer: str("")}); err != nil {
		t.Fatal(err)
	}
	site, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if site.All.Disclaimer != "" || site.Editions["de"].Name != "Das Blatt" || site.For("de", settings.Text{}).Tagline != "News from all sides" {
		t.Errorf("after the edits: %+v", site)
	}
	e := wantCode(t, func() error { _, err := s.EditText(ctx, "cli", "pl", TextEdit{Name: str("x")}); return err }(), Invalid)
	if e.Field != FieldLanguage || !strings.Contains(e.Error(), "en, de") {
		t.Errorf("an edition the site does not have: %v", e)
	}
	e = wantCode(t, func() error {
		_, err := s.EditText(ctx, "cli", "", TextEdit{Tagline: str(strings.Repeat("x", settings.MaxTagline+1))})
		return err
	}(), Invalid)
	if e.Field != settings.KeyTagline || !strings.Contains(e.Error(), "at most 200") {
		t.Errorf("a long tagline: %v (field %q)", e, e.Field)
	}

	// Links and origins.
	if _, err := s.SaveSocial(ctx, "cli", []settings.Social{{Network: "mastodon", URL: "https://m.example/@o"}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error {
		_, err := s.SaveSocial(ctx, "cli", []settings.Social{{Network: "x", URL: "javascript:alert(1)"}})
		return err
	}(), Invalid)
	if _, err := s.SaveOrigins(ctx, "cli", "https://ads.example.net"); err != nil {
		t.Fatal(err)
	}

	// Ads: cleaned with today's origins, the removed parts named; on, off,
	// removed; a missing one is NoAd.
	ad := &store.AdSlot{Name: "Top", Placement: settings.PlaceFrontTop, Kind: settings.KindHTML, Enabled: true,
		HTML: `<p onclick="x()">Hi <a href="https://shop.example/">shop</a></p><script src="https://ads.example.net/t.js"></script><script>alert(1)</script>`}
	removed, err := s.SaveAd(ctx, "cli", ad)
	if err != nil || ad.ID == 0 {
		t.Fatalf("SaveAd = %v, id %d", err, ad.ID)
	}
	if strings.Join(removed, "|") != "onclick on <p>|<script>" {
		t.Errorf("removed = %q; want the handler and one of the two scripts", removed)
	}
	if !strings.Contains(ad.HTML, `<script src="https://ads.example.net/t.js" async></script>`) || strings.Contains(ad.HTML, "alert") {
		t.Errorf("stored HTML %s", ad.HTML)
	}
	if removed, err := s.SaveAd(ctx, "cli", ad); err != nil || len(removed) != 0 {
		t.Errorf("saving clean HTML again: removed %q, %v", removed, err)
	}
	off, err := s.SetAdEnabled(ctx, "cli", ad.ID, false)
	if err != nil || off.Enabled {
		t.Fatalf("SetAdEnabled(false) = %+v, %v", off, err)
	}
	if stored, err := s.Ad(ctx, ad.ID); err != nil || stored.Enabled || stored.HTML != ad.HTML {
		t.Errorf("after switching off: %+v, %v", stored, err)
	}
	wantCode(t, func() error {
		_, err := s.SaveAd(ctx, "cli", &store.AdSlot{Name: "X", Placement: settings.PlaceSidebar, Edition: "fr", Kind: settings.KindHTML, HTML: "<p>x</p>"})
		return err
	}(), Invalid)
	gone, err := s.DeleteAd(ctx, "cli", ad.ID)
	if err != nil || gone.Name != "Top" {
		t.Fatalf("DeleteAd = %+v, %v", gone, err)
	}
	for _, err := range []error{
		func() error { _, err := s.DeleteAd(ctx, "cli", ad.ID); return err }(),
		func() error { _, err := s.SetAdEnabled(ctx, "cli", ad.ID, true); return err }(),
		func() error { _, err := s.SaveAd(ctx, "cli", ad); return err }(),
	} {
		if e := wantCode(t, err, NoAd); !strings.Contains(e.Error(), "there is no ad #") {
			t.Errorf("NoAd reads %q", e.Error())
		}
	}

	// The audit log: each change once, under its actor; refusals none.
	entries, err := st.Audit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for i := len(entries) - 1; i >= 0; i-- {
		log = append(log, entries[i].Actor+" "+entries[i].Action+" "+entries[i].Target)
	}
	want := []string{
		"ada@example.org settings.general general", "cli settings.general general", "cli settings.edition edition de",
		"cli settings.general general", "cli settings.social social", "cli settings.origins origins",
	}
	for _, a := range []string{"ad.add", "ad.edit", "ad.edit", "ad.remove"} {
		want = append(want, "cli "+a+" #"+strconv.FormatInt(ad.ID, 10)+" Top")
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}
