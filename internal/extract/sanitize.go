package extract

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// linkRel is set on every link: we republish third-party text and vouch for
// none of its links, and the target must not learn who sent the reader.
const linkRel = "nofollow noopener noreferrer"

const iframeSandbox = "allow-scripts allow-same-origin allow-presentation allow-popups"

// blankLines collapses the empty lines left where dropped elements stood.
var blankLines = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`)

// videoEmbed matches the only iframe sources we keep: video players whose
// embeds work without the host page's scripts.
var videoEmbed = regexp.MustCompile(`^https://(www\.youtube\.com/embed/|www\.youtube-nocookie\.com/embed/|player\.vimeo\.com/video/|www\.dailymotion\.com/embed/)[^\s"'<>]*$`)

// droppedWithContent are removed together with everything inside them: they
// either run code, submit data or render nothing a reader should see.
var droppedWithContent = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "head": true,
	"title": true, "meta": true, "link": true, "base": true, "svg": true, "math": true,
	"form": true, "input": true, "button": true, "select": true, "textarea": true,
	"object": true, "embed": true, "applet": true, "frame": true, "frameset": true,
	"canvas": true, "audio": true, "video": true, "dialog": true, "nav": true,
}

// Sanitizer cleans third-party HTML down to an allowlist of prose elements.
// It is safe for concurrent use.
type Sanitizer struct {
	policy *bluemonday.Policy
}

// NewSanitizer builds the allowlist policy.
func NewSanitizer() *Sanitizer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
		"figure", "figcaption", "strong", "em", "b", "i", "u", "s", "mark", "small",
		"br", "hr", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
		"pre", "code", "sub", "sup", "time")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile("^" + linkRel + "$")).OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	// srcset was already resolved and scheme-checked in prepare; here we only
	// refuse characters that could break out of a URL list.
	p.AllowAttrs("srcset").Matching(regexp.MustCompile(`^[^"'<>\s][^"'<>]*$`)).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img", "iframe")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^(lazy|eager)$`)).OnElements("img")
	p.AllowAttrs("src").Matching(videoEmbed).OnElements("iframe")
	p.AllowAttrs("allowfullscreen").Matching(regexp.MustCompile(`^(|allowfullscreen|true)$`)).OnElements("iframe")
	p.AllowAttrs("title").OnElements("iframe", "abbr")
	// prepare sets iframeSandbox on every kept iframe; bluemonday then keeps
	// only these tokens of it (and adds an empty, fully locking sandbox to any
	// iframe that somehow lacks one). The players need scripts and their own
	// origin to play; they still cannot navigate or script our page.
	p.AllowAttrs("sandbox").OnElements("iframe")
	p.RequireSandboxOnIFrame(bluemonday.SandboxAllowScripts, bluemonday.SandboxAllowSameOrigin,
		bluemonday.SandboxAllowPresentation, bluemonday.SandboxAllowPopups)
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("cite").OnElements("blockquote")
	// Stripped wrappers (div, span) must not glue words of two blocks together.
	p.AddSpaceWhenStrippingTag(true)
	return &Sanitizer{policy: p}
}

// Sanitize returns html reduced to the allowlist, with relative URLs
// resolved against baseURL (or the fragment's own <base href>), lazy images
// made real and <h1> demoted to <h2>.
func (s *Sanitizer) Sanitize(fragment, baseURL string) string {
	return s.SanitizeWithTitle(fragment, baseURL, "")
}

// SanitizeWithTitle is Sanitize that also drops a leading heading equal to
// title, since pages repeat their headline at the top of the body and the
// site shows the headline already.
func (s *Sanitizer) SanitizeWithTitle(fragment, baseURL, title string) string {
	nodes, err := parseFragmentBounded(fragment)
	if err != nil {
		// Not even flattened markup parses: keep the words, lose the markup.
		return html.EscapeString(Text(fragment))
	}
	root := &html.Node{Type: html.ElementNode, Data: "div"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	var base *url.URL
	if baseURL != "" {
		if u, err := url.Parse(baseURL); err == nil && u.IsAbs() {
			base = u
		}
	}
	base = baseHref(root, base)
	prepare(root, base)
	if title != "" {
		dropLeadingTitle(root, title)
	}
	var buf bytes.Buffer
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&buf, c); err != nil {
			return html.EscapeString(Text(fragment))
		}
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(s.policy.Sanitize(buf.String()), "\n"))
}

// prepare does what an allowlist cannot: it needs the tree (to drop whole
// subtrees, resolve URLs, rewrite lazy images) before bluemonday, which only
// sees tokens, filters attributes.
func prepare(root *html.Node, base *url.URL) {
	fixLazyImages(root)
	var visit func(n *html.Node) bool
	visit = func(n *html.Node) bool {
		if droppedWithContent[n.Data] || n.Namespace != "" {
			remove(n)
			return false
		}
		switch n.Data {
		case "iframe":
			src := resolve(base, attr(n, "src"))
			if !videoEmbed.MatchString(src) {
				remove(n)
				return false
			}
			setAttr(n, "src", src)
			setAttr(n, "sandbox", iframeSandbox)
			removeAttr(n, "srcdoc")
			n.FirstChild, n.LastChild = nil, nil
			return false
		case "h1":
			n.Data = "h2"
		case "a":
			href := resolve(base, attr(n, "href"))
			if href == "" || !safeScheme(href, true) || strings.HasPrefix(href, "#") {
				// A link that may not point anywhere is just its text.
				// Its children are prepared first: once moved before n they
				// would be behind the walk's cursor.
				walk(n, visit)
				unwrap(n)
				return false
			}
			setAttr(n, "href", href)
			setAttr(n, "rel", linkRel)
		case "img":
			if src := attr(n, "src"); src != "" {
				setAttr(n, "src", resolve(base, src))
			}
			if ss := attr(n, "srcset"); ss != "" {
				if ss = resolveSrcset(base, ss); ss != "" {
					setAttr(n, "srcset", ss)
				} else {
					removeAttr(n, "srcset")
				}
			}
		case "blockquote", "q":
			if c := attr(n, "cite"); c != "" {
				setAttr(n, "cite", resolve(base, c))
			}
		case "div", "section", "article", "header", "footer", "main", "aside":
			// A wrapper holding only inline content is a paragraph in all
			// but name; keeping it as <p> keeps the paragraph break.
			if !hasBlockChild(n) && textOf(n) != "" {
				n.Data, n.DataAtom, n.Attr = "p", 0, nil
			}
		}
		return true
	}
	walk(root, visit)
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockElements[c.Data] || c.Data == "img" || c.Data == "iframe") {
			return true
		}
	}
	return false
}

// dropLeadingTitle removes the first heading if it repeats the title and
// comes before any paragraph text.
func dropLeadingTitle(root *html.Node, title string) {
	want := normTitle(title)
	walk(root, func(n *html.Node) bool {
		if want == "" {
			return false
		}
		switch n.Data {
		case "h1", "h2", "h3", "h4", "h5", "h6":
			if normTitle(textOf(n)) == want {
				remove(n)
			}
			want = ""
			return false
		case "p", "li", "blockquote", "pre", "table", "figure", "img":
			if textOf(n) != "" || n.Data == "img" || n.Data == "figure" {
				want = ""
				return false
			}
		}
		return true
	})
}

// normTitle folds case, punctuation and spacing so that a headline and its
// typographically different repetition compare equal.
func normTitle(s string) string {
	var b strings.Builder
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && !strings.ContainsRune("„“”‘’«»–—…·", r))
	}) {
		b.WriteString(f)
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}
