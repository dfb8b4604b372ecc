package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// TestSearchAndStoriesBadInput: what a reader or a script can type into the
// search and story endpoints is answered with results or a 400 carrying a
// JSON error (an HTML page for the search page), never a 500, on both
// databases: FTS5 and tsquery have syntax of their own, and the words go
// to each as terms.
func TestSearchAndStoriesBadInput(t *testing.T) {
	for name, open := range map[string]func(*testing.T) store.Store{"sqlite": func(t *testing.T) store.Store { return sqlitetest.Open(t) }, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			s := newCachedSite(t, open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
			s.index(t)
			var words []string
			for i := 0; len(strings.Join(words, " ")) < 10000; i++ {
				words = append(words, fmt.Sprintf("word%d", i))
			}
			queries := []string{
				strings.Repeat("a", 10000), strings.Join(words, " "), strings.Repeat("story ", 1700), // 10,000 characters
				`"`, `""`, `*`, `story*`, `NEAR(a b)`, `a:b`, `title:story`, `"x y`, `(`, `)`, `-story`, `a OR b`, `a AND NOT b`,
				`{a}`, `^a`, `a & b | !c`, `'`, `a'b`, `\`, `%`, `_`, `a <-> b`, `:*`, "\x00", "\u200b", "💥", "ÄÖÜ ß",
			}
			for _, q := range queries {
				for _, path := range []string{
					"/api/v1/search?" + url.Values{"q": {q}}.Encode(),
					"/api/v1/search?" + url.Values{"q": {q}, "sort": {"newest"}}.Encode(),
					"/en/search?" + url.Values{"q": {q}}.Encode(),
				} {
					if r := s.get(t, path); r.StatusCode != 200 && r.StatusCode != 400 {
						t.Errorf("%.60q: status %d, body %.200s", path, r.StatusCode, r.body)
					}
				}
			}
			bad := []string{
				"/api/v1/search?q=story&cursor=%21%21", "/api/v1/search?q=story&cursor=" + strings.Repeat("A", 5000),
				"/api/v1/search?q=story&cursor=bjox", "/api/v1/search?q=story&sort=newest&cursor=cjoxMjM",
				"/api/v1/search?q=story&lang=xx", "/api/v1/search?q=story&lang=" + strings.Repeat("e", 300),
				"/api/v1/search?q=story&limit=-1", "/api/v1/search?q=story&limit=99999999999999999999",
				"/api/v1/stories?cursor=%21%21", "/api/v1/stories?cursor=" + strings.Repeat("A", 5000), "/api/v1/stories?lang=xx",
				"/api/v1/stories?limit=-1", "/api/v1/stories?limit=201",
			}
			for _, path := range bad {
				r := s.get(t, path)
				var e struct{ Error string }
				if r.StatusCode != 400 || json.Unmarshal(r.body, &e) != nil || e.Error == "" {
					t.Errorf("%.80s: status %d, body %.200s; want a 400 with a JSON error", path, r.StatusCode, r.body)
				}
			}
			for _, path := range []string{"/api/v1/stories/-1", "/api/v1/stories/99999999999999999999", "/api/v1/stories/1?lang=xx"} {
				if r := s.get(t, path); r.StatusCode != 400 && r.StatusCode != 404 {
					t.Errorf("%s: status %d, body %.200s; want a 400 or 404", path, r.StatusCode, r.body)
				}
			}
		})
	}
}
