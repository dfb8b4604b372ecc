package pipeline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"spektrum/internal/search"
	"spektrum/internal/store"
	"spektrum/internal/translate"
)

// wordLibre is a LibreTranslate server that "translates" English and
// French into German by swapping a few words, enough to tell translated
// words from original ones.
func wordLibre(t *testing.T) *httptest.Server {
	swap := strings.NewReplacer("council", "Stadtrat", "budget", "Haushalt", "conseil", "Stadtrat")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/languages" {
			_, _ = w.Write([]byte(`[{"code":"en","targets":["de"]},{"code":"fr","targets":["de"]}]`))
			return
		}
		var req struct{ Q []string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := []string{}
		for _, q := range req.Q {
			out = append(out, swap.Replace(q))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Stored articles are indexed in every edition that lists them: in their
// own words, in the words of their translation, and in the translated
// edition by their original words too.
func TestSearchStageIndexesEditions(t *testing.T) {
	st := testStore(t)
	svc := translate.New(st, []translate.Translator{translate.NewLibreTranslate(wordLibre(t).URL, "", translate.HTTPOptions{})}, translate.Options{})
	rg := newRig(t, []string{"en", "de"}, svc, st)
	srv := newsServer(t, "/en", "/fr")
	rg.run(t, srv.URL+"/feed.xml")
	en, fr := rg.article(t, pages["/en"].title), rg.article(t, pages["/fr"].title)
	if tr := rg.translation(t, en, "de"); tr.Status != store.TranslationDone || !strings.Contains(tr.Title, "Haushalt") {
		t.Fatalf("translation of the English article: %s %q", tr.Status, tr.Title)
	}
	find := func(lang, q string) []int64 {
		t.Helper()
		pq, err := search.Parse(lang, q)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Search(context.Background(), store.SearchQuery{Lang: lang, Groups: pq.Groups, Sort: store.SortNewest})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range page.Articles {
			ids = append(ids, a.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for _, tc := range []struct {
		lang, q string
		want    []int64
	}{
		{"en", "council budget", []int64{en.ID}},      // its own words
		{"en", "conseil municipal", []int64{fr.ID}},   // not translated into en: shown, and found, in French
		{"de", "Haushalt", []int64{en.ID, fr.ID}},     // the words of the German translations
		{"de", "budget libraries", []int64{en.ID}},    // and the original's words, in the translated edition
		{"de", `"Stadtrat approves"`, []int64{en.ID}}, // a phrase of the translation
		{"en", "Haushalt", nil},                       // not in the English edition
		{"fr", "conseil", nil},                        // no such edition
	} {
		slices.Sort(tc.want)
		if got := find(tc.lang, tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q = %v, want %v", tc.lang, tc.q, got, tc.want)
		}
	}

	// IndexAll rebuilds the same index.
	if err := st.PutSearchDocs(context.Background(), en.ID, nil); err != nil {
		t.Fatal(err)
	}
	n, err := rg.p.IndexAll(context.Background(), nil)
	if err != nil || n != 2 {
		t.Fatalf("IndexAll = %d, %v; want 2", n, err)
	}
	if got := find("de", "libraries"); !slices.Equal(got, []int64{en.ID}) {
		t.Errorf("after IndexAll: %v", got)
	}
}
