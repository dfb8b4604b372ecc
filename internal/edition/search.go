package edition

import (
	"errors"
	"fmt"

	"spektrum/internal/lang"
	"spektrum/internal/search"
	"spektrum/internal/store"
)

// SearchDocs builds a's full-text document in each of the editions that
// lists it: the article's own language (or every edition, when its language
// is unknown; its own alone when editions is empty), and each edition with
// a translation row (translation returns store.ErrNotFound for none). Where
// the edition shows a translation (Current), the document holds the
// translated words and, as its extra field, the original's, so a reader
// finds it by either; where it shows the original, the original's words.
// Every field is analysed in the edition's language, as the edition's
// queries are: a French word in the English edition is stemmed by the
// English rules on both sides, so it still matches itself. A hidden article
// has none. The search stage and the scale benchmark's bulk load both build
// their documents here.
func SearchDocs(a *store.Article, editions []string, translation func(ed string) (*store.Translation, error)) ([]store.SearchDoc, error) {
	if a.Hidden {
		return nil, nil
	}
	own := lang.Base(a.Language)
	if len(editions) == 0 && own != "" {
		editions = []string{own}
	}
	body := a.Summary + "\n" + a.Text
	var docs []store.SearchDoc
	for _, ed := range editions {
		if own == "" || own == ed {
			title, body := search.Fields(ed, a.Title, body)
			docs = append(docs, store.SearchDoc{Lang: ed, Title: title, Body: body})
			continue
		}
		t, err := translation(ed)
		if errors.Is(err, store.ErrNotFound) {
			continue // not in this edition yet; indexed when its translation arrives
		}
		if err != nil {
			return nil, fmt.Errorf("index article %d: %w", a.ID, err)
		}
		origTitle, origBody := search.Fields(ed, a.Title, body)
		if !Current(a, t) {
			docs = append(docs, store.SearchDoc{Lang: ed, Title: origTitle, Body: origBody})
			continue
		}
		title, trBody := search.Fields(ed, t.Title, t.Summary+"\n"+t.Text)
		docs = append(docs, store.SearchDoc{Lang: ed, Title: title, Body: trBody, Extra: append(origTitle, origBody...)})
	}
	return docs, nil
}
