// Package clientip is the one rule for which client a request came from:
// the connection's address, or, when that is a configured reverse proxy,
// the nearest address in X-Forwarded-For that is not one. The newsletter's
// sign-up limits and the site's view counter both use it. A header from a
// peer that is not a configured proxy is never believed, and it must not
// decide anything but counting: no access is granted by an address.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the trusted reverse proxies (--trusted-proxies).
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of CIDRs, e.g.
// "10.0.0.0/8, 127.0.0.1/32"; empty means none.
func ParseProxies(list string) (Proxies, error) {
	var out Proxies
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w (want CIDRs like 10.0.0.0/8,127.0.0.1/32)", p, err)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}

func (p Proxies) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, pfx := range p {
		if pfx.Contains(ip) {
			return true
		}
	}
	return false
}

// Addr is the client's address: the connection's or, when that is a
// trusted proxy, the nearest X-Forwarded-For hop that is not one (walking
// from the right, as a client can put anything on the left). ok is false
// when the connection's address cannot be read.
func (p Proxies) Addr(r *http.Request) (ip netip.Addr, ok bool) {
	return p.addrOf(r.RemoteAddr, func() []string { return r.Header.Values("X-Forwarded-For") })
}

// addrOf is Addr of a request from remoteAddr whose X-Forwarded-For lines
// forwardedFor gives, read only when remoteAddr is a trusted proxy.
func (p Proxies) addrOf(remoteAddr string, forwardedFor func() []string) (ip netip.Addr, ok bool) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err = netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	ip = ip.Unmap()
	if !p.trusted(ip) {
		return ip, true
	}
	hops := strings.Split(strings.Join(forwardedFor(), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a mangled hop: stop at the last address we could read
		}
		ip = a.Unmap()
		if !p.trusted(ip) {
			break
		}
	}
	return ip, true
}

// Key is what per-client counts count: the client's address, or for IPv6
// its /64, since one ordinary connection owns a whole /64 and could
// otherwise take a fresh address for every request. An unreadable
// connection address is returned as it is.
func (p Proxies) Key(r *http.Request) string {
	return p.KeyOf(r.RemoteAddr, func() []string { return r.Header.Values("X-Forwarded-For") })
}

// KeyOf is Key for a request not held as an *http.Request (a page cache
// hit the front answered): from remoteAddr, whose X-Forwarded-For lines
// forwardedFor gives (called only when remoteAddr is a trusted proxy).
func (p Proxies) KeyOf(remoteAddr string, forwardedFor func() []string) string {
	ip, ok := p.addrOf(remoteAddr, forwardedFor)
	if !ok {
		return remoteAddr
	}
	if ip.Is6() {
		if pfx, err := ip.Prefix(64); err == nil {
			return pfx.String()
		}
	}
	return ip.String()
}
