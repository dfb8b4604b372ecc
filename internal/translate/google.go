package translate

import (
	"context"
	"net/http"
	"strings"
)

// Google talks to Google Cloud Translation.
//
// Basic (v2, https://cloud.google.com/translate/docs/reference/rest/v2/translate):
// POST /language/translate/v2 with the API key in the X-Goog-Api-Key header
// and {"q": [...], "source", "target", "format": "html"}, answering
// {"data": {"translations": [{"translatedText": ...}]}}.
//
// Advanced (v3, https://cloud.google.com/translate/docs/reference/rest/v3/projects/translateText):
// POST /v3/projects/{project}/locations/global:translateText with an OAuth
// bearer token and {"contents": [...], "sourceLanguageCode",
// "targetLanguageCode", "mimeType": "text/html"}, answering
// {"translations": [{"translatedText": ...}]}. v3 is used when a project is set.
type Google struct {
	base, key, token, project string
	c                         caller
}

// googleMaxTexts is the API's recommended limit of texts per request.
const googleMaxTexts = 128

// NewGoogle returns the provider: v2 with key, or v3 with project and token.
// base "" means https://translation.googleapis.com.
func NewGoogle(key, project, token, base string, o HTTPOptions) *Google {
	if base == "" {
		base = "https://translation.googleapis.com"
	}
	return &Google{base: strings.TrimRight(base, "/"), key: key, token: token, project: project, c: newCaller("google", o)}
}

// Name implements Translator.
func (g *Google) Name() string { return "google" }

func googleProvider() Provider {
	return Provider{Name: "google",
		Settings: []Setting{{Key: "KEY", Usage: "Cloud Translation API key (v2, Basic)", Secret: true},
			{Key: "PROJECT", Usage: "Google Cloud project for Cloud Translation v3 (Advanced), with the token"},
			{Key: "TOKEN", Usage: "OAuth access token for v3", Secret: true},
			{Key: "URL", Usage: "Cloud Translation base URL (default https://translation.googleapis.com)"}},
		New: func(get func(string) string, o HTTPOptions) (Translator, error) {
			switch {
			case get("PROJECT") != "" && get("TOKEN") == "":
				return nil, needs("google", "PROJECT", "TOKEN")
			case get("TOKEN") != "" && get("PROJECT") == "":
				return nil, needs("google", "TOKEN", "PROJECT")
			case get("KEY") == "" && get("PROJECT") == "":
				return nil, nil
			}
			return NewGoogle(get("KEY"), get("PROJECT"), get("TOKEN"), get("URL"), o), nil
		}}
}

// Supports implements Translator: Google covers every language Spektrum identifies.
func (g *Google) Supports(_ context.Context, from, to string) bool {
	return from != "" && to != "" && from != to
}

// Translate implements Translator.
func (g *Google) Translate(ctx context.Context, from, to string, segs []string) ([]string, error) {
	out := make([]string, 0, len(segs))
	for start := 0; start < len(segs); start += googleMaxTexts {
		chunk := segs[start:min(start+googleMaxTexts, len(segs))]
		var got []string
		var err error
		if g.project != "" {
			got, err = g.v3(ctx, from, to, chunk)
		} else {
			got, err = g.v2(ctx, from, to, chunk)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

type googleTranslations struct {
	Translations []struct {
		TranslatedText string `json:"translatedText"`
	} `json:"translations"`
}

func (g *Google) v2(ctx context.Context, from, to string, segs []string) ([]string, error) {
	req := map[string]any{"q": segs, "source": from, "target": to, "format": "html"}
	var resp struct {
		Data googleTranslations `json:"data"`
	}
	h := http.Header{"X-Goog-Api-Key": {g.key}}
	if err := g.c.do(ctx, http.MethodPost, g.base+"/language/translate/v2", "application/json", jsonBody(req), h, &resp); err != nil {
		return nil, err
	}
	return texts(resp.Data), nil
}

func (g *Google) v3(ctx context.Context, from, to string, segs []string) ([]string, error) {
	req := map[string]any{"contents": segs, "sourceLanguageCode": from, "targetLanguageCode": to, "mimeType": "text/html"}
	var resp googleTranslations
	h := http.Header{"Authorization": {"Bearer " + g.token}}
	u := g.base + "/v3/projects/" + g.project + "/locations/global:translateText"
	if err := g.c.do(ctx, http.MethodPost, u, "application/json", jsonBody(req), h, &resp); err != nil {
		return nil, err
	}
	return texts(resp), nil
}

func texts(t googleTranslations) []string {
	out := make([]string, 0, len(t.Translations))
	for _, tr := range t.Translations {
		// Google escapes apostrophes in HTML mode (&#39;); harmless, but unescape
		// them so cached text stays readable (safe in text and "-quoted attributes).
		out = append(out, strings.ReplaceAll(tr.TranslatedText, "&#39;", "'"))
	}
	return out
}
