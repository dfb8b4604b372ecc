package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	blocked := []string{
		"127.0.0.1", "127.1.2.3", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "100.64.0.1", "100.127.255.254",
		"0.0.0.0", "0.1.2.3", "::", "255.255.255.255", "224.0.0.1", "ff02::1", "192.0.2.1", "198.51.100.7",
		"203.0.113.9", "2001:db8::1", "198.18.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1",
	}
	public := []string{
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::",
	}
	for _, s := range blocked {
		if err := checkAddr(netip.MustParseAddr(s)); err == nil {
			t.Errorf("%s passed the guard; it must be blocked", s)
		}
	}
	for _, s := range public {
		if err := checkAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s was blocked (%v); it is public", s, err)
		}
	}
}

func TestBadURLs(t *testing.T) {
	cl := New(Options{})
	for _, u := range []string{
		"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/", "javascript:alert(1)",
		"example.com/no-scheme", "http://user:secret@example.com/", "http:///nohost", "http://[::1", "",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := cl.Get(context.Background(), Request{URL: u})
			wantError(t, err, BadURL)
			if !IsPermanent(err) {
				t.Errorf("a bad URL must be permanent")
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the error leaks the password: %q", err)
			}
		})
	}
}

func TestLiteralPrivateAddressesRefused(t *testing.T) {
	cl := New(Options{})
	for _, tc := range []struct{ url, reason string }{
		{"http://127.0.0.1:8080/", "127.0.0.1 is a loopback address"},
		{"http://[::1]/", "::1 is a loopback address"},
		{"http://10.0.0.5/feed", "private address"},
		{"http://169.254.169.254/latest/meta-data/", "link-local"},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1 is a loopback address"},
		{"http://0.0.0.0/", "0.0.0.0"},
		{"https://100.64.1.1/", "carrier-grade NAT"},
		{"http://[fd00::1]:8080/", "unique local"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := cl.Get(context.Background(), Request{URL: tc.url})
			wantError(t, err, Blocked)
			msg := err.Error()
			// How to allow it is the front door's business (the CLI names
			// its flag, an admin its setting): the kind says it all.
			if !strings.HasPrefix(msg, "refusing to fetch ") || !strings.Contains(msg, tc.reason) || strings.Contains(msg, "--") {
				t.Errorf("message %q should name the reason %q and no command-line flag", msg, tc.reason)
			}
			if !IsPermanent(err) {
				t.Errorf("Blocked must be permanent")
			}
		})
	}
}

// TestGuardAtDialTime reaches a loopback server through a host name, so no
// literal-IP check can catch it: only the dial-time guard can.
func TestGuardAtDialTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	cl := New(Options{PerHostDelay: -1})
	_, err := cl.Get(context.Background(), Request{URL: "http://localhost:" + port + "/"})
	fe := wantError(t, err, Blocked)
	if !strings.Contains(err.Error(), "is a loopback address") || !strings.Contains(fe.URL, "localhost:"+port) {
		t.Errorf("message %q should name the loopback address and the URL", err)
	}
	var be *blockedAddrError
	if !errors.As(err, &be) {
		t.Errorf("the cause should be the dial-time guard's error")
	}
	if hits.Load() != 0 {
		t.Errorf("the server was reached %d times", hits.Load())
	}

	// The same client with private networks allowed gets through.
	if _, err := New(Options{PerHostDelay: -1, AllowPrivateNetworks: true}).Get(context.Background(), Request{URL: "http://localhost:" + port + "/"}); err != nil {
		t.Fatalf("with AllowPrivateNetworks: %v", err)
	}
}

// TestRedirectToPrivateBlocked pretends 127.0.0.1 is a public address and
// lets a page there redirect into "the private network" (127.0.0.2 and the
// cloud metadata address), which must be refused before any connection.
func TestRedirectToPrivateBlocked(t *testing.T) {
	var privateHits atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2 here: %v", err)
	}
	private := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { privateHits.Add(1) }))
	private.Listener.Close()
	private.Listener = ln
	private.Start()
	defer private.Close()

	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-literal":
			http.Redirect(w, r, private.URL+"/secret", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusMovedPermanently)
		case "/ok":
			w.Write([]byte("public"))
		}
	}))
	defer public.Close()

	onlyPublic := netip.MustParseAddr("127.0.0.1")
	cl := New(Options{PerHostDelay: -1, exempt: func(a netip.Addr) bool { return a == onlyPublic }})

	if resp, err := cl.Get(context.Background(), Request{URL: public.URL + "/ok"}); err != nil || string(resp.Body) != "public" {
		t.Fatalf("test setup: the pretend-public server is not reachable: %v", err)
	}
	for path, reason := range map[string]string{
		"/to-literal":  "127.0.0.2 is a loopback address",
		"/to-metadata": "169.254.169.254 is a link-local address",
	} {
		_, err := cl.Get(context.Background(), Request{URL: public.URL + path})
		wantError(t, err, Blocked)
		if !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: message %q should contain %q", path, err, reason)
		}
	}
	if privateHits.Load() != 0 {
		t.Errorf("the private server was reached %d times", privateHits.Load())
	}
}
