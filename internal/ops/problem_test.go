package ops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"spektrum/internal/fetch"
	"spektrum/internal/ops/view"
)

// TestProblemOfAgreesWithClassify produces each kind of failure for real,
// over loopback, and checks that the category read from the stored text
// (ProblemOf, what /api/v1/sources shows) is the one the typed error gives
// (Classify). Rewording a message in fetch or feed breaks this test, not
// the public answer.
func TestProblemOfAgreesWithClassify(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "localhost"+hostPort(r) {
			http.Error(w, "oops", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/private/page", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secret") })
	mux.HandleFunc("/503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusServiceUnavailable) })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 64<<10)) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/plain.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "no feed") })
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><title>p</title><link rel="alternate" type="application/rss+xml" href="/gone.xml"></head></html>`)
	})
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</ti`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(release)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	ctx := context.Background()
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1, Timeout: 300 * time.Millisecond, MaxBytes: 32 << 10, MaxRedirects: 3})
	strict := fetch.New(fetch.Options{PerHostDelay: -1})
	get := func(c *fetch.Client, u string, robots bool) error {
		_, err := c.Get(ctx, fetch.Request{URL: u, Robots: robots})
		if err == nil {
			t.Fatalf("GET %s succeeded", u)
		}
		return err
	}
	svc := New(testStore(t), fc, &polls{}, Options{})
	probe := func(u string) error {
		_, err := svc.Probe(ctx, u)
		var e *Error
		if !errors.As(err, &e) || e.Err == nil {
			t.Fatalf("probe %s: %v; want an *ops.Error with a cause", u, err)
		}
		if e.Problem != Classify(e.Err) {
			t.Errorf("probe %s: problem %q, Classify says %q", u, e.Problem, Classify(e.Err))
		}
		return e.Err // what a forced source keeps as its last error
	}
	localhost := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	cases := []struct {
		name string
		err  error
		want view.Problem
	}{
		{"connection refused", get(fc, closed.URL+"/feed", false), view.Unreachable},
		{"503", get(fc, srv.URL+"/503", false), view.StatusProblem(503)},
		{"404", get(fc, srv.URL+"/nope", false), view.StatusProblem(404)},
		{"timeout", get(fc, srv.URL+"/hang", false), view.TimedOut},
		{"too large", get(fc, srv.URL+"/huge", false), view.TooLarge},
		{"redirect loop", get(fc, srv.URL+"/loop", false), view.RedirectLoop},
		{"robots", get(fc, srv.URL+"/private/page", true), view.RobotsRefused},
		{"robots unavailable", get(fc, localhost+"/private/page", true), view.RobotsUnreadable},
		{"private", get(strict, srv.URL+"/feed", false), view.AddressNotAllowed},
		{"bad url", get(fc, "ftp://example.org/feed", false), view.InvalidAddress},
		{"not a feed", probe(srv.URL + "/plain.txt"), view.NotAFeed},
		{"page whose feed is gone", probe(srv.URL + "/page"), view.NotAFeed},
		{"malformed", probe(srv.URL + "/broken.xml"), view.MalformedFeed},
	}
	for _, tc := range cases {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
		if got := view.ProblemOf(tc.err.Error()); got != tc.want {
			t.Errorf("%s: view.ProblemOf(%q) = %q, want %q", tc.name, tc.err.Error(), got, tc.want)
		}
	}
	if view.ProblemOf("") != view.NoProblem || view.ProblemOf("dial tcp 10.0.0.1:80: something new") != view.Failed {
		t.Errorf("empty text or unknown text: %q, %q; want none and %q", view.ProblemOf(""), view.ProblemOf("dial tcp 10.0.0.1:80: something new"), view.Failed)
	}
}

func hostPort(r *http.Request) string {
	if i := strings.LastIndexByte(r.Host, ':'); i >= 0 {
		return r.Host[i:]
	}
	return ""
}
