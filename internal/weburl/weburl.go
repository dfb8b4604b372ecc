// Package weburl holds the one rule for which URLs read from documents a
// source controls (feeds, sitemaps, article pages) Spektrum keeps, stores
// and republishes: absolute http or https URLs with a host. Everything else
// (javascript:, data:, vbscript:, file:, mailto:, a relative link with no
// base) is dropped where it is read, so that no later stage, and no feed,
// page or API answer built from the store, has to remember to check.
//
// It owns that rule and nothing else: it neither fetches nor normalizes
// beyond what net/url does.
package weburl

import (
	"net/url"
	"strings"
)

// Valid reports whether s is an absolute http or https URL with a host.
func Valid(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Resolve makes ref absolute against base (normally the URL of the
// document ref was read from) and returns it when it is Valid, or "".
// Surrounding white space is ignored, as browsers ignore it.
func Resolve(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !r.IsAbs() {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !b.IsAbs() {
			return ""
		}
		r = b.ResolveReference(r)
	}
	if s := r.String(); Valid(s) {
		return s
	}
	return ""
}

// Usable reports whether ref can become a Valid URL once resolved: a
// relative reference, or an absolute http(s) one. A parser that keeps only
// the first of several candidates checks this first, so an unsafe first
// candidate cannot hide a good one after it.
func Usable(ref string) bool {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || strings.TrimSpace(ref) == "" {
		return false
	}
	return r.Scheme == "" || ((r.Scheme == "http" || r.Scheme == "https") && r.Host != "")
}
