package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestKey(t *testing.T) {
	p, err := ParseProxies(" 10.0.0.0/8, 127.0.0.1/32 ,")
	if err != nil || len(p) != 2 {
		t.Fatalf("ParseProxies = %v, %v", p, err)
	}
	for _, bad := range []string{"10.0.0.1", "10.0.0.0/33", "proxy.internal/8"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted a value that is not a CIDR", bad)
		}
	}
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.9:1", "198.51.100.1", "203.0.113.9"},                   // untrusted peer: header ignored
		{"127.0.0.1:1", "6.6.6.6, 198.51.100.1, 10.1.2.3", "198.51.100.1"}, // nearest untrusted hop
		{"127.0.0.1:1", "198.51.100.7, garbage", "127.0.0.1"},              // mangled nearest hop: the proxy
		{"[2001:db8:0:1:aaaa::1]:1", "", "2001:db8:0:1::/64"},              // IPv6 per /64
		{"[::ffff:10.0.0.5]:1", "203.0.113.4", "203.0.113.4"},              // IPv4-mapped proxy
		{"not-an-address", "203.0.113.4", "not-an-address"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := p.Key(r); got != tc.want {
			t.Errorf("Key(%s, XFF %q) = %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
}
