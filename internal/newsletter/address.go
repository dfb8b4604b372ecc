package newsletter

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ParseAddress is the one rule for a subscriber's (or sender's) address,
// used by the form, the API and the CLI alike. It returns the address
// normalised: trimmed, lower-case, an international domain in its ASCII
// (punycode) form.
//
// Only a plain dot-atom address on a public-looking host name passes:
//   - no display names, comments, quoted local parts or line breaks: the
//     form asks for an address, nothing else;
//   - no IP-literal domains (a@[127.0.0.1]): nobody's newsletter address
//     is one, and they point mail at hosts of the sender's choosing;
//   - no control characters and no raw 8-bit in the local part: sending
//     those needs SMTPUTF8 end to end, which we don't promise, and a
//     relay that doesn't speak it mangles or misroutes them;
//   - an international domain (IDNA 2008, UTS #46 mapping) is accepted and
//     converted to punycode, which every mail server understands.
func ParseAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not an e-mail address like name@example.org: %s", s, why)
	}
	if s == "" {
		return bad("it is empty")
	}
	if len(s) > 254 {
		return bad("it is longer than 254 characters")
	}
	if !utf8.ValidString(s) {
		return bad("it contains bytes that are not text (invalid UTF-8)")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return bad("it contains a control character or line break")
		}
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 && strings.HasPrefix(s[i+1:], "[") {
		return bad("an IP address in brackets is not accepted; use the address's domain name")
	}
	if strings.ContainsAny(s, "<>\"(), ;:\\[]") {
		return bad("give the address alone, without a name, quotes, brackets or spaces")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return bad("it needs one @ with a name before it and a domain after it")
	}
	if len(local) > 64 {
		return bad("the part before the @ is longer than 64 characters")
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= 0x80 {
			return bad("the part before the @ may only use ASCII letters, digits and . _ - + (international characters are not supported there)")
		}
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return bad("the domain is not a valid host name")
	}
	ascii = strings.ToLower(ascii)
	if err := checkHostname(ascii); err != "" {
		return bad(err)
	}
	addr := strings.ToLower(local) + "@" + ascii
	if len(addr) > 254 {
		return bad("it is longer than 254 characters")
	}
	// The standard parser is the final word on the local part's syntax
	// (dot-atom: no leading, trailing or double dots, only atext).
	if a, err := mail.ParseAddress(addr); err != nil || a.Name != "" || a.Address != addr {
		return bad("the part before the @ has characters or dots an address can't have")
	}
	return addr, nil
}

// checkHostname checks an ASCII domain: letters, digits and hyphens in
// labels of 1 to 63 characters, at least two labels, and a top-level label
// that is not all digits (so 127.0.0.1 is no host name either). It returns
// what is wrong, or "".
func checkHostname(d string) string {
	if len(d) > 253 {
		return "the domain is longer than 253 characters"
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "the domain needs a dot, like example.org"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "the domain has an empty or overlong part between dots"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "a part of the domain starts or ends with a hyphen"
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "the domain may only use letters, digits, hyphens and dots"
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "an IP address is not accepted; use the address's domain name"
	}
	return ""
}
