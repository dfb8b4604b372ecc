package pipeline

import (
	"context"
	"errors"
	"fmt"

	"spektrum/internal/edition"
	"spektrum/internal/jobs"
	"spektrum/internal/lang"
	"spektrum/internal/search"
	"spektrum/internal/store"
)

// KindSearch is the stage that indexes an article for full-text search,
// once per edition it appears in, in the words that edition shows: when it
// is stored, again when it changes, and again when a translation arrives
// (putTranslation queues it). A hidden article is taken out of the index.
const KindSearch = "search"

// index replaces a's documents in the search index. Idempotent: it reads
// the article and its translations as they are now.
func (p *Pipeline) index(ctx context.Context, a *store.Article) error {
	docs, err := p.searchDocs(ctx, a)
	if err != nil {
		return err
	}
	return p.st.PutSearchDocs(ctx, a.ID, docs)
}

// searchDocs builds a's document in each edition that lists it: the
// article's own language (or any edition, when its language is unknown),
// and each edition the translate stage has finished with. Where the
// edition shows a translation (edition.Current: the one rule for it), the
// document holds the translated words and, as its extra field, the
// original's, so a reader finds it by either; where it shows the original,
// the original's words. Every field is analysed in the edition's language,
// as the edition's queries are: a French word in the English edition is
// stemmed by the English rules on both sides, so it still matches itself.
func (p *Pipeline) searchDocs(ctx context.Context, a *store.Article) ([]store.SearchDoc, error) {
	if a.Hidden {
		return nil, nil
	}
	own := lang.Base(a.Language)
	editions := p.opts.Editions
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
		t, err := p.st.Translation(ctx, a.ID, ed)
		if errors.Is(err, store.ErrNotFound) {
			continue // not in this edition yet; indexed when its translation arrives
		}
		if err != nil {
			return nil, fmt.Errorf("index article %d: %w", a.ID, err)
		}
		origTitle, origBody := search.Fields(ed, a.Title, body)
		if !edition.Current(a, t) {
			docs = append(docs, store.SearchDoc{Lang: ed, Title: origTitle, Body: origBody})
			continue
		}
		title, trBody := search.Fields(ed, t.Title, t.Summary+"\n"+t.Text)
		docs = append(docs, store.SearchDoc{Lang: ed, Title: title, Body: trBody, Extra: append(origTitle, origBody...)})
	}
	return docs, nil
}

// reindex queues the search stage for a again after its translation into
// ed arrived, when the stage is registered. The key names the edition: the
// article's own search job may be running right now, having read the
// translations before this one, and a job under its key would not be
// queued beside it.
func (p *Pipeline) reindex(ctx context.Context, a *store.Article, ed string) error {
	for _, s := range p.stages {
		if s.Kind != KindSearch {
			continue
		}
		if _, err := jobs.Enqueue(ctx, p.st, KindSearch, fmt.Sprintf("%s:%d:%s", KindSearch, a.ID, ed), a.SourceID, stagePayload{a.ID}); err != nil {
			return fmt.Errorf("queue search indexing of article %d: %w", a.ID, err)
		}
	}
	return nil
}

// IndexAll indexes every stored article now, in this process — after an
// upgrade brought the search index to a database that has articles, or to
// rebuild it. It returns how many articles it indexed.
func (p *Pipeline) IndexAll(ctx context.Context, progress func(n int)) (int, error) {
	n := 0
	q := store.ArticleQuery{Limit: 200}
	for {
		page, err := p.st.Articles(ctx, q)
		if err != nil {
			return n, err
		}
		for i := range page.Articles {
			if err := p.index(ctx, &page.Articles[i]); err != nil {
				return n, err
			}
			n++
		}
		if progress != nil {
			progress(n)
		}
		if page.NextCursor == "" {
			return n, nil
		}
		q.Cursor = page.NextCursor
	}
}
