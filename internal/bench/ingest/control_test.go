package ingest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"spektrum/internal/feed/opml"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func post(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Post(u, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A farm grows on request: new items show in its feeds and its list of
// articles, their pages answer only once listed, and growth stops at the
// cap and on /stop.
func TestFarmGrows(t *testing.T) {
	farm, err := StartFarm(FarmOptions{Hosts: 2, FeedsPerHost: 2, ItemsPerFeed: 1, MaxItemsPerFeed: 3, FirstIP: 203 << 8})
	if err != nil {
		t.Skip(err)
	}
	defer farm.Close()
	ctl := &Control{Farm: farm, Sections: []string{"World", "Politics"}}
	defer ctl.Close()
	srv := httptest.NewServer(ctl)
	defer srv.Close()

	_, list := get(t, srv.URL+"/articles")
	if got := strings.Fields(list); len(got) != 4 {
		t.Fatalf("articles at the start: %q, want one per feed", got)
	}
	feed := farm.FeedURLs()[0]
	next := strings.TrimSuffix(feed, "feed/0.xml") + "a/0/1"
	if code, _ := get(t, next); code != http.StatusNotFound {
		t.Errorf("an item not yet published answered %d, want 404", code)
	}
	if n := farm.AddItems(1); n != 2 {
		t.Errorf("AddItems(1) = %d items a feed, want 2", n)
	}
	if code, _ := get(t, next); code != http.StatusOK {
		t.Errorf("a published item answered %d, want 200", code)
	}
	if _, body := get(t, feed); !strings.Contains(body, "<link>"+next+"</link>") {
		t.Errorf("the feed does not list the new item %s:\n%s", next, body)
	}

	if code := post(t, srv.URL+"/grow?n=1&every=5ms"); code != http.StatusNoContent {
		t.Fatalf("POST /grow answered %d", code)
	}
	var st struct {
		Items   int  `json:"items_per_feed"`
		Growing bool `json:"growing"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, body := get(t, srv.URL+"/status")
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		if st.Items == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if st.Items != 3 || !st.Growing {
		t.Errorf("status while growing to the cap: %+v, want 3 items a feed and growing", st)
	}
	if code := post(t, srv.URL+"/stop"); code != http.StatusNoContent {
		t.Errorf("POST /stop answered %d", code)
	}
	_, body := get(t, srv.URL+"/status")
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Growing {
		t.Errorf("status after /stop: %s (%v)", body, err)
	}
	_, list = get(t, srv.URL+"/articles")
	if got := strings.Fields(list); len(got) != 12 || got[0] != strings.TrimSuffix(feed, "feed/0.xml")+"a/0/0" {
		t.Errorf("articles after growing: %q, want 3 per feed, feed by feed", got)
	}
	if code := post(t, srv.URL+"/grow?n=-1"); code != http.StatusBadRequest {
		t.Errorf("POST /grow?n=-1 answered %d, want 400", code)
	}

	_, doc := get(t, srv.URL+"/sources.opml")
	outs, err := opml.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 4 || outs[0].Category != "World" || outs[2].Category != "Politics" || outs[0].XMLURL != feed {
		t.Errorf("sources.opml: %+v, want the 4 feeds, host 0's in World, host 1's in Politics", outs)
	}
}
