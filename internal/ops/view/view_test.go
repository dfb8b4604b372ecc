package view

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
)

// Texts a poll leaves behind that do not come straight from fetch.Error
// (ops' tests cover those): the pipeline's own messages around them.
func TestProblemOfPipelineTexts(t *testing.T) {
	cases := map[string]Problem{
		"": NoProblem,
		"http://h/ is a web page, not a feed; no feed found at http://h/feed (last: fetch http://h/feed: server answered 404 Not Found; check the URL); add the feed or sitemap URL itself: not a feed": NotAFeed,
		"http://h/ announces the feed http://h/rss, which source #3 \"A\" already reads; remove one of the two sources":                                                                                 FeedTaken,
		"sitemap index: no child sitemap could be read: fetch http://h/s1.xml: server answered 410 Gone; the page was removed for good, stop fetching it":                                               StatusProblem(410),
		"read http://h/feed: malformed feed: XML syntax error on line 3":                                                                                                                                MalformedFeed,
		"save source 3 after poll: database is locked (dial unix /var/run/x.sock)":                                                                                                                      Failed,
	}
	for text, want := range cases {
		if got := ProblemOf(text); got != want {
			t.Errorf("ProblemOf(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestPublicLeavesTheErrorTextOut(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 123, time.UTC)
	s := &store.Source{ID: 7, URL: "https://h.example/feed", Name: "H", Enabled: true, LastPolledAt: now,
		LastError: "fetch https://h.example/feed: dial tcp 10.0.0.1:443: connect: connection refused; check the host name and that the site is up, then retry", ErrorCount: 2}
	pub, err := json.Marshal(Public(s))
	if err != nil {
		t.Fatal(err)
	}
	full, err := json.Marshal(Of(s))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(pub), "last_error") || strings.Contains(string(pub), "10.0.0.1") || !strings.Contains(string(pub), `"problem":"site unreachable"`) {
		t.Errorf("public view: %s", pub)
	}
	if !strings.Contains(string(full), `"last_error":"fetch https://h.example/feed: dial tcp`) || !strings.Contains(string(full), `"last_polled_at":"2026-03-01T10:00:00Z"`) {
		t.Errorf("editor's view: %s", full)
	}
	for _, tc := range []struct {
		s    store.Source
		want string
	}{
		{store.Source{Enabled: false, LastError: "x"}, StatePaused},
		{store.Source{Enabled: true, LastError: "x"}, StateFailing},
		{store.Source{Enabled: true}, StateNew},
		{store.Source{Enabled: true, LastPolledAt: now}, StateOK},
	} {
		if got := State(&tc.s); got != tc.want {
			t.Errorf("State(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestViewpointFields(t *testing.T) {
	s := &store.Source{ID: 3, Name: "V", Country: "DE", Type: "agency", Ownership: "Cooperative of publishers", Position: "centre"}
	pub, _ := json.Marshal(Public(s))
	full, _ := json.Marshal(Of(s))
	for _, want := range []string{`"country":"DE"`, `"type":"agency"`, `"position":"centre"`} {
		if !strings.Contains(string(pub), want) || !strings.Contains(string(full), want) {
			t.Errorf("%s missing: public %s, editor %s", want, pub, full)
		}
	}
	if strings.Contains(string(pub), "ownership") || !strings.Contains(string(full), `"ownership":"Cooperative of publishers"`) {
		t.Errorf("ownership is the editor's: public %s, editor %s", pub, full)
	}
	none, _ := json.Marshal(Public(&store.Source{ID: 4}))
	if !strings.Contains(string(none), `"country":"","type":"","position":""`) {
		t.Errorf("a source never described: %s", none)
	}
}
