package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Article is what one page yields. Times are zero when the page gives none.
type Article struct {
	Title, Author       string
	Published, Modified time.Time
	// Language is the primary language subtag the page declares ("de"),
	// or TextLanguage when it declares none.
	Image, Language, CanonicalURL, SiteName, Section, Description string
	// TextLanguage is the body's language as go-trafilatura guessed it
	// (whatlanggo over the text it extracted, which it runs on every page
	// whatever its options say), "" when it could not tell.
	TextLanguage string
	// LanguageDeclared reports that Language is the page's declaration
	// (html lang, a meta tag, JSON-LD, og:locale), not the guess.
	LanguageDeclared bool
	// HTML is the sanitized body, relative URLs resolved against the page URL.
	HTML string
	// Text is the plain text of the body, paragraphs separated by "\n\n".
	Text string
}

// ErrNoArticle is wrapped when a page holds no article body (an index page,
// an error page, a login wall). Callers should keep the feed item's own
// content instead of retrying.
var ErrNoArticle = errors.New("no article found")

// minArticleRunes is the least body text we call an article. Short wire
// briefs run to about two sentences; navigation and error pages that survive
// extraction are shorter.
const minArticleRunes = 140

// minSentences is the fewest sentence ends an article body has.
const minSentences = 2

// A sentence end is followed by space, the end, or — where a CMS glued
// paragraphs together ("Wednesday.The") — a capital letter.
var sentenceEnd = regexp.MustCompile(`[.!?…。！？]["'»”“)]*(\s|$|\p{Lu})`)

// Extractor extracts articles from pages. It holds no mutable state and is
// safe for concurrent use.
type Extractor struct {
	sanitizer *Sanitizer
	// alwaysFallback runs go-trafilatura's fallbacks on every page, as
	// before fallbackCannotWin: the tests' reference.
	alwaysFallback bool
	// allMetadata has go-trafilatura search the page for all its metadata,
	// the fields merge will not read too: the tests' reference.
	allMetadata bool
}

// New returns an Extractor.
func New() *Extractor {
	return &Extractor{sanitizer: NewSanitizer()}
}

// Extract reads the article in page, a UTF-8 HTML document fetched from
// pageURL. It returns an error wrapping ErrTooLarge for pages over
// MaxPageBytes, ErrNoArticle when there is no article body, and ctx.Err()
// when ctx ends between stages (trafilatura itself cannot be interrupted,
// which the size and tree budgets make tolerable).
func (e *Extractor) Extract(ctx context.Context, page []byte, pageURL string) (*Article, error) {
	return e.ExtractWithProfile(ctx, page, pageURL, nil)
}

// ExtractWithProfile is Extract with what is known about the page's site:
// blocks that profile has seen on the site's other pages are dropped from
// the body (see SiteProfile). A nil profile is Extract.
func (e *Extractor) ExtractWithProfile(ctx context.Context, page []byte, pageURL string, profile *SiteProfile) (*Article, error) {
	a, _, err := e.extract(ctx, page, pageURL, profile, false)
	return a, err
}

// ExtractLearning is ExtractWithProfile that also reads what a SiteProfile
// learns from the page (SiteProfile.LearnBlocks), from the tree the
// extraction parses anyway: Learn would parse the page a second time.
// With learn false it reads none (nil), as ExtractWithProfile.
func (e *Extractor) ExtractLearning(ctx context.Context, page []byte, pageURL string, profile *SiteProfile, learn bool) (*Article, *PageBlocks, error) {
	return e.extract(ctx, page, pageURL, profile, learn)
}

