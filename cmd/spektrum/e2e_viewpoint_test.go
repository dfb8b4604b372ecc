package main

// End-to-end: an editor describes a source's viewpoint from the command
// line (issue 8 item 4), the outlet changes its scale, and the public API
// shows what is on the scale.

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourceViewpointCLI(t *testing.T) {
	srv := startSites(t)
	c := newCLI(t, filepath.Join(t.TempDir(), "viewpoint.db"))
	site := srv.sites[0]

	out := c.ok("sources", "add", site.SourceURL, "--country", "de", "--type", "Public broadcaster", "--position", "Centre-Left")
	if !strings.Contains(out, "added source #1") {
		t.Fatalf("sources add: %s", out)
	}
	show := c.ok("sources", "show", "1")
	for _, want := range []string{"Country:          DE", "Type:             public-broadcaster", "Position:         centre-left", "Ownership:        -"} {
		if !strings.Contains(show, want) {
			t.Errorf("sources show lacks %q:\n%s", want, show)
		}
	}

	out = c.ok("sources", "edit", "1", "--ownership", "Owned by  the public", "--type", "agency")
	if !strings.Contains(out, "country DE, type agency, position centre-left, ownership Owned by the public") {
		t.Errorf("sources edit: %s", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(c.ok("sources", "list", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r["country"] != "DE" || r["type"] != "agency" || r["position"] != "centre-left" || r["ownership"] != "Owned by the public" {
		t.Errorf("sources list --json: %v", r)
	}

	// Bad values: exit 1, what is allowed, nothing changed.
	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"--position", "far-left"}, "use one of left, centre-left, centre, centre-right, right"},
		{[]string{"--country", "Germany"}, "two-letter ISO 3166-1 code"},
		{[]string{"--type", "radio"}, "use one of public-broadcaster, state-media, agency"},
		{[]string{"--ownership", strings.Repeat("x", 300)}, "at most 200"},
	} {
		_, errs, code := c.run(append([]string{"sources", "edit", "1"}, bad.args...)...)
		if code != 1 || !strings.Contains(errs, bad.says) {
			t.Errorf("sources edit %v: exit %d, %q; want 1 saying %q", bad.args[0], code, errs, bad.says)
		}
	}
	if _, errs, _ := c.run("sources", "edit", "1", "--position", "far-left"); !strings.Contains(errs, "--viewpoint-scale") {
		t.Errorf("a bad position does not say where the scale is set: %q", errs)
	}
	if show := c.ok("sources", "show", "1"); !strings.Contains(show, "Position:         centre-left") {
		t.Errorf("a refused edit changed the source:\n%s", show)
	}

	// The outlet's scale changes: the stored position is kept and shown
	// as off the scale; only the new steps are accepted; the public API
	// shows the old position as unknown.
	gov := append([]string{}, c.env...)
	c2 := &cli{t: t, db: c.db, env: append(gov, "SPEKTRUM_VIEWPOINT_SCALE=government,opposition", "SPEKTRUM_VIEWPOINT_SCALE_NAME=Government–opposition")}
	if show := c2.ok("sources", "show", "1"); !strings.Contains(show, "centre-left (not on the scale government,opposition: shown as unknown)") {
		t.Errorf("an off-scale position:\n%s", show)
	}
	if _, errs, code := c2.run("sources", "edit", "1", "--position", "centre"); code != 1 || !strings.Contains(errs, "use one of government, opposition") {
		t.Errorf("old step on the new scale: exit %d, %q", code, errs)
	}
	base := serve(t, c2)
	var api struct {
		Sources []map[string]any `json:"sources"`
	}
	getJSON(t, base+"/api/v1/sources", &api)
	if s := api.Sources[0]; s["position"] != "" || s["country"] != "DE" || s["type"] != "agency" || s["ownership"] != nil {
		t.Errorf("/api/v1/sources under the new scale: %v", s)
	}
	if show := c.ok("sources", "show", "1"); !strings.Contains(show, "Position:         centre-left") {
		t.Errorf("back on the old scale the position is lost:\n%s", show)
	}

	// Cleared with none (and -).
	c.ok("sources", "edit", "1", "--position", "none", "--country", "-", "--type", "none", "--ownership", "none")
	rows = nil // Unmarshal would merge into the maps it filled before
	if err := json.Unmarshal([]byte(c.ok("sources", "list", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	if r := rows[0]; r["country"] != "" || r["type"] != "" || r["position"] != "" || r["ownership"] != nil {
		t.Errorf("after clearing: %v", r)
	}

	// A scale that cannot be read stops every command with a usage error.
	bad := &cli{t: t, db: c.db, env: append(append([]string{}, c.env...), "SPEKTRUM_VIEWPOINT_SCALE=left,,right")}
	if _, errs, code := bad.run("sources", "list"); code != 2 || !strings.Contains(errs, "--viewpoint-scale") {
		t.Errorf("a bad scale: exit %d, %q", code, errs)
	}
}
