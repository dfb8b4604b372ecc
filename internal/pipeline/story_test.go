package pipeline

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/story"
)

// storeArticles stores one article per (source, title, url, language) and
// returns them in order.
func storeArticles(t *testing.T, st store.Store, at time.Time, rows [][4]string, text func(i int) string) []*store.Article {
	t.Helper()
	ctx := context.Background()
	var out []*store.Article
	for i, r := range rows {
		src, err := st.SourceByURL(ctx, "https://"+r[0]+"/feed")
		if err != nil {
			src = &store.Source{URL: "https://" + r[0] + "/feed", Kind: store.KindFeed, Name: r[0], PollInterval: time.Hour, Enabled: true}
			if err := st.CreateSource(ctx, src); err != nil {
				t.Fatal(err)
			}
		}
		a := &store.Article{SourceID: src.ID, URL: r[2], Title: r[1], Language: r[3], Text: text(i),
			PublishedAt: at.Add(time.Duration(i) * time.Minute), FirstSeenAt: at.Add(time.Duration(i) * time.Minute)}
		if _, err := st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

var quake = [][4]string{
	{"wire.example", "Earthquake of magnitude 7.1 strikes southern Turkey near Gaziantep", "https://wire.example/world/earthquake-turkey-gaziantep", "en"},
	{"zeitung.example", "Erdbeben der Stärke 7,1 erschüttert Gaziantep im Süden der Türkei", "https://zeitung.example/welt/erdbeben-gaziantep-tuerkei", "de"},
	{"daily.example", "Gaziantep earthquake: rescuers search rubble as death toll rises", "https://daily.example/news/gaziantep-earthquake-rescuers-rubble", "en"},
	{"diario.example", "Terremoto de magnitud 7,1 sacude Gaziantep, en el sur de Turquía", "https://diario.example/mundo/terremoto-gaziantep-turquia", "es"},
	{"herald.example", "Turkey earthquake near Gaziantep leaves thousands homeless", "https://herald.example/world/turkey-earthquake-gaziantep-homeless", "en"},
	{"nachrichten.example", "Gaziantep: Rettungskräfte suchen nach dem Erdbeben in der Türkei Überlebende", "https://nachrichten.example/gaziantep-erdbeben-tuerkei-rettung", "de"},
}

// background stores n unrelated articles, a day before at, so the step
// has seen a corpus: on an empty one every word the reports share would be
// in all documents and weigh nothing (TF-IDF).
func background(t *testing.T, st store.Store, at time.Time, n int) []*store.Article {
	var rows [][4]string
	for i := 0; i < n; i++ {
		rows = append(rows, [4]string{fmt.Sprintf("bg%d.example", i%5),
			fmt.Sprintf("Council of Vellmar%d debates plan for Ostrand%d and Kirrum%d", i, i*7, i*13),
			fmt.Sprintf("https://bg%d.example/local/%d-vellmar%d", i%5, i, i), "en"})
	}
	return storeArticles(t, st, at.Add(-24*time.Hour), rows, func(i int) string {
		return fmt.Sprintf("Members of the Vellmar%d council met on Tuesday to discuss Ostrand%d.", i, i*3)
	})
}

func quakeText(i int) string {
	// Each report in its own words; the names are what they share.
	return [...]string{
		"A magnitude 7.1 earthquake struck southern Turkey near Gaziantep early on Monday, the AFAD disaster agency said. Buildings collapsed in Gaziantep and Kahramanmaras.",
		"Ein Erdbeben der Stärke 7,1 hat am Montag den Süden der Türkei bei Gaziantep erschüttert, teilte die Katastrophenschutzbehörde AFAD mit. In Gaziantep und Kahramanmaras stürzten Gebäude ein.",
		"Rescuers in Gaziantep dug through collapsed buildings on Monday after the earthquake. AFAD said the toll was rising in Gaziantep and Kahramanmaras.",
		"Un terremoto de magnitud 7,1 sacudió el lunes el sur de Turquía cerca de Gaziantep, según la agencia AFAD. Se derrumbaron edificios en Gaziantep y Kahramanmaras.",
		"Thousands spent the night outside in Gaziantep after Monday's earthquake in southern Turkey, AFAD said, as aftershocks shook Kahramanmaras.",
		"Nach dem Erdbeben in der Türkei suchen Rettungskräfte in Gaziantep nach Überlebenden. Die Behörde AFAD meldet weitere Nachbeben in Kahramanmaras.",
	}[i%6]
}

// Reports of one event from several sources and in three languages meet in
// one story as the pipeline stores them; an unrelated report does not; a
// near-duplicate copy joins its original's story; the story counts them.
func TestStoryStageGathersOneEvent(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	p := New(st, fetch.New(fetch.Options{}), extract.New(), Options{})
	at := time.Date(2026, 2, 6, 4, 0, 0, 0, time.UTC)
	long := strings.Repeat("The budget committee of the regional parliament approved funding for new school buildings and teachers. ", 5)
	rows := append(append([][4]string{}, quake...),
		[4]string{"local.example", "Regional parliament approves budget for new schools", "https://local.example/politics/parliament-school-budget", "en"},
		[4]string{"copies.example", "School budget passes in parliament", "https://copies.example/schools-budget", "en"})
	arts := append(background(t, st, at, 60), storeArticles(t, st, at, rows, func(i int) string {
		if i >= len(quake) {
			return long // the last two share their text: a wire copy
		}
		return quakeText(i)
	})...)
	for _, a := range arts {
		if err := p.enqueueStages(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	arts = arts[60:]
	r := jobs.New(st, jobs.Options{Concurrency: 2})
	p.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	got := make([]*store.Article, len(arts))
	for i, a := range arts {
		var err error
		if got[i], err = st.Article(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got[i].StoryID == 0 {
			t.Fatalf("article %q was filed under no story", a.Title)
		}
	}
	for i := 1; i < len(quake); i++ {
		if got[i].StoryID != got[0].StoryID {
			t.Errorf("%q (%s) is in story %d, the first report in %d", got[i].Title, got[i].Language, got[i].StoryID, got[0].StoryID)
		}
	}
	school, copy := got[len(quake)], got[len(quake)+1]
	if school.StoryID == got[0].StoryID {
		t.Error("an unrelated report joined the earthquake story")
	}
	if copy.DuplicateOf != school.ID || copy.StoryID != school.StoryID {
		t.Errorf("the copy (of %d) is in story %d, its original in %d", copy.DuplicateOf, copy.StoryID, school.StoryID)
	}
	s, err := st.Story(ctx, got[0].StoryID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Articles != 6 || s.Sources != 6 || s.Languages != 3 || s.ArticleID != arts[0].ID {
		t.Errorf("story = %+v, want 6 articles, 6 sources, 3 languages led by the first report", s)
	}
	// Running the stage again changes nothing.
	if err := p.fileStory(ctx, got[2]); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Story(ctx, got[0].StoryID); again.Articles != 6 {
		t.Errorf("a repeated stage changed the story: %+v", again)
	}
}

// The pipeline's stories are the offline clusterer's: the same step and
// settings on the same articles in the same order give the same partition.
func TestStoryStageMatchesOfflineClusterer(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	p := New(st, fetch.New(fetch.Options{}), extract.New(), Options{})
	at := time.Date(2026, 2, 6, 4, 0, 0, 0, time.UTC)
	topics := [][]string{
		{"Earthquake", "Gaziantep", "Turkey", "rescuers", "AFAD", "rubble"},
		{"Election", "Warsaw", "Tusk", "ballots", "turnout", "coalition"},
		{"Final", "Wembley", "Arsenal", "penalty", "goalkeeper", "trophy"},
		{"Wildfire", "Evia", "Greece", "evacuation", "firefighters", "villages"},
		{"Summit", "Brussels", "tariffs", "ministers", "agreement", "steel"},
	}
	var rows [][4]string
	for i := 0; i < 40; i++ {
		w := topics[(i*7)%len(topics)]
		title := fmt.Sprintf("%s %s: %s %s as %s %s (%d)", w[i%6], w[(i+1)%6], w[(i+2)%6], w[(i+3)%6], w[(i+4)%6], w[(i+5)%6], i)
		rows = append(rows, [4]string{fmt.Sprintf("s%d.example", i%9), title,
			fmt.Sprintf("https://s%d.example/%d-%s", i%9, i, strings.ToLower(w[i%6]+"-"+w[(i+2)%6])), "en"})
	}
	arts := storeArticles(t, st, at, rows, func(int) string { return "" })
	c := story.NewClusterer(story.DefaultOptions())
	offline := map[int64]int{}
	for _, a := range arts {
		if err := p.fileStory(ctx, a); err != nil {
			t.Fatal(err)
		}
		offline[a.ID] = c.Add(story.Item{Title: a.Title, URL: a.URL, Text: a.Text, Published: a.Date()})
	}
	// Same partition: two articles share a pipeline story exactly when
	// they share an offline one.
	online := map[int64]int64{}
	for _, a := range arts {
		got, err := st.Article(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		online[a.ID] = got.StoryID
	}
	stories := map[int64]bool{}
	for _, a := range arts {
		stories[online[a.ID]] = true
		for _, b := range arts {
			if (online[a.ID] == online[b.ID]) != (c.Story(offline[a.ID]) == c.Story(offline[b.ID])) {
				t.Fatalf("%q and %q: together online %v, offline %v", a.Title, b.Title,
					online[a.ID] == online[b.ID], c.Story(offline[a.ID]) == c.Story(offline[b.ID]))
			}
		}
	}
	if len(stories) < 2 || len(stories) > 20 {
		t.Errorf("%d stories for 5 topics: the test set does not exercise clustering", len(stories))
	}
}

// Two workers (two processes' stores and runners) on one PostgreSQL file
// reports of one event that arrive at once: they make one story, not two.
func TestStoryStageTwoWorkersOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a, b := pgtest.Open(t, dsn), pgtest.Open(t, dsn)
	at := time.Date(2026, 2, 6, 4, 0, 0, 0, time.UTC)
	var rows [][4]string
	for round := 0; round < 3; round++ {
		for _, q := range quake {
			rows = append(rows, [4]string{fmt.Sprintf("r%d-%s", round, q[0]), q[1], fmt.Sprintf("%s-%d", q[2], round), q[3]})
		}
	}
	bg := background(t, a, at, 60)
	arts := storeArticles(t, a, at, rows, quakeText)
	pa := New(a, fetch.New(fetch.Options{}), extract.New(), Options{})
	pb := New(b, fetch.New(fetch.Options{}), extract.New(), Options{})
	for _, art := range append(bg, arts...) {
		if err := pa.enqueueStages(ctx, art); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, w := range []struct {
		st store.Store
		p  *Pipeline
	}{{a, pa}, {b, pb}} {
		r := jobs.New(w.st, jobs.Options{Worker: fmt.Sprint("worker-", i), Concurrency: 4})
		w.p.Register(r)
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = r.RunUntilIdle(ctx) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	page, err := b.Stories(ctx, store.StoryQuery{Since: at})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Stories) != 1 || page.Stories[0].Articles != len(arts) {
		for _, s := range page.Stories {
			t.Logf("story %d: %d articles, %q", s.ID, s.Articles, s.Title)
		}
		t.Fatalf("two workers made %d stories of %d reports of one event, want 1", len(page.Stories), len(arts))
	}
}

// The reports of one event stored and filed first, before anything else
// (the demo's bad order: their jobs finish among the first few of a
// pass), end in one story on both databases. While the step knows only
// them, the words they share are in every article counted and weigh
// nothing; the prior on document frequencies keeps them together from the
// start, and without it (PriorDocs 0) the re-check, when the article count
// doubles, must merge the stories they were filed apart in: the stories
// merged away then resolve to the one they joined, which counts every
// report, and the listing shows it once.
func TestStoryReportsFiledFirstEndInOneStory(t *testing.T) {
	for _, db := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { return testStore(t) }},
		{"postgres", func(t *testing.T) store.Store { return pgtest.Open(t, pgtest.DSN(t)) }},
	} {
		for _, prior := range []float64{story.DefaultOptions().PriorDocs, 0} {
			t.Run(fmt.Sprintf("%s/prior %v", db.name, prior), func(t *testing.T) {
				ctx := context.Background()
				st := db.open(t)
				p := New(st, fetch.New(fetch.Options{}), extract.New(), Options{})
				p.story.PriorDocs = prior
				at := time.Date(2026, 2, 6, 4, 0, 0, 0, time.UTC)
				reports := storeArticles(t, st, at, quake, quakeText)
				before := map[int64]bool{}
				for _, a := range reports {
					if err := p.fileStory(ctx, a); err != nil {
						t.Fatal(err)
					}
					got, err := st.Article(ctx, a.ID)
					if err != nil {
						t.Fatal(err)
					}
					before[got.StoryID] = true
				}
				if prior == 0 && len(before) < 2 {
					t.Fatalf("without the prior the first reports were filed in %d story: the test no longer reproduces the bad order", len(before))
				}
				// The rest of the pass, on the queue with two workers.
				bg := background(t, st, at, 40)
				for _, a := range bg {
					if err := p.enqueueStages(ctx, a); err != nil {
						t.Fatal(err)
					}
				}
				r := jobs.New(st, jobs.Options{Concurrency: 2})
				p.Register(r)
				if err := r.RunUntilIdle(ctx); err != nil {
					t.Fatal(err)
				}
				var final int64
				for i, a := range reports {
					got, err := st.Article(ctx, a.ID)
					if err != nil {
						t.Fatal(err)
					}
					if i == 0 {
						final = got.StoryID
					} else if got.StoryID != final {
						t.Errorf("%q (%s) is in story %d, the first report in %d", got.Title, got.Language, got.StoryID, final)
					}
				}
				s, err := st.Story(ctx, final)
				if err != nil {
					t.Fatal(err)
				}
				if s.Articles != len(quake) || s.Sources != len(quake) || s.Languages != 3 || s.MergedInto != 0 {
					t.Errorf("story = %+v, want %d articles from as many sources in 3 languages", s, len(quake))
				}
				for id := range before {
					if old, err := st.Story(ctx, id); err != nil || (id != final && old.MergedInto != final) {
						t.Errorf("story %d the reports were first filed in = %+v (%v), want merged into %d", id, old, err, final)
					}
				}
				page, err := st.Stories(ctx, store.StoryQuery{Since: at})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Stories) != 1 || page.Stories[0].ID != final {
					t.Errorf("the listing since the reports holds %+v, want story %d alone", page.Stories, final)
				}
			})
		}
	}
}
