package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestMetricsNotServedOnAGuess runs `spektrum serve` and asks for /metrics
// from loopback the way a request relayed by a reverse proxy without
// forwarding headers arrives: it must not be served on the peer address
// alone. Metrics come only with the configured token, or on the separate
// --metrics-addr listener.
func TestMetricsNotServedOnAGuess(t *testing.T) {
	fetch := func(u, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	c := newCLI(t, filepath.Join(t.TempDir(), "spektrum.db"))
	c.env = append(c.env, "SPEKTRUM_METRICS_TOKEN=")
	maddr := freeAddr(t)
	base := serve(t, c, "--metrics-addr", maddr)
	if status, body := fetch(base+"/metrics", ""); status != http.StatusNotFound || strings.Contains(body, "spektrum_jobs") {
		t.Errorf("site /metrics from loopback without a token = %d:\n%.300s\nwant 404 and no figures", status, body)
	}
	if status, body := fetch("http://"+maddr+"/metrics", ""); status != http.StatusOK || !strings.Contains(body, `spektrum_jobs{state="queued"}`) {
		t.Errorf("--metrics-addr /metrics = %d:\n%.300s\nwant the figures", status, body)
	}
	if status, _ := fetch("http://"+maddr+"/", ""); status != http.StatusNotFound {
		t.Errorf("--metrics-addr / = %d, want 404: that listener serves metrics only", status)
	}

	c2 := newCLI(t, filepath.Join(t.TempDir(), "spektrum.db"))
	c2.env = append(c2.env, "SPEKTRUM_METRICS_TOKEN=s3cret-token")
	base = serve(t, c2)
	for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0LXRva2Vu"} {
		if status, body := fetch(base+"/metrics", auth); status != http.StatusUnauthorized || strings.Contains(body, "spektrum_jobs") {
			t.Errorf("site /metrics with Authorization %q = %d, want 401 and no figures", auth, status)
		}
	}
	if status, body := fetch(base+"/metrics", "Bearer s3cret-token"); status != http.StatusOK || !strings.Contains(body, "spektrum_jobs") {
		t.Errorf("site /metrics with the token = %d:\n%.300s\nwant the figures", status, body)
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
