package translate

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fast keeps retries in tests instant: no test waits on the clock.
var fast = HTTPOptions{Backoff: func(int) time.Duration { return 0 }}

// fakeDeepL serves DeepL's documented /v2/translate exchange over loopback
// and "translates" by upper-casing text outside tags, so results are
// recognisable and markup is kept. fail makes the next n calls answer with
// that status.
type fakeDeepL struct {
	mu       sync.Mutex
	calls    int
	texts    int
	failures []int
	garbage  bool
	srv      *httptest.Server
}

func newFakeDeepL(t *testing.T, key string) *fakeDeepL {
	f := &fakeDeepL{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls++
		if r.Method != http.MethodPost || r.URL.Path != "/v2/translate" {
			t.Errorf("DeepL: %s %s, want POST /v2/translate", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "DeepL-Auth-Key "+key {
			t.Errorf("DeepL: Authorization = %q, want the key in DeepL-Auth-Key form", got)
		}
		if len(f.failures) > 0 {
			st := f.failures[0]
			f.failures = f.failures[1:]
			if st == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			http.Error(w, `{"message":"Too many requests"}`, st)
			return
		}
		var req struct {
			Text        []string `json:"text"`
			SourceLang  string   `json:"source_lang"`
			TargetLang  string   `json:"target_lang"`
			TagHandling string   `json:"tag_handling"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("DeepL: request body: %v", err)
		}
		if req.TagHandling != "html" || req.SourceLang == "" || req.TargetLang == "" {
			t.Errorf("DeepL: request %+v lacks tag_handling=html or languages", req)
		}
		f.texts += len(req.Text)
		type tr struct {
			DetectedSourceLanguage string `json:"detected_source_language"`
			Text                   string `json:"text"`
		}
		var out struct {
			Translations []tr `json:"translations"`
		}
		for _, s := range req.Text {
			if f.garbage {
				s = " " // no translation at all
			}
			out.Translations = append(out.Translations, tr{req.SourceLang, upperText(s)})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDeepL) stats() (calls, texts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.texts
}

// upperText upper-cases the text outside tags and entities.
func upperText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<' || r == '&':
			in = true
		case r == '>' || r == ';':
			in = false
			b.WriteRune(r)
			continue
		}
		if in {
			b.WriteRune(r)
		} else {
			b.WriteString(strings.ToUpper(string(r)))
		}
	}
	return b.String()
}

func TestRedactURLHidesPassword(t *testing.T) {
	got := redactURL("https://user:s3cret@lt.internal:5000")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "lt.internal:5000") {
		t.Fatalf("redactURL = %q: want the host without the password", got)
	}
}
