package translate

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"spektrum/internal/store/sqlite/sqlitetest"
)

func TestMarkupKept(t *testing.T) {
	in := `The <a href="/a">city’s</a> <a href="/b">plan</a> <img src="/i.jpg">.`
	for _, c := range []struct {
		out  string
		want bool
	}{
		{`El <a href="/b">plan</a> de la <a href="/a">ciudad</a> <img src="/i.jpg">.`, true}, // moved within the sentence
		// Apertium's answer for English possessives: a stray end tag, a link left open.
		{`El plan de</a> <a href="/b">la <a href="/a">ciudad</a> <img src="/i.jpg">.`, false},
		{`El <a href="/b">plan</a> de la <a href="/a"></a>ciudad <img src="/i.jpg">.`, false}, // a link emptied
		{`El <a href="/b">plan</a> de la ciudad <img src="/i.jpg">.`, false},                  // a link lost
		{`El <a href="/b">plan</a> de la <a href="/x">ciudad</a> <img src="/i.jpg">.`, false}, // a target changed
		{`El <a href="/b">plan</a> de la <a href="/a">ciudad</a>.`, false},                    // the image lost
		{`<em>El <a href="/b">plan</a> de la <a href="/a">ciudad</a> <img src="/i.jpg">.`, false},
		// Apertium translating a tag as words (segment 28 of the Quanta page, issue 11).
		{`El <a href="/b">plan</a> de la <un href="/a">ciudad</a> <img src="/i.jpg">.`, false},
		{` `, false},
	} {
		if got := markupKept(in, c.out); got != c.want {
			t.Errorf("markupKept(%q) = %v, want %v", c.out, got, c.want)
		}
	}
}

// manglingEngine speaks LibreTranslate's documented API over loopback. It
// "translates" by upper-casing, except that, like Apertium with English
// possessives, it moves every link's end tag in front of its start tag; like
// Apertium did to segment 28 of the Quanta article (issue 11), it
// translates a link to /articles/ as if the tag were words; and it words
// the anchor "elsewhere" differently alone than in a sentence.
type manglingEngine struct {
	mu   sync.Mutex
	sent [][]string
	srv  *httptest.Server
}

var endBeforeStart = regexp.MustCompile(`(<a [^>]*>)([^<]*)</a>`)

func newManglingEngine(t *testing.T) *manglingEngine {
	e := &manglingEngine{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/languages" {
			io.WriteString(w, `[{"code":"en","name":"English","targets":["es"]}]`)
			return
		}
		var req struct {
			Q []string `json:"q"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("request: %v", err)
		}
		e.mu.Lock()
		e.sent = append(e.sent, req.Q)
		e.mu.Unlock()
		var out []string
		for _, q := range req.Q {
			switch {
			case q == "elsewhere":
				out = append(out, "EN OTRO SITIO")
			case strings.Contains(q, `<a href="https://x.org/articles/`):
				out = append(out, upperText(strings.ReplaceAll(q, `<a href="https://x.org/articles/`, `<un href="https://x.org/Prendas/`)))
			default:
				out = append(out, upperText(endBeforeStart.ReplaceAllString(q, "</a>${1}$2")))
			}
		}
		json.NewEncoder(w).Encode(map[string][]string{"translatedText": out})
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *manglingEngine) requests() [][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([][]string(nil), e.sent...)
}

// A segment whose markup the engine mangles is translated as text: links go
// back on their anchors' translations, images stay, a link whose anchor
// cannot be found is dropped, and the article is translated instead of
// failing the same way on every retry.
func TestServiceTranslatesMangledSegmentAsText(t *testing.T) {
	ctx := context.Background()
	e := newManglingEngine(t)
	st := sqlitetest.Open(t)
	svc := New(st, []Translator{NewLibreTranslate(e.srv.URL, "", fast)}, Options{Now: now})
	doc := Document{Title: "Title", HTML: `<p>Intact text.</p>` +
		`<p><img src="https://x.org/i.jpg" alt=""> The <a href="https://x.org/a">council</a> met and <a href="https://x.org/b">voted</a> &amp; went <a href="https://x.org/c">elsewhere</a>.</p>` +
		`<p><a href="https://x.org/d">A whole linked paragraph</a></p>` +
		`<p>It showed that <a href="https://x.org/articles/1">tuft cells can help protect</a> against cancer.</p>`}
	res, err := svc.Translate(ctx, "en", "es", doc)
	if err != nil {
		t.Fatalf("Translate: %v; want the mangled segments translated as text", err)
	}
	want := `<p>INTACT TEXT.</p>` +
		`<p><img src="https://x.org/i.jpg" alt=""/> THE <a href="https://x.org/a">COUNCIL</a> MET AND <a href="https://x.org/b">VOTED</a> &amp; WENT ELSEWHERE.</p>` +
		`<p><a href="https://x.org/d">A WHOLE LINKED PARAGRAPH</a></p>` +
		`<p>IT SHOWED THAT <a href="https://x.org/articles/1">TUFT CELLS CAN HELP PROTECT</a> AGAINST CANCER.</p>`
	if res.HTML != want {
		t.Fatalf("HTML =\n%s\nwant\n%s", res.HTML, want)
	}
	reqs := e.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (the article, then the mangled segments as text)", len(reqs))
	}
	for _, q := range reqs[1] {
		if strings.Contains(q, "<") {
			t.Errorf("text request %q holds markup", q)
		}
	}
	// The repaired segments are cached: the next run sends nothing.
	again, err := svc.Translate(ctx, "en", "es", doc)
	if err != nil || again.HTML != want || again.Chars != 0 || len(e.requests()) != 2 {
		t.Fatalf("second run: %v, %d chars, %d requests; want the cached result and no request", err, again.Chars, len(e.requests()))
	}
	us, err := st.TranslationUsage(ctx, "2026-03")
	if err != nil || len(us) != 1 || us[0].Requests != 2 || us[0].Chars != res.Chars || us[0].Errors != 0 {
		t.Fatalf("usage = %+v, %v; want two requests and the text request's characters counted", us, err)
	}
}

