package app

import (
	"net/http/httptest"
	"testing"
)

func TestMetricsAllowed(t *testing.T) {
	for _, c := range []struct {
		remote, auth, token string
		want                bool
		forwarded           string
	}{
		// The peer address counts for nothing: behind a proxy that adds no
		// forwarding headers every request comes from loopback.
		{"127.0.0.1:5000", "", "", false, ""},
		{"[::1]:5000", "", "", false, ""},
		{"10.1.2.3:5000", "", "s3cret", false, ""},
		{"127.0.0.1:5000", "", "", false, "203.0.113.9"},
		{"10.0.0.2:5000", "Bearer s3cret", "s3cret", true, "203.0.113.9"},
		{"203.0.113.9:5000", "Bearer s3cret", "s3cret", true, ""},
		{"203.0.113.9:5000", "Bearer wrong", "s3cret", false, ""},
		{"203.0.113.9:5000", "Bearer ", "", false, ""},
	} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = c.remote
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-For", c.forwarded)
		}
		if got := metricsAllowed(r, c.token); got != c.want {
			t.Errorf("metricsAllowed(%s, %q, token %q) = %v, want %v", c.remote, c.auth, c.token, got, c.want)
		}
	}
}
