package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
)

// groupDBs are the two databases the story stage runs on.
var groupDBs = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store { return testStore(t) }},
	{"postgres", func(t *testing.T) store.Store { return pgtest.Open(t, pgtest.DSN(t)) }},
}

// groupCorpus stores the same articles on st every time: background, five
// interleaved topics, the earthquake's reports in three languages, and a
// near-duplicate copy of one report (which joins its original's story).
func groupCorpus(t *testing.T, st store.Store) []*store.Article {
	t.Helper()
	at := time.Date(2026, 2, 6, 4, 0, 0, 0, time.UTC)
	arts := background(t, st, at, 12)
	topics := [][]string{
		{"Earthquake", "Gaziantep", "Turkey", "rescuers", "AFAD", "rubble"},
		{"Election", "Warsaw", "Tusk", "ballots", "turnout", "coalition"},
		{"Final", "Wembley", "Arsenal", "penalty", "goalkeeper", "trophy"},
		{"Wildfire", "Evia", "Greece", "evacuation", "firefighters", "villages"},
		{"Summit", "Brussels", "tariffs", "ministers", "agreement", "steel"},
	}
	var rows [][4]string
	for i := 0; i < 30; i++ {
		w := topics[(i*7)%len(topics)]
		title := fmt.Sprintf("%s %s: %s %s as %s %s (%d)", w[i%6], w[(i+1)%6], w[(i+2)%6], w[(i+3)%6], w[(i+4)%6], w[(i+5)%6], i)
		rows = append(rows, [4]string{fmt.Sprintf("s%d.example", i%9), title,
			fmt.Sprintf("https://s%d.example/%d-%s", i%9, i, strings.ToLower(w[i%6]+"-"+w[(i+2)%6])), "en"})
	}
	arts = append(arts, storeArticles(t, st, at, rows, func(int) string { return "" })...)
	reports := storeArticles(t, st, at.Add(time.Hour), quake, quakeText)
	arts = append(arts, reports...)
	cp := storeArticles(t, st, at.Add(2*time.Hour), [][4]string{{"copy.example", quake[0][1], "https://copy.example/quake", "en"}},
		func(int) string { return quakeText(0) })[0]
	if err := st.SetDuplicateOf(context.Background(), cp.ID, reports[0].ID); err != nil {
		t.Fatal(err)
	}
	cp.DuplicateOf = reports[0].ID
	return append(arts, cp)
}

