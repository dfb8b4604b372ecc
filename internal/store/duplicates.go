package store

import (
	"context"
	"time"
)

// Signature is a stored article's near-duplicate signature (a MinHash
// sketch of its text, package story) with what the stage needs to pick
// the original among copies.
type Signature struct {
	ArticleID   int64
	SourceID    int64
	FirstSeenAt time.Time
	DuplicateOf int64 // 0 for an original
	Signature   []uint32
}

// DuplicateStore keeps near-duplicate signatures and marks copies. Marking
// only groups: no article is changed or merged because of it.
type DuplicateStore interface {
	// PutSignature replaces an article's signature and its band keys; a
	// nil signature removes them (a text too short to judge).
	PutSignature(ctx context.Context, articleID int64, sig []uint32, bands []uint64) error
	// SignatureCandidates returns the signatures of other articles that
	// share at least one band key, at most limit of them.
	SignatureCandidates(ctx context.Context, bands []uint64, exclude int64, limit int) ([]Signature, error)
	// SetDuplicateOf marks articleID as a copy of original (0: of none).
	SetDuplicateOf(ctx context.Context, articleID, original int64) error
	// Copies returns the visible articles marked as copies of original,
	// oldest first.
	Copies(ctx context.Context, original int64) ([]Article, error)
	// MostCovered returns the visible originals published (or first seen)
	// since since that have visible copies, the most copies first, then
	// the newest: the stories most sources ran, for the front page's
	// Trending box before any reader has been counted.
	MostCovered(ctx context.Context, since time.Time, limit int) ([]Article, error)
}
