package store

import "context"

// GenerationStore keeps the site's page generation: a counter that changes
// in the same transaction as every write that changes what a reader-facing
// page, feed, sitemap or API answer shows (articles, translations,
// sections, what is shown of a source), so each web node's page cache
// (internal/pagecache) can tell cheaply whether its copies still hold.
// View counts and polling state do not change it.
type GenerationStore interface {
	// PageGeneration returns the current generation; it only grows.
	PageGeneration(ctx context.Context) (int64, error)
	// BumpPageGeneration advances it without any other change, for a purge
	// (`spektrum cache purge`) after something the store cannot see
	// changed, such as templates or settings; it returns the new value.
	BumpPageGeneration(ctx context.Context) (int64, error)
}
