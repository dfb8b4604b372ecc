package translate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"spektrum/internal/store/sqlite/sqlitetest"
)

// Each cloud provider is checked against its documented request and
// response format, served over loopback.

func decode(t *testing.T, r *http.Request, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Errorf("request body is not JSON: %v", err)
	}
}

func TestLibreTranslateWire(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/languages":
			io.WriteString(w, `[{"code":"en","name":"English","targets":["de","es"]},{"code":"de","name":"German","targets":["en"]}]`)
		case "/translate":
			var req struct {
				Q      []string `json:"q"`
				Source string   `json:"source"`
				Target string   `json:"target"`
				Format string   `json:"format"`
				APIKey string   `json:"api_key"`
			}
			decode(t, r, &req)
			if req.Source != "en" || req.Target != "de" || req.Format != "html" || req.APIKey != "lt-key" {
				t.Errorf("request = %+v", req)
			}
			out := map[string][]string{"translatedText": {}}
			for _, q := range req.Q {
				out["translatedText"] = append(out["translatedText"], upperText(q))
			}
			json.NewEncoder(w).Encode(out)
		default:
			t.Errorf("unexpected %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	l := NewLibreTranslate(srv.URL, "lt-key", fast)
	ctx := context.Background()
	if !l.Supports(ctx, "en", "de") || l.Supports(ctx, "de", "es") {
		t.Fatal("Supports does not follow /languages")
	}
	got, err := l.Translate(ctx, "en", "de", []string{"a <b>b</b>", "c"})
	if err != nil || strings.Join(got, "|") != "A <b>B</b>|C" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
}

func TestGoogleV2Wire(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/language/translate/v2" || r.Header.Get("X-Goog-Api-Key") != "g-key" || r.URL.RawQuery != "" {
			t.Errorf("request %s?%s key header %q; want the key in X-Goog-Api-Key, not the URL", r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Goog-Api-Key"))
		}
		var req struct {
			Q                      []string
			Source, Target, Format string
		}
		decode(t, r, &req)
		if req.Format != "html" || req.Source != "de" || req.Target != "en" {
			t.Errorf("request = %+v", req)
		}
		io.WriteString(w, `{"data":{"translations":[{"translatedText":"It&#39;s <i>fine</i>"}]}}`)
	}))
	defer srv.Close()
	got, err := NewGoogle("g-key", "", "", srv.URL, fast).Translate(context.Background(), "de", "en", []string{"Es geht <i>gut</i>"})
	if err != nil || len(got) != 1 || got[0] != "It's <i>fine</i>" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
}

func TestGoogleV3Wire(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3/projects/my-proj/locations/global:translateText" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("request %s auth %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		var req struct {
			Contents                                         []string
			SourceLanguageCode, TargetLanguageCode, MimeType string
		}
		decode(t, r, &req)
		if req.MimeType != "text/html" || req.SourceLanguageCode != "fr" || req.TargetLanguageCode != "en" || len(req.Contents) != 2 {
			t.Errorf("request = %+v", req)
		}
		io.WriteString(w, `{"translations":[{"translatedText":"one"},{"translatedText":"two"}]}`)
	}))
	defer srv.Close()
	got, err := NewGoogle("", "my-proj", "tok", srv.URL, fast).Translate(context.Background(), "fr", "en", []string{"un", "deux"})
	if err != nil || strings.Join(got, ",") != "one,two" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
}

func TestOpenAIWire(t *testing.T) {
	answer := "```json\n[\"Der <a href=\\\"https://x.org\\\">Rat</a> tagt.\", \"Zwei\"]\n```"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			t.Errorf("request %s auth %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		var req struct {
			Model       string
			Temperature float64
			Messages    []struct{ Role, Content string }
		}
		decode(t, r, &req)
		if req.Model != "llama3" || len(req.Messages) != 2 || !strings.Contains(req.Messages[0].Content, "Keep every HTML tag") ||
			!strings.Contains(req.Messages[0].Content, "from English to German") {
			t.Errorf("request = %+v", req)
		}
		var segs []string
		if err := json.Unmarshal([]byte(req.Messages[1].Content), &segs); err != nil || len(segs) != 2 {
			t.Errorf("user message %q is not the JSON array of segments", req.Messages[1].Content)
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": answer}}}})
	}))
	defer srv.Close()
	o := NewOpenAI(srv.URL+"/v1", "sk-test", "llama3", fast)
	got, err := o.Translate(context.Background(), "en", "de", []string{`The <a href="https://x.org">council</a> meets.`, "Two"})
	if err != nil || len(got) != 2 || got[0] != `Der <a href="https://x.org">Rat</a> tagt.` {
		t.Fatalf("Translate = %q, %v", got, err)
	}
	answer = "Sorry, I can't help with that."
	if _, err := o.Translate(context.Background(), "en", "de", []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "not a translation") {
		t.Fatalf("chatty answer: err = %v, want garbage", err)
	}
	answer = `["only one"]`
	if _, err := o.Translate(context.Background(), "en", "de", []string{"a", "b"}); err == nil {
		t.Fatal("short array: want an error")
	}
}

