package i18n

import (
	"encoding/json"
	"io/fs"
	"path"
	"strings"
	"testing"
	"time"
)

// TestCataloguesAreComplete: every part (site, newsletter) has a file per
// language holding every English key with the same format verbs in the
// same order, and nothing English lacks, so no page or mail falls back to
// English half-way or prints %!s(MISSING).
func TestCataloguesAreComplete(t *testing.T) {
	verbs := func(v any) string {
		s, _ := v.(string)
		var out []string
		for i := 0; i < len(s)-1; i++ {
			if s[i] == '%' {
				out = append(out, s[i:i+2])
				i++
			}
		}
		return strings.Join(out, "")
	}
	read := func(f string) map[string]any {
		b, err := localeFS.ReadFile(f)
		if err != nil {
			t.Fatalf("missing catalogue: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return m
	}
	ens, _ := fs.Glob(localeFS, "locales/*.en.json")
	if len(ens) < 2 {
		t.Fatalf("English catalogues %v: want the site's and the newsletter's", ens)
	}
	for _, enFile := range ens {
		part := strings.TrimSuffix(path.Base(enFile), ".en.json")
		en := read(enFile)
		for _, l := range []string{"de", "fr", "es", "it", "pl"} {
			m := read("locales/" + part + "." + l + ".json")
			for k, v := range en {
				got, ok := m[k]
				if !ok {
					t.Errorf("%s.%s lacks %q", part, l, k)
					continue
				}
				if verbs(got) != verbs(v) {
					t.Errorf("%s.%s %q has verbs %q, English %q", part, l, k, verbs(got), verbs(v))
				}
			}
			for k := range m {
				if _, ok := en[k]; !ok {
					t.Errorf("%s.%s has %q, which English lacks", part, l, k)
				}
			}
		}
	}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Langs(), ","); got != "en,de,es,fr,it,pl" {
		t.Errorf("Langs = %s", got)
	}
}

func TestLookups(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
	for _, c2 := range []struct{ got, want string }{
		{c.T("de", "share"), "Teile diesen Artikel:"},
		{c.T("de", "published.on", c.Date("de", day)), "Veröffentlicht am 5. März 2026"},
		{c.T("de", "advertisement"), "Werbung"},
		{c.T("en", "advertisement"), "Advertisement"},
		{c.T("it", "trending"), "Di tendenza"},
		{c.T("de-AT", "form.submit"), "Abonnieren"}, // the newsletter's part, a regional code
		{c.T("pl", "mail.digest.subject", "S", 3), "S: nowe artykuły (3)"},
		{c.Date("en", day), "5 March 2026"},
		{c.Date("de", day), "5. März 2026"},
		{c.Date("pl", day), "5 marca 2026"},
		{c.Date("es", day), "5 de marzo de 2026"},
		{c.Date("fr", day), "5 mars 2026"},
		{c.Date("it", day), "5 marzo 2026"},
		{c.Number("de", 1234567), "1.234.567"},
		{c.Number("en", 1234567), "1,234,567"},
		{c.N("pl", "articles.count", 1), "1 artykuł"},
		{c.N("pl", "articles.count", 3), "3 artykuły"},
		{c.N("pl", "articles.count", 5), "5 artykułów"},
		{c.N("de", "articles.count", 2500), "2.500 Artikel"},
		{c.T("xx", "latest"), "Latest"},           // unknown language: English
		{c.T("de", "no.such.key"), "no.such.key"}, // missing key: visible
		{c.Lang("xx"), "en"},
		{c.Lang("FR-ca"), "fr"},
		{c.Strings("es")["form.submit"], c.T("es", "form.submit")},
	} {
		if c2.got != c2.want {
			t.Errorf("got %q, want %q", c2.got, c2.want)
		}
	}
	if !c.Has("de", "section.world") || c.Has("de", "section.no-such-section") {
		t.Error("Has: wrong answer for a well-known and an unknown section")
	}
}
