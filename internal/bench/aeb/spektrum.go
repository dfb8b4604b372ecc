package aeb

import (
	"context"

	"spektrum/internal/extract"
)

// Spektrum adapts the project's extractor to Run. The page URL is passed
// (the pipeline always has it); a page the extractor declines (ErrNoArticle)
// is an error and so scores as empty, as it would be in production.
func Spektrum(e *extract.Extractor) Extractor {
	return func(page []byte, url string) (string, error) {
		a, err := e.Extract(context.Background(), page, url)
		if err != nil {
			return "", err
		}
		return a.Text, nil
	}
}

// Halves splits pages (sorted by ID, as Load returns them) into the pages
// at even and at odd positions. Development looks at the even half only;
// the odd half is the held-out check that a change generalises.
func Halves(pages []Page) (even, odd []Page) {
	for i, p := range pages {
		if i%2 == 0 {
			even = append(even, p)
		} else {
			odd = append(odd, p)
		}
	}
	return even, odd
}
