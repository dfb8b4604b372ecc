package pipeline

import (
	"context"
	"errors"
	"fmt"

	"spektrum/internal/edition"
	"spektrum/internal/jobs"
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

// searchDocs builds a's document in each edition that lists it
// (edition.SearchDocs: the one rule), reading its translations from the
// store.
func (p *Pipeline) searchDocs(ctx context.Context, a *store.Article) ([]store.SearchDoc, error) {
	return edition.SearchDocs(a, p.opts.Editions, func(ed string) (*store.Translation, error) {
		return p.st.Translation(ctx, a.ID, ed)
	})
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

// FillSearchTier fills the search index's tier of the newest documents
// where the store cannot copy them itself (store.SearchStore), building
// each article's documents as the search stage does. It returns how many
// documents it added.
func (p *Pipeline) FillSearchTier(ctx context.Context) (int, error) {
	return p.st.FillSearchTier(ctx, func(ctx context.Context, ids []int64) (map[int64][]store.SearchDoc, error) {
		out := make(map[int64][]store.SearchDoc, len(ids))
		for _, id := range ids {
			a, err := p.st.Article(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				continue // deleted since: no documents
			}
			if err != nil {
				return nil, err
			}
			docs, err := p.searchDocs(ctx, a)
			if err != nil {
				return nil, err
			}
			out[id] = docs
		}
		return out, nil
	})
}
