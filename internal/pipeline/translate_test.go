package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/translate"
)

// Two articles without a declared language: one English, one French. Their
// pages say nothing about their language either, so the detector decides.
var pages = map[string]struct{ title, body string }{
	"/en": {"The city council approves the new budget", `<p>The city council approved the new budget on Tuesday after a long debate about schools and <a href="https://example.org/libraries">public libraries</a>.</p>
<p>Critics said the plan ignores the rising cost of housing, while the mayor called it a fair compromise for everyone in the city.</p>
<p>The budget gives more money to primary schools and to the libraries, and it will be reviewed again next year by the council.</p>`},
	"/fr": {"Le conseil municipal adopte le nouveau budget", `<p>Le conseil municipal a adopté mardi un nouveau budget qui accorde davantage d'argent aux écoles primaires et aux bibliothèques publiques.</p>
<p>Les critiques estiment que le plan ignore la hausse des loyers, tandis que le maire parle d'un compromis équitable pour toute la ville.</p>
<p>Le budget sera examiné de nouveau l'année prochaine par le conseil, qui se réunira au printemps.</p>`},
	"/num": {"2026", `<p>12 345 — 67 890 — 2026-03-10 — 14:00 — 3:1 — 0,5 % — 42 — 11 — 17:45 — 2:0 — 1 234 567 — 89 — 2025/26 — 3,14 — 100 % — 7 — 19:30 — 4:4 — 56 789 — 2027 — 8 — 12 — 13</p>
<p>1 — 2 — 3 — 4 — 5 — 6 — 7 — 8 — 9 — 10 — 11 — 12 — 13 — 14 — 15 — 16 — 17 — 18 — 19 — 20 — 21 — 22 — 23 — 24 — 25</p>`},
}