func (e *Extractor) extract(ctx context.Context, page []byte, pageURL string, profile *SiteProfile, learn bool) (*Article, *PageBlocks, error) {
	if len(page) > MaxPageBytes {
		return nil, nil, failf(pageURL, "%d bytes exceeds the %d byte limit: %w", len(page), MaxPageBytes, ErrTooLarge)
	}
	var base *url.URL
	if pageURL != "" {
		u, err := url.Parse(pageURL)
		if err != nil || !u.IsAbs() {
			return nil, nil, fmt.Errorf("extract: page URL %q must be absolute (http or https)", pageURL)
		}
		base = u
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, failf(pageURL, "%w", err)
	}

	doc, err := parseBounded(page)
	if err != nil {
		return nil, nil, failf(pageURL, "%w", err)
	}
	var blocks *PageBlocks
	if learn {
		blocks = pageBlocks(doc) // before the body pass prunes the tree
	}
	meta := readMetadata(doc, base)
	if err := ctx.Err(); err != nil {
		return nil, nil, failf(pageURL, "%w", err)
	}

	// The body pass works on the same tree; metadata has been read already.
	fixLazyImages(doc)
	st := countText(doc)
	freeQuotes(doc, st)
	pruneOverlays(doc)
	pruneChrome(doc, st)
	st.recount(doc) // the shares below are of what chrome left
	pruneHeadlineRuns(doc, st)
	st.recount(doc)
	pruneCaptions(doc, st)
	renameCustomElements(doc)
	wrapLooseText(doc)
	markInlineSpaces(doc)
	var unread trafilatura.MetadataFields
	if !e.allMetadata {
		unread = meta.trafilaturaUnread()
	}
	res, err := extractBody(doc, meta.base, e.alwaysFallback, !meta.jsonld.Published.IsZero() || !meta.og.Published.IsZero() || !meta.meta.Published.IsZero(), unread)
	if err != nil {
		return nil, nil, failf(pageURL, "%w: %w", ErrNoArticle, err)
	}
	if res.ContentNode == nil {
		return nil, nil, failf(pageURL, "trafilatura returned no content: %w", ErrNoArticle)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, failf(pageURL, "%w", err)
	}

	unmarkSpaces(res.ContentNode)
	a := meta.merge(res.Metadata)
	cleanExtracted(res.ContentNode, a.Title)
	voteArticleBody(res.ContentNode, meta.articleBody)
	profile.prune(res.ContentNode)
	restoreMarkup(doc, res.ContentNode)
	restoreImages(doc, res.ContentNode)
	var buf bytes.Buffer
	for c := res.ContentNode.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&buf, c); err != nil {
			return nil, nil, failf(pageURL, "render body: %w", err)
		}
	}
	baseStr := ""
	if meta.base != nil {
		baseStr = meta.base.String()
	}
	a.HTML = e.sanitizer.SanitizeWithTitle(buf.String(), baseStr, a.Title)
	a.Text = Text(a.HTML)
	if n := utf8.RuneCountInString(a.Text); n < minArticleRunes {
		return nil, nil, failf(pageURL, "the body has %s, fewer than %d: %w", plural(n, "character"), minArticleRunes, ErrNoArticle)
	}
	// When trafilatura finds nothing it falls back to the page's whole text;
	// on index pages that is a run of headlines and menu items. Prose has
	// sentence punctuation in every language we read; headlines do not.
	if n := len(sentenceEnd.FindAllStringIndex(a.Text, minSentences)); n < minSentences && !isListing(a.HTML, a.Text) {
		return nil, nil, failf(pageURL, "the body has %s, fewer than %d (a list of headlines or links?): %w", plural(n, "sentence"), minSentences, ErrNoArticle)
	}
	return &a, blocks, nil
}

const (
	// minListingLines: a body of this many lines without sentences is a
	// table or a list (a calendar, results, a price list), if it is not
	// links.
	minListingLines = 8
	// maxListingLinkShare: the share of a listing's text that may be link
	// text; index pages, which the sentence check is there to refuse, are
	// lists of linked headlines.
	maxListingLinkShare = 0.2
)

// isListing reports whether a body without sentences is nonetheless an
// article: many lines of tabular or listed facts, almost none of them links.
// It runs only on the rare bodies that fail the sentence check.
func isListing(body, text string) bool {
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			lines++
		}
	}
	if lines < minListingLines {
		return false
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return false
	}
	c := countText(doc)[findFirst(doc, "body")]
	return c.text > 0 && float64(c.link) <= maxListingLinkShare*float64(c.text)
}

