package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"spektrum/internal/fetch"
)

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func decodeJSON(t *testing.T, r resp) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("%s: content type %q, want application/json; charset=utf-8", r.Request.URL.Path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s: body is not a JSON object: %v: %s", r.Request.URL.Path, err, r.body)
	}
	return m
}

func TestAPIArticlesContractAndCursorWalk(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	m := decodeJSON(t, s.mustGet(t, "/api/v1/articles", http.StatusOK))
	if got := strings.Join(keys(m), ","); got != "articles,next_cursor" {
		t.Fatalf("list keys = %s, want articles,next_cursor", got)
	}
	arts := m["articles"].([]any)
	if len(arts) != 20 {
		t.Fatalf("default limit: %d articles, want 20", len(arts))
	}
	first := arts[0].(map[string]any)
	wantKeys := "author,canonical_url,html,id,image,language,published_at,section,source,text,title,url"
	if got := strings.Join(keys(first), ","); got != wantKeys {
		t.Fatalf("article keys = %s\nwant %s", got, wantKeys)
	}
	a := s.visible[0]
	if first["id"] != float64(a.ID) || first["title"] != a.Title || first["url"] != a.URL || first["canonical_url"] != a.CanonicalURL ||
		first["html"] != a.HTML || first["text"] != a.Text || first["section"] != a.Section || first["language"] != a.Language {
		t.Errorf("first article = %v, want the newest stored article %d", first, a.ID)
	}
	if src := first["source"].(map[string]any); strings.Join(keys(src), ",") != "id,name" || src["id"] != float64(a.SourceID) || src["name"] != a.SourceName {
		t.Errorf("source = %v, want {id,name} of source %d", src, a.SourceID)
	}
	// The undated article (newest by first-seen) has published_at null; the others RFC 3339.
	if a.PublishedAt.IsZero() != (first["published_at"] == nil) {
		t.Errorf("published_at = %v for PublishedAt %v", first["published_at"], a.PublishedAt)
	}
	second := arts[1].(map[string]any)
	if p, err := time.Parse(time.RFC3339, fmt.Sprint(second["published_at"])); err != nil || !p.Equal(s.visible[1].PublishedAt) {
		t.Errorf("published_at %v, want RFC 3339 of %v", second["published_at"], s.visible[1].PublishedAt)
	}

	// Walk every article with a small limit: each exactly once, newest first.
	var ids []int64
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("cursor walk does not end")
		}
		q := url.Values{"limit": {"7"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Articles []struct {
				ID int64 `json:"id"`
			} `json:"articles"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal(s.mustGet(t, "/api/v1/articles?"+q.Encode(), http.StatusOK).body, &page); err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			ids = append(ids, a.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(ids) != len(s.visible) {
		t.Fatalf("cursor walk saw %d articles, want %d", len(ids), len(s.visible))
	}
	for i, id := range ids {
		if id != s.visible[i].ID {
			t.Fatalf("walk position %d: id %d, want %d", i, id, s.visible[i].ID)
		}
	}

	// Filters.
	var bySection struct {
		Articles []struct {
			Section string `json:"section"`
			Source  struct {
				ID int64 `json:"id"`
			} `json:"source"`
		} `json:"articles"`
	}
	if err := json.Unmarshal(s.mustGet(t, fmt.Sprintf("/api/v1/articles?section=economy&source=%d&limit=100", s.sources[1].ID), http.StatusOK).body, &bySection); err != nil {
		t.Fatal(err)
	}
	var want int
	for _, a := range s.visible {
		if a.Section == "economy" && a.SourceID == s.sources[1].ID {
			want++
		}
	}
	if len(bySection.Articles) != want || want == 0 {
		t.Errorf("section+source filter: %d articles, want %d", len(bySection.Articles), want)
	}
	for _, a := range bySection.Articles {
		if a.Section != "economy" || a.Source.ID != s.sources[1].ID {
			t.Errorf("filter leaked %+v", a)
		}
	}

	// One article.
	one := decodeJSON(t, s.mustGet(t, fmt.Sprintf("/api/v1/articles/%d", s.visible[5].ID), http.StatusOK))
	if strings.Join(keys(one), ",") != wantKeys || one["id"] != float64(s.visible[5].ID) {
		t.Errorf("single article = %v", one)
	}
}

func TestAPIErrors(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	cases := []struct {
		method, path string
		status       int
		mention      string
	}{
		{"GET", "/api/v1/articles?limit=0", 400, "limit"},
		{"GET", "/api/v1/articles?limit=101", 400, "1 to 100"},
		{"GET", "/api/v1/articles?limit=ten", 400, "limit"},
		{"GET", "/api/v1/articles?source=abc", 400, "source"},
		{"GET", "/api/v1/articles?source=999", 400, "unknown source"},
		{"GET", "/api/v1/articles?cursor=garbage", 400, "cursor"},
		{"GET", "/api/v1/articles/999999", 404, "no article"},
		{"GET", "/api/v1/articles/abc", 404, "no article"},
		{"GET", fmt.Sprintf("/api/v1/articles/%d", s.hidden.ID), 404, "no article"},
		{"GET", "/api/v1/nothing", 404, "/api/v1/articles"},
		{"POST", "/api/v1/articles", 405, "GET"},
		{"DELETE", "/api/v1/articles/1", 405, "GET"},
		{"PUT", "/api/v1/sources", 405, "GET"},
	}
	for _, c := range cases {
		r := s.do(t, c.method, c.path)
		if r.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, r.StatusCode, c.status)
			continue
		}
		m := decodeJSON(t, r)
		msg, _ := m["error"].(string)
		if len(m) != 1 || !strings.Contains(msg, c.mention) {
			t.Errorf("%s %s: error body %s should be {\"error\": …%s…}", c.method, c.path, r.body, c.mention)
		}
		if c.status == 405 && r.Header.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow header", c.method, c.path)
		}
	}
}

func TestAPISources(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	src := s.sources[0]
	src.LastError, src.ErrorCount, src.LastPolledAt = "fetch https://www.eureporter.co/feed/: server answered 503 Service Unavailable; the site has a problem, retry later", 2, s.now.Add(-10*time.Minute)
	if err := s.st.RecordPoll(t.Context(), &src); err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, s.mustGet(t, "/api/v1/sources", http.StatusOK))
	list := m["sources"].([]any)
	if len(keys(m)) != 1 || len(list) != 2 {
		t.Fatalf("sources = %v, want {\"sources\": [2 sources]}", m)
	}
	want := "articles,country,enabled,error_count,failed_jobs,id,kind,language,last_polled_at,name,next_poll_at,position,problem,section,site_url,state,type,url"
	first, second := list[0].(map[string]any), list[1].(map[string]any)
	if got := strings.Join(keys(first), ","); got != want {
		t.Fatalf("source keys = %s\nwant %s", got, want)
	}
	if first["id"] != float64(src.ID) || first["name"] != "EU Reporter" || first["url"] != src.URL || first["site_url"] != src.SiteURL ||
		first["kind"] != "feed" || first["articles"] != float64(16) /* stored, the hidden one included */ || first["problem"] != "site answered 503" ||
		first["state"] != "failing" || first["error_count"] != float64(2) || first["failed_jobs"] != float64(0) {
		t.Errorf("first source = %v", first)
	}
	if p, err := time.Parse(time.RFC3339, fmt.Sprint(first["last_polled_at"])); err != nil || !p.Equal(src.LastPolledAt) {
		t.Errorf("last_polled_at = %v, want %v", first["last_polled_at"], src.LastPolledAt)
	}
	if second["last_polled_at"] != nil {
		t.Errorf("a never-polled source has last_polled_at %v, want null", second["last_polled_at"])
	}
}

// Issue 13 item 9: /api/v1/sources is public, and a poll's raw error names
// internal addresses, the resolver and system calls. The API carries only a
// short category; the full text stays for the editor.
func TestAPISourcesHideInternalErrors(t *testing.T) {
	s := newSite(t, "https://img.example.org")
	// A real failure: a connection refused on loopback.
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second})
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, refused := fc.Get(t.Context(), fetch.Request{URL: closed.URL + "/feed.xml"})
	if refused == nil {
		t.Fatal("a closed port answered")
	}
	cases := []struct{ lastError, problem string }{
		{refused.Error(), "site unreachable"},
		{"fetch https://gone.example/feed: dial tcp: lookup gone.example on 10.0.0.53:53: no such host; check the host name and that the site is up, then retry", "site unreachable"},
		{"fetch https://slow.example/feed: read tcp 10.1.2.3:41234->93.184.216.34:443: i/o timeout; the server is slow or hanging, retry later or raise the timeout", "timed out"},
		{"refusing to fetch http://10.0.0.7/feed: 10.0.0.7 is a private address", "address not allowed"},
		{"something nobody classified: dial tcp 192.168.1.1:80: connect: no route to host", "could not be read"},
	}
	for _, tc := range cases {
		src := s.sources[0]
		src.LastError, src.ErrorCount, src.LastPolledAt = tc.lastError, 1, s.now
		if err := s.st.RecordPoll(t.Context(), &src); err != nil {
			t.Fatal(err)
		}
		body := s.mustGet(t, "/api/v1/sources", http.StatusOK)
		// The resolver's port is looked for with its address (".53:53"): a
		// bare ":53" is in every time stamp of a minute or second 53.
		for _, leak := range []string{"dial", "tcp", "lookup", "10.0.0", "192.168", "127.0.0.1", "connect:", "refused", "no such host", ".53:53"} {
			if strings.Contains(string(body.body), leak) {
				t.Errorf("last error %q: /api/v1/sources carries %q:\n%s", tc.lastError, leak, body.body)
			}
		}
		first := decodeJSON(t, body)["sources"].([]any)[0].(map[string]any)
		if first["problem"] != tc.problem {
			t.Errorf("last error %q: problem %v, want %q", tc.lastError, first["problem"], tc.problem)
		}
	}
}
