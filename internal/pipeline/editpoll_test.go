package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// An editor's edit saved while the source's poll is fetching the feed
// survives the poll, and the poll's own results are recorded alongside it.
func TestEditDuringPollSurvives(t *testing.T) {
	ctx := context.Background()
	rg := newRig(t, nil, nil, nil)
	var srcID int64
	var editErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The poll has read the source row by now: the editor saves.
		if e, err := rg.st.Source(ctx, srcID); err != nil {
			editErr = err
		} else {
			e.Name, e.Section, e.Language, e.Country, e.Enabled = "Edited", "europe", "fr", "FR", false
			editErr = rg.st.UpdateSource(ctx, e)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", `"v7"`)
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed title</title><link>http://%s/</link></channel></rss>`, r.Host)
	}))
	t.Cleanup(srv.Close)
	src := newSource(t, rg.st, srv.URL+"/feed.xml", "")
	srcID = src.ID
	rg.run(t, src.URL)
	if editErr != nil {
		t.Fatal(editErr)
	}
	got, err := rg.st.Source(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Edited" || got.Section != "europe" || got.Language != "fr" || got.Country != "FR" || got.Enabled {
		t.Fatalf("the edit made during the poll was lost: %+v", got)
	}
	if got.ETag != `"v7"` || got.LastSuccess.IsZero() || got.ErrorCount != 0 || !got.NextPollAt.After(time.Now()) {
		t.Fatalf("the poll's results were not recorded: %+v", got)
	}
}
