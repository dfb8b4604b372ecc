package ops

import (
	"context"
	"fmt"
)

// PageGenerations is what a purge needs of the store.
type PageGenerations interface {
	BumpPageGeneration(ctx context.Context) (int64, error)
}

// PurgePages makes every web node drop its cached pages within its
// staleness bound (a second by default) and, where a cache webhook is set,
// tells the CDN: it advances the page generation the nodes read. Writes
// through the store do this by themselves; a purge is for what the store
// cannot see (templates, settings or files changed on deploy). It returns
// the new generation.
func PurgePages(ctx context.Context, st PageGenerations) (int64, error) {
	gen, err := st.BumpPageGeneration(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge cached pages: %w", err)
	}
	return gen, nil
}