// extractBody runs trafilatura on doc (which it clones, leaving doc intact)
// with its fallbacks (go-readability, go-domdistiller) on, and returns what
// that run returns. Running the main pass alone, without the fallbacks'
// comparison, scored higher on the benchmark's development half and lower on
// the held-out half, so the comparison stays; but its go-readability run (an
// eighth of a page's ingest CPU) can often be proven unable to win, and is
// then not run.
func extractBody(doc *html.Node, base *url.URL, always, haveDate bool, unread trafilatura.MetadataFields) (*trafilatura.ExtractResult, error) {
	opts := trafilatura.Options{
		SkipMetadata:   unread,
		OriginalURL:    base,
		EnableFallback: true,
		// Images and links change which container trafilatura settles on
		// (figures become paragraphs, link-heavy lists survive) and cost
		// about half a point of F1 on the benchmark; the story's pictures
		// are put back afterwards (restore.go).
		IncludeImages:   false,
		IncludeLinks:    false,
		ExcludeComments: true,
		// Our own pass finds dates in meta tags and labelled text; the
		// extensive htmldate scan costs more than the whole extraction.
		HtmlDateMode: trafilatura.Fast,
	}
	if haveDate {
		// The page declared its date; trafilatura's guess would be
		// thrown away.
		opts.HtmlDateMode = trafilatura.Disabled
	}
	if always {
		return trafilatura.ExtractDocument(doc, opts)
	}
	// go-trafilatura takes a fallback's candidate C over its own
	// extraction E (external.go, candidateIsUsable) when C has more than
	// twice E's text, or, with C over 500 characters and at most twice E's
	// length, when E's paragraphs hold no text or it has more tables than
	// paragraphs. So a first run offers one candidate of its own, a sentinel
	// S of max(B+1, 501) characters, where B bounds any text go-readability
	// or go-domdistiller could extract (fallbackTextBound), and empty ones
	// for the two. If S is not taken, E has at least (B+1)/2 characters (and
	// readability's can be no more than twice that), and E's paragraphs and
	// tables are not what would let a candidate of B or fewer win where E
	// is up to twice as long (S would have won first): the run with the real
	// fallbacks would have returned what this one did, which it did without
	// running them. If S is taken, the page is extracted again with them.
	// (S is also not taken when E has exactly its length, which the reasoning
	// does not cover: one length in some thousands.)
	bound, para := fallbackTextBound(doc)
	if 2*para < bound {
		// Less than half the text is in paragraphs: trafilatura's own
		// extraction, mostly paragraphs, would rarely beat the sentinel
		// (19 of 264 test pages take the first run when they should not,
		// 8 are sent straight on that need not be), and the first run
		// would be paid twice. The result is the same either way.
		return trafilatura.ExtractDocument(doc, opts)
	}
	size := max(bound+1, 2*trafilaturaMinExtracted+1)
	// One ASCII word: go-trafilatura measures a candidate through
	// strings.Fields, whose ASCII path is several times faster than the
	// rune by rune one a private-use character sent it down, over a text
	// as long as the page's. S is known again by its node, not its text.
	sentinel := strings.Repeat("x", size)
	p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
	p.AppendChild(&html.Node{Type: html.TextNode, Data: sentinel})
	s := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	s.AppendChild(p)
	first := opts
	first.FallbackCandidates = &trafilatura.FallbackCandidates{
		Others:      []*html.Node{s},
		Readability: &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div},
		Distiller:   &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div},
	}
	res, err := trafilatura.ExtractDocument(doc, first)
	if err == nil && res.ContentNode != nil && res.ContentNode != s {
		return res, nil
	}
	return trafilatura.ExtractDocument(doc, opts)
}

// trafilaturaMinExtracted is go-trafilatura's default MinExtractedSize: a
// candidate needs more than twice it to win on its own paragraphs' merit.
const trafilaturaMinExtracted = 250

// fallbackTextBound returns an upper bound on the length of the text (as
// go-trafilatura measures it: text nodes joined by a space, runs of
// white space collapsed) of anything go-readability or go-domdistiller
// extract from doc: both keep a subset of its text nodes, without the
// scripts and style sheets they remove first. para is the part of it in
// paragraphs (<p>).
func fallbackTextBound(doc *html.Node) (bound, para int) {
	var visit func(x *html.Node, inP bool)
	visit = func(x *html.Node, inP bool) {
		switch x.Type {
		case html.TextNode:
			n := fieldsLen(x.Data)
			bound += n
			if inP {
				para += n
			}
			return
		case html.ElementNode:
			if x.DataAtom == atom.Script || x.DataAtom == atom.Style {
				return
			}
			inP = inP || x.DataAtom == atom.P
		}
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			visit(c, inP)
		}
	}
	visit(doc, false)
	return bound, para
}

// fieldsLen is the runes of s's fields plus one for each: the length
// strings.Fields and a join by spaces give it, plus one, without the copies.
func fieldsLen(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			n++ // the space before the field
			in = true
		}
		n++
	}
	return n
}

// failf makes an extraction error that names the page by its address; a
// page given without one (a saved file) is named by the caller, so "extract
// : …" never appears.
func failf(pageURL, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if pageURL == "" {
		return err
	}
	return fmt.Errorf("extract %s: %w", pageURL, err)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
