package store

import (
	"context"
	"time"
)

// Story is a group of articles about one event, from any sources and in
// any languages, as the story stage filed them.
type Story struct {
	ID int64
	// ArticleID is the representative article (the earliest visible
	// original); Title is its headline, Language its language.
	ArticleID int64
	Title     string
	Language  string
	FirstAt   time.Time // the earliest and newest visible article's date
	LastAt    time.Time
	Articles  int // visible articles
	Sources   int // distinct sources among them
	Languages int // distinct languages among them
	// MergedInto is the story this one turned out to be part of (0: none).
	// Its articles moved there; pages redirect.
	MergedInto int64
}

// StoryQuery selects a page of stories, newest activity first.
type StoryQuery struct {
	Limit      int       // default 20, at most 200
	Cursor     string    // from StoryPage.Next; "" for the first page
	Since      time.Time // only stories with an article on or after this
	MinSources int       // only stories covered by at least this many sources
}

// StoryPage is one page of stories.
type StoryPage struct {
	Stories []Story
	Next    string // cursor of the next page; "" at the end
}

// StoryCentroid is a story's clustering state (package story's Centroid):
// its centroid vector, item count, newest item's time and the article
// count when its earliest weighed item was weighed.
type StoryCentroid struct {
	ID      int64
	Vector  map[uint64]float64
	Size    int
	Last    time.Time
	Weighed int
}

// StoryTx is the story stage's view of the database inside one
// serialised transaction (StoryStore.InStoryTx): the clusterer's state
// and the articles' story assignments.
type StoryTx interface {
	// CountFeatures counts one more article with these distinct features
	// and returns the article count and each feature's document
	// frequency, the article included.
	CountFeatures(ctx context.Context, features []uint64) (docs int, df []int, err error)
	// StoryCandidates returns the open (not merged, not aged out) stories
	// any of features finds whose newest item is not before since (zero:
	// any), ordered by ID.
	StoryCandidates(ctx context.Context, features []uint64, since time.Time) ([]StoryCentroid, error)
	// OpenStoryCentroid returns the state of story id or of the story it
	// was merged into; ErrNotFound if that story has aged out.
	OpenStoryCentroid(ctx context.Context, id int64) (*StoryCentroid, error)
	// CreateStory records a new story with c's state and sets c.ID.
	CreateStory(ctx context.Context, c *StoryCentroid) error
	// SaveStory stores c's state; added are the features that must find
	// it from now on.
	SaveStory(ctx context.Context, c *StoryCentroid, added []uint64) error
	// MergeStory moves story gone's articles into keep and marks it merged.
	MergeStory(ctx context.Context, gone, keep int64) error
	// SetArticleStory files an article under a story and refreshes the
	// story's counts and representative.
	SetArticleStory(ctx context.Context, articleID, storyID int64) error
	// StoryFrequencies returns the article count and each feature's
	// document frequency, counting nothing.
	StoryFrequencies(ctx context.Context, features []uint64) (docs int, df []int, err error)
	// StaleStories returns the open stories (not merged, not aged out) of
	// at most size items, weighed at an article count of at most weighed,
	// whose newest item is not before since (zero: any), ordered by ID.
	StaleStories(ctx context.Context, weighed, size int, since time.Time) ([]StoryCentroid, error)
	// StoryMembers returns every article filed under a story, hidden ones
	// too (the clusterer counted them), with the fields the clusterer
	// reads: ID, Title, URL, Language, Text, PublishedAt, FirstSeenAt.
	StoryMembers(ctx context.Context, id int64) ([]Article, error)
	// RelativeStory is the story of an article's near-duplicate
	// relatives: its original's (when original is not 0), else that of
	// any copy of it; 0 when none has one.
	RelativeStory(ctx context.Context, articleID, original int64) (int64, error)
}

// StoryStore keeps stories.
type StoryStore interface {
	// InStoryTx runs fn in one transaction that no other InStoryTx, in
	// this process or another on the same database, runs beside: the
	// story stage's steps take turns, so no two create the same story.
	// fn must reach the database only through tx: on SQLite the
	// transaction holds the one write turn.
	InStoryTx(ctx context.Context, fn func(tx StoryTx) error) error
	// Story returns one story, merged or not; ErrNotFound if none.
	Story(ctx context.Context, id int64) (*Story, error)
	// StoryArticles returns a story's visible articles, oldest first, at
	// most limit (default 200).
	StoryArticles(ctx context.Context, id int64, limit int) ([]Article, error)
	// Stories returns a page of stories not merged away that have a
	// visible article, newest activity first.
	Stories(ctx context.Context, q StoryQuery) (StoryPage, error)
	// AgeStories closes the stories whose newest item is before before:
	// their clustering state is dropped, so no article joins them again.
	// It returns how many closed.
	AgeStories(ctx context.Context, before time.Time) (int, error)
}