// filed is where each article ended: its story as listed (ID and what
// pages show of it), in article order.
func filed(t *testing.T, st store.Store, arts []*store.Article) []store.Story {
	t.Helper()
	ctx := context.Background()
	out := make([]store.Story, len(arts))
	for i, a := range arts {
		got, err := st.Article(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StoryID == 0 {
			continue
		}
		s, err := st.Story(ctx, got.StoryID)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = *s
	}
	return out
}

// samePartition fails t unless articles share a story in a exactly when
// they share one in b, and each story shows the same counts and lead.
func samePartition(t *testing.T, a, b []store.Story, arts []*store.Article) {
	t.Helper()
	stories := map[int64]bool{}
	for i := range a {
		stories[a[i].ID] = true
		if a[i].Articles != b[i].Articles || a[i].Sources != b[i].Sources || a[i].Languages != b[i].Languages ||
			a[i].ArticleID != b[i].ArticleID || !a[i].FirstAt.Equal(b[i].FirstAt) || !a[i].LastAt.Equal(b[i].LastAt) {
			t.Errorf("%q: story %+v, want %+v", arts[i].Title, b[i], a[i])
		}
		for j := range a {
			if (a[i].ID == a[j].ID) != (b[i].ID == b[j].ID) {
				t.Fatalf("%q and %q: together one by one %v, in groups %v", arts[i].Title, arts[j].Title,
					a[i].ID == a[j].ID, b[i].ID == b[j].ID)
			}
		}
	}
	if len(stories) < 5 {
		t.Fatalf("%d stories: the corpus does not exercise clustering", len(stories))
	}
}

// Articles filed in groups end in the stories that filing them one step at
// a time in the same order gives: same partition, same story numbers, same
// counts, on both databases (the corpus passes the re-check's counts 16 and
// 32, inside groups, and holds a copy that joins its original's story).
func TestStoryGroupsFileAsSingleSteps(t *testing.T) {
	for _, db := range groupDBs {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			one, grouped := db.open(t), db.open(t)
			arts, arts2 := groupCorpus(t, one), groupCorpus(t, grouped)
			p1 := New(one, fetch.New(fetch.Options{}), extract.New(), Options{})
			p2 := New(grouped, fetch.New(fetch.Options{}), extract.New(), Options{})
			for _, a := range arts {
				if err := p1.fileGroup(ctx, []*store.Article{a})[0]; err != nil {
					t.Fatal(err)
				}
			}
			for start := 0; start < len(arts2); start += 7 {
				for _, err := range p2.fileGroup(ctx, arts2[start:min(start+7, len(arts2))]) {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			a, b := filed(t, one, arts), filed(t, grouped, arts2)
			samePartition(t, a, b, arts)
			for i := range a {
				if a[i].ID != b[i].ID {
					t.Errorf("%q: story %d in groups, %d one by one", arts[i].Title, b[i].ID, a[i].ID)
				}
			}
			cp := len(arts) - 1
			if b[cp].ID != b[cp-len(quake)].ID {
				t.Errorf("the copy is in story %d, its original in %d", b[cp].ID, b[cp-len(quake)].ID)
			}
		})
	}
}

// An article whose step fails in the middle of a group (here one that is
// not stored: its step counts its words and opens a story, then cannot be
// filed) fails alone: its writes are rolled back, and the others are
// filed as if it had never been there.
func TestStoryGroupFailureFailsOneArticle(t *testing.T) {
	for _, db := range groupDBs {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			one, grouped := db.open(t), db.open(t)
			arts, arts2 := groupCorpus(t, one), groupCorpus(t, grouped)
			p1 := New(one, fetch.New(fetch.Options{}), extract.New(), Options{})
			p2 := New(grouped, fetch.New(fetch.Options{}), extract.New(), Options{})
			for _, a := range arts {
				if err := p1.fileStory(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			ghost := *arts2[20]
			ghost.ID, ghost.Title = 1_000_000, "Earthquake Gaziantep: Turkey AFAD as rescuers rubble (ghost)"
			var group []*store.Article
			for i, a := range arts2 {
				group = append(group, a)
				if i == 20 || i == len(arts2)-3 {
					group = append(group, &ghost)
				}
			}
			errs := p2.fileGroup(ctx, group)
			for i, err := range errs {
				if (group[i] == &ghost) != (err != nil) {
					t.Errorf("article %d (%q): error %v", group[i].ID, group[i].Title, err)
				}
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("the ghost's error is %v, want its not being found", err)
				}
			}
			samePartition(t, filed(t, one, arts), filed(t, grouped, arts2), arts)
		})
	}
}

