package web

import (
	"context"
	"time"

	"spektrum/internal/edition"
	"spektrum/internal/store"
)

// Store is everything the site asks of the store, all of it reads: the
// articles and their editions, sections, sources and Trending. Declared
// here, at its one consumer, so the site's reach is plain and a test or a
// read replica need provide no more; store.Store satisfies it.
type Store interface {
	// edition.Store: the translation rows an edition shows (the site hands
	// the store on to internal/edition).
	edition.Store
	ArticleReader
	SectionReader
	SourceReader
	StoryReader // stories.go
	Searcher    // search.go
	SettingsReader
	// Trending lists the articles most viewed since since, for the home
	// page's Trending box.
	Trending(ctx context.Context, since time.Time, limit int) ([]store.Article, error)
	// MostCovered lists the stories the most sources ran, for Trending
	// before any reader has been counted.
	MostCovered(ctx context.Context, since time.Time, limit int) ([]store.Article, error)
}

// ArticleReader reads articles: one by id or slug, pages of them (all
// languages for the API and sitemaps, one edition's for pages and feeds),
// and a count that doubles as the health check's round trip.
type ArticleReader interface {
	Article(ctx context.Context, id int64) (*store.Article, error)
	ArticleBySlug(ctx context.Context, slug string) (*store.Article, error)
	Articles(ctx context.Context, q store.ArticleQuery) (store.ArticlePage, error)
	EditionArticles(ctx context.Context, lang string, q store.ArticleQuery) (store.ArticlePage, error)
	CountArticles(ctx context.Context) (int, error)
	Copies(ctx context.Context, original int64) ([]store.Article, error)
}

// SectionReader reads the sections the navigation and section pages show.
type SectionReader interface {
	Sections(ctx context.Context) ([]store.Section, error)
	Section(ctx context.Context, slug string) (*store.Section, error)
}

// SourceReader reads sources for the API's source list and its ?source=
// filter.
type SourceReader interface {
	Source(ctx context.Context, id int64) (*store.Source, error)
	Sources(ctx context.Context) ([]store.Source, error)
}

// SettingsReader reads what an admin set for the site (package settings
// owns the keys) and its ad slots.
type SettingsReader interface {
	Settings(ctx context.Context) (map[string]string, error)
	AdSlots(ctx context.Context) ([]store.AdSlot, error)
}