// Regression (issue 11): Apertium reorders words around the links of an
// English possessive and answers with stray end tags and links left open;
// the article must come out translated with well-formed links on the right
// words. The paragraph whose link Apertium once turned into words (segment
// 28 of the Quanta article; it does so only now and then, under load) must
// come out translated with its links too.
func TestApertiumMangledLinksReal(t *testing.T) {
	ctx := context.Background()
	svc := New(sqlitetest.Open(t), []Translator{NewApertium(apertiumURL(t), HTTPOptions{})}, Options{Now: now})
	res, err := svc.Translate(ctx, "en", "es", Document{Title: "The plan",
		HTML: `<p>The <a href="https://example.org/gov">government’s</a> <a href="https://example.org/plan">plan</a> was approved by the <a href="https://example.org/city">city’s</a> council.</p>`})
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	if _, ok := linkShape(res.HTML); !ok {
		t.Fatalf("translation is not well formed: %s", res.HTML)
	}
	for href, word := range map[string]string{"gov": "gobierno", "plan": "plan", "city": "ciudad"} {
		m := regexp.MustCompile(`<a href="https://example.org/` + href + `">([^<]*)</a>`).FindStringSubmatch(res.HTML)
		if m == nil || !strings.Contains(strings.ToLower(m[1]), word) {
			t.Errorf("link %s: want it on %q: %s", href, word, res.HTML)
		}
	}
	seg28, err := os.ReadFile("testdata/quanta-segment28.html")
	if err != nil {
		t.Fatal(err)
	}
	res, err = svc.Translate(ctx, "en", "es", Document{Title: "Tuft cells", HTML: string(seg28)})
	if err != nil {
		t.Fatalf("Translate the Quanta paragraph: %v", err)
	}
	in, _ := linkShape(string(seg28))
	for _, m := range regexp.MustCompile(`<([a-z]+) href="([^"]*)"`).FindAllStringSubmatch(res.HTML, -1) {
		if m[1] != "a" || !strings.Contains(in, "a["+m[2]+"]") {
			t.Errorf("translated paragraph has %s, not one of the original's links: %s", m[0], res.HTML)
		}
	}
	if !strings.Contains(res.HTML, "celdas") {
		t.Errorf("paragraph not translated: %s", res.HTML)
	}
}

// When the repair request cannot be had (its budget is spent), the first
// request, answered and paid for, stays spent and its good segments are
// kept; only what the repair reserved would come back.
func TestRepairRefusedKeepsWhatWasPaidFor(t *testing.T) {
	ctx := context.Background()
	doc := Document{Title: "Title", HTML: `<p>Intact text.</p><p>The <a href="https://x.org/a">council</a> met.</p>`}
	// Measure the first request's characters with no budget.
	probe := newManglingEngine(t)
	if _, err := New(sqlitetest.Open(t), []Translator{NewLibreTranslate(probe.srv.URL, "", fast)}, Options{Now: now}).Translate(ctx, "en", "es", doc); err != nil {
		t.Fatal(err)
	}
	var first int64
	for _, q := range probe.requests()[0] {
		first += int64(utf8.RuneCountInString(q))
	}

	e := newManglingEngine(t)
	st := sqlitetest.Open(t)
	svc := New(st, []Translator{NewLibreTranslate(e.srv.URL, "", fast)}, Options{Now: now, Budgets: map[string]int64{"libretranslate": first}})
	if _, err := svc.Translate(ctx, "en", "es", doc); !errors.Is(err, ErrBudget) {
		t.Fatalf("Translate = %v, want ErrBudget for the repair", err)
	}
	us, err := st.TranslationUsage(ctx, "2026-03")
	if err != nil || len(us) != 1 || us[0].Chars != first || us[0].Errors != 1 {
		t.Fatalf("usage = %+v, %v; want the first request's %d characters still spent", us, err, first)
	}
	// The next try (with budget again) does not pay for the paragraph that
	// came back whole.
	e2 := newManglingEngine(t)
	if _, err := New(st, []Translator{NewLibreTranslate(e2.srv.URL, "", fast)}, Options{Now: now}).Translate(ctx, "en", "es", doc); err != nil {
		t.Fatal(err)
	}
	reqs := e2.requests()
	if len(reqs) == 0 {
		t.Fatal("no request on the next try")
	}
	for _, q := range reqs[0] {
		if strings.Contains(q, "Intact text.") {
			t.Errorf("the good paragraph was sent again: %q", q)
		}
	}
}