// Workers filing at once, with an article that fails among them and a
// worker that gives up waiting: every call returns, every other article
// is filed, and the filer takes the next article after them.
func TestStoryFilerConcurrentWorkers(t *testing.T) {
	for _, db := range groupDBs {
		t.Run(db.name, func(t *testing.T) {
			st := db.open(t)
			arts := groupCorpus(t, st)
			p := New(st, fetch.New(fetch.Options{}), extract.New(), Options{StoryGroup: 16})
			ghost := *arts[3]
			ghost.ID = 1_000_000
			gone, cancel := context.WithCancel(context.Background())
			cancel()
			ctx, stop := context.WithTimeout(context.Background(), time.Minute)
			defer stop()
			var wg sync.WaitGroup
			errs := make([]error, len(arts))
			var ghostErr, goneErr error
			for i, a := range arts[:len(arts)-1] {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = p.fileStory(ctx, a) }()
			}
			wg.Add(2)
			go func() { defer wg.Done(); ghostErr = p.fileStory(ctx, &ghost) }()
			go func() { defer wg.Done(); goneErr = p.fileStory(gone, arts[len(arts)-1]) }()
			wg.Wait()
			if ctx.Err() != nil {
				t.Fatal("the workers were still waiting after a minute")
			}
			for i, err := range errs[:len(arts)-1] {
				if err != nil {
					t.Errorf("article %d: %v", arts[i].ID, err)
				}
			}
			if !errors.Is(ghostErr, store.ErrNotFound) {
				t.Errorf("the ghost's step: %v, want its not being found", ghostErr)
			}
			_ = goneErr // filed or not, depending on whether it was taken into a group before it gave up
			last := arts[len(arts)-1]
			last.StoryID = 0
			if err := p.fileStory(ctx, last); err != nil {
				t.Fatalf("the filer after them: %v", err)
			}
			for i, s := range filed(t, st, arts) {
				if s.ID == 0 {
					t.Errorf("article %d (%q) was filed under no story", arts[i].ID, arts[i].Title)
				}
			}
		})
	}
}

// The filer itself, with a run that the test holds: workers that arrive
// while a group runs are filed as the next group, in the order they
// came; a run that panics tells every member and passes the lead on; a
// worker that stops waiting leaves the queue.
func TestStoryFilerGroups(t *testing.T) {
	var f storyFiler
	ctx := context.Background()
	release := make(chan struct{})
	var mu sync.Mutex
	var groups [][]int64
	run := func(_ context.Context, arts []*store.Article) []error {
		mu.Lock()
		var ids []int64
		for _, a := range arts {
			ids = append(ids, a.ID)
		}
		groups = append(groups, ids)
		first := len(groups) == 1
		mu.Unlock()
		if first {
			<-release
		}
		errs := make([]error, len(arts))
		for i, a := range arts {
			if a.ID == 3 {
				errs[i] = fmt.Errorf("article 3 fails")
			}
		}
		return errs
	}
	queued := func(n int) {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			f.mu.Lock()
			q := len(f.queue)
			f.mu.Unlock()
			if q == n {
				return
			}
		}
		t.Fatalf("the queue never held %d", n)
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = f.file(ctx, &store.Article{ID: 0}, 16, run) }()
	for len(groupsNow(&mu, &groups)) == 0 {
		time.Sleep(time.Millisecond)
	}
	gone, cancel := context.WithCancel(ctx)
	for i := 1; i < 6; i++ {
		c := ctx
		if i == 4 {
			c = gone
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f.file(c, &store.Article{ID: int64(i)}, 16, run) }()
		queued(i)
	}
	cancel()
	queued(4) // article 4's worker stopped waiting
	close(release)
	wg.Wait()
	got := groupsNow(&mu, &groups)
	if fmt.Sprint(got) != "[[0] [1 2 3 5]]" {
		t.Errorf("groups %v, want [[0] [1 2 3 5]]", got)
	}
	for i, err := range errs {
		if want := i == 3 || i == 4; (err != nil) != want {
			t.Errorf("article %d: error %v", i, err)
		}
	}
	if !errors.Is(errs[4], context.Canceled) {
		t.Errorf("the worker that stopped waiting got %v", errs[4])
	}

	// A panicking run: its members hear of it, the next article is filed.
	boom := func(context.Context, []*store.Article) []error { panic("boom") }
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the leader's panic was swallowed")
			}
		}()
		_ = f.file(ctx, &store.Article{ID: 7}, 16, boom)
	}()
	if err := f.file(ctx, &store.Article{ID: 8}, 16, run); err != nil {
		t.Errorf("after a panic: %v", err)
	}
	if f.leading || len(f.queue) != 0 {
		t.Errorf("the filer is left leading %v with %d queued", f.leading, len(f.queue))
	}
}

func groupsNow(mu *sync.Mutex, groups *[][]int64) [][]int64 {
	mu.Lock()
	defer mu.Unlock()
	return append([][]int64(nil), *groups...)
}
