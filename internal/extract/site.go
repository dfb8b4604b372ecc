package extract

import (
	"fmt"
	"hash/fnv"
	"strings"

	"golang.org/x/net/html"
)

// SiteProfile is what an aggregator learns about one site from several of
// its pages: the blocks of text that repeat from page to page are the site's
// template — the "About us" paragraph under every press release, the
// newsletter pitch, the author's standing bio, the "Read more on …" line —
// however the site names its classes and in whatever language it writes.
// A story's own paragraphs do not recur across different stories.
//
// Learn pages of the site other than the one to extract (the pipeline keeps
// a profile per source and feeds it the pages it has already processed),
// then pass the profile to ExtractWithProfile. Learn is not safe for use
// concurrently with itself or with ExtractWithProfile; extraction only reads
// the profile, so any number of extractions may share one that is no longer
// learning.
type SiteProfile struct {
	pages int
	// seen counts, per block fingerprint, the learned pages holding it.
	seen map[uint64]int
}

// NewSiteProfile returns an empty profile.
func NewSiteProfile() *SiteProfile {
	return &SiteProfile{seen: map[uint64]int{}}
}

const (
	// minTemplateWords: shorter blocks ("Share", "Advertisement") are left
	// to the phrase rules; a fingerprint of two words would also match
	// ordinary short lines of unrelated stories.
	minTemplateWords = 5
	// maxProfileBlocks bounds a profile's memory: a site whose pages share
	// more distinct blocks than this is learned only up to it.
	maxProfileBlocks = 50000
	// maxTemplateShare: if the template would take more than this share of
	// a body, the "other" pages were versions of the same story (an update,
	// an AMP copy), not the template, and the profile is not applied.
	maxTemplateShare = 0.5
)

// blockKey fingerprints a block by its lower-cased words, so markup and
// whitespace differences between pages do not matter.
func blockKey(words []string) uint64 {
	h := fnv.New64a()
	for _, w := range words {
		h.Write([]byte(w))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Learn adds one page of the site to the profile.
func (p *SiteProfile) Learn(page []byte) error {
	if len(page) > MaxPageBytes {
		return fmt.Errorf("site profile: %d bytes exceeds the %d byte limit: %w", len(page), MaxPageBytes, ErrTooLarge)
	}
	doc, err := parseBounded(page)
	if err != nil {
		return fmt.Errorf("site profile: %w", err)
	}
	p.LearnBlocks(pageBlocks(doc))
	return nil
}

// PageBlocks is what a profile learns from one page: the fingerprints of
// its blocks of text (Extractor.ExtractLearning reads them).
type PageBlocks struct {
	keys map[uint64]bool
}

// pageBlocks reads the blocks of doc, a page's whole tree; nil when it has
// no body.
func pageBlocks(doc *html.Node) *PageBlocks {
	body := findFirst(doc, "body")
	if body == nil {
		return nil
	}
	keys := map[uint64]bool{}
	for _, b := range textBlocks(body) {
		if w := wordsOf(textOf(b)); len(w) >= minTemplateWords {
			keys[blockKey(w)] = true
		}
	}
	return &PageBlocks{keys: keys}
}

// LearnBlocks adds one page of the site, as ExtractLearning read it, to the
// profile; nil (a page without a body) adds nothing, as Learn does.
func (p *SiteProfile) LearnBlocks(b *PageBlocks) {
	if b == nil {
		return
	}
	keys := b.keys
	p.pages++
	for k := range keys {
		if _, ok := p.seen[k]; ok || len(p.seen) < maxProfileBlocks {
			p.seen[k]++
		}
	}
}

// Pages returns how many pages the profile has learned.
func (p *SiteProfile) Pages() int {
	if p == nil {
		return 0
	}
	return p.pages
}

// prune removes the template blocks from an extracted body. A block is
// template when it appeared on at least half of the learned pages (and on
// one at least).
func (p *SiteProfile) prune(root *html.Node) {
	if p == nil || p.pages == 0 {
		return
	}
	need := max(2, (p.pages+1)/2)
	var drop []*html.Node
	dropped, total := 0, 0
	for _, b := range textBlocks(root) {
		t := textOf(b)
		total += len(t)
		if w := wordsOf(t); len(w) >= minTemplateWords && p.seen[blockKey(w)] >= need {
			drop = append(drop, b)
			dropped += len(t)
		}
	}
	if len(drop) == 0 || float64(dropped) > maxTemplateShare*float64(total) {
		return
	}
	for _, b := range drop {
		remove(b)
	}
}

// String describes the profile for logs.
func (p *SiteProfile) String() string {
	if p == nil {
		return "no site profile"
	}
	return fmt.Sprintf("site profile of %d pages, %d distinct blocks", p.pages, len(p.seen))
}

// SiteKey is the key to keep profiles by: the page's host, lower-cased,
// without "www.", so that the pages of one site share a profile.
func SiteKey(u string) string {
	u = strings.ToLower(u)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return strings.TrimPrefix(u, "www.")
}

// textBlocks lists the leaf blocks below root that hold text.
func textBlocks(root *html.Node) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) bool {
		if leafBlocks[n.Data] && !hasBlockChild(n) {
			if textOf(n) != "" {
				out = append(out, n)
			}
			return false
		}
		return true
	})
	return out
}
