package aeb

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Extractor turns a page's HTML into its article body text; GoTrafilatura
// is one, and the project's own extractor can be adapted to the same shape.
type Extractor = func(html []byte, url string) (string, error)

// Run extracts every page with extract on the calling goroutine and scores
// the results. The duration covers the extract calls only, so it measures
// the extractor rather than loading or scoring. A failing page is scored as
// an empty prediction and counted in Result.Errors, as upstream's harness
// records empty output for a crashed extractor.
func Run(pages []Page, extract Extractor) (Result, time.Duration) {
	pred := make(map[string]string, len(pages))
	errs := 0
	var spent time.Duration
	for _, p := range pages {
		start := time.Now()
		text, err := extract(p.HTML, p.URL)
		spent += time.Since(start)
		if err != nil {
			errs++
			text = ""
		}
		pred[p.ID] = text
	}
	res := Score(TruthMap(pages), pred)
	res.Errors = errs
	return res, spent
}

// GoTrafilatura extracts with go-trafilatura the way upstream's
// extractors/go_trafilatura harness does, so its score is comparable with
// the published go_trafilatura row: the UTF-8 bytes are parsed with
// x/net/html (no charset sniffing), EnableFallback is on, no URL is passed
// (the harness passes none), and soft hyphens are removed from the text,
// as the harness's normalize does.
func GoTrafilatura(page []byte, _ string) (string, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", fmt.Errorf("aeb: parsing html: %w", err)
	}
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{EnableFallback: true})
	if err != nil {
		return "", fmt.Errorf("aeb: go-trafilatura: %w", err)
	}
	return strings.ReplaceAll(res.ContentText, "\u00ad", ""), nil
}
