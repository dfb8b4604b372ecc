package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// caller is the HTTP side every provider shares: JSON in and out, a time
// limit, and retries with exponential backoff on 429, 5xx and network
// errors (Retry-After honoured, capped). Secrets travel in headers set by
// the provider and never appear in errors: errors name the provider and
// the URL's host and path only.
type caller struct {
	name    string
	client  *http.Client
	retries int
	backoff func(attempt int) time.Duration
}

// HTTPOptions tune a provider's HTTP use. Zero values mean the defaults.
type HTTPOptions struct {
	Client  *http.Client                    // default: 60 s timeout
	Retries int                             // extra attempts after the first; default 3
	Backoff func(attempt int) time.Duration // default 1s, 2s, 4s … capped at 30s
}

func newCaller(name string, o HTTPOptions) caller {
	if o.Client == nil {
		// No redirects: these APIs never redirect, and following one would
		// resend key headers (X-Goog-Api-Key) and JSON bodies (LibreTranslate's
		// api_key) to whatever host it names.
		o.Client = &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff == nil {
		o.Backoff = func(attempt int) time.Duration {
			return min(time.Second<<(attempt-1), 30*time.Second)
		}
	}
	return caller{name: name, client: o.Client, retries: o.Retries, backoff: o.Backoff}
}

// statusError is an HTTP answer other than 2xx.
type statusError struct {
	provider, where string
	status          int
	body            string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: %s answered %d %s: %s", e.provider, e.where, e.status, http.StatusText(e.status), e.body)
}

func retryable(status int) bool { return status == http.StatusTooManyRequests || status >= 500 }

// do sends method url with a JSON (or form, if body is url-encoded bytes
// and contentType says so) body and decodes a JSON answer into out.
func (c caller) do(ctx context.Context, method, url, contentType string, body []byte, header http.Header, out any) error {
	var last error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			var se *statusError
			if errors.As(last, &se) && se.status == http.StatusTooManyRequests {
				wait = max(wait, retryAfter(se.body))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: %w (after: %w)", c.name, ctx.Err(), last)
			case <-time.After(wait):
			}
		}
		err := c.once(ctx, method, url, contentType, body, header, out)
		if err == nil {
			return nil
		}
		last = err
		var se *statusError
		if errors.As(err, &se) && !retryable(se.status) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("gave up after %d attempts: %w", c.retries+1, last)
}

// retryAfter is smuggled through statusError.body's prefix by once.
func retryAfter(body string) time.Duration {
	var secs int
	if _, err := fmt.Sscanf(body, "[retry-after %d]", &secs); err == nil && secs > 0 {
		return min(time.Duration(secs)*time.Second, 60*time.Second)
	}
	return 0
}

func (c caller) once(ctx context.Context, method, url, contentType string, body []byte, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: build request: %w", c.name, err)
	}
	where := req.URL.Host + req.URL.Path // no query: it could hold a key
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// url.Error repeats the URL; report only where, to keep queries out.
		return fmt.Errorf("%s: request to %s failed: %w", c.name, where, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer from %s: %w", c.name, where, err)
	}
	if resp.StatusCode/100 != 2 {
		snippet := string(data)
		if len(snippet) > 300 {
			snippet = snippet[:300] + "…"
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if n, err := strconv.Atoi(ra); err == nil {
				snippet = fmt.Sprintf("[retry-after %d] ", n) + snippet
			}
		}
		return &statusError{provider: c.name, where: where, status: resp.StatusCode, body: snippet}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: %w: answer from %s is not the expected JSON: %w", c.name, ErrGarbage, where, err)
	}
	return nil
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps, slices and strings are marshalled here.
		panic(fmt.Sprintf("translate: marshal request: %v", err))
	}
	return b
}

// redactURL hides a password in a provider's base URL before it goes into
// an error, a log line or the database.
func redactURL(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
