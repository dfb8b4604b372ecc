package stories

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Mixed returns a copy of items in which every third one is machine-
// translated into Spanish by the apertium-apy server at apertiumURL: its
// title, and its URL's path made of the translated words (as a Spanish
// outlet's slug would be). Translations are cached under cacheDir, so the
// set is made once per machine.
func Mixed(ctx context.Context, items []Labelled, apertiumURL, cacheDir string) ([]Labelled, error) {
	cache := map[string]string{}
	cacheFile := filepath.Join(cacheDir, "stories-eng-spa.json")
	if b, err := os.ReadFile(cacheFile); err == nil {
		_ = json.Unmarshal(b, &cache)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	out := make([]Labelled, len(items))
	copy(out, items)
	// Titles travel in batches, one per line (apertium keeps line breaks);
	// a batch whose answer has another number of lines is asked line by line.
	var todo []string
	for i := range out {
		if t := out[i].Item.Title; i%3 == 2 && cache[t] == "" && !strings.Contains(t, "\n") {
			todo = append(todo, t)
		}
	}
	dirty := len(todo) > 0
	for len(todo) > 0 {
		n := min(len(todo), 60)
		batch := todo[:n]
		todo = todo[n:]
		es, err := apertium(ctx, client, apertiumURL, strings.Join(batch, "\n"))
		lines := strings.Split(es, "\n")
		if err == nil && len(lines) == len(batch) {
			for j, t := range batch {
				cache[t] = strings.TrimSpace(lines[j])
			}
			continue
		}
		for _, t := range batch {
			one, err := apertium(ctx, client, apertiumURL, t)
			if err != nil {
				return nil, fmt.Errorf("translate %q: %w", t, err)
			}
			cache[t] = one
		}
	}
	for i := range out {
		if i%3 != 2 || cache[out[i].Item.Title] == "" {
			continue
		}
		es := cache[out[i].Item.Title]
		out[i].Item.Title = es
		out[i].Item.Language = "es"
		host := "https://example.es"
		if u, err := url.Parse(out[i].Item.URL); err == nil && u.Host != "" {
			host = u.Scheme + "://" + u.Host
		}
		out[i].Item.URL = host + "/" + slug(es)
	}
	if dirty {
		if err := os.MkdirAll(cacheDir, 0o755); err == nil {
			if b, err := json.Marshal(cache); err == nil {
				_ = os.WriteFile(cacheFile, b, 0o644)
			}
		}
	}
	return out, nil
}

func apertium(ctx context.Context, c *http.Client, base, text string) (string, error) {
	q := url.Values{"langpair": {"eng|spa"}, "q": {text}, "markUnknown": {"no"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/translate", strings.NewReader(q.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		ResponseData struct {
			TranslatedText string `json:"translatedText"`
		} `json:"responseData"`
		ResponseStatus int `json:"responseStatus"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("apertium answer: %w", err)
	}
	if body.ResponseStatus != 200 || body.ResponseData.TranslatedText == "" {
		return "", fmt.Errorf("apertium answered status %d", body.ResponseStatus)
	}
	return body.ResponseData.TranslatedText, nil
}

// slug is a URL path segment of s's words.
func slug(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(w)
	}
	return b.String()
}
