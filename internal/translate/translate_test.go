package translate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store/sqlite/sqlitetest"
)

const article = `<p>The council met on <a href="https://example.org/a">Tuesday</a>.</p>
<figure><img src="https://example.org/i.jpg" alt="A hall"><figcaption>The hall</figcaption></figure>
<ul><li>One &amp; two</li><li>Three</li></ul>
<pre>code stays</pre>
<p>The council met on <a href="https://example.org/a">Tuesday</a>.</p>`

var now = func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }

func TestSegmentsRoundTrip(t *testing.T) {
	d, err := parseFragment(article)
	if err != nil {
		t.Fatal(err)
	}
	segs := d.segments()
	want := []string{`The council met on <a href="https://example.org/a">Tuesday</a>.`, `The hall`, `One &amp; two`, `Three`,
		`The council met on <a href="https://example.org/a">Tuesday</a>.`}
	if strings.Join(segs, "|") != strings.Join(want, "|") {
		t.Fatalf("segments = %q\nwant %q", segs, want)
	}
	out, err := d.replace(segs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `<img src="https://example.org/i.jpg" alt="A hall"/>`) || !strings.Contains(out, "<pre>code stays</pre>") {
		t.Fatalf("identity replace lost markup: %s", out)
	}
	if got := TextOf(out); !strings.HasPrefix(got, "The council met on Tuesday.\n\n") || !strings.Contains(got, "One & two") {
		t.Fatalf("TextOf = %q", got)
	}
	if _, err := d.replace(segs[:2]); err == nil {
		t.Fatal("replace with too few segments: want an error")
	}
}

func TestServiceTranslatesHTMLKeepsMarkupAndCaches(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	f := newFakeDeepL(t, "k1")
	svc := New(st, []Translator{NewDeepL("k1", f.srv.URL, fast)}, Options{Now: now})

	res, err := svc.Translate(ctx, "en", "de", Document{Title: "Council <meets>", Summary: "A lead.", HTML: article})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	if res.Provider != "deepl" || res.Title != "COUNCIL <MEETS>" || res.Summary != "A LEAD." {
		t.Fatalf("result = %+v", res)
	}
	for _, want := range []string{`<p>THE COUNCIL MET ON <a href="https://example.org/a">TUESDAY</a>.</p>`,
		`<img src="https://example.org/i.jpg" alt="A hall"/>`, `<figcaption>THE HALL</figcaption>`, `<li>ONE &amp; TWO</li>`, `<pre>code stays</pre>`} {
		if !strings.Contains(res.HTML, want) {
			t.Errorf("translated HTML lacks %s:\n%s", want, res.HTML)
		}
	}
	// The repeated paragraph was sent once: 4 distinct body segments + title + lead.
	if _, texts := f.stats(); texts != 6 {
		t.Fatalf("provider received %d texts, want 6 (duplicates collapsed)", texts)
	}
	// The same article again costs nothing: every segment comes from the cache.
	calls, _ := f.stats()
	again, err := svc.Translate(ctx, "en", "de", Document{Title: "Council <meets>", Summary: "A lead.", HTML: article})
	if err != nil {
		t.Fatalf("Translate again: %v", err)
	}
	if c, _ := f.stats(); c != calls || again.Chars != 0 || again.CacheHits != 7 || again.HTML != res.HTML {
		t.Fatalf("second translation: %d new calls, %d chars, %d hits; want 0, 0, 7 and the same HTML", c-calls, again.Chars, again.CacheHits)
	}
	us, err := st.TranslationUsage(ctx, "2026-03")
	if err != nil || len(us) != 1 || us[0].CacheHits != 7 || us[0].CacheMisses != 6 || us[0].Chars != res.Chars || us[0].Requests != 1 {
		t.Fatalf("usage = %+v, %v", us, err)
	}
}

