package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// inStory runs fn in a story transaction and fails the test on error.
func inStory(t *testing.T, s store.Store, fn func(tx store.StoryTx) error) {
	t.Helper()
	if err := s.InStoryTx(context.Background(), fn); err != nil {
		t.Fatalf("InStoryTx: %v", err)
	}
}

func testStoryState(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Document frequencies count per call, the article included; a
	// feature with the high bit set survives the signed column.
	high := uint64(1<<63 | 5)
	inStory(t, s, func(tx store.StoryTx) error {
		docs, df, err := tx.CountFeatures(ctx, []uint64{1, high})
		if err != nil || docs != 1 || fmt.Sprint(df) != "[1 1]" {
			t.Errorf("first CountFeatures = %d %v %v, want 1 [1 1]", docs, df, err)
		}
		docs, df, err = tx.CountFeatures(ctx, []uint64{high, 2})
		if err != nil || docs != 2 || fmt.Sprint(df) != "[2 1]" {
			t.Errorf("second CountFeatures = %d %v %v, want 2 [2 1]", docs, df, err)
		}
		docs, df, err = tx.CountFeatures(ctx, nil)
		if err != nil || docs != 3 || len(df) != 0 {
			t.Errorf("featureless CountFeatures = %d %v %v, want 3 []", docs, df, err)
		}
		return nil
	})
	// A failed step leaves nothing behind.
	boom := errors.New("boom")
	if err := s.InStoryTx(ctx, func(tx store.StoryTx) error {
		if _, _, err := tx.CountFeatures(ctx, []uint64{1}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("InStoryTx returned %v, want the step's error", err)
	}

	at := base.Add(-2 * time.Hour)
	a := &store.StoryCentroid{Vector: map[uint64]float64{1: 0.5, high: 1.0 / 3}, Size: 1, Last: at}
	b := &store.StoryCentroid{Vector: map[uint64]float64{2: 0.25}, Size: 2, Last: at.Add(-48 * time.Hour)}
	inStory(t, s, func(tx store.StoryTx) error {
		docs, df, err := tx.CountFeatures(ctx, []uint64{1})
		if err != nil || docs != 4 || df[0] != 2 {
			t.Errorf("CountFeatures after a rolled-back step = %d %v %v, want 4 [2]", docs, df, err)
		}
		for _, c := range []*store.StoryCentroid{a, b} {
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			var fs []uint64
			for f := range c.Vector {
				fs = append(fs, f)
			}
			if err := tx.SaveStory(ctx, c, fs); err != nil {
				return err
			}
		}
		if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
			t.Errorf("story ids %d and %d", a.ID, b.ID)
		}
		got, err := tx.StoryCandidates(ctx, []uint64{high, 2, 99}, time.Time{})
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
			t.Fatalf("candidates = %+v, want stories %d and %d in order", got, a.ID, b.ID)
		}
		if got[0].Vector[high] != 1.0/3 || got[0].Vector[1] != 0.5 || got[0].Size != 1 || !got[0].Last.Equal(at) {
			t.Errorf("candidate state = %+v, want %+v", got[0], a)
		}
		// since leaves out stories idle before it.
		got, err = tx.StoryCandidates(ctx, []uint64{1, 2}, at.Add(-time.Hour))
		if err != nil || len(got) != 1 || got[0].ID != a.ID {
			t.Errorf("candidates since = %+v %v, want only %d", got, err, a.ID)
		}
		// Saving moves a story on and new features find it.
		a.Vector[7] = 0.125
		a.Size, a.Last = 2, at.Add(time.Hour)
		if err := tx.SaveStory(ctx, a, []uint64{7}); err != nil {
			return err
		}
		got, err = tx.StoryCandidates(ctx, []uint64{7}, at)
		if err != nil || len(got) != 1 || got[0].Size != 2 || got[0].Vector[7] != 0.125 || !got[0].Last.Equal(a.Last) {
			t.Errorf("after save: candidates = %+v %v", got, err)
		}
		return nil
	})

	// Articles filed under a story: counts, dates and the representative.
	src1, src2 := newSource(t, s, "https://one.example/feed"), newSource(t, s, "https://two.example/feed")
	en := article(src1.ID, 3) // the earliest
	de := article(src2.ID, 2)
	de.Language = "de"
	enCopy := article(src2.ID, 1)
	hidden := article(src1.ID, 4)
	hidden.Hidden = true
	for _, x := range []*store.Article{en, de, enCopy, hidden} {
		upsert(t, s, x, store.Created)
	}
	if err := s.SetDuplicateOf(ctx, enCopy.ID, en.ID); err != nil {
		t.Fatal(err)
	}
	inStory(t, s, func(tx store.StoryTx) error {
		for _, x := range []*store.Article{en, de, hidden} {
			if err := tx.SetArticleStory(ctx, x.ID, a.ID); err != nil {
				return err
			}
		}
		// A copy's story is its original's; an original's, its copy's.
		if id, err := tx.RelativeStory(ctx, enCopy.ID, en.ID); err != nil || id != a.ID {
			t.Errorf("RelativeStory(copy) = %d %v, want %d", id, err, a.ID)
		}
		if id, err := tx.RelativeStory(ctx, de.ID, 0); err != nil || id != 0 {
			t.Errorf("RelativeStory(no relatives) = %d %v, want 0", id, err)
		}
		if err := tx.SetArticleStory(ctx, enCopy.ID, b.ID); err != nil {
			return err
		}
		if id, err := tx.RelativeStory(ctx, en.ID, 0); err != nil || id != b.ID {
			t.Errorf("RelativeStory(original) = %d %v, want its copy's %d", id, err, b.ID)
		}
		if err := tx.SetArticleStory(ctx, 1<<40, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetArticleStory(missing article) = %v, want ErrNotFound", err)
		}
		return nil
	})
	st, err := s.Story(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 || st.Sources != 2 || st.Languages != 2 || st.ArticleID != en.ID || st.Title != en.Title ||
		st.Language != "en" || !st.FirstAt.Equal(en.PublishedAt) || !st.LastAt.Equal(de.PublishedAt) || st.MergedInto != 0 {
		t.Errorf("story = %+v, want 2 visible articles from 2 sources in 2 languages led by %d", st, en.ID)
	}
	if got, err := s.Article(ctx, de.ID); err != nil || got.StoryID != a.ID {
		t.Errorf("article read back with story %d (%v), want %d", got.StoryID, err, a.ID)
	}
	arts, err := s.StoryArticles(ctx, a.ID, 0)
	if err != nil || fmt.Sprint(ids(arts)) != fmt.Sprint([]int64{en.ID, de.ID}) {
		t.Errorf("StoryArticles = %v %v, want oldest first without the hidden one", ids(arts), err)
	}

	// Merging moves articles and repoints the merged story; the merged
	// story counts nothing after, the surviving one the union of both
	// (b's only article is in English from a source a already has).
	if st, err := s.Story(ctx, b.ID); err != nil || st.Articles != 1 || st.Sources != 1 || st.Languages != 1 {
		t.Errorf("story before merge = %+v %v, want 1 article", st, err)
	}
	inStory(t, s, func(tx store.StoryTx) error {
		if err := tx.MergeStory(ctx, b.ID, a.ID); err != nil {
			return err
		}
		c, err := tx.OpenStoryCentroid(ctx, b.ID)
		if err != nil || c.ID != a.ID {
			t.Errorf("OpenStoryCentroid(merged) = %+v %v, want story %d", c, err, a.ID)
		}
		got, err := tx.StoryCandidates(ctx, []uint64{2}, time.Time{})
		if err != nil || len(got) != 0 {
			t.Errorf("a merged story is still a candidate: %+v %v", got, err)
		}
		return nil
	})
	if st, err := s.Story(ctx, b.ID); err != nil || st.MergedInto != a.ID || st.Articles != 0 || st.Sources != 0 || st.Languages != 0 {
		t.Errorf("merged story = %+v %v, want merged into %d with no articles, sources or languages", st, err, a.ID)
	}
	if st, err := s.Story(ctx, a.ID); err != nil || st.Articles != 3 || st.Sources != 2 || st.Languages != 2 || st.ArticleID != en.ID {
		t.Errorf("story after merge = %+v %v, want 3 articles from 2 sources in 2 languages led by %d", st, err, en.ID)
	}
	if _, err := s.Story(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Story(missing) = %v, want ErrNotFound", err)
	}

	// Ageing closes idle stories: no candidate, no state.
	n, err := s.AgeStories(ctx, a.Last.Add(time.Minute))
	if err != nil || n != 1 {
		t.Errorf("AgeStories = %d %v, want 1 closed", n, err)
	}
	inStory(t, s, func(tx store.StoryTx) error {
		if got, err := tx.StoryCandidates(ctx, []uint64{1, 7}, time.Time{}); err != nil || len(got) != 0 {
			t.Errorf("an aged story is still a candidate: %+v %v", got, err)
		}
		if _, err := tx.OpenStoryCentroid(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("OpenStoryCentroid(aged) = %v, want ErrNotFound", err)
		}
		return nil
	})
	// The story itself stays readable.
	if st, err := s.Story(ctx, a.ID); err != nil || st.Articles != 3 {
		t.Errorf("aged story = %+v %v", st, err)
	}
}

func testStoryListing(t *testing.T, s store.Store) {
	ctx := context.Background()
	var want []int64 // newest activity first
	for i := 0; i < 7; i++ {
		// Story i has i+1 sources; its newest article is i hours old.
		var arts []int64
		for j := 0; j <= i; j++ {
			src := newSource(t, s, fmt.Sprintf("https://s%d-%d.example/feed", i, j))
			a := article(src.ID, 100*i+j)
			a.PublishedAt = base.Add(-time.Duration(i)*time.Hour - time.Duration(j)*time.Minute)
			upsert(t, s, a, store.Created)
			arts = append(arts, a.ID)
		}
		// No other store call inside: on SQLite the step holds the write turn.
		inStory(t, s, func(tx store.StoryTx) error {
			c := &store.StoryCentroid{Vector: map[uint64]float64{uint64(i): 1}, Size: 1}
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			want = append(want, c.ID)
			for _, id := range arts {
				if err := tx.SetArticleStory(ctx, id, c.ID); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// An empty story is not listed.
	inStory(t, s, func(tx store.StoryTx) error {
		return tx.CreateStory(ctx, &store.StoryCentroid{Vector: map[uint64]float64{}})
	})
	var got []int64
	q := store.StoryQuery{Limit: 3}
	for pages := 0; ; pages++ {
		p, err := s.Stories(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.Stories {
			got = append(got, st.ID)
		}
		if p.Next == "" || pages > 5 {
			break
		}
		q.Cursor = p.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stories in pages = %v, want %v", got, want)
	}
	p, err := s.Stories(ctx, store.StoryQuery{MinSources: 5, Since: base.Add(-5 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Stories) != 2 || p.Stories[0].ID != want[4] || p.Stories[0].Sources != 5 || p.Stories[1].ID != want[5] {
		t.Errorf("stories with ≥5 sources in 5 hours = %+v, want %v", p.Stories, want[4:6])
	}
	if _, err := s.Stories(ctx, store.StoryQuery{Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
		t.Errorf("bad cursor: %v, want ErrBadCursor", err)
	}
}

// testStoryTurns checks that story steps take turns: steps that each look
// for a story by a feature and create it when none exists, run at once,
// create exactly one. Half of them run as the pipeline's story stage does,
// under store.LaterDurable (one statement takes the lock and makes the
// commit asynchronous on PostgreSQL): they take turns with the others too.
func testStoryTurns(t *testing.T, s store.Store) {
	const steps = 8
	var wg sync.WaitGroup
	errs := make(chan error, steps)
	for i := 0; i < steps; i++ {
		ctx := context.Background()
		if i%2 == 1 {
			ctx = store.LaterDurable(ctx)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.InStoryTx(ctx, func(tx store.StoryTx) error {
				got, err := tx.StoryCandidates(ctx, []uint64{42}, time.Time{})
				if err != nil || len(got) > 0 {
					return err
				}
				time.Sleep(50 * time.Millisecond) // wider than opening a connection: a race would show
				c := &store.StoryCentroid{Vector: map[uint64]float64{42: 1}, Size: 1}
				if err := tx.CreateStory(ctx, c); err != nil {
					return err
				}
				return tx.SaveStory(ctx, c, []uint64{42})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	inStory(t, s, func(tx store.StoryTx) error {
		got, err := tx.StoryCandidates(ctx, []uint64{42}, time.Time{})
		if err != nil || len(got) != 1 {
			t.Errorf("%d steps at once created %d stories (%v), want 1", steps, len(got), err)
		}
		return nil
	})
}

// testStoryHidden checks that hiding an article takes it out of its
// story's figures at once (articles, sources, languages, dates, the
// representative), so the front page's ranking and the story page never
// count what readers cannot see; showing it again puts it back.
func testStoryHidden(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Three sources: the first has two articles (en), the second one in
	// German, the third one in English, the newest.
	var srcs []*store.Source
	for i := range 3 {
		srcs = append(srcs, newSource(t, s, fmt.Sprintf("https://hidden%d.example/feed", i)))
	}
	var arts []*store.Article
	for i, lang := range []string{"en", "en", "de", "en"} {
		a := article(srcs[max(i-1, 0)].ID, 10+i)
		a.Language = lang
		a.PublishedAt = base.Add(time.Duration(i) * time.Hour)
		upsert(t, s, a, store.Created)
		arts = append(arts, a)
	}
	var storyID int64
	inStory(t, s, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: len(arts)}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		storyID = c.ID
		for _, a := range arts {
			if err := tx.SetArticleStory(ctx, a.ID, c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(when string, articles, sources, languages int, first, last *store.Article, shown []int64) {
		t.Helper()
		st, err := s.Story(ctx, storyID)
		if err != nil {
			t.Fatalf("%s: Story: %v", when, err)
		}
		if st.Articles != articles || st.Sources != sources || st.Languages != languages {
			t.Errorf("%s: story counts %d articles, %d sources, %d languages; want %d, %d, %d",
				when, st.Articles, st.Sources, st.Languages, articles, sources, languages)
		}
		if st.ArticleID != first.ID || !st.FirstAt.Equal(first.PublishedAt) || !st.LastAt.Equal(last.PublishedAt) {
			t.Errorf("%s: story shows article %d from %v to %v; want %d from %v to %v",
				when, st.ArticleID, st.FirstAt, st.LastAt, first.ID, first.PublishedAt, last.PublishedAt)
		}
		got, err := s.StoryArticles(ctx, storyID, 0)
		if err != nil || !slices.Equal(ids(got), shown) {
			t.Errorf("%s: StoryArticles = %v, %v; want %v", when, ids(got), err, shown)
		}
		p, err := s.Stories(ctx, store.StoryQuery{MinSources: 3})
		if err != nil {
			t.Fatal(err)
		}
		if listed := len(p.Stories) == 1 && p.Stories[0].ID == storyID; listed != (sources >= 3) {
			t.Errorf("%s: stories with ≥3 sources = %+v; want this story listed: %v", when, p.Stories, sources >= 3)
		}
	}
	hide := func(a *store.Article, hidden bool) {
		t.Helper()
		if err := s.SetArticleHidden(ctx, a.ID, hidden); err != nil {
			t.Fatalf("SetArticleHidden(%d, %v): %v", a.ID, hidden, err)
		}
	}
	all := []int64{arts[0].ID, arts[1].ID, arts[2].ID, arts[3].ID}
	check("filed", 4, 3, 2, arts[0], arts[3], all)

	// The only German article, its source's only one: a source and a
	// language fewer, and the story drops below three sources.
	hide(arts[2], true)
	check("German article hidden", 3, 2, 1, arts[0], arts[3], []int64{arts[0].ID, arts[1].ID, arts[3].ID})
	// The representative and the newest: both move to the next visible.
	hide(arts[0], true)
	hide(arts[3], true)
	check("first and newest hidden too", 1, 1, 1, arts[1], arts[1], []int64{arts[1].ID})
	// Hiding all of it takes the story off every listing.
	hide(arts[1], true)
	if p, err := s.Stories(ctx, store.StoryQuery{}); err != nil || len(p.Stories) != 0 {
		t.Errorf("all hidden: Stories = %+v, %v; want none", p.Stories, err)
	}
	// Showing them again restores every figure.
	for _, a := range arts {
		hide(a, false)
	}
	check("all shown again", 4, 3, 2, arts[0], arts[3], all)
	// An article in no story hides as before.
	loose := article(arts[0].SourceID, 99)
	upsert(t, s, loose, store.Created)
	hide(loose, true)
	if got, err := s.Article(ctx, loose.ID); err != nil || !got.Hidden {
		t.Errorf("article in no story: Hidden = %v, %v; want hidden", got, err)
	}
}

// What the story step's re-check reads (package story, recheck): the
// document frequencies without counting, the small open stories weighed
// long ago, and a story's articles as the step saw them.
func testStoryRecheck(t *testing.T, s store.Store) {
	ctx := context.Background()
	high := uint64(1<<63 | 9)
	at := base.Add(-time.Hour)
	// Stories: 0 small and weighed early; 1 weighed late; 2 too big;
	// 3 idle before since; 4 merged away (into 0); 5 aged out.
	cs := []*store.StoryCentroid{
		{Vector: map[uint64]float64{1: 0.5}, Size: 2, Last: at, Weighed: 4},
		{Vector: map[uint64]float64{1: 0.5}, Size: 1, Last: at, Weighed: 9},
		{Vector: map[uint64]float64{1: 0.5}, Size: 4, Last: at, Weighed: 4},
		{Vector: map[uint64]float64{1: 0.5}, Size: 1, Last: at.Add(-100 * time.Hour), Weighed: 4},
		{Vector: map[uint64]float64{1: 0.5}, Size: 1, Last: at, Weighed: 4},
		{Vector: map[uint64]float64{1: 0.5}, Size: 1, Last: at.Add(-200 * time.Hour), Weighed: 4},
	}
	src := newSource(t, s, "https://recheck.example/feed")
	a, b, hidden, other := article(src.ID, 1), article(src.ID, 2), article(src.ID, 3), article(src.ID, 4)
	hidden.Hidden = true
	for _, x := range []*store.Article{a, b, hidden, other} {
		upsert(t, s, x, store.Created)
	}
	fixed := "A corrected headline"
	if err := s.CorrectArticle(ctx, b.ID, store.ArticleCorrection{Title: &fixed}); err != nil {
		t.Fatal(err)
	}
	inStory(t, s, func(tx store.StoryTx) error {
		if _, _, err := tx.CountFeatures(ctx, []uint64{1, high}); err != nil {
			return err
		}
		if _, _, err := tx.CountFeatures(ctx, []uint64{high}); err != nil {
			return err
		}
		for _, c := range cs {
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			if err := tx.SaveStory(ctx, c, []uint64{1}); err != nil {
				return err
			}
		}
		for _, x := range []*store.Article{a, b, hidden} {
			if err := tx.SetArticleStory(ctx, x.ID, cs[0].ID); err != nil {
				return err
			}
		}
		if err := tx.SetArticleStory(ctx, other.ID, cs[4].ID); err != nil {
			return err
		}
		return tx.MergeStory(ctx, cs[4].ID, cs[0].ID)
	})
	if _, err := s.AgeStories(ctx, at.Add(-150*time.Hour)); err != nil {
		t.Fatal(err)
	}
	inStory(t, s, func(tx store.StoryTx) error {
		// Frequencies are read, not counted: twice the same answer.
		for range 2 {
			docs, df, err := tx.StoryFrequencies(ctx, []uint64{high, 1, 77})
			if err != nil || docs != 2 || fmt.Sprint(df) != "[2 1 0]" {
				t.Errorf("StoryFrequencies = %d %v %v, want 2 [2 1 0]", docs, df, err)
			}
		}
		got, err := tx.StaleStories(ctx, 5, 3, at.Add(-72*time.Hour))
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].ID != cs[0].ID || got[0].Weighed != 4 || got[0].Vector[1] != 0.5 || !got[0].Last.Equal(at) {
			t.Errorf("StaleStories = %+v, want story %d alone, weighed at 4", got, cs[0].ID)
		}
		// The merge moved story 4's article; its size is the step's to set.
		if got, err := tx.StaleStories(ctx, 9, 4, time.Time{}); err != nil || len(got) != 4 {
			t.Errorf("StaleStories (all open) = %+v %v, want stories 0, 1, 2 and 3", got, err)
		}
		// Weighed is kept by saves.
		cs[1].Weighed = 16
		if err := tx.SaveStory(ctx, cs[1], nil); err != nil {
			return err
		}
		if c, err := tx.OpenStoryCentroid(ctx, cs[1].ID); err != nil || c.Weighed != 16 {
			t.Errorf("OpenStoryCentroid after save = %+v %v, want weighed 16", c, err)
		}
		arts, err := tx.StoryMembers(ctx, cs[0].ID)
		if err != nil {
			return err
		}
		byID := map[int64]store.Article{}
		for _, x := range arts {
			byID[x.ID] = x
		}
		if len(arts) != 4 {
			t.Fatalf("StoryMembers = %d articles, want 4 (hidden and merged ones too)", len(arts))
		}
		if g := byID[a.ID]; g.Title != a.Title || g.URL != a.URL || g.Text != a.Text || g.Language != "en" ||
			!g.Date().Equal(a.PublishedAt) {
			t.Errorf("member = %+v, want %+v's title, URL, text, language and date", g, a)
		}
		if byID[b.ID].Title != fixed {
			t.Errorf("member title = %q, want the correction readers see", byID[b.ID].Title)
		}
		return nil
	})
}

// testLaterDurable checks that writes under store.LaterDurable (the
// pipeline's article and stage jobs) are stored and read back like any
// others, on every path that opens a transaction, and that a story step
// that fails under it leaves nothing behind.
func testLaterDurable(t *testing.T, s store.Store) {
	ctx := store.LaterDurable(context.Background())
	src := newSource(t, s, "https://later-durable.example/feed")
	a := article(src.ID, 1)
	if res, err := s.UpsertArticle(ctx, a); err != nil || res != store.Created {
		t.Fatalf("UpsertArticle under LaterDurable = %v, %v; want created", res, err)
	}
	sig := []uint32{1, 2, 3, 4}
	if err := s.PutSignature(ctx, a.ID, sig, []uint64{7, 8, 8}); err != nil {
		t.Fatalf("PutSignature under LaterDurable: %v", err)
	}
	b := article(src.ID, 2)
	upsert(t, s, b, store.Created)
	cands, err := s.SignatureCandidates(context.Background(), []uint64{8}, b.ID, 10)
	if err != nil || len(cands) != 1 || cands[0].ArticleID != a.ID || fmt.Sprint(cands[0].Signature) != fmt.Sprint(sig) {
		t.Errorf("candidates after a signature stored under LaterDurable = %+v, %v; want article %d", cands, err, a.ID)
	}
	var storyID int64
	if err := s.InStoryTx(ctx, func(tx store.StoryTx) error {
		c := &store.StoryCentroid{Vector: map[uint64]float64{77: 1}, Size: 1, Last: base}
		if err := tx.CreateStory(ctx, c); err != nil {
			return err
		}
		storyID = c.ID
		if err := tx.SaveStory(ctx, c, []uint64{77}); err != nil {
			return err
		}
		return tx.SetArticleStory(ctx, a.ID, c.ID)
	}); err != nil {
		t.Fatalf("InStoryTx under LaterDurable: %v", err)
	}
	got, err := s.Article(context.Background(), a.ID)
	if err != nil || got.StoryID != storyID {
		t.Errorf("article after a story step under LaterDurable: story %d (%v), want %d", got.StoryID, err, storyID)
	}
	boom := errors.New("boom")
	if err := s.InStoryTx(ctx, func(tx store.StoryTx) error {
		if err := tx.SetArticleStory(ctx, b.ID, storyID); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed step under LaterDurable returned %v, want its error", err)
	}
	if got, err := s.Article(context.Background(), b.ID); err != nil || got.StoryID != 0 {
		t.Errorf("a failed step under LaterDurable left article %d in story %d (%v), want none", b.ID, got.StoryID, err)
	}
}