func newsServer(t *testing.T, paths ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			var items strings.Builder
			for i, p := range paths {
				desc := ""
				if p == "/num" { // no page: the feed carries the text
					desc = "<description>" + html.EscapeString(pages[p].body) + "</description>"
				}
				fmt.Fprintf(&items, "<item><title>%s</title><link>http://%s%s</link><guid>%s</guid><pubDate>Tue, 10 Mar 2026 1%d:00:00 GMT</pubDate>%s</item>", pages[p].title, r.Host, p, p, i, desc)
			}
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title><link>http://%s/</link>%s</channel></rss>`, r.Host, items.String())
			return
		}
		pg, ok := pages[r.URL.Path]
		if !ok || r.URL.Path == "/num" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title></head><body><article><h1>%[1]s</h1>%s</article></body></html>`, pg.title, pg.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type rig struct {
	st     store.Store
	p      *Pipeline
	mu     sync.Mutex // events come from several workers
	events []Event
}

func newRig(t testing.TB, editions []string, tr *translate.Service, st store.Store) *rig {
	t.Helper()
	ctx := context.Background()
	if st == nil {
		st = testStore(t)
	}
	rg := &rig{st: st}
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1})
	rg.p = New(st, fc, extract.New(), Options{Detector: lang.New(), Editions: editions, Translator: tr,
		Events: func(e Event) {
			rg.mu.Lock()
			defer rg.mu.Unlock()
			rg.events = append(rg.events, e)
		}})
	_ = ctx
	return rg
}

func testStore(t testing.TB) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// run polls the source and works the queue until only waiting retries are left.
func (rg *rig) run(t *testing.T, feedURL string) { rg.runAt(t, feedURL, time.Now().Add(time.Minute)) }

// runAt works the queue with the clock at now, so retries waiting until then run.
func (rg *rig) runAt(t *testing.T, feedURL string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	src, err := rg.st.SourceByURL(ctx, feedURL)
	if err != nil {
		src = newSource(t, rg.st, feedURL, "")
	}
	if _, err := rg.p.EnqueuePoll(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	r := jobs.New(rg.st, jobs.Options{Backoff: func(int) time.Duration { return time.Hour }, Now: func() time.Time { return now }})
	rg.p.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func (rg *rig) article(t *testing.T, title string) *store.Article {
	t.Helper()
	page, err := rg.st.Articles(context.Background(), store.ArticleQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := range page.Articles {
		if page.Articles[i].Title == title {
			return &page.Articles[i]
		}
	}
	rg.mu.Lock()
	defer rg.mu.Unlock()
	t.Fatalf("no article %q among %d; events %+v", title, len(page.Articles), rg.events)
	return nil
}

func (rg *rig) translation(t *testing.T, a *store.Article, lang string) *store.Translation {
	t.Helper()
	tr, err := rg.st.Translation(context.Background(), a.ID, lang)
	if err != nil {
		t.Fatalf("translation of %q into %s: %v", a.Title, lang, err)
	}
	return tr
}

// With the real Apertium: every article ends up in every edition, translated
// where a pair is installed and in its own language (with the reason) where not.
func TestTranslateIntoEditionsWithApertium(t *testing.T) {
	u := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL")
	if u == "" {
		t.Skip("SPEKTRUM_TRANSLATE_APERTIUM_URL is not set: run scripts/test.sh, which installs and starts apertium-apy")
	}
	ctx := context.Background()
	st := testStore(t)
	svc := translate.New(st, []translate.Translator{translate.NewApertium(u, translate.HTTPOptions{})}, translate.Options{})
	rg := newRig(t, []string{"en", "es", "de"}, svc, st)
	srv := newsServer(t, "/en", "/fr", "/num")
	rg.run(t, srv.URL+"/feed.xml")

	en := rg.article(t, pages["/en"].title)
	fr := rg.article(t, pages["/fr"].title)
	num := rg.article(t, "2026")
	if en.Language != "en" || fr.Language != "fr" || num.Language != "" {
		t.Fatalf("languages: %q, %q, %q; want en, fr and unknown", en.Language, fr.Language, num.Language)
	}
	es := rg.translation(t, en, "es")
	if es.Status != store.TranslationDone || es.Provider != "apertium" || !strings.Contains(strings.ToLower(es.Title), "ayuntamiento") ||
		strings.Count(es.HTML, "<a ") != strings.Count(en.HTML, "<a ") || strings.Count(es.HTML, "<p>") != strings.Count(en.HTML, "<p>") || !strings.Contains(es.Text, "presupuesto") || es.ContentHash != en.ContentHash {
		t.Fatalf("en→es = %+v", es)
	}
	if tr := rg.translation(t, fr, "es"); tr.Status != store.TranslationDone || !strings.Contains(strings.ToLower(tr.Text), "presupuesto") {
		t.Fatalf("fr→es = %+v", tr)
	}
	for _, c := range []struct {
		a    *store.Article
		lang string
	}{{en, "de"}, {fr, "en"}, {fr, "de"}} {
		tr := rg.translation(t, c.a, c.lang)
		if tr.Status != store.TranslationUnsupported || !strings.Contains(tr.Error, c.a.Language+"→"+c.lang) {
			t.Errorf("%s→%s = %s (%s); want unsupported, naming the pair", c.a.Language, c.lang, tr.Status, tr.Error)
		}
	}
	// Unknown language: no translation jobs, shown as is in every edition.
	if ts, _ := st.Translations(ctx, num.ID); len(ts) != 0 {
		t.Fatalf("article of unknown language got translations: %+v", ts)
	}
	for _, ed := range []string{"en", "es", "de"} {
		page, err := st.EditionArticles(ctx, ed, store.ArticleQuery{})
		if err != nil || len(page.Articles) != 3 {
			t.Fatalf("edition %s has %d articles (%v), want all 3", ed, len(page.Articles), err)
		}
	}

	// Fetching the same source again costs nothing: the cache answers.
	before, err := st.TranslationUsage(ctx, translate.Month(time.Now()))
	if err != nil || len(before) != 1 {
		t.Fatalf("usage = %+v, %v", before, err)
	}
	if err := st.PutTranslation(ctx, &store.Translation{ArticleID: en.ID, Language: "es", Status: store.TranslationFailed}); err != nil {
		t.Fatal(err)
	}
	if err := rg.p.EnqueueTranslations(ctx, en); err != nil {
		t.Fatal(err)
	}
	rg.run(t, srv.URL+"/feed.xml")
	after, _ := st.TranslationUsage(ctx, translate.Month(time.Now()))
	if after[0].Chars != before[0].Chars || after[0].CacheHits <= before[0].CacheHits {
		t.Fatalf("re-translation spent %d characters (hits %d→%d); want 0 and more hits", after[0].Chars-before[0].Chars, before[0].CacheHits, after[0].CacheHits)
	}
	if tr := rg.translation(t, en, "es"); tr.Status != store.TranslationDone || tr.Title != es.Title {
		t.Fatalf("re-translation = %+v", tr)
	}
}

// fakeLibre answers LibreTranslate's /languages and /translate; status, if
// set, is the answer to every translation instead.
func fakeLibre(t *testing.T, status, calls *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/languages" {
			_, _ = w.Write([]byte(`[{"code":"en","targets":["de"]},{"code":"fr","targets":["de"]}]`))
			return
		}
		calls.Add(1)
		if st := status.Load(); st > 0 {
			http.Error(w, `{"error":"down"}`, int(st))
			return
		}
		var req struct{ Q []string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		out := []string{}
		for _, q := range req.Q {
			if status.Load() == -1 { // hostile: markup smuggled into the answer
				q = `<b onclick="alert(1)">!</b><script>alert(2)</script>` + q
			}
			out = append(out, "DE:"+q)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"translatedText": out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A provider that is down leaves the article in its language everywhere,
// marked failed, with a retry waiting; nothing else is blocked.
func TestProviderDownKeepsOriginalAndRetries(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	var status, calls atomic.Int64
	status.Store(http.StatusServiceUnavailable)
	lt := fakeLibre(t, &status, &calls)
	svc := translate.New(st, []translate.Translator{translate.NewLibreTranslate(lt.URL, "", translate.HTTPOptions{Retries: -1})}, translate.Options{})
	rg := newRig(t, []string{"en", "de"}, svc, st)
	srv := newsServer(t, "/en", "/fr")
	rg.run(t, srv.URL+"/feed.xml")

	en := rg.article(t, pages["/en"].title)
	tr := rg.translation(t, en, "de")
	if tr.Status != store.TranslationFailed || !strings.Contains(tr.Error, "503") {
		t.Fatalf("en→de with the provider down = %s %q; want failed with the 503", tr.Status, tr.Error)
	}
	page, err := st.EditionArticles(ctx, "de", store.ArticleQuery{})
	if err != nil || len(page.Articles) != 2 {
		t.Fatalf("German edition: %d articles, %v; want both originals", len(page.Articles), err)
	}
	counts, err := st.JobCounts(ctx, []string{KindTranslate}, time.Now())
	if err != nil || counts.Waiting != 2 {
		t.Fatalf("translate jobs = %+v, %v; want 2 retries waiting", counts, err)
	}
	// The fr article is also English-edition material: fr→en unsupported here.
	fr := rg.article(t, pages["/fr"].title)
	if tr := rg.translation(t, fr, "en"); tr.Status != store.TranslationUnsupported {
		t.Fatalf("fr→en = %+v, want unsupported", tr)
	}
	// The provider is back: the retry translates and replaces the note.
	status.Store(0)
	rg.runAt(t, srv.URL+"/feed.xml", time.Now().Add(2*time.Hour))
	if tr := rg.translation(t, en, "de"); tr.Status != store.TranslationDone || !strings.HasPrefix(tr.Title, "DE:") || tr.Error != "" {
		t.Fatalf("after recovery en→de = %+v", tr)
	}
}

// A spent budget stops spending: the article waits for next month in a
// queued job and is shown in its language meanwhile.
func TestBudgetSpentQueuesForNextMonth(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	var status, calls atomic.Int64
	lt := fakeLibre(t, &status, &calls)
	now := time.Now()
	svc := translate.New(st, []translate.Translator{translate.NewLibreTranslate(lt.URL, "", translate.HTTPOptions{})},
		translate.Options{Budgets: map[string]int64{"libretranslate": 50}})
	rg := newRig(t, []string{"en", "de"}, svc, st)
	srv := newsServer(t, "/en")
	rg.run(t, srv.URL+"/feed.xml")
	en := rg.article(t, pages["/en"].title)
	tr := rg.translation(t, en, "de")
	if tr.Status != store.TranslationQueued || !strings.Contains(tr.Error, "budget") || calls.Load() != 0 {
		t.Fatalf("en→de over budget = %s %q after %d provider calls; want queued, no calls", tr.Status, tr.Error, calls.Load())
	}
	counts, err := st.JobCounts(ctx, []string{KindTranslate}, now)
	if err != nil || counts.Waiting != 1 {
		t.Fatalf("translate jobs = %+v, %v; want one waiting for next month", counts, err)
	}
	next := nextMonth(now)
	j, err := st.Claim(ctx, "probe", []string{KindTranslate}, next.Add(time.Second), time.Minute)
	if err != nil || j.RunAt.Before(next) {
		t.Fatalf("queued job = %+v, %v; want it to run from %s", j, err, next)
	}
}

// A provider's answer is untrusted: scripts and handlers it smuggles in are
// sanitized away before the translation is stored, as for fetched pages
// (invented links or images are refused earlier, as garbage).
func TestHostileTranslationIsSanitized(t *testing.T) {
	st := testStore(t)
	var status, calls atomic.Int64
	status.Store(-1)
	lt := fakeLibre(t, &status, &calls)
	svc := translate.New(st, []translate.Translator{translate.NewLibreTranslate(lt.URL, "", translate.HTTPOptions{})}, translate.Options{})
	rg := newRig(t, []string{"en", "de"}, svc, st)
	srv := newsServer(t, "/en")
	rg.run(t, srv.URL+"/feed.xml")
	tr := rg.translation(t, rg.article(t, pages["/en"].title), "de")
	if tr.Status != store.TranslationDone {
		t.Fatalf("translation = %s %q", tr.Status, tr.Error)
	}
	for _, bad := range []string{"<script", "onclick", "alert("} {
		if strings.Contains(tr.HTML, bad) || strings.Contains(tr.Title, "<") {
			t.Errorf("stored translation keeps %q: title %q, html %s", bad, tr.Title, tr.HTML)
		}
	}
	if !strings.Contains(tr.Text, "DE:") {
		t.Errorf("translation text lost: %q", tr.Text)
	}
}

// Articles fetched before a provider was configured stay in their language
// (unsupported); `translate queue` puts them into the editions afterwards.
func TestQueueAllAfterProviderAdded(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	srv := newsServer(t, "/en", "/fr")
	before := newRig(t, []string{"en", "de"}, nil, st)
	before.run(t, srv.URL+"/feed.xml")
	en := before.article(t, pages["/en"].title)
	if tr := before.translation(t, en, "de"); tr.Status != store.TranslationUnsupported || !strings.Contains(tr.Error, "SPEKTRUM_TRANSLATE_APERTIUM_URL") {
		t.Fatalf("without a provider en→de = %s %q; want unsupported, saying how to configure one", tr.Status, tr.Error)
	}
	var status, calls atomic.Int64
	lt := fakeLibre(t, &status, &calls)
	svc := translate.New(st, []translate.Translator{translate.NewLibreTranslate(lt.URL, "", translate.HTTPOptions{})}, translate.Options{})
	after := newRig(t, []string{"en", "de"}, svc, st)
	n, err := after.p.EnqueueAllTranslations(ctx)
	if err != nil || n != 2 {
		t.Fatalf("EnqueueAllTranslations = %d, %v; want 2 articles", n, err)
	}
	r := jobs.New(st, jobs.Options{Now: func() time.Time { return time.Now().Add(time.Minute) }})
	after.p.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if tr := after.translation(t, en, "de"); tr.Status != store.TranslationDone || !strings.HasPrefix(tr.Title, "DE:") {
		t.Fatalf("after queueing en→de = %+v", tr)
	}
	fr := after.article(t, pages["/fr"].title)
	if tr := after.translation(t, fr, "de"); tr.Status != store.TranslationDone {
		t.Fatalf("after queueing fr→de = %+v", tr)
	}
	// Queueing again changes nothing and costs nothing.
	before2 := calls.Load()
	if _, err := after.p.EnqueueAllTranslations(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != before2 {
		t.Fatalf("queueing again called the provider %d more times", calls.Load()-before2)
	}
}

// A page's declared language stands where the text agrees with it, and a
// site-wide declaration (the feed's "en", or the page's own) gives way to
// the text when it is plainly in another language: the extraction's cheap
// guess disagreeing sends the article through lingua, as before.
func TestDeclaredLanguageCheckedAgainstText(t *testing.T) {
	german := `<p>Der Stadtrat hat am Dienstag nach einer langen Debatte über Schulen und öffentliche Bibliotheken einen neuen Haushalt beschlossen.</p>