func TestBuildFromSettings(t *testing.T) {
	build := func(env map[string]string) ([]string, error) {
		ps, err := Build(func(k string) string { return env[k] }, fast)
		var names []string
		for _, p := range ps {
			names = append(names, p.Name())
		}
		return names, err
	}
	names, err := build(map[string]string{"SPEKTRUM_TRANSLATE_DEEPL_KEY": "abc:fx", "SPEKTRUM_TRANSLATE_GOOGLE_KEY": "g",
		"SPEKTRUM_TRANSLATE_APERTIUM_URL": "http://127.0.0.1:2737", "SPEKTRUM_TRANSLATE_LIBRETRANSLATE_KEY": "only a key"})
	if err != nil || strings.Join(names, ",") != "apertium,deepl,google" {
		t.Fatalf("providers = %v, %v; want the configured ones in the default order", names, err)
	}
	if names, err := build(nil); err != nil || len(names) != 0 {
		t.Fatalf("nothing set: %v, %v", names, err)
	}
	// Half a configuration is an error naming what is missing, without
	// the values (a token among them).
	_, err = build(map[string]string{"SPEKTRUM_TRANSLATE_OPENAI_URL": "http://127.0.0.1:11434/v1", "SPEKTRUM_TRANSLATE_GOOGLE_TOKEN": "s3cret"})
	if err == nil || !strings.Contains(err.Error(), "SPEKTRUM_TRANSLATE_OPENAI_MODEL") || !strings.Contains(err.Error(), "SPEKTRUM_TRANSLATE_GOOGLE_PROJECT") ||
		strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("half configured: err = %v", err)
	}
	if d := NewDeepL("abc:fx", "", fast); d.base != "https://api-free.deepl.com" {
		t.Fatalf("free key endpoint = %s", d.base)
	}
}

// Every provider's settings have distinct SPEKTRUM_TRANSLATE_<NAME>_ names,
// and secrets are never flags.
func TestRegistrySettings(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Providers() {
		if p.New == nil || len(p.Settings) == 0 {
			t.Errorf("provider %q: needs settings and a factory", p.Name)
		}
		for _, s := range p.Settings {
			env := p.Env(s)
			if seen[env] || !strings.HasPrefix(env, "SPEKTRUM_TRANSLATE_"+strings.ToUpper(p.Name)+"_") || s.Usage == "" {
				t.Errorf("%s: want a unique SPEKTRUM_TRANSLATE_%s_ name and a description", env, strings.ToUpper(p.Name))
			}
			seen[env] = true
			if s.Secret != (p.Flag(s) == "") || (s.Key == "KEY" || s.Key == "TOKEN") != s.Secret {
				t.Errorf("%s: keys and tokens are secrets, from the environment only; the rest are flags too", env)
			}
		}
	}
}

// apertiumURL is the real apertium-apy the tests talk to; scripts/test.sh starts one.
func apertiumURL(t testing.TB) string {
	u := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL")
	if u == "" {
		t.Skip("SPEKTRUM_TRANSLATE_APERTIUM_URL is not set: run scripts/test.sh, which installs and starts apertium-apy, or start one yourself (apertium-apy -p 2737 /usr/share/apertium/modes)")
	}
	return u
}

