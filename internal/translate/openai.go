package translate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// OpenAI talks to any OpenAI-compatible chat endpoint (OpenAI, Ollama,
// vLLM, llama.cpp server, LiteLLM …): POST {base}/chat/completions with
// {"model", "messages", "temperature": 0}, answering {"choices": [{"message":
// {"content": ...}}]}. The segments go as a JSON array and must come back as
// one of the same length; the prompt asks to keep every HTML tag and
// attribute, and the Service checks that it did.
type OpenAI struct {
	base, key, model string
	c                caller
}

// openaiBatch bounds the segments per request, to stay within small
// models' context windows.
const openaiBatch = 20

// NewOpenAI returns the provider for base (e.g. http://127.0.0.1:11434/v1) and model; key may be empty.
func NewOpenAI(base, key, model string, o HTTPOptions) *OpenAI {
	return &OpenAI{base: strings.TrimRight(base, "/"), key: key, model: model, c: newCaller("openai", o)}
}

// Name implements Translator.
func (o *OpenAI) Name() string { return "openai" }

func openAIProvider() Provider {
	return Provider{Name: "openai",
		Settings: []Setting{{Key: "URL", Usage: "OpenAI-compatible API base (OpenAI, Ollama, vLLM, llama.cpp server), e.g. http://127.0.0.1:11434/v1"},
			{Key: "MODEL", Usage: "model name for the OpenAI-compatible endpoint, e.g. llama3.1"},
			{Key: "KEY", Usage: "its API key, if it asks for one", Secret: true}},
		New: func(get func(string) string, o HTTPOptions) (Translator, error) {
			switch {
			case get("URL") != "" && get("MODEL") == "":
				return nil, needs("openai", "URL", "MODEL")
			case get("MODEL") != "" && get("URL") == "":
				return nil, needs("openai", "MODEL", "URL")
			case get("URL") == "":
				return nil, nil
			}
			return NewOpenAI(get("URL"), get("KEY"), get("MODEL"), o), nil
		}}
}

// Supports implements Translator: a general model is asked for any pair.
func (o *OpenAI) Supports(_ context.Context, from, to string) bool {
	return from != "" && to != "" && from != to
}

// Prompt is the system prompt for one pair.
func Prompt(from, to string) string {
	return fmt.Sprintf(`You are a professional news translator. Translate from %s to %s.
The user message is a JSON array of strings. Each string is an HTML fragment from a news article.
Answer with ONLY a JSON array of the same length, where element i is the translation of element i.
Keep every HTML tag, attribute and entity exactly as it is, in the same nesting; translate only the text between tags.
Do not translate URLs, names of people or code. Do not add explanations, notes or Markdown.`, languageName(from), languageName(to))
}

// Translate implements Translator.
func (o *OpenAI) Translate(ctx context.Context, from, to string, segs []string) ([]string, error) {
	out := make([]string, 0, len(segs))
	for start := 0; start < len(segs); start += openaiBatch {
		chunk := segs[start:min(start+openaiBatch, len(segs))]
		user, err := json.Marshal(chunk)
		if err != nil {
			return nil, fmt.Errorf("openai: encode segments: %w", err)
		}
		req := map[string]any{
			"model":       o.model,
			"temperature": 0,
			"messages": []map[string]string{
				{"role": "system", "content": Prompt(from, to)},
				{"role": "user", "content": string(user)},
			},
		}
		var resp struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
		}
		var h http.Header
		if o.key != "" {
			h = http.Header{"Authorization": {"Bearer " + o.key}}
		}
		if err := o.c.do(ctx, http.MethodPost, o.base+"/chat/completions", "application/json", jsonBody(req), h, &resp); err != nil {
			return nil, err
		}
		if len(resp.Choices) == 0 {
			return nil, fmt.Errorf("openai: %w: no choices in the answer", ErrGarbage)
		}
		got, err := parseArray(resp.Choices[0].Message.Content)
		if err != nil {
			return nil, fmt.Errorf("openai: %w: %w", ErrGarbage, err)
		}
		if len(got) != len(chunk) {
			return nil, fmt.Errorf("openai: %w: %d translations for %d segments", ErrGarbage, len(got), len(chunk))
		}
		out = append(out, got...)
	}
	return out, nil
}

// parseArray reads the model's JSON array, tolerating a Markdown code fence
// or words around it, which chat models add despite being told not to.
func parseArray(s string) ([]string, error) {
	i, j := strings.Index(s, "["), strings.LastIndex(s, "]")
	if i < 0 || j < i {
		return nil, fmt.Errorf("no JSON array in the answer %q", clip(s, 120))
	}
	var out []string
	if err := json.Unmarshal([]byte(s[i:j+1]), &out); err != nil {
		return nil, fmt.Errorf("the answer's array is not a JSON array of strings: %w", err)
	}
	return out, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// languageName names a language in English for prompts.
func languageName(code string) string {
	names := map[string]string{"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
		"pl": "Polish", "pt": "Portuguese", "nl": "Dutch", "ca": "Catalan", "cs": "Czech", "sv": "Swedish",
		"da": "Danish", "fi": "Finnish", "hu": "Hungarian", "ro": "Romanian", "tr": "Turkish", "ru": "Russian",
		"uk": "Ukrainian", "bg": "Bulgarian", "el": "Greek", "ar": "Arabic", "he": "Hebrew", "ja": "Japanese",
		"zh": "Chinese", "ko": "Korean", "hi": "Hindi", "id": "Indonesian"}
	if n, ok := names[code]; ok {
		return n
	}
	return code
}
