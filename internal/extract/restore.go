package extract

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Trafilatura runs without images: with them it settles on other containers
// and turns figures into paragraphs (see extractBody). The story's pictures
// are put back afterwards: an <img> of the page that sits between two
// paragraphs of the extracted story, in document order, is part of the
// story and goes in after the last paragraph before it. Pictures outside
// that span (logos, teasers, ads) stay out; the lead picture is the
// Article's Image.

// maxRestoredImages bounds the pictures put back into one body.
const maxRestoredImages = 30

// minImageSide drops tracking pixels and icons that declare their size.
const minImageSide = 50

// blockKeyWords is how many leading words identify a paragraph.
const blockKeyWords = 12

// keyTextBytes is enough text for blockKeyWords words in any language we
// read; reading no more keeps the walk over a whole page cheap.
const keyTextBytes = 400

// leadingText is the start of n's text (text nodes joined by spaces, as
// textOf does), at least limit bytes of it when there are that many.
func leadingText(n *html.Node, limit int) string {
	var b strings.Builder
	var rec func(*html.Node) bool
	rec = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
				b.WriteByte(' ')
				if b.Len() >= limit {
					return false
				}
			case html.ElementNode:
				if !invisibleElements[c.Data] && !rec(c) {
					return false
				}
			}
		}
		return true
	}
	rec(n)
	return b.String()
}

func paragraphKey(n *html.Node) string {
	w := wordsOf(leadingText(n, keyTextBytes))
	if len(w) < 3 {
		return ""
	}
	return strings.Join(w[:min(len(w), blockKeyWords)], " ")
}

func tinyImage(n *html.Node) bool {
	for _, k := range []string{"width", "height"} {
		if v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(attr(n, k)), "px")); err == nil && v < minImageSide {
			return true
		}
	}
	return false
}

// restoreImages inserts the story's pictures from doc into body.
func restoreImages(doc, body *html.Node) {
	out := textBlocks(body)
	index := make(map[string]int, len(out))
	for i, b := range out {
		if k := paragraphKey(b); k != "" {
			if _, dup := index[k]; !dup {
				index[k] = i
			}
		}
	}
	if len(index) < 2 {
		return
	}
	type found struct {
		img   *html.Node
		after int // index in out of the last story paragraph before the picture
	}
	var imgs []found
	last, lastSeen := -1, 0 // lastSeen counts the pictures met before the latest match
	walk(doc, func(n *html.Node) bool {
		switch {
		case n.Data == "img":
			if last >= 0 && !tinyImage(n) && (attr(n, "src") != "" || attr(n, "srcset") != "") {
				imgs = append(imgs, found{n, last})
			}
			return false
		case leafBlocks[n.Data] && !hasBlockChild(n):
			if i, ok := index[paragraphKey(n)]; ok && i >= last {
				last = i
				lastSeen = len(imgs)
			}
		}
		return true
	})
	// Pictures after the story's last paragraph are the page's, not the
	// story's.
	imgs = imgs[:lastSeen]
	if len(imgs) > maxRestoredImages {
		imgs = imgs[:maxRestoredImages]
	}
	// Insert back to front so that several pictures after one paragraph
	// keep their order.
	for j := len(imgs) - 1; j >= 0; j-- {
		anchor := out[imgs[j].after]
		if anchor.Parent == nil {
			continue
		}
		img := &html.Node{Type: html.ElementNode, Data: "img", DataAtom: imgs[j].img.DataAtom}
		img.Attr = append(img.Attr, imgs[j].img.Attr...)
		p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		p.AppendChild(img)
		anchor.Parent.InsertBefore(p, anchor.NextSibling)
	}
}

// Links and emphasis are lost the same way: trafilatura runs without links
// (with them it keeps link lists and drops link-rich paragraphs). For every
// extracted paragraph whose words are exactly those of a paragraph of the
// page, the page's inline markup — links, emphasis, line breaks — replaces
// the plain text. Nothing changes when the words differ (a hover card
// inside the source paragraph, a trimmed label): the text stays as
// extracted, only the markup around it is restored.

// skippedInline are not copied back: pictures are restored on their own,
// the rest is never shown or is refused by the sanitizer anyway.
var skippedInline = map[string]bool{
	"img": true, "picture": true, "source": true, "script": true, "style": true, "iframe": true,
	"svg": true, "button": true, "input": true, "form": true, "select": true, "textarea": true,
	"noscript": true, "template": true, "video": true, "audio": true, "object": true, "embed": true,
}

// keptInline are the inline elements copied back (those the sanitizer
// keeps).
var keptInline = map[string]bool{
	"a": true, "b": true, "strong": true, "em": true, "i": true, "u": true, "br": true, "sup": true,
	"sub": true, "code": true, "mark": true, "small": true, "s": true, "time": true,
}

// cloneInline deep-copies n's children for restoreMarkup, turning space
// marks back into spaces.
func cloneInline(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			out = append(out, &html.Node{Type: html.TextNode, Data: strings.ReplaceAll(c.Data, spaceMark, " ")})
		case html.ElementNode:
			if skippedInline[c.Data] {
				continue
			}
			if !keptInline[c.Data] {
				// A <span> or <font> would be stripped by the sanitizer,
				// which puts a space in its place ("W hile" for a drop
				// cap): copy its content only.
				out = append(out, cloneInline(c)...)
				continue
			}
			e := &html.Node{Type: html.ElementNode, Data: c.Data, DataAtom: c.DataAtom, Attr: append([]html.Attribute(nil), c.Attr...)}
			for _, k := range cloneInline(c) {
				e.AppendChild(k)
			}
			out = append(out, e)
		}
	}
	return out
}

func hasInlineMarkup(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node) bool {
		switch c.Data {
		case "a", "b", "strong", "em", "i", "br", "sup", "sub", "code", "q", "cite", "mark":
			found = true
		}
		return !found
	})
	return found
}

// restoreMarkup copies the page's inline markup into the extracted
// paragraphs whose words it matches exactly.
func restoreMarkup(doc, body *html.Node) {
	want := map[string]*html.Node{}
	for _, b := range textBlocks(body) {
		if k := strings.Join(wordsOf(rawText(b)), " "); k != "" {
			want[k] = b
		}
	}
	if len(want) == 0 {
		return
	}
	walk(doc, func(n *html.Node) bool {
		if !leafBlocks[n.Data] || hasBlockChild(n) {
			return true
		}
		if !hasInlineMarkup(n) {
			return false
		}
		k := strings.Join(wordsOf(rawText(n)), " ")
		b, ok := want[k]
		if !ok {
			return false
		}
		delete(want, k)
		kids := cloneInline(n)
		for c := b.FirstChild; c != nil; {
			next := c.NextSibling
			b.RemoveChild(c)
			c = next
		}
		for _, k := range kids {
			b.AppendChild(k)
		}
		return false
	})
}

// rawText is n's text as a reader sees it: the text nodes run together
// with no separator added (textOf adds one, which would count "Sum<b>mary"
// as two words), the space marks as spaces, skipped elements left out.
func rawText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				b.WriteString(c.Data)
			case html.ElementNode:
				if c.Data == "br" {
					b.WriteByte(' ')
				} else if !skippedInline[c.Data] && !invisibleElements[c.Data] {
					rec(c)
				}
			}
		}
	}
	rec(n)
	return strings.ReplaceAll(b.String(), spaceMark, " ")
}