func TestApertiumReal(t *testing.T) {
	ctx := context.Background()
	a := NewApertium(apertiumURL(t), HTTPOptions{})
	if !a.Supports(ctx, "en", "es") || !a.Supports(ctx, "fr", "es") || a.Supports(ctx, "en", "de") {
		pairs, err := a.Pairs(ctx)
		t.Fatalf("pairs = %v, %v; want en-es and fr-es, not en-de (install apertium-eng-spa and apertium-fr-es)", pairs, err)
	}
	svc := New(sqlitetest.Open(t), []Translator{a}, Options{Now: now})
	res, err := svc.Translate(ctx, "en", "es", Document{
		Title:   "The city council approves the new budget",
		Summary: "The mayor spoke of a fair compromise.",
		HTML:    `<p>The city council <a href="https://example.org/vote">approved</a> the new budget on Tuesday.</p><p><img src="https://example.org/p.jpg" alt=""></p>`,
	})
	if err != nil {
		t.Fatalf("Translate en→es: %v", err)
	}
	low := strings.ToLower(res.HTML + " " + res.Title)
	for _, w := range []string{"ayuntamiento", "presupuesto", `<a href="https://example.org/vote">`, `<img src="https://example.org/p.jpg" alt=""/>`} {
		if !strings.Contains(low, w) {
			t.Errorf("Apertium's translation lacks %q: title %q, html %s", w, res.Title, res.HTML)
		}
	}
	if res.Provider != "apertium" || res.Chars == 0 {
		t.Errorf("result = %+v", res)
	}
	if _, err := svc.Translate(ctx, "en", "de", Document{Title: "x", HTML: "<p>y</p>"}); err == nil {
		t.Error("en→de with Apertium only: want ErrUnsupported")
	}
}

// A provider that cannot be reached is an outage to retry, not a pair
// nobody handles: the article must not be settled as "unsupported".
func TestUnreachableProviderIsAnErrorNotUnsupported(t *testing.T) {
	ctx := context.Background()
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close() // nothing listens here any more
	for _, p := range []Translator{NewApertium(url, fast), NewLibreTranslate(url, "", fast)} {
		svc := New(sqlitetest.Open(t), []Translator{p}, Options{Now: now})
		_, err := svc.Translate(ctx, "en", "es", Document{Title: "T", HTML: "<p>x</p>"})
		if err == nil || errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "running at") {
			t.Errorf("%s down: err = %v; want an outage error saying where it looked", p.Name(), err)
		}
	}
}

// Apertium's batches are split back by their <div> markers; an answer that
// lost them is not guessed at: each segment is asked for on its own.
func TestApertiumBatchFallsBackPerSegment(t *testing.T) {
	var batched, single int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/listPairs" {
			io.WriteString(w, `{"responseData":[{"sourceLanguage":"eng","targetLanguage":"spa"}],"responseStatus":200}`)
			return
		}
		if err := r.ParseForm(); err != nil || r.Form.Get("langpair") != "eng|spa" || r.Form.Get("format") != "html" {
			t.Errorf("translate form = %v, %v", r.Form, err)
		}
		q := r.Form.Get("q")
		if strings.Contains(q, `<div id="spk`) {
			batched++
			q = strings.NewReplacer(`<div id="spk0">`, "", `<div id="spk1">`, "", "</div>", " ").Replace(q) // a mangling server
		} else {
			single++
		}
		json.NewEncoder(w).Encode(map[string]any{"responseData": map[string]string{"translatedText": upperText(q)}, "responseStatus": 200})
	}))
	defer srv.Close()
	got, err := NewApertium(srv.URL, fast).Translate(context.Background(), "en", "es", []string{"one <b>a</b>", "two"})
	if err != nil || strings.Join(got, "|") != "ONE <b>A</b>|TWO" || batched != 1 || single != 2 {
		t.Fatalf("Translate = %q, %v after %d batched and %d single requests; want the fallback's answers", got, err, batched, single)
	}
}

// A batch answer whose markers survived but whose link moved out of its
// segment is repaired by asking for that segment alone.
func TestApertiumBatchRepairsMovedMarkup(t *testing.T) {
	var single int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/listPairs" {
			io.WriteString(w, `{"responseData":[{"sourceLanguage":"eng","targetLanguage":"spa"}],"responseStatus":200}`)
			return
		}
		_ = r.ParseForm()
		q := r.Form.Get("q")
		if strings.Contains(q, `<div id="spk`) {
			// The link's tags drift into the next segment, as Apertium
			// sometimes does at sentence boundaries.
			q = strings.Replace(q, `<a href="/x">see</a>.</div><div id="spk1">`, `see.</div><div id="spk1"><a href="/x"></a>`, 1)
		} else {
			single++
		}
		json.NewEncoder(w).Encode(map[string]any{"responseData": map[string]string{"translatedText": upperText(q)}, "responseStatus": 200})
	}))
	defer srv.Close()
	got, err := NewApertium(srv.URL, fast).Translate(context.Background(), "en", "es", []string{`one <a href="/x">see</a>.`, "two", "three"})
	if err != nil || strings.Join(got, "|") != `ONE <a href="/x">SEE</a>.|TWO|THREE` || single != 2 {
		t.Fatalf("Translate = %q, %v after %d single requests; want segments 0 and 1 repaired alone", got, err, single)
	}
}
