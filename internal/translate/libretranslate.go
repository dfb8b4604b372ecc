package translate

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// LibreTranslate talks to a LibreTranslate server (https://libretranslate.com/docs):
// GET /languages lists languages and their targets; POST /translate with
// {"q": [...], "source", "target", "format": "html", "api_key"} answers
// {"translatedText": [...]}.
type LibreTranslate struct {
	base, key string
	c         caller

	mu      sync.Mutex
	targets map[string]map[string]bool
}

// NewLibreTranslate returns the provider for the server at base; key may be empty.
func NewLibreTranslate(base, key string, o HTTPOptions) *LibreTranslate {
	return &LibreTranslate{base: strings.TrimRight(base, "/"), key: key, c: newCaller("libretranslate", o)}
}

// Name implements Translator.
func (l *LibreTranslate) Name() string { return "libretranslate" }

func libreTranslateProvider() Provider {
	return Provider{Name: "libretranslate",
		Settings: []Setting{{Key: "URL", Usage: "LibreTranslate server, e.g. http://127.0.0.1:5000"},
			{Key: "KEY", Usage: "its API key, if it asks for one", Secret: true}},
		New: func(get func(string) string, o HTTPOptions) (Translator, error) {
			if get("URL") == "" {
				return nil, nil
			}
			return NewLibreTranslate(get("URL"), get("KEY"), o), nil
		}}
}

func (l *LibreTranslate) languages(ctx context.Context) (map[string]map[string]bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.targets != nil {
		return l.targets, nil
	}
	var resp []struct {
		Code    string   `json:"code"`
		Targets []string `json:"targets"`
	}
	once := l.c
	once.retries = 0 // as for Apertium's pairs: report an outage at once
	if err := once.do(ctx, http.MethodGet, l.base+"/languages", "", nil, nil, &resp); err != nil {
		return nil, fmt.Errorf("list LibreTranslate languages (is it running at %s?): %w", redactURL(l.base), err)
	}
	t := map[string]map[string]bool{}
	for _, lang := range resp {
		t[lang.Code] = map[string]bool{}
		for _, to := range lang.Targets {
			t[lang.Code][to] = true
		}
	}
	l.targets = t
	return t, nil
}

// Supports implements Translator; while the server cannot be reached it
// claims the pair, so that Translate reports the outage (see Apertium).
func (l *LibreTranslate) Supports(ctx context.Context, from, to string) bool {
	t, err := l.languages(ctx)
	return err != nil || t[from][to]
}

// Translate implements Translator.
func (l *LibreTranslate) Translate(ctx context.Context, from, to string, segs []string) ([]string, error) {
	t, err := l.languages(ctx)
	if err != nil {
		return nil, err
	}
	if !t[from][to] {
		return nil, fmt.Errorf("libretranslate: %w: %s→%s is not offered by %s", ErrUnsupported, from, to, redactURL(l.base))
	}
	req := map[string]any{"q": segs, "source": from, "target": to, "format": "html"}
	if l.key != "" {
		req["api_key"] = l.key
	}
	var resp struct {
		TranslatedText []string `json:"translatedText"`
		Error          string   `json:"error"`
	}
	if err := l.c.do(ctx, http.MethodPost, l.base+"/translate", "application/json", jsonBody(req), nil, &resp); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("libretranslate: %s", resp.Error)
	}
	return resp.TranslatedText, nil
}
