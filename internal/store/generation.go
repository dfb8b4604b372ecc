package store

import (
	"context"
	"strconv"
)

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
	// PageChanges returns, in one read, the current generation and the
	// scopes recorded for each generation after after (migration 0032):
	// the writes of articles, translations and stories name what they
	// touch ("article:<id>", "section:<slug>", "story:<id>"). A generation
	// in (after, gen] absent from scopes touched everything: every other
	// write, and those whose rows were pruned or lie more than
	// MaxPageChanges back. after <= 0 reads the generation alone.
	//
	// epoch, read in the same statement, changes whenever the database may
	// have lost commits it had already answered for: writes under
	// LaterDurable commit without waiting for the disk, the generation's
	// bump with them, so after a PostgreSQL crash the generation can go
	// back and new writes reuse the lost numbers. A reader that sees the
	// epoch change must treat every generation it knew as gone (as when
	// the generation goes back). PostgreSQL: the postmaster's start and
	// the reset of its statistics, which crash recovery (also the
	// in-place restart after a backend crash, which keeps the start)
	// discards; SQLite commits durably, so its epoch never changes.
	PageChanges(ctx context.Context, after int64) (gen int64, epoch string, scopes map[int64][]string, err error)
}

// MaxPageChanges is how many generations back PageChanges reads scopes;
// older ones count as touching everything. A page cache remembers as many
// moves (internal/pagecache).
const MaxPageChanges = 1024

// The scopes of PageChanges, as Go builds them for a page to register
// (pagecache.Scope). Migration 0032's triggers build the same strings in
// SQL, in each dialect; storetest's PageChanges checks that they agree.

// ArticleScope names an article's own row: its page, its translations,
// its copies (a copy's write names its original too).
func ArticleScope(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// SectionScope names a section's newest articles (a related list).
func SectionScope(slug string) string { return "section:" + slug }

// StoryScope names a story's counts and headline.
func StoryScope(id int64) string { return "story:" + strconv.FormatInt(id, 10) }
