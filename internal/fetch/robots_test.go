package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// robotsServer serves robots.txt with the given status and body and counts
// how often it and the pages are asked for.
type robotsServer struct {
	*httptest.Server
	robotsHits atomic.Int32
	pageHits   atomic.Int32
}

func newRobotsServer(t *testing.T, status int, body string) *robotsServer {
	rs := &robotsServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			rs.robotsHits.Add(1)
			w.WriteHeader(status)
			fmt.Fprint(w, body)
			return
		}
		rs.pageHits.Add(1)
		fmt.Fprint(w, "<p>article</p>")
	}))
	t.Cleanup(rs.Close)
	return rs
}

const robotsRules = `User-agent: *
Disallow: /

User-agent: Spektrum
Disallow: /private/
Disallow: /*?print=
Allow: /private/open
`

func TestRobotsRules(t *testing.T) {
	rs := newRobotsServer(t, 200, robotsRules)
	cl := newTestClient(Options{})
	ctx := context.Background()

	for _, tc := range []struct {
		path    string
		allowed bool
	}{
		{"/news/1", true},
		{"/", true},
		{"/private/x", false},
		{"/private/open/y", true},
		{"/news/2?print=1", false},
	} {
		_, err := cl.Get(ctx, Request{URL: rs.URL + tc.path, Robots: true})
		if tc.allowed && err != nil {
			t.Errorf("%s: %v, want allowed", tc.path, err)
		}
		if !tc.allowed {
			wantError(t, err, Robots)
			if !IsPermanent(err) || !strings.Contains(err.Error(), "robots.txt disallows it for Spektrum") {
				t.Errorf("%s: message %q (permanent %v)", tc.path, err, IsPermanent(err))
			}
		}
	}
	// Feeds ignore robots.txt.
	if _, err := cl.Get(ctx, Request{URL: rs.URL + "/private/feed.xml"}); err != nil {
		t.Errorf("a fetch without Robots was refused: %v", err)
	}
	if n := rs.robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
	if n := rs.pageHits.Load(); n != 4 {
		t.Errorf("%d pages reached the server, want 4 (disallowed ones must not)", n)
	}
}

func TestRobotsStatuses(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		status  int
		allowed bool
	}{
		{404, true},
		{403, true},
		{500, false},
		{503, false},
		{429, false},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			rs := newRobotsServer(t, tc.status, "User-agent: *\nDisallow: /\n")
			cl := newTestClient(Options{})
			_, err := cl.Get(ctx, Request{URL: rs.URL + "/article", Robots: true})
			if tc.allowed {
				if err != nil {
					t.Fatalf("robots.txt %d must mean allow all: %v", tc.status, err)
				}
				return
			}
			fe := wantError(t, err, RobotsUnavailable)
			if fe.Status != tc.status || fe.RetryAfter < time.Minute || IsPermanent(err) {
				t.Errorf("Status %d, RetryAfter %v, permanent %v", fe.Status, fe.RetryAfter, IsPermanent(err))
			}
			if !strings.Contains(err.Error(), "treated as closed to crawlers") {
				t.Errorf("message %q", err)
			}
			if rs.pageHits.Load() != 0 {
				t.Errorf("the page was fetched although robots.txt was unavailable")
			}
			// The verdict is cached: a second page does not ask again.
			cl.Get(ctx, Request{URL: rs.URL + "/other", Robots: true})
			if n := rs.robotsHits.Load(); n != 1 {
				t.Errorf("robots.txt fetched %d times, want 1", n)
			}
		})
	}
}

func TestRobotsUnreachable(t *testing.T) {
	rs := newRobotsServer(t, 200, "")
	url := rs.URL
	rs.Close()
	_, err := newTestClient(Options{}).Get(context.Background(), Request{URL: url + "/a", Robots: true})
	wantError(t, err, RobotsUnavailable)
}

func TestRobotsCrawlDelay(t *testing.T) {
	rs := newRobotsServer(t, 200, "User-agent: spektrum\nCrawl-delay: 0.4\nDisallow: /x\n")
	// On synctest's clock (see TestPerHostDelay) the gaps are the
	// limiter's, whatever else runs on the machine.
	synctest.Test(t, func(t *testing.T) {
		cl := newTestClient(Options{PerHostDelay: 10 * time.Millisecond, PerHostConcurrency: 4})
		cl.http.Transport.(*http.Transport).DisableKeepAlives = true
		var mu sync.Mutex
		var sent []time.Time
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) {
				mu.Lock()
				sent = append(sent, time.Now())
				mu.Unlock()
			},
		})
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() {
				if _, err := cl.Get(ctx, Request{URL: fmt.Sprintf("%s/a/%d", rs.URL, i), Robots: true}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		assertGaps(t, sent, 400*time.Millisecond)
	})
}

func TestRobotsConcurrentFirstUse(t *testing.T) {
	rs := newRobotsServer(t, 200, "User-agent: *\nDisallow: /no\n")
	cl := newTestClient(Options{PerHostConcurrency: 4})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := cl.Get(context.Background(), Request{URL: fmt.Sprintf("%s/yes/%d", rs.URL, i), Robots: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := rs.robotsHits.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times by 8 concurrent first requests, want 1", n)
	}
}
