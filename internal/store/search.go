package store

import "context"

// Search orders.
const (
	SortRelevance = "relevance" // best match first (the engine's ranking), then newest
	SortNewest    = "newest"    // newest first, like listings
)

// SearchDoc is what the full-text index keeps of one article in one
// edition: analysed terms (package search), not text. Title, Body and
// Extra are separate fields: a phrase never runs from one into the next,
// and a hit in the title ranks higher. Extra holds the original's terms of
// a translated article, so its edition finds it by either language's words.
type SearchDoc struct {
	Lang  string // the edition
	Title []string
	Body  []string
	Extra []string
}

// SearchQuery asks an edition's index for the visible articles (copies
// left out, like listings) that match every group of Groups: a group of one
// term is a word, of several a phrase (the terms in a row).
type SearchQuery struct {
	Lang   string
	Groups [][]string
	Sort   string // SortRelevance (default) or SortNewest
	Limit  int    // <= 0 means 20; capped at 200
	Cursor string // from a previous page's NextCursor; ErrBadCursor when mangled or of the other order
}

// SearchCountCap is where a search stops counting its matches: a reader
// learns nothing from "48,213 results" that "1,000+" does not tell, and
// counting every match of a common word was most of a search's time.
const SearchCountCap = 1000

// SearchRankCap is how many matches a relevance order ranks: the newest
// this many, on both engines; the older matches follow them newest first.
// Ranking every match of a word most articles hold was most of a search's
// time, and each ranked match costs PostgreSQL its tsvector read twice
// (docs/benchmarks.md); news readers want the recent ones. At most
// SearchCountCap, so a count under it means every match was ranked.
const SearchRankCap = 200

// SearchPage is one page of results.
type SearchPage struct {
	Articles   []Article
	Total      int    // matching articles in all pages, counted up to SearchCountCap
	TotalMore  bool   // the count stopped at SearchCountCap: there are more
	NextCursor string // "" when there are no more
}

// SearchStore keeps the full-text index inside the database, so every web
// node of a PostgreSQL deployment searches the same index. SQLite (FTS5)
// and PostgreSQL (tsvector, GIN) return the same set of articles for the
// same terms and the same newest-first order; relevance orders may differ
// between them (bm25 and ts_rank_cd weigh differently).
type SearchStore interface {
	// PutSearchDocs replaces every indexed document of the article with
	// docs (one per edition; none removes the article from search).
	PutSearchDocs(ctx context.Context, articleID int64, docs []SearchDoc) error
	// Search returns one page of matching articles.
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
	// OptimizeSearch tidies the index after a bulk load (a reindex, an
	// import), which leaves it in many small pieces that every search
	// reads; it changes no result. It may take a while (seconds per
	// 100,000 articles) and runs in the write turn.
	OptimizeSearch(ctx context.Context) (SearchOptimized, error)
	// FillSearchTier fills the index's tier of the newest documents
	// downward until it holds as many as it keeps, where the engine cannot
	// copy them itself (SQLite's index keeps no terms, so a database indexed
	// before the tier existed starts with it empty): docs returns the
	// documents of the given articles, as PutSearchDocs was given them.
	// It returns how many documents it added; 0 where there is nothing to
	// do. It changes no result.
	FillSearchTier(ctx context.Context, docs func(ctx context.Context, articleIDs []int64) (map[int64][]SearchDoc, error)) (int, error)
}

// SearchOptimized is what OptimizeSearch did, for the operator who ran it.
type SearchOptimized struct {
	// Steps is the merge steps run (SQLite; 0 on PostgreSQL, which has
	// none).
	Steps int
	// Partial tells that the merge stopped at its page budget with
	// segments left (written meanwhile by a server beside it): those are
	// left to the engine's own merging as it writes (FTS5's automerge).
	Partial bool
}
