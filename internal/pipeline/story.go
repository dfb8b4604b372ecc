package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/story"
)

// KindStory is the stage that files every stored article under a story:
// the reports of one event from any sources, in any languages. It runs the
// same online step as `spektrum cluster` (story.Assign, DefaultOptions)
// against state kept in the database, one step at a time per database
// (store.StoryStore.InStoryTx says why a lock). It follows the dedupe
// stage, so a near-duplicate copy knows its original and joins its story.
const KindStory = "story"

// KindAgeStories is the periodic job that closes stories idle for twice
// the clustering window: the step already ignores stories idle for one
// window before an article's date; the second window leaves room for late
// arrivals, and closing drops their state so the tables stay the size of
// the news of a few days.
const KindAgeStories = "age-stories"

// fileStory assigns a to a story. An article already filed stays where it
// is (idempotent): its story is where readers found it. With
// Options.StoryGroup above 1 the step runs in a group with the articles
// other workers of this process file meanwhile (storyFiler).
func (p *Pipeline) fileStory(ctx context.Context, a *store.Article) error {
	if a.StoryID != 0 {
		return nil
	}
	if p.opts.StoryGroup <= 1 {
		return p.fileGroup(ctx, []*store.Article{a})[0]
	}
	return p.filer.file(ctx, a, p.opts.StoryGroup, p.fileGroup)
}

// fileInTx is one article's story step, in the story transaction tx. A
// panic is the article's error, so it fails alone in its group.
func (p *Pipeline) fileInTx(ctx context.Context, tx store.StoryTx, a *store.Article) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in the story step: %v", r)
		}
	}()
	o := p.story
	it := item(a)
	st := storyState{tx: tx, article: a.ID}
	id, err := tx.RelativeStory(ctx, a.ID, a.DuplicateOf)
	if err != nil {
		return err
	}
	if id == 0 {
		// Assign files the article (State.File) and may merge its
		// story into another before it returns.
		_, err := story.Assign(ctx, st, o, it)
		return err
	}
	c, err := tx.OpenStoryCentroid(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The relative's story has closed: the copy goes there all the same.
		return tx.SetArticleStory(ctx, a.ID, id)
	case err != nil:
		return err
	}
	return story.Join(ctx, st, o, it, fromStore(c))
}

func (p *Pipeline) handleAgeStories(ctx context.Context, _ *store.Job) error {
	n, err := p.st.AgeStories(ctx, p.opts.Now().Add(-2*p.story.Window))
	if n > 0 {
		p.opts.Logger.InfoContext(ctx, "stories closed", "stories", n)
	}
	return err
}

// storyState is story.State over the store's story transaction, for the
// step filing article.
type storyState struct {
	tx      store.StoryTx
	article int64
}

func fromStore(c *store.StoryCentroid) *story.Centroid {
	return &story.Centroid{ID: c.ID, Vector: c.Vector, Size: c.Size, Last: c.Last, Weighed: c.Weighed}
}

func toStore(c *story.Centroid) *store.StoryCentroid {
	return &store.StoryCentroid{ID: c.ID, Vector: c.Vector, Size: c.Size, Last: c.Last, Weighed: c.Weighed}
}

func (s storyState) Observe(ctx context.Context, features []uint64) (int, []int, error) {
	return s.tx.CountFeatures(ctx, features)
}

func (s storyState) Candidates(ctx context.Context, features []uint64, since time.Time) ([]*story.Centroid, error) {
	cs, err := s.tx.StoryCandidates(ctx, features, since)
	if err != nil {
		return nil, err
	}
	out := make([]*story.Centroid, len(cs))
	for i := range cs {
		out[i] = fromStore(&cs[i])
	}
	return out, nil
}

func (s storyState) Open(ctx context.Context, c *story.Centroid) error {
	sc := toStore(c)
	if err := s.tx.CreateStory(ctx, sc); err != nil {
		return err
	}
	c.ID = sc.ID
	return nil
}

func (s storyState) Save(ctx context.Context, c *story.Centroid, added []uint64) error {
	return s.tx.SaveStory(ctx, toStore(c), added)
}

func (s storyState) Merge(ctx context.Context, gone, keep int64) error {
	return s.tx.MergeStory(ctx, gone, keep)
}

func (s storyState) File(ctx context.Context, id int64, _ story.Item) error {
	return s.tx.SetArticleStory(ctx, s.article, id)
}

func (s storyState) Frequencies(ctx context.Context, features []uint64) (int, []int, error) {
	return s.tx.StoryFrequencies(ctx, features)
}

func (s storyState) Stale(ctx context.Context, weighed, size int, since time.Time) ([]*story.Centroid, error) {
	cs, err := s.tx.StaleStories(ctx, weighed, size, since)
	if err != nil {
		return nil, err
	}
	out := make([]*story.Centroid, len(cs))
	for i := range cs {
		out[i] = fromStore(&cs[i])
	}
	return out, nil
}

// Members reads a story's articles back as the step saw them.
func (s storyState) Members(ctx context.Context, id int64) ([]story.Item, error) {
	arts, err := s.tx.StoryMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]story.Item, len(arts))
	for i, a := range arts {
		out[i] = item(&a)
	}
	return out, nil
}

// item is an article as the story step sees it.
func item(a *store.Article) story.Item {
	return story.Item{ID: strconv.FormatInt(a.ID, 10), Title: a.Title, URL: a.URL, Language: a.Language,
		Text: a.Text, Published: a.Date()}
}
