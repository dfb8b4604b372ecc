package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// blockElements end one paragraph and start the next in Text.
var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "caption": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "figcaption": true,
	"figure": true, "footer": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "header": true, "hr": true, "li": true, "main": true,
	"nav": true, "ol": true, "p": true, "pre": true, "section": true, "summary": true,
	"table": true, "tbody": true, "td": true, "tfoot": true, "th": true, "thead": true,
	"tr": true, "ul": true,
}

// invisibleElements hold no reader-visible text.
var invisibleElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "head": true,
	"title": true, "svg": true, "math": true, "iframe": true, "object": true,
	"select": true, "textarea": true,
}

// Text returns the plain text of an HTML fragment: block elements become
// paragraphs separated by "\n\n", <br> becomes "\n", runs of whitespace
// collapse to one space (except inside <pre>). It walks the token stream, not
// a tree, so any depth is safe.
func Text(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var paras []string
	var cur strings.Builder
	skip, pre := 0, 0
	flush := func() {
		lines := strings.Split(cur.String(), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		if p := strings.TrimSpace(strings.Join(lines, "\n")); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			return strings.Join(paras, "\n\n")
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if pre > 0 {
				cur.WriteString(t)
				continue
			}
			cur.WriteString(collapseSpace(t, cur.Len() == 0 || endsWithSpace(&cur)))
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			nb, _ := z.TagName()
			name := string(nb)
			if invisibleElements[name] {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch {
			case name == "br":
				cur.WriteString("\n")
			case name == "img" && tt != html.EndTagToken:
				// Images contribute nothing; their alt text is not prose.
			case blockElements[name]:
				flush()
				if name == "pre" {
					if tt == html.StartTagToken {
						pre++
					} else if tt == html.EndTagToken && pre > 0 {
						pre--
					}
				}
			}
		}
	}
}

func endsWithSpace(b *strings.Builder) bool {
	s := b.String()
	return strings.HasSuffix(s, " ") || strings.HasSuffix(s, "\n")
}

// collapseSpace folds whitespace runs to one space; a leading space is
// dropped when the output already ends in whitespace.
func collapseSpace(s string, afterSpace bool) string {
	var b strings.Builder
	space := afterSpace
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0':
			if !space {
				b.WriteByte(' ')
				space = true
			}
		default:
			b.WriteRune(r)
			space = false
		}
	}
	return b.String()
}
