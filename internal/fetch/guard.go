package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// blockedAddrError says why an address may not be contacted. It travels
// inside net.OpError from the dialer, and Get turns it into a Blocked Error.
type blockedAddrError struct {
	addr   netip.Addr
	reason string
}

func (e *blockedAddrError) Error() string {
	return fmt.Sprintf("%s is %s", e.addr, e.reason)
}

type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// nonPublic lists the ranges a news fetcher has no business contacting.
// IPv4-mapped IPv6 addresses are unmapped before the lookup, so
// [::ffff:127.0.0.1] is judged as 127.0.0.1.
var nonPublic = func() []blockedRange {
	r := func(p, reason string) blockedRange {
		return blockedRange{netip.MustParsePrefix(p), reason}
	}
	return []blockedRange{
		r("0.0.0.0/8", `in 0.0.0.0/8 ("this network")`),
		r("10.0.0.0/8", "a private address (RFC 1918)"),
		r("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
		r("127.0.0.0/8", "a loopback address"),
		r("169.254.0.0/16", "a link-local address (cloud metadata services live here)"),
		r("172.16.0.0/12", "a private address (RFC 1918)"),
		r("192.0.0.0/24", "an IETF protocol assignment address"),
		r("192.0.2.0/24", "a documentation address (TEST-NET-1)"),
		r("192.88.99.0/24", "a 6to4 relay anycast address"),
		r("192.168.0.0/16", "a private address (RFC 1918)"),
		r("198.18.0.0/15", "a benchmarking address (RFC 2544)"),
		r("198.51.100.0/24", "a documentation address (TEST-NET-2)"),
		r("203.0.113.0/24", "a documentation address (TEST-NET-3)"),
		r("224.0.0.0/4", "a multicast address"),
		r("240.0.0.0/4", "a reserved address (includes broadcast)"),
		r("::/128", "the unspecified address"),
		r("::1/128", "a loopback address"),
		r("::/96", "an IPv4-compatible address (deprecated)"),
		r("64:ff9b:1::/48", "a local-use NAT64 address"),
		r("100::/64", "a discard-only address"),
		r("2001:db8::/32", "a documentation address"),
		r("fc00::/7", "a unique local address (private IPv6)"),
		r("fe80::/10", "a link-local address"),
		r("fec0::/10", "a site-local address (deprecated)"),
		r("ff00::/8", "a multicast address"),
	}
}()

// Prefixes that embed an IPv4 address: the embedded address decides, so a
// NAT64 or 6to4 form of 127.0.0.1 is as blocked as 127.0.0.1.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// checkAddr returns a *blockedAddrError if addr is not a public unicast
// address.
func checkAddr(addr netip.Addr) error {
	addr = addr.WithZone("").Unmap()
	if !addr.IsValid() {
		return &blockedAddrError{addr, "not a valid address"}
	}
	for _, b := range nonPublic {
		if b.prefix.Contains(addr) {
			return &blockedAddrError{addr, b.reason}
		}
	}
	if addr.Is6() {
		a := addr.As16()
		var embedded netip.Addr
		switch {
		case nat64Prefix.Contains(addr):
			embedded = netip.AddrFrom4([4]byte(a[12:16]))
		case sixToFour.Contains(addr):
			embedded = netip.AddrFrom4([4]byte(a[2:6]))
		}
		if embedded.IsValid() {
			if err := checkAddr(embedded); err != nil {
				var be *blockedAddrError
				errors.As(err, &be)
				return &blockedAddrError{addr, "an IPv6 form of " + be.Error()}
			}
		}
	}
	return nil
}

// dialControl runs after DNS resolution, right before each connect(2), with
// the IP actually being dialled: the one place where a rebinding DNS answer
// or a redirect to an internal host cannot slip past.
func dialControl(exempt func(netip.Addr) bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("dial %s %s: cannot parse the address to vet it: %w", network, address, err)
		}
		if exempt != nil && exempt(ap.Addr().Unmap()) {
			return nil
		}
		return checkAddr(ap.Addr())
	}
}

// checkURL vets a URL before any connection: scheme, user info, host, and —
// for literal IPs — the address, so the common mistakes get a clear error
// instead of a dial failure.
func (c *Client) checkURL(u *url.URL) *Error {
	raw := u.String()
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return &Error{Kind: BadURL, URL: raw, Err: errors.New("the URL has no scheme")}
	default:
		return &Error{Kind: BadURL, URL: raw, Err: fmt.Errorf("scheme %q is not allowed", u.Scheme)}
	}
	if u.User != nil {
		// User info leaks credentials into logs and is a classic way to
		// disguise the real host (http://trusted.example@evil/).
		u2 := *u
		u2.User = nil
		return &Error{Kind: BadURL, URL: u2.String(), Err: errors.New("the URL contains user info (user:password@)")}
	}
	host := u.Hostname()
	if host == "" {
		return &Error{Kind: BadURL, URL: raw, Err: errors.New("the URL has no host")}
	}
	if c.allowPrivate {
		return nil
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if c.exempt != nil && c.exempt(addr.Unmap()) {
			return nil
		}
		if err := checkAddr(addr); err != nil {
			return &Error{Kind: Blocked, URL: raw, Err: err}
		}
	}
	return nil
}

// newDialer returns the dialer for the transport; with private networks
// allowed it skips the guard entirely.
func (c *Client) newDialer() *net.Dialer {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}
	if !c.allowPrivate {
		d.Control = dialControl(c.exempt)
	}
	return d
}
