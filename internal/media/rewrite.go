package media

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// URL is the proxy path of raw at width (see Signer.URL).
func (p *Proxy) URL(raw string, width int) string { return p.sign.URL(raw, width) }

// SrcSet is raw at every width (see Signer.SrcSet).
func (p *Proxy) SrcSet(raw string) string { return p.sign.SrcSet(raw) }

// bodyWidth is the src of images inside an article's text: the text column
// is about 42rem wide, so 960 pixels cover it at up to 1.5 device pixels,
// and srcset offers the rest.
const bodyWidth = 960

// HTML points the images of a stored, sanitized article body at the proxy
// (src, srcset and sizes; loading=lazy), and leaves out images that recently
// failed or cannot be proxied. Everything that is not an img start tag is
// copied as it was.
func (p *Proxy) HTML(body, sizes string) string {
	if !strings.Contains(body, "<img") {
		return body
	}
	z := html.NewTokenizer(strings.NewReader(body))
	var out bytes.Buffer
	out.Grow(len(body) + 512)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "img" || !hasAttr {
			if string(name) != "img" {
				out.Write(raw)
			}
			continue
		}
		t := html.Token{Type: html.StartTagToken, Data: "img"}
		var src string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "src":
				src = string(v)
			case "srcset", "sizes", "loading", "decoding":
				// ours replace them
			default:
				t.Attr = append(t.Attr, html.Attribute{Key: string(k), Val: string(v)})
			}
			if !more {
				break
			}
		}
		u := p.sign.URL(src, bodyWidth)
		if u == "" || p.Failed(src) {
			continue
		}
		t.Attr = append(t.Attr,
			html.Attribute{Key: "src", Val: u},
			html.Attribute{Key: "srcset", Val: p.sign.SrcSet(src)},
			html.Attribute{Key: "sizes", Val: sizes},
			html.Attribute{Key: "loading", Val: "lazy"},
			html.Attribute{Key: "decoding", Val: "async"})
		out.WriteString(t.String())
	}
	return out.String()
}
