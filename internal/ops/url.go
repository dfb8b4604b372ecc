package ops

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// exampleURL is what to type, shown with every refused address.
const exampleURL = "https://www.example.org/feed.xml"

// NormalizeURL accepts what an editor types ("example.com/feed") and returns
// an absolute http(s) URL, or an Invalid *Error saying what is wrong.
//
// Without a scheme, the host must look like a host: a name with a dot,
// localhost, or an IP address. "not-a-url" is a typo, not an intranet
// host, and is refused instead of being tried as https://not-a-url (whose
// resolver error would only puzzle). With a scheme the editor clearly meant
// an address, so a dotless intranet host is taken as given.
func NormalizeURL(raw string) (string, error) {
	const op = "source address"
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", invalid(op, FieldURL, raw, "empty address: give the address of a feed, sitemap or site, like %s", exampleURL)
	}
	typedScheme := strings.Contains(raw, "://")
	full := raw
	if !typedScheme {
		full = "https://" + raw
	}
	u, err := url.Parse(full)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", invalid(op, FieldURL, raw, "%q is not a web address (%v); give one like %s", raw, err, exampleURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", invalid(op, FieldURL, raw, "%q: only http and https addresses can be sources, like %s", raw, exampleURL)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", invalid(op, FieldURL, raw, "%q has no host name; give an address like %s", raw, exampleURL)
	}
	if !typedScheme && !hostLike(u.Hostname()) {
		return "", invalid(op, FieldURL, raw, "%q is not a web address: a host name has a dot (example.org), or is localhost or an IP address; give the address of a feed, sitemap or site, like %s", raw, exampleURL)
	}
	u.Fragment = ""
	u.RawFragment = ""
	return u.String(), nil
}

func hostLike(h string) bool {
	return strings.Contains(h, ".") || strings.EqualFold(h, "localhost") || net.ParseIP(h) != nil
}

// defaultName names a source whose feed gives no title (or that could not
// be read): its host, with the port when not the scheme's default and the
// path when there is one, so two sources on one host are told apart
// ("down.example.net/rss", "127.0.0.1:8080/bad/hang").
func defaultName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	name := strings.TrimPrefix(u.Hostname(), "www.")
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		name = net.JoinHostPort(name, p)
	}
	if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
		name += p
	}
	if u.RawQuery != "" {
		name += "?" + u.RawQuery
	}
	return name
}

// uniqueName returns name, or name with " (2)", " (3)", … when a source
// already has it.
func uniqueName(name string, taken map[string]bool) string {
	if !taken[name] {
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s (%d)", name, i)
		if !taken[n] {
			return n
		}
	}
}
