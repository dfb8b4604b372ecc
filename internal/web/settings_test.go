package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/settings"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// TestSettingsInvalidateCache: a change of the settings or the ad slots,
// written straight to the store as any node would, makes the cached pages
// new at the next read of the generation, and not before; the page
// served from memory carries the CSP of the ads it shows. On both
// databases.
func TestSettingsInvalidateCache(t *testing.T) {
	for name, open := range map[string]func(*testing.T) store.Store{"sqlite": func(t *testing.T) store.Store { return sqlitetest.Open(t) }, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newCachedSite(t, open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
			refresh := func() { t.Helper(); s.renew(t) }
			refresh()
			a := s.visible[3]
			pages := []string{"/en/", "/de/", enArticle(&a)}
			for _, p := range pages {
				if body := s.cachedPage(t, p); strings.Contains(body, "Straight from the store") {
					t.Fatalf("%s shows the tagline before it is set", p)
				}
			}
			if err := s.st.SaveSettings(ctx, map[string]string{settings.KeyTagline: "Straight from the store", settings.KeyName: "Renamed Outlet",
				settings.KeyDisclaimer + ".de": "Ein Hinweis nur für Deutsch.",
				settings.KeySocial:             `[{"network":"bluesky","url":"https://bsky.example/profile/x"}]`}); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				if strings.Contains(string(s.mustGet(t, p, 200).body), "Straight from the store") {
					t.Fatalf("%s changed before the generation was read (the test's bound is an hour)", p)
				}
			}
			refresh()
			for _, p := range pages {
				body := s.cachedPage(t, p)
				if !strings.Contains(body, `Straight from the store`) || !strings.Contains(body, `href="https://bsky.example/profile/x"`) {
					t.Fatalf("%s lacks the new tagline or social link after the generation moved", p)
				}
			}
			// The name is the outlet's everywhere: feeds, the manifest, the
			// news sitemap.
			for _, p := range []string{"/en/feed.xml", "/de/atom.xml", "/en/feed.json", "/manifest.webmanifest"} {
				if body := string(s.mustGet(t, p, 200).body); !strings.Contains(body, "Renamed Outlet") {
					t.Errorf("%s does not name the outlet as set", p)
				}
			}
			if body := s.cachedPage(t, "/de/"); !strings.Contains(body, "Ein Hinweis nur für Deutsch.") {
				t.Fatal("the German front page lacks its own disclaimer")
			}
			if body := s.cachedPage(t, "/en/"); strings.Contains(body, "Ein Hinweis") {
				t.Fatal("the English front page shows the German disclaimer")
			}

			// An ad slot with an allowed origin's script: the cached front
			// page shows it and its hits carry the CSP that lets it run.
			if err := s.st.SaveSettings(ctx, map[string]string{settings.KeyScriptOrigins: "https://ads.example.net"}); err != nil {
				t.Fatal(err)
			}
			ad := &store.AdSlot{Name: "Net", Placement: settings.PlaceFrontTop, Kind: settings.KindHTML, Enabled: true,
				HTML: `<p><a href="https://shop.example/">Shop</a></p><script src="https://ads.example.net/t.js"></script>`}
			if err := s.st.SaveAdSlot(ctx, ad); err != nil {
				t.Fatal(err)
			}
			refresh()
			s.cachedPage(t, "/en/")
			hit := s.mustGet(t, "/en/", 200)
			if !strings.Contains(string(hit.body), `<p class="ad-label">Advertisement</p>`) || !strings.Contains(string(hit.body), `<script src="https://ads.example.net/t.js" async></script>`) {
				t.Fatal("the cached front page lacks the labelled ad with its script")
			}
			if csp := hit.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' https://ads.example.net;") {
				t.Fatalf("the cached front page's CSP = %q", csp)
			}
			if de := s.cachedPage(t, "/de/"); !strings.Contains(de, `<p class="ad-label">Werbung</p>`) {
				t.Fatal("the German front page lacks the ad labelled Werbung")
			}
			// Switched off: gone from the page and from its CSP.
			ad.Enabled = false
			if err := s.st.SaveAdSlot(ctx, ad); err != nil {
				t.Fatal(err)
			}
			refresh()
			s.cachedPage(t, "/en/")
			hit = s.mustGet(t, "/en/", 200)
			if strings.Contains(string(hit.body), "ad-label") || strings.Contains(hit.Header.Get("Content-Security-Policy"), "ads.example.net") {
				t.Fatal("a switched-off ad (or its CSP entry) is still served from the cache")
			}
		})
	}
}

// openPostgres opens the test PostgreSQL (skipped when unset), migrated.
func openPostgres(t *testing.T) store.Store { return pgtest.Open(t, pgtest.DSN(t)) }
