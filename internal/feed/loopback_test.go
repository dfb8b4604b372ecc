package feed

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"spektrum/internal/fetch"
)

// TestHostileFeedsOverLoopback is issue 13's measurement: four hostile
// sources fetched at once peaked at 10.5-11.3 GB. Served over loopback and
// read by the real fetcher, each is refused as not a feed Spektrum can read,
// and the four together cost well under 400 MB of heap, the bodies
// themselves included.
func TestHostileFeedsOverLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("serves 80 MB")
	}
	attacks := hostileBodies(hostileSize)
	names := []string{"rss nested extension", "rss sibling extensions", "atom nested extension", "sitemap nested"}
	bodies := map[string][]byte{}
	for _, n := range names {
		bodies["/"+n] = attacks[n]()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(bodies[r.URL.Path])
	}))
	defer srv.Close()
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1, PerHostConcurrency: len(names), MaxBytes: hostileSize + 1<<20})

	errs := make([]error, len(names))
	total, peak := measure(func() {
		var wg sync.WaitGroup
		for i, n := range names {
			wg.Go(func() {
				resp, err := fc.Get(context.Background(), fetch.Request{URL: srv.URL + "/" + n})
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = Parse(resp.Body, resp.URL)
			})
		}
		wg.Wait()
	})
	t.Logf("four hostile sources: allocated %.1f MB, peak heap +%.1f MB", mb(total), mb(peak))
	for i, err := range errs {
		if !errors.Is(err, ErrTooComplex) {
			t.Errorf("%s: got %v, want ErrTooComplex", names[i], err)
		}
	}
	if peak > 4*memoryBudget {
		t.Errorf("peak heap +%.1f MB for four sources, over %.0f MB", mb(peak), mb(4*memoryBudget))
	}
}
