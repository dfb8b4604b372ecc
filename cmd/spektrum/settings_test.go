package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"spektrum/internal/store/sqlite"
)

// TestSettingsCommands runs `spektrum settings …` and `spektrum ads …` as
// an admin would on the command line: the admin's operations, refusals in
// words with the way out, hostile HTML cleaned and said so, and every
// change in the audit log as cli.
func TestSettingsCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "settings.db")
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_EDITIONS=en,de", "SPEKTRUM_SITE_NAME=Flag Name")

	// Texts: every edition's, one edition's, a field left alone, "" back
	// to the default.
	if out := c.ok("settings", "set", "name", "Die Zeitung", "tagline", "News from all sides"); !strings.Contains(out, `tagline "News from all sides"`) {
		t.Errorf("settings set:\n%s", out)
	}
	c.ok("settings", "set", "--lang", "de", "tagline", "Nachrichten aus allen Richtungen", "disclaimer", "Ohne <b>Gewähr</b>")
	c.ok("settings", "set", "--lang", "de", "disclaimer", "Ohne Gewähr")
	c.ok("settings", "set", "name", "")
	for _, bad := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"settings", "set", "--lang", "pl", "tagline", "x"}, 1, "its editions are en, de"},
		{[]string{"settings", "set", "tagline", strings.Repeat("x", 201)}, 1, "at most 200"},
		{[]string{"settings", "set", "motto", "x"}, 2, "name, tagline or disclaimer"},
		{[]string{"settings", "set", "tagline"}, 2, "FIELD VALUE"},
		{[]string{"settings", "social", "mastodon=javascript:alert(1)"}, 1, "not an http(s) address"},
		{[]string{"settings", "social", "myspace=https://ms.example/"}, 1, "mastodon, bluesky"},
		{[]string{"settings", "social", "https://m.example/"}, 2, "NETWORK=URL"},
		{[]string{"settings", "origins", "https://ads.example.net/path"}, 1, "not an https origin"},
		{[]string{"settings", "origins"}, 2, "--clear"},
	} {
		if _, errs, code := c.run(bad.args...); code != bad.code || !strings.Contains(errs, bad.want) {
			t.Errorf("spektrum %q: exit %d, want %d with %q:\n%s", bad.args, code, bad.code, bad.want, errs)
		}
	}
	if out := c.ok("settings", "social", "mastodon=https://social.example/@zeitung", "bluesky=https://bsky.example/zeitung"); !strings.Contains(out, "Mastodon https://social.example/@zeitung") {
		t.Errorf("settings social:\n%s", out)
	}
	c.ok("settings", "origins", "https://ads.example.net")
	var got settingsJSON
	if err := json.Unmarshal([]byte(c.ok("settings", "show", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	if got.All.Name != "" || got.All.Tagline != "News from all sides" || got.Editions["de"].Disclaimer != "Ohne Gewähr" ||
		got.Editions["de"].Tagline != "Nachrichten aus allen Richtungen" || got.Shown["de"].Name != "Flag Name" ||
		got.Shown["en"].Tagline != "News from all sides" || len(got.Social) != 2 || got.Social[1].Network != "bluesky" ||
		strings.Join(got.ScriptOrigins, " ") != "https://ads.example.net" {
		t.Errorf("settings show --json = %+v", got)
	}
	if out := c.ok("settings", "show"); !strings.Contains(out, `de: name "Flag Name", tagline "Nachrichten aus allen Richtungen"`) {
		t.Errorf("settings show:\n%s", out)
	}

	// Ads: hostile HTML is cleaned and the command names what went; a
	// script from the allowed origin stays.
	out := c.ok("ads", "add", "--name", "Autumn sale", "--placement", "front-top",
		"--html", `<p onclick="steal()">Sale at <a href="https://shop.example/">the shop</a></p><script>alert(1)</script><script src="https://ads.example.net/t.js"></script><iframe src="https://evil.example/"></iframe>`)
	if !strings.Contains(out, `added ad #1 "Autumn sale": front-top, all editions, html, on`) || !strings.Contains(out, "cleaned: removed onclick on <p>, <script>, <iframe>") {
		t.Errorf("ads add with hostile HTML:\n%s", out)
	}
	if out := c.ok("ads", "show", "1"); strings.Contains(out, "onclick") || strings.Contains(out, "alert") || strings.Contains(out, "evil.example") ||
		!strings.Contains(out, `<script src="https://ads.example.net/t.js" async></script>`) || !strings.Contains(out, `rel="sponsored noopener"`) {
		t.Errorf("ads show: the stored HTML is not what the sanitizer keeps:\n%s", out)
	}
	if out := c.ok("ads", "add", "--name", "Travel", "--placement", "sidebar", "--edition", "de", "--image", "https://img.example/t.png",
		"--link", "https://travel.example/", "--alt", "Städtereisen", "--off"); !strings.Contains(out, "sidebar, de, image, off") || strings.Contains(out, "cleaned") {
		t.Errorf("ads add (picture):\n%s", out)
	}
	for _, bad := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ads", "add", "--name", "X", "--placement", "popup", "--html", "<p>x</p>"}, 1, "front-top, front-middle, sidebar, article-below"},
		{[]string{"ads", "add", "--name", "X", "--placement", "sidebar", "--edition", "fr", "--html", "<p>x</p>"}, 1, "--editions"},
		{[]string{"ads", "add", "--name", "X", "--placement", "sidebar", "--image", "https://img.example/a.png", "--link", "javascript:alert(1)", "--alt", "a"}, 1, "not an http(s) address"},
		{[]string{"ads", "add", "--name", "X", "--placement", "sidebar", "--html", "<script>alert(1)</script>"}, 1, "empty once cleaned"},
		{[]string{"ads", "add", "--name", "X", "--placement", "sidebar", "--html", "<p>x</p>", "--image", "https://img.example/a.png"}, 2, "content once"},
		{[]string{"ads", "edit", "9", "--name", "Nine"}, 1, "ads list"},
		{[]string{"ads", "remove", "x"}, 2, "not an ad's ID"},
	} {
		if _, errs, code := c.run(bad.args...); code != bad.code || !strings.Contains(errs, bad.want) {
			t.Errorf("spektrum %q: exit %d, want %d with %q:\n%s", bad.args, code, bad.code, bad.want, errs)
		}
	}
	c.ok("ads", "enable", "2")
	c.ok("ads", "disable", "1")
	if out := c.ok("ads", "edit", "1", "--edition", "de", "--name", "Herbst"); !strings.Contains(out, `saved ad #1 "Herbst": front-top, de, html, off`) {
		t.Errorf("ads edit:\n%s", out)
	}
	var ads []adJSON
	if err := json.Unmarshal([]byte(c.ok("ads", "list", "--json")), &ads); err != nil {
		t.Fatal(err)
	}
	if len(ads) != 2 || ads[0].Name != "Herbst" || ads[0].Enabled || ads[0].Edition != "de" || !strings.Contains(ads[0].HTML, "ads.example.net") ||
		ads[1].Kind != "image" || !ads[1].Enabled || ads[1].Alt != "Städtereisen" {
		t.Errorf("ads list --json = %+v", ads)
	}
	// Taking the origin off the list: the next save of the ad drops its
	// script, as the admin's form does.
	c.ok("settings", "origins", "--clear")
	if out := c.ok("ads", "edit", "1", "--placement", "sidebar"); !strings.Contains(out, "cleaned: removed <script>") {
		t.Errorf("an ad saved after its origin went:\n%s", out)
	}
	if out := c.ok("ads", "remove", "2"); !strings.Contains(out, `removed ad #2 "Travel"`) {
		t.Errorf("ads remove:\n%s", out)
	}

	// Every change is in the admin's audit log, by cli, under the admin's
	// own action names.
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.Audit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		if e.Actor != cliActor {
			t.Errorf("audit entry by %q: %+v", e.Actor, e)
		}
		count[e.Action]++
	}
	for action, n := range map[string]int{"settings.general": 2, "settings.edition": 2, "settings.social": 1, "settings.origins": 2,
		"ad.add": 2, "ad.edit": 4, "ad.remove": 1} {
		if count[action] != n {
			t.Errorf("audit log: %d × %s, want %d (all: %v)", count[action], action, n, count)
		}
	}
}
