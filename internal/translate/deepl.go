package translate

import (
	"context"
	"net/http"
	"strings"
)

// DeepL talks to the DeepL API v2 (https://developers.deepl.com/docs/api-reference/translate):
// POST /v2/translate with header "Authorization: DeepL-Auth-Key KEY" and
// {"text": [...], "source_lang": "DE", "target_lang": "EN-GB",
// "tag_handling": "html"}, answering {"translations": [{"text": ...}]}.
// Free-plan keys end in ":fx" and use api-free.deepl.com.
type DeepL struct {
	base, key string
	c         caller
}

// deeplMaxTexts is the API's limit of texts per request.
const deeplMaxTexts = 50

// NewDeepL returns the provider for key; base "" picks the endpoint the key belongs to.
func NewDeepL(key, base string, o HTTPOptions) *DeepL {
	if base == "" {
		base = "https://api.deepl.com"
		if strings.HasSuffix(key, ":fx") {
			base = "https://api-free.deepl.com"
		}
	}
	return &DeepL{base: strings.TrimRight(base, "/"), key: key, c: newCaller("deepl", o)}
}

// Name implements Translator.
func (d *DeepL) Name() string { return "deepl" }

func deeplProvider() Provider {
	return Provider{Name: "deepl",
		Settings: []Setting{{Key: "KEY", Usage: "DeepL API key; free keys (…:fx) use api-free.deepl.com", Secret: true},
			{Key: "URL", Usage: "DeepL API base URL (default: the one the key belongs to)"}},
		New: func(get func(string) string, o HTTPOptions) (Translator, error) {
			if get("KEY") == "" {
				return nil, nil
			}
			return NewDeepL(get("KEY"), get("URL"), o), nil
		}}
}

// deeplLangs are DeepL's source languages (ISO 639-1).
func deeplSupports(code string) bool {
	switch code {
	case "ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "hu", "id", "it", "ja", "ko",
		"lt", "lv", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "tr", "uk", "zh":
		return true
	}
	return false
}

// Supports implements Translator.
func (d *DeepL) Supports(_ context.Context, from, to string) bool {
	return from != to && deeplSupports(from) && deeplSupports(to)
}

// deeplTarget: English and Portuguese targets need a variant.
func deeplTarget(to string) string {
	switch to {
	case "en":
		return "EN-GB"
	case "pt":
		return "PT-PT"
	}
	return strings.ToUpper(to)
}

// Translate implements Translator.
func (d *DeepL) Translate(ctx context.Context, from, to string, segs []string) ([]string, error) {
	out := make([]string, 0, len(segs))
	for start := 0; start < len(segs); start += deeplMaxTexts {
		chunk := segs[start:min(start+deeplMaxTexts, len(segs))]
		req := map[string]any{"text": chunk, "source_lang": strings.ToUpper(from), "target_lang": deeplTarget(to), "tag_handling": "html"}
		var resp struct {
			Translations []struct {
				Text string `json:"text"`
			} `json:"translations"`
		}
		h := http.Header{"Authorization": {"DeepL-Auth-Key " + d.key}}
		if err := d.c.do(ctx, http.MethodPost, d.base+"/v2/translate", "application/json", jsonBody(req), h, &resp); err != nil {
			return nil, err
		}
		for _, t := range resp.Translations {
			out = append(out, t.Text)
		}
	}
	return out, nil
}