func TestServiceUnsupportedPair(t *testing.T) {
	svc := New(sqlitetest.Open(t), []Translator{NewDeepL("k", "http://127.0.0.1:1", fast)}, Options{Now: now})
	_, err := svc.Translate(context.Background(), "ca", "de", Document{Title: "Hola", HTML: "<p>Bon dia</p>"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "ca→de") || !strings.Contains(err.Error(), "deepl") {
		t.Fatalf("err = %v, want ErrUnsupported naming the pair and the configured providers", err)
	}
}

func TestServiceBudgetStopsSpending(t *testing.T) {
	ctx := context.Background()
	f := newFakeDeepL(t, "k")
	svc := New(sqlitetest.Open(t), []Translator{NewDeepL("k", f.srv.URL, fast)}, Options{Now: now, Budgets: map[string]int64{"deepl": 60}})
	if _, err := svc.Translate(ctx, "en", "de", Document{Title: "Short one", HTML: "<p>Fits the budget.</p>"}); err != nil {
		t.Fatalf("first translation within budget: %v", err)
	}
	calls, _ := f.stats()
	_, err := svc.Translate(ctx, "en", "de", Document{Title: "Long one", HTML: "<p>" + strings.Repeat("Too long for what is left. ", 5) + "</p>"})
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "SPEKTRUM_TRANSLATE_BUDGETS") {
		t.Fatalf("err = %v, want ErrBudget with a hint", err)
	}
	if c, _ := f.stats(); c != calls {
		t.Fatalf("the provider was called %d more times after the budget ran out", c-calls)
	}
	// Cached text stays free even with the budget spent.
	if _, err := svc.Translate(ctx, "en", "de", Document{Title: "Short one", HTML: "<p>Fits the budget.</p>"}); err != nil {
		t.Fatalf("cached translation with the budget spent: %v", err)
	}
}

func TestServiceFallsBackWhenProviderFails(t *testing.T) {
	ctx := context.Background()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	good := newFakeDeepL(t, "k")
	first := NewDeepL("k", down.URL, fast)
	routes, err := ParseRoutes("en-de=google,deepl")
	if err != nil {
		t.Fatal(err)
	}
	g := NewGoogle("gkey", "", "", down.URL, fast)
	svc := New(sqlitetest.Open(t), []Translator{first, g}, Options{Now: now, Routes: routes})
	// Route: google (down, retried then given up) then deepl, which is also down → error naming both.
	_, err = svc.Translate(ctx, "en", "de", Document{Title: "T", HTML: "<p>Text here.</p>"})
	if err == nil || !strings.Contains(err.Error(), "google") || !strings.Contains(err.Error(), "deepl") || !strings.Contains(err.Error(), "503") || errors.Is(err, ErrBudget) {
		t.Fatalf("err = %v, want both providers' 503s", err)
	}
	if strings.Contains(err.Error(), "gkey") {
		t.Fatalf("error leaks the API key: %v", err)
	}
	st := sqlitetest.Open(t)
	svc = New(st, []Translator{g, NewDeepL("k", good.srv.URL, fast)}, Options{Now: now, Routes: routes, Budgets: map[string]int64{"google": 100}})
	res, err := svc.Translate(ctx, "en", "de", Document{Title: "T", HTML: "<p>Text here.</p>"})
	if err != nil || res.Provider != "deepl" || res.HTML != "<p>TEXT HERE.</p>" {
		t.Fatalf("fallback: %+v, %v; want deepl's translation", res, err)
	}
	// The failed provider's budget was given back; the one that worked was charged.
	us, err := st.TranslationUsage(ctx, "2026-03")
	if err != nil || len(us) != 2 || us[0].Provider != "deepl" || us[0].Chars != res.Chars || us[1].Provider != "google" || us[1].Chars != 0 || us[1].Errors != 1 {
		t.Fatalf("usage after fallback = %+v, %v", us, err)
	}
}

func TestServiceRejectsGarbage(t *testing.T) {
	f := newFakeDeepL(t, "k")
	f.garbage = true
	st := sqlitetest.Open(t)
	svc := New(st, []Translator{NewDeepL("k", f.srv.URL, fast)}, Options{Now: now})
	_, err := svc.Translate(context.Background(), "en", "de", Document{Title: "T", HTML: `<p>See <a href="https://x.org/">this</a>.</p>`})
	if !errors.Is(err, ErrGarbage) {
		t.Fatalf("err = %v, want ErrGarbage", err)
	}
	// Nothing of the garbage was cached.
	if got, _ := st.CachedSegments(context.Background(), "en", "de", "deepl", []string{hash(`See <a href="https://x.org/">this</a>.`)}); len(got) != 0 {
		t.Fatalf("garbage was cached: %v", got)
	}
}

