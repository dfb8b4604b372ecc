package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The viewpoint fields of the source forms go through the same operations
// as the CLI's sources add/edit, with its checks and words.
func TestSourceViewpointForm(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	ctx := context.Background()
	b := e.browser()
	b.mustSignIn(editorEmail)
	feed := feedServer(t, "Daily Planet")
	tok := b.csrf()
	form := b.get("/admin/sources")
	for _, want := range []string{`name="country"`, `name="type"`, `name="ownership"`, `name="position"`, `value="centre-left"`, `value="public-broadcaster"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the add form lacks %s", want)
		}
	}
	// A bad country is refused with the CLI's words, the form kept.
	a := b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}, "country": {"Atlantis"}, "type": {"newspaper"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "use a two-letter ISO 3166-1 code") || !strings.Contains(a.body, `value="Atlantis"`) {
		t.Fatalf("a bad country = %d\n%s", a.status, a.body)
	}
	a = b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}, "country": {"de"}, "type": {"newspaper"},
		"position": {"centre-left"}, "ownership": {"  Axel   Springer SE "}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("add with a viewpoint = %d\n%s", a.status, a.body)
	}
	ss, err := e.st.Sources(ctx)
	if err != nil || len(ss) != 1 {
		t.Fatal(ss, err)
	}
	s := ss[0]
	if s.Country != "DE" || s.Type != "newspaper" || s.Position != "centre-left" || s.Ownership != "Axel Springer SE" {
		t.Fatalf("stored viewpoint = %q %q %q %q", s.Country, s.Type, s.Position, s.Ownership)
	}
	path := "/admin/sources/" + itoa(s.ID)
	page := b.get(path)
	if !strings.Contains(page.body, `<option value="centre-left" selected>`) || !strings.Contains(page.body, `value="DE"`) {
		t.Error("the edit form does not show the stored viewpoint")
	}
	edit := url.Values{"csrf": {tok}, "name": {s.Name}, "section": {""}, "language": {""}, "interval": {"30m"},
		"country": {"FR"}, "type": {"tabloid"}, "position": {"far-out"}, "ownership": {""}}
	a = b.post(path, edit)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "is not on the outlet&#39;s scale; use one of left, centre-left") {
		t.Fatalf("an off-scale position = %d\n%s", a.status, a.body)
	}
	edit.Set("type", "gazette")
	edit.Set("position", "right")
	if a = b.post(path, edit); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "type &#34;gazette&#34;: use one of") {
		t.Fatalf("a bad type = %d\n%s", a.status, a.body)
	}
	edit.Set("type", "")
	if a = b.post(path, edit); a.status != http.StatusSeeOther {
		t.Fatalf("edit = %d\n%s", a.status, a.body)
	}
	got, _ := e.st.Source(ctx, s.ID)
	if got.Country != "FR" || got.Type != "" || got.Position != "right" || got.Ownership != "" {
		t.Errorf("after the edit = %q %q %q %q", got.Country, got.Type, got.Position, got.Ownership)
	}
	// A position stored under an older scale is kept through other edits
	// (as the CLI keeps it), and the form says it is off the scale.
	got.Position = "far-left"
	if err := e.st.UpdateSource(ctx, got); err != nil {
		t.Fatal(err)
	}
	if page := b.get(path); !strings.Contains(page.body, `<option value="far-left" selected>far-left (not on the scale`) {
		t.Error("the form does not show the off-scale position as such")
	}
	edit.Set("position", "far-left")
	edit.Set("name", "Daily Planet Online")
	if a = b.post(path, edit); a.status != http.StatusSeeOther {
		t.Fatalf("editing a source with an off-scale position = %d\n%s", a.status, a.body)
	}
	if got, _ = e.st.Source(ctx, s.ID); got.Position != "far-left" || got.Name != "Daily Planet Online" {
		t.Errorf("after the edit: position %q, name %q", got.Position, got.Name)
	}
	log, _ := e.st.Audit(ctx, 0, 1)
	if len(log) != 1 || !strings.Contains(log[0].Detail, "country=FR") || !strings.Contains(log[0].Detail, "position=far-left") {
		t.Errorf("audit = %+v", log)
	}
}
