package extract

import (
	"bytes"
	"net/url"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// NewAlwaysFallback returns an Extractor that runs go-trafilatura's
// fallbacks on every page: the reference the skipping one must match.
func NewAlwaysFallback() *Extractor {
	return &Extractor{sanitizer: NewSanitizer(), alwaysFallback: true}
}

// NewAllMetadata returns an Extractor that has go-trafilatura search the
// page for all its metadata, as released: the reference the one that skips
// what merge will not read must match.
func NewAllMetadata() *Extractor {
	return &Extractor{sanitizer: NewSanitizer(), allMetadata: true}
}

// ParseTrees returns page parsed in one pass (parseDirect; nil when it
// declines the page) and through the bounding pass.
func ParseTrees(page []byte) (direct, bounded *html.Node, err error) {
	bounded, err = html.Parse(bytes.NewReader(boundTokens(bytes.NewReader(page), maxDepth, maxElements)))
	if err != nil {
		return nil, nil, err
	}
	direct, _ = parseDirect(page)
	return direct, bounded, nil
}

// ExtractBody runs go-trafilatura on doc as the extractor does, with its
// fallbacks on every page (always) or where they could win.
func ExtractBody(doc *html.Node, base *url.URL, always bool) (*trafilatura.ExtractResult, error) {
	return extractBody(doc, base, always, false, 0)
}