func TestRetriesOn429ThenSucceeds(t *testing.T) {
	f := newFakeDeepL(t, "k")
	f.failures = []int{http.StatusTooManyRequests, http.StatusBadGateway}
	d := NewDeepL("k", f.srv.URL, fast)
	got, err := d.Translate(context.Background(), "en", "de", []string{"hello"})
	if err != nil || len(got) != 1 || got[0] != "HELLO" {
		t.Fatalf("Translate = %v, %v", got, err)
	}
	if calls, _ := f.stats(); calls != 3 {
		t.Fatalf("calls = %d, want 3 (two retries)", calls)
	}
	// A 403 (bad key) is not retried.
	f.failures = []int{http.StatusForbidden}
	before, _ := f.stats()
	if _, err := d.Translate(context.Background(), "en", "de", []string{"hello"}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err = %v, want the 403", err)
	}
	if calls, _ := f.stats(); calls != before+1 {
		t.Fatalf("403 was retried: %d calls", calls-before)
	}
}

func TestSlowProviderGivesUpWithContext(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the job's deadline has passed
	_, err := NewDeepL("k", slow.URL, fast).Translate(ctx, "en", "de", []string{"hello"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestParseRoutesAndBudgets(t *testing.T) {
	r, err := ParseRoutes("de-en=deepl,apertium; en-*=apertium ;*=openai")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{{"de", "en", "deepl,apertium"}, {"en", "es", "apertium"}, {"fr", "pl", "openai"}} {
		if got := strings.Join(r.For(c.from, c.to), ","); got != c.want {
			t.Errorf("For(%s,%s) = %s, want %s", c.from, c.to, got, c.want)
		}
	}
	for _, bad := range []string{"de=deepl", "de-en=", "x"} {
		if _, err := ParseRoutes(bad); err == nil {
			t.Errorf("ParseRoutes(%q): want an error", bad)
		}
	}
	b, err := ParseBudgets("deepl=500000, google=0")
	if err != nil || b["deepl"] != 500000 || b["google"] != 0 {
		t.Fatalf("ParseBudgets = %v, %v", b, err)
	}
	if _, err := ParseBudgets("deepl=lots"); err == nil {
		t.Fatal("ParseBudgets(deepl=lots): want an error")
	}
}

func TestVerdict(t *testing.T) {
	down := errors.New("deepl: 503")
	budget := fmt.Errorf("google: %w", ErrBudget)
	unsup := fmt.Errorf("libretranslate: %w", ErrUnsupported)
	for _, c := range []struct {
		errs []error
		want error
	}{
		{[]error{unsup, down}, down},         // one that handles the pair is down: retry
		{[]error{down, unsup, budget}, down}, // ditto
		{[]error{unsup, budget}, ErrBudget},  // wait for next month
		{[]error{unsup, unsup}, ErrUnsupported},
	} {
		got := verdict(c.errs)
		if !errors.Is(got, c.want) {
			t.Errorf("verdict(%v) = %v, want it to wrap %v", c.errs, got, c.want)
		}
		if c.want != ErrUnsupported && errors.Is(got, ErrUnsupported) {
			t.Errorf("verdict(%v) = %v claims the pair unsupported", c.errs, got)
		}
	}
}

// TestServing: per edition, the providers that translate into it from the
// other editions, by the routes and by what each provider handles.
func TestServing(t *testing.T) {
	ctx := context.Background()
	svc := New(sqlitetest.Open(t), []Translator{namedTranslator("one"), namedTranslator("two")},
		Options{Routes: Routes{"*-fr": {"two"}, "de-en": {"two", "one"}}, Now: now})
	got := svc.Serving(ctx, []string{"en", "de", "fr"})
	want := map[string][]string{"en": {"two", "one"}, "de": {"one", "two"}, "fr": {"two"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Serving = %v, want %v", got, want)
	}
}

// TestServingApertium asks a real apertium-apy which editions it serves.
func TestServingApertium(t *testing.T) {
	a := NewApertium(apertiumURL(t), HTTPOptions{})
	got := New(sqlitetest.Open(t), []Translator{a}, Options{Now: now}).Serving(context.Background(), []string{"en", "de", "es"})
	if fmt.Sprint(got["es"]) != "[apertium]" || len(got["de"]) != 0 {
		t.Errorf("Serving = %v; want apertium for es (from en), nobody for de", got)
	}
}

// namedTranslator handles every pair and echoes its input.
type namedTranslator string

func (n namedTranslator) Name() string                                { return string(n) }
func (namedTranslator) Supports(context.Context, string, string) bool { return true }
func (namedTranslator) Translate(_ context.Context, _, _ string, segs []string) ([]string, error) {
	return segs, nil
}
