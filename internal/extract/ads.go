package extract

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	nethtml "golang.org/x/net/html"

	"spektrum/internal/weburl"
)

// AdLinkRel is set on every link of an advertisement: it is paid for
// (search engines must not count it as our endorsement), and the
// advertiser's page must not get a handle on ours.
const AdLinkRel = "sponsored noopener"

// adIframeSandbox keeps an allowed origin's frame from navigating or
// scripting our page while it runs its own scripts.
const adIframeSandbox = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"

// AdSanitizer cleans an advertisement's HTML, written or pasted by an
// admin, down to links, images and basic formatting: no script, style,
// event handler, form or frame, and only absolute http(s) URLs. The one
// exception is what the admin explicitly allowed: a <script src> or an
// <iframe src> from an origin in the allowed list is kept (the site's CSP
// then lists the same origins). Safe for concurrent use.
type AdSanitizer struct {
	policy *bluemonday.Policy
}

// NewAdSanitizer builds the ads' allowlist policy.
func NewAdSanitizer() *AdSanitizer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "div", "span", "ins", "strong", "em", "b", "i", "u", "s", "small", "br",
		"ul", "ol", "li", "figure", "figcaption", "h2", "h3", "h4")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile("^" + AdLinkRel + "$")).OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img", "iframe")
	p.AllowAttrs("src").OnElements("iframe") // only ones prepareAd kept: allowed origins
	p.AllowAttrs("title").OnElements("iframe", "a", "img")
	p.AllowAttrs("sandbox").OnElements("iframe")
	p.RequireSandboxOnIFrame(bluemonday.SandboxAllowScripts, bluemonday.SandboxAllowSameOrigin,
		bluemonday.SandboxAllowPopups, bluemonday.SandboxAllowPopupsToEscapeSandbox)
	// Ad tags carry their configuration in data-* attributes for their
	// script; without a script they do nothing.
	p.AllowDataAttributes()
	return &AdSanitizer{policy: p}
}

// Sanitize returns fragment reduced to the ads' allowlist. A <script src>
// whose URL is https on one of origins (each "https://host[:port]") is
// kept, as an empty async script at the end of the ad; every other script,
// inline or not, is dropped with its content. An <iframe> from an allowed
// origin is kept, sandboxed; others are dropped.
func (s *AdSanitizer) Sanitize(fragment string, origins []string) string {
	nodes, err := parseFragmentBounded(fragment)
	if err != nil {
		return html.EscapeString(Text(fragment))
	}
	root := &nethtml.Node{Type: nethtml.ElementNode, Data: "div"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	var scripts []string
	var visit func(n *nethtml.Node) bool
	visit = func(n *nethtml.Node) bool {
		if n.Type != nethtml.ElementNode {
			return true
		}
		switch n.Data {
		case "script":
			if src := attr(n, "src"); AllowedOrigin(src, origins) && !slices.Contains(scripts, src) {
				scripts = append(scripts, strings.TrimSpace(src))
			}
			remove(n)
			return false
		case "iframe":
			if !AllowedOrigin(attr(n, "src"), origins) {
				remove(n)
				return false
			}
			setAttr(n, "sandbox", adIframeSandbox)
			removeAttr(n, "srcdoc")
			n.FirstChild, n.LastChild = nil, nil
			return false
		case "a":
			href := strings.TrimSpace(attr(n, "href"))
			if !webURL(href) {
				// Its children are visited first: once moved before n
				// they would be behind the walk's cursor.
				walk(n, visit)
				unwrap(n)
				return false
			}
			setAttr(n, "href", href)
			setAttr(n, "rel", AdLinkRel)
		case "img":
			if !webURL(attr(n, "src")) {
				remove(n)
				return false
			}
			removeAttr(n, "srcset") // the proxy makes its own
		}
		if droppedWithContent[n.Data] || n.Namespace != "" {
			remove(n)
			return false
		}
		return true
	}
	walk(root, visit)
	var buf bytes.Buffer
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := nethtml.Render(&buf, c); err != nil {
			return html.EscapeString(Text(fragment))
		}
	}
	out := strings.TrimSpace(blankLines.ReplaceAllString(s.policy.Sanitize(buf.String()), "\n"))
	for _, src := range scripts {
		out += `<script src="` + html.EscapeString(src) + `" async></script>`
	}
	return out
}

// webURL: an ad's links and pictures are absolute http(s) URLs with a
// host; nothing relative to our site, no other scheme.
func webURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	return weburl.Valid(raw) && err == nil && u.User == nil
}

// AllowedOrigin reports whether raw is an https URL on one of origins
// ("https://host[:port]", as ParseOrigin returns them).
func AllowedOrigin(raw string, origins []string) bool {
	if len(origins) == 0 {
		return false
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return false
	}
	return slices.Contains(origins, "https://"+strings.ToLower(u.Host))
}

// ParseOrigin reads an origin an admin allows ad scripts from: https, a
// host name (no wildcard, no address literal tricks), an optional port,
// nothing else. It returns it as "https://host[:port]", lower-case.
func ParseOrigin(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Path != "" ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if !originHost.MatchString(host) {
		return "", false
	}
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	return "https://" + host, true
}

// originHost is a DNS name with at least one dot: CSP source expressions
// would read '*', quotes, spaces or semicolons as syntax.
var originHost = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