<p>Kritiker sagen, der Plan übersehe die steigenden Mieten, während der Bürgermeister von einem fairen Kompromiss für die ganze Stadt spricht.</p>
<p>Der Haushalt gibt den Grundschulen und den Bibliotheken mehr Geld und wird im nächsten Jahr vom Stadtrat erneut geprüft.</p>`
	docs := map[string]struct{ htmlLang, title, body string }{
		"/fr-declared": {"fr", pages["/fr"].title, pages["/fr"].body},          // declaration and text agree
		"/de-as-en":    {"en", "Der Stadtrat beschließt den Haushalt", german}, // a site-wide "en" on a German page
		"/fr-bare":     {"", "Le budget des écoles adopté", pages["/fr"].body}, // only the feed's "en"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			var items strings.Builder
			for p, d := range docs {
				fmt.Fprintf(&items, "<item><title>%s</title><link>http://%s%s</link><guid>%s</guid></item>", d.title, r.Host, p, p)
			}
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title><language>en</language><link>http://%s/</link>%s</channel></rss>`, r.Host, items.String())
			return
		}
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		langAttr := ""
		if d.htmlLang != "" {
			langAttr = ` lang="` + d.htmlLang + `"`
		}
		fmt.Fprintf(w, `<!doctype html><html%s><head><title>%s</title></head><body><article><h1>%[2]s</h1>%s</article></body></html>`, langAttr, d.title, d.body)
	}))
	t.Cleanup(srv.Close)
	rg := newRig(t, []string{"en"}, nil, nil)
	newSource(t, rg.st, srv.URL+"/feed.xml", "en")
	rg.run(t, srv.URL+"/feed.xml")
	for p, want := range map[string]string{"/fr-declared": "fr", "/de-as-en": "de", "/fr-bare": "fr"} {
		if a := rg.article(t, docs[p].title); a.Language != want {
			t.Errorf("%s stored in %q, want %q", p, a.Language, want)
		}
	}
}
