package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"spektrum/internal/demo"
	"spektrum/internal/store"
)

// TestEditionsWithApertium: `spektrum fetch` with editions en, es, de and the
// real Apertium stores every demo article, identifies its language, and
// returns only when every article exists in every edition — translated
// where Apertium has the pair (en→es, fr→es), in its own language with the
// reason where not. The site then serves each edition.
func TestEditionsWithApertium(t *testing.T) {
	apy := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL")
	if apy == "" {
		t.Skip("SPEKTRUM_TRANSLATE_APERTIUM_URL is not set: run scripts/test.sh, which installs and starts apertium-apy")
	}
	srv := startSites(t)
	db := filepath.Join(t.TempDir(), "spektrum.db")
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_EDITIONS=en,es,de", "SPEKTRUM_TRANSLATE_APERTIUM_URL="+apy)
	var good []demo.Site
	for _, s := range srv.sites {
		if !s.Broken {
			good = append(good, s)
		}
	}
	c.addSites(good)
	out := c.ok("fetch")
	if !regexp.MustCompile(`; translations: [1-9]\d* done, [1-9]\d* kept in their language, 0 failed`).MatchString(out) {
		t.Errorf("fetch summary lacks the translations:\n%s", out)
	}

	st := openStore(t, db)
	ctx := context.Background()
	arts := allArticles(t, st)
	if len(arts) < 15 {
		t.Fatalf("%d articles stored, want the demo's", len(arts))
	}
	langs := map[string]int{}
	translated := map[string]int{}
	for _, a := range arts {
		langs[a.Language]++
		for _, ed := range []string{"en", "es", "de"} {
			if ed == a.Language {
				continue
			}
			tr, err := st.Translation(ctx, a.ID, ed)
			if err != nil {
				t.Errorf("article %q (%s) has no %s edition row after fetch: %v", a.Title, a.Language, ed, err)
				continue
			}
			pair := a.Language + "→" + ed
			switch {
			case tr.Status == store.TranslationDone:
				translated[pair]++
				if tr.Provider != "apertium" || tr.Title == "" || tr.HTML == "" || tr.Title == a.Title {
					t.Errorf("%s translation of %q = %+v", pair, a.Title, tr)
				}
			case tr.Status == store.TranslationUnsupported:
				if pair == "en→es" || pair == "fr→es" {
					t.Errorf("%s of %q unsupported: %s", pair, a.Title, tr.Error)
				}
			default:
				t.Errorf("%s of %q: %s %s", pair, a.Title, tr.Status, tr.Error)
			}
		}
	}
	if langs[""] != 0 || langs["en"] < 10 || langs["de"] < 3 || langs["fr"] < 1 || langs["pl"] != 1 {
		t.Errorf("languages = %v; want every demo article identified", langs)
	}
	if translated["en→es"] != langs["en"] || translated["fr→es"] != langs["fr"] {
		t.Errorf("translated = %v; want every English and French article in Spanish", translated)
	}

	status := c.ok("translate", "status")
	if !strings.Contains(status, "apertium") || !strings.Contains(status, fmt.Sprintf("es  translated %d,", langs["en"]+langs["fr"])) {
		t.Errorf("translate status:\n%s", status)
	}

	maddr := freeAddr(t)
	base := serve(t, c, "--metrics-addr", maddr)
	es := get(t, base+"/es/")
	if !strings.Contains(es, `<html lang="es">`) || !strings.Contains(es, "Tendencias") && !strings.Contains(es, "Lo último") {
		t.Errorf("Spanish front page lacks its language or chrome:\n%.500s", es)
	}
	var en store.Article
	for _, a := range arts {
		if a.Language == "en" {
			en = a
			break
		}
	}
	tr, err := st.Translation(ctx, en.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(es, htmlEscape(tr.Title)) {
		t.Errorf("Spanish front page lacks the translated headline %q", tr.Title)
	}
	page := get(t, fmt.Sprintf("%s/es/%s/%s", base, en.PublishedAt.Format("2006/01/02"), en.Slug))
	for _, want := range []string{"Traducción automática del inglés", `href="/en/` + en.PublishedAt.Format("2006/01/02") + "/" + en.Slug + `"`, "Comparte este artículo:"} {
		if !strings.Contains(page, want) {
			t.Errorf("Spanish article page lacks %q", want)
		}
	}
	var api struct {
		Title               string  `json:"title"`
		TranslatedFrom      *string `json:"translated_from"`
		TranslationProvider *string `json:"translation_provider"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/articles/%d?lang=es", base, en.ID), &api)
	if api.Title != tr.Title || api.TranslatedFrom == nil || *api.TranslatedFrom != "en" || api.TranslationProvider == nil || *api.TranslationProvider != "apertium" {
		b, _ := json.Marshal(api)
		t.Errorf("API ?lang=es = %s", b)
	}
	metrics := get(t, "http://"+maddr+"/metrics")
	for _, want := range []string{`spektrum_translation_characters{provider="apertium"`, `spektrum_translations{language="es",state="done"}`, "spektrum_jobs{state=\"dead\"}"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
