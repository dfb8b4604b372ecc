package feed

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Format names the wire format a body was parsed from.
type Format string

// The formats Parse recognises.
const (
	FormatRSS          Format = "rss"
	FormatAtom         Format = "atom"
	FormatRDF          Format = "rdf"
	FormatJSON         Format = "json"
	FormatSitemap      Format = "sitemap"
	FormatSitemapIndex Format = "sitemapindex"
	FormatNewsSitemap  Format = "newssitemap"
)

// Feed is a parsed feed or sitemap, independent of its wire format.
type Feed struct {
	Format      Format
	Title       string
	Description string
	SiteURL     string
	Language    string
	Items       []Item
	// Sitemaps lists the child sitemaps of a sitemap index, newest lastmod
	// first, so a caller with a budget polls the fresh ones.
	Sitemaps []string
}

// Item is one entry of a feed or one URL of a sitemap.
type Item struct {
	GUID    string
	URL     string // absolute; "" when the entry has neither link nor URL-like GUID
	Title   string
	Author  string // several authors joined with ", "
	Summary string // as given (may be HTML)
	Content string // full HTML as given (unsanitized; the caller sanitizes)
	// Published falls back to Updated; both are UTC and zero when missing
	// or unparseable.
	Published, Updated time.Time
	Categories         []string
	Image              string
	Language           string
}

// Errors Parse returns, wrapped with the details; test with errors.Is.
var (
	// ErrNotFeed means the body is an HTML page, plain text, binary data or
	// empty: the URL points at something other than a feed.
	ErrNotFeed = errors.New("not a feed")
	// ErrUnknownFormat means the body is XML or JSON, but not a feed or
	// sitemap format this package knows.
	ErrUnknownFormat = errors.New("unknown feed format")
	// ErrMalformed means the body starts like a feed but is truncated or
	// invalid XML/JSON.
	ErrMalformed = errors.New("malformed feed")
	// ErrTooComplex means the body is nested deeper, or has more elements,
	// attributes or values, than any real feed or sitemap; parsing it would
	// cost far more memory than its size (see the package doc).
	ErrTooComplex = errors.New("not a feed Spektrum can read")
)

// maxSitemapEntries is the sitemap protocol's limit per file; anything past
// it is not a sitemap a search engine would read either.
const maxSitemapEntries = 50000

// Parse detects the format from the content itself and parses it. body is
// the raw response body: the XML encoding declaration and BOMs are honoured,
// and invalid UTF-8 is repaired rather than rejected. baseURL (normally the
// URL the body was fetched from) resolves relative links.
func Parse(body []byte, baseURL string) (*Feed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: the body is empty; check that the URL serves a feed and the server returned content", ErrNotFeed)
	}
	if msg := binaryReason(body); msg != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotFeed, msg)
	}
	text, err := toUTF8(body)
	if err != nil {
		return nil, err
	}
	if LooksLikeHTML(text) {
		return nil, fmt.Errorf("%w: the body is an HTML page; add the page's feed URL as the source, or add the page and let discovery find its feed", ErrNotFeed)
	}
	text, err = checkShape(text)
	if err != nil {
		return nil, err
	}
	kind, err := sniff(text)
	if err != nil {
		return nil, err
	}
	switch kind {
	case FormatRSS, FormatRDF, FormatAtom:
		return parseXMLFeed(text, kind, baseURL)
	case FormatJSON:
		return parseJSONFeed(text, baseURL)
	case FormatSitemap:
		return parseURLSet(text, baseURL)
	case FormatSitemapIndex:
		return parseSitemapIndex(text, baseURL)
	}
	return nil, fmt.Errorf("%w: detected %q but no parser handles it", ErrUnknownFormat, kind)
}
