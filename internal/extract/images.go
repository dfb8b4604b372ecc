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

func paragraphKey(n *html.Node) string {
	w := wordsOf(textOf(n))
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
