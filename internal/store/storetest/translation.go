package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testTranslations checks the TranslationStore: rows per edition, edition
// listings, the segment cache and the budget's atomic reservations.
func testTranslations(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://example.com/translations")
	en := article(src.ID, 1) // written in English
	upsert(t, s, en, store.Created)
	de := article(src.ID, 2)
	de.Language = "de"
	upsert(t, s, de, store.Created)
	unknown := article(src.ID, 3)
	unknown.Language = ""
	upsert(t, s, unknown, store.Created)

	if _, err := s.Translation(ctx, en.ID, "de"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Translation before any: err = %v, want ErrNotFound", err)
	}
	// German edition before translation: the German article and the one of
	// unknown language; the English one waits for its translation.
	assertEdition(t, s, "de", de.ID, unknown.ID)

	tr := &store.Translation{ArticleID: en.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Geschichte Nummer 1", HTML: "<p>Text</p>", Text: "Text", Provider: "apertium", ContentHash: en.ContentHash, Chars: 42}
	if err := s.PutTranslation(ctx, tr); err != nil {
		t.Fatalf("PutTranslation: %v", err)
	}
	got, err := s.Translation(ctx, en.ID, "de")
	if err != nil || got.Title != tr.Title || got.Provider != "apertium" || got.Chars != 42 || got.CreatedAt.IsZero() || got.ContentHash != en.ContentHash {
		t.Fatalf("Translation = %+v, %v; want the stored row", got, err)
	}
	assertEdition(t, s, "de", en.ID, de.ID, unknown.ID)
	// Pages and filters work as in Articles.
	p1, err := s.EditionArticles(ctx, "de", store.ArticleQuery{Limit: 2})
	if err != nil || len(p1.Articles) != 2 || p1.NextCursor == "" {
		t.Fatalf("EditionArticles page 1 = %d articles, cursor %q, %v", len(p1.Articles), p1.NextCursor, err)
	}
	p2, err := s.EditionArticles(ctx, "de", store.ArticleQuery{Limit: 2, Cursor: p1.NextCursor})
	if err != nil || len(p2.Articles) != 1 || p2.Articles[0].ID != unknown.ID || p2.NextCursor != "" {
		t.Fatalf("EditionArticles page 2 = %+v, %v; want the last article only", p2, err)
	}
	if p, err := s.EditionArticles(ctx, "de", store.ArticleQuery{Exclude: de.ID, SourceID: src.ID}); err != nil || len(p.Articles) != 2 {
		t.Fatalf("EditionArticles with Exclude = %d articles, %v; want 2", len(p.Articles), err)
	}
	if _, err := s.EditionArticles(ctx, "de", store.ArticleQuery{Cursor: "garbage"}); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("EditionArticles with a bad cursor: err = %v, want ErrBadCursor", err)
	}

	// Replacing keeps one row per (article, language).
	tr.Status, tr.Title, tr.Error = store.TranslationFailed, "", "provider down"
	if err := s.PutTranslation(ctx, tr); err != nil {
		t.Fatalf("PutTranslation again: %v", err)
	}
	if err := s.PutTranslation(ctx, &store.Translation{ArticleID: en.ID, Language: "fr", SourceLanguage: "en", Status: store.TranslationUnsupported, Error: "no provider for en→fr"}); err != nil {
		t.Fatalf("PutTranslation fr: %v", err)
	}
	all, err := s.Translations(ctx, en.ID)
	if err != nil || len(all) != 2 || all[0].Language != "de" || all[0].Status != store.TranslationFailed || all[1].Language != "fr" {
		t.Fatalf("Translations = %+v, %v; want de (failed) and fr", all, err)
	}
	in, err := s.TranslationsIn(ctx, "de", []int64{en.ID, de.ID, unknown.ID})
	if err != nil || len(in) != 1 || in[en.ID].Error != "provider down" {
		t.Fatalf("TranslationsIn = %+v, %v; want only article %d", in, err, en.ID)
	}
	counts, err := s.TranslationCounts(ctx)
	if err != nil || counts["de"][store.TranslationFailed] != 1 || counts["fr"][store.TranslationUnsupported] != 1 {
		t.Fatalf("TranslationCounts = %v, %v", counts, err)
	}
	// The latest failures, newest first, without texts; other states are not failures.
	later := &store.Translation{ArticleID: de.ID, Language: "en", SourceLanguage: "de", Status: store.TranslationFailed,
		Title: "kept out", Error: "deepl: 456 quota exceeded", Provider: "deepl", CreatedAt: tr.CreatedAt.Add(time.Minute)}
	if err := s.PutTranslation(ctx, later); err != nil {
		t.Fatal(err)
	}
	fails, err := s.TranslationFailures(ctx, 10)
	if err != nil || len(fails) != 2 || fails[0].ArticleID != de.ID || fails[0].Error != "deepl: 456 quota exceeded" ||
		fails[0].Provider != "deepl" || fails[0].Title != "" || fails[1].ArticleID != en.ID || fails[1].Error != "provider down" {
		t.Fatalf("TranslationFailures = %+v, %v; want de's then en's, no texts", fails, err)
	}
	if fails, err := s.TranslationFailures(ctx, 1); err != nil || len(fails) != 1 || fails[0].ArticleID != de.ID {
		t.Fatalf("TranslationFailures(1) = %+v, %v", fails, err)
	}
	if err := s.PutTranslation(ctx, &store.Translation{ArticleID: de.ID, Language: "en", SourceLanguage: "de", Status: store.TranslationDone, Title: "Story"}); err != nil {
		t.Fatal(err)
	}
	// Deleting the source deletes its articles' translations with them.
	if err := s.DeleteSource(ctx, src.ID); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if all, err := s.Translations(ctx, en.ID); err != nil || len(all) != 0 {
		t.Fatalf("Translations after DeleteSource = %+v, %v; want none", all, err)
	}

	t.Run("SegmentCache", func(t *testing.T) {
		segs := map[string]string{}
		var hashes []string
		for i := range 700 { // more than one IN-list chunk
			h := fmt.Sprintf("%064x", i)
			segs[h] = fmt.Sprintf("Satz %d", i)
			hashes = append(hashes, h)
		}
		if err := s.PutSegments(ctx, "en", "de", "apertium", segs); err != nil {
			t.Fatalf("PutSegments: %v", err)
		}
		// Existing entries stay: a second writer of the same segment is harmless.
		if err := s.PutSegments(ctx, "en", "de", "apertium", map[string]string{hashes[0]: "other"}); err != nil {
			t.Fatalf("PutSegments again: %v", err)
		}
		got, err := s.CachedSegments(ctx, "en", "de", "apertium", append(hashes, "missing"))
		if err != nil || len(got) != 700 || got[hashes[0]] != "Satz 0" || got[hashes[699]] != "Satz 699" {
			t.Fatalf("CachedSegments: %d entries, first %q, err %v; want 700 with the first kept", len(got), got[hashes[0]], err)
		}
		// The key includes the pair and the provider.
		for _, k := range [][3]string{{"en", "fr", "apertium"}, {"de", "en", "apertium"}, {"en", "de", "deepl"}} {
			if got, err := s.CachedSegments(ctx, k[0], k[1], k[2], hashes[:5]); err != nil || len(got) != 0 {
				t.Fatalf("CachedSegments(%v) = %v, %v; want none", k, got, err)
			}
		}
	})

	t.Run("Budget", func(t *testing.T) {
		const month = "2025-03"
		ok, err := s.ReserveChars(ctx, "deepl", month, 600, 1000)
		if err != nil || !ok {
			t.Fatalf("ReserveChars(600 of 1000) = %v, %v; want true", ok, err)
		}
		if ok, err := s.ReserveChars(ctx, "deepl", month, 500, 1000); err != nil || ok {
			t.Fatalf("ReserveChars(500 more of 1000) = %v, %v; want false", ok, err)
		}
		// Ten concurrent reservations of 100 into the remaining 400: exactly four fit.
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted := 0
		for range 10 {
			wg.Go(func() {
				ok, err := s.ReserveChars(ctx, "deepl", month, 100, 1000)
				if err != nil {
					t.Errorf("concurrent ReserveChars: %v", err)
				}
				if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if granted != 4 {
			t.Fatalf("concurrent reservations granted %d, want 4", granted)
		}
		if ok, err := s.ReserveChars(ctx, "apertium", month, 1_000_000, 0); err != nil || !ok {
			t.Fatalf("ReserveChars without a limit = %v, %v; want true", ok, err)
		}
		if err := s.AddTranslationUsage(ctx, store.TranslationUsage{Provider: "deepl", Month: month, Requests: 3, CacheHits: 7, CacheMisses: 2, Errors: 1}); err != nil {
			t.Fatalf("AddTranslationUsage: %v", err)
		}
		if err := s.AddTranslationUsage(ctx, store.TranslationUsage{Provider: "deepl", Month: month, Requests: 1}); err != nil {
			t.Fatalf("AddTranslationUsage: %v", err)
		}
		us, err := s.TranslationUsage(ctx, month)
		if err != nil || len(us) != 2 {
			t.Fatalf("TranslationUsage = %+v, %v; want apertium and deepl", us, err)
		}
		d := us[1]
		if d.Provider != "deepl" || d.Chars != 1000 || d.Requests != 4 || d.CacheHits != 7 || d.CacheMisses != 2 || d.Errors != 1 {
			t.Fatalf("deepl usage = %+v; want 1000 chars, 4 requests, 7 hits, 2 misses, 1 error", d)
		}
		if us, err := s.TranslationUsage(ctx, "2025-04"); err != nil || len(us) != 0 {
			t.Fatalf("TranslationUsage(next month) = %+v, %v; want none", us, err)
		}
	})
}

func assertEdition(t *testing.T, s store.Store, lang string, want ...int64) {
	t.Helper()
	page, err := s.EditionArticles(context.Background(), lang, store.ArticleQuery{Limit: 50})
	if err != nil {
		t.Fatalf("EditionArticles(%s): %v", lang, err)
	}
	var got []int64
	for _, a := range page.Articles {
		got = append(got, a.ID)
	}
	// Articles come newest first; the fixtures are numbered oldest last.
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("EditionArticles(%s) = %v, want %v", lang, got, want)
	}
}
