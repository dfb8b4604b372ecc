package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestSectionsCommands runs `spektrum sections …` as an editor would: the
// same refusals as the admin, in words with the next step.
func TestSectionsCommands(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "sections.db"))
	c.env = append(c.env, "SPEKTRUM_EDITIONS=en,de")
	if out := c.ok("sections", "add", "russia", "--name", "Russia"); !strings.Contains(out, `added section russia "Russia"`) {
		t.Errorf("sections add:\n%s", out)
	}
	c.ok("sections", "add", "world")
	if _, errs, code := c.run("sections", "add", "russia"); code != 1 || !strings.Contains(errs, "already exists") || !strings.Contains(errs, "sections rename russia") {
		t.Errorf("a duplicate slug (%d):\n%s", code, errs)
	}
	if _, errs, code := c.run("sections", "add", "Not A Slug"); code != 1 || !strings.Contains(errs, "lowercase letters, digits and hyphens") {
		t.Errorf("a bad slug (%d):\n%s", code, errs)
	}
	if out := c.ok("sections", "rename", "russia", "--lang", "de", "Russland"); !strings.Contains(out, `de="Russland"`) {
		t.Errorf("sections rename --lang de:\n%s", out)
	}
	if _, errs, code := c.run("sections", "rename", "russia", "--lang", "pl", "Rosja"); code != 1 || !strings.Contains(errs, "en, de") {
		t.Errorf("a name in no edition's language (%d):\n%s", code, errs)
	}
	c.ok("sections", "order", "world")
	c.ok("sections", "menu", "russia", "off")
	var list []sectionJSON
	if err := json.Unmarshal([]byte(c.ok("sections", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Slug != "world" || list[1].Names["de"] != "Russland" || list[1].InMenu || !list[0].InMenu {
		t.Errorf("sections list --json = %+v", list)
	}
	// In use by a source: refused with the way out; --move-to moves it.
	c.ok("sources", "add", "https://example.invalid/feed.xml", "--force", "--section", "russia")
	if _, errs, code := c.run("sections", "remove", "russia"); code != 1 || !strings.Contains(errs, "1 sources") || !strings.Contains(errs, "--move-to") {
		t.Errorf("removing a section in use (%d):\n%s", code, errs)
	}
	if out := c.ok("sections", "remove", "russia", "--move-to", "world"); !strings.Contains(out, "1 sources") {
		t.Errorf("sections remove --move-to:\n%s", out)
	}
	if out := c.ok("sources", "list"); !strings.Contains(out, "world") {
		t.Errorf("the source did not move:\n%s", out)
	}
	if _, errs, code := c.run("sections", "remove", "russia"); code != 1 || !strings.Contains(errs, "no section") {
		t.Errorf("removing it again (%d):\n%s", code, errs)
	}
}
