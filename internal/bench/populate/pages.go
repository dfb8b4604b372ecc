package populate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Timing is the latency of one kind of page.
type Timing struct {
	Name     string
	N        int
	P50, P99 time.Duration
	Bytes    int // of the last response
}

// Measure requests each URL of a kind in turn, over HTTP to base, and
// returns p50 and p99 per kind. Any answer but 200 is an error: a
// benchmark of error pages measures nothing.
func Measure(ctx context.Context, c *http.Client, base string, kinds map[string][]string, order []string) ([]Timing, error) {
	var out []Timing
	for _, k := range order {
		urls := kinds[k]
		d := make([]time.Duration, 0, len(urls))
		var size int
		for _, u := range urls {
			start := time.Now()
			body, err := get(ctx, c, base+u)
			if err != nil {
				return out, fmt.Errorf("%s: %w", k, err)
			}
			d = append(d, time.Since(start))
			size = len(body)
		}
		out = append(out, timing(k, d, size))
	}
	return out, nil
}

// DeepAPI walks the API's article listing page after page by its
// next_cursor, up to pages pages of limit articles (in edition lang when
// set), timing every page: keyset pagination should make the last as
// cheap as the first.
func DeepAPI(ctx context.Context, c *http.Client, base string, pages, limit int, query string) (Timing, int, error) {
	var d []time.Duration
	cursor, seen, size := "", 0, 0
	for range pages {
		v := url.Values{"limit": {strconv.Itoa(limit)}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		u := base + "/api/v1/articles?" + v.Encode()
		if query != "" {
			u += "&" + query
		}
		start := time.Now()
		body, err := get(ctx, c, u)
		if err != nil {
			return Timing{}, seen, err
		}
		d = append(d, time.Since(start))
		size = len(body)
		var page struct {
			Articles   []json.RawMessage `json:"articles"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return Timing{}, seen, fmt.Errorf("api page: %w", err)
		}
		seen += len(page.Articles)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	name := "api deep pages"
	if query != "" {
		name += " (" + query + ")"
	}
	return timing(name, d, size), seen, nil
}

func get(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}

func timing(name string, d []time.Duration, size int) Timing {
	slices.Sort(d)
	t := Timing{Name: name, N: len(d), Bytes: size}
	if len(d) > 0 {
		t.P50 = d[len(d)/2]
		t.P99 = d[min(len(d)-1, len(d)*99/100)]
	}
	return t
}

// RSS is this process's resident set size in bytes (Linux), or 0.
func RSS() (cur, peak int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb * 1024
		case "VmHWM:":
			peak = kb * 1024
		}
	}
	return cur, peak
}

// SearchQueries returns n readers' queries over the generated outlet's
// vocabulary, as bench search mixes them: one word (two in five), two
// words (two in five), a quoted phrase of two words (one in five). Every
// word is common here (the vocabulary is small), so each query matches
// thousands of articles: the slow case of a search.
func SearchQueries(n int) []string {
	out := make([]string, n)
	for i := range out {
		a, b := words[(i*37+11)%len(words)], words[(i*53+29)%len(words)]
		switch i % 5 {
		case 0, 1:
			out[i] = a
		case 2, 3:
			out[i] = a + " " + b
		default:
			out[i] = `"` + a + " " + b + `"`
		}
	}
	return out
}
