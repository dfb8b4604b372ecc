package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlstore"
)

// MigrationsBefore is fsys (a dialect's migrations) without the migrations
// numbered version or later: a database migrated with it is the one an
// older release left, for testing what the later migrations do to data.
func MigrationsBefore(t testing.TB, fsys fs.FS, version int) fs.FS {
	t.Helper()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.Atoi(num); err != nil || v >= version {
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatalf("read migration %s: %v", e.Name(), err)
		}
		out[e.Name()] = &fstest.MapFile{Data: body}
	}
	return out
}

// MergedStoryCountsMigration checks migration 0036 on a database that
// already holds merged stories, as an upgrade finds it: before 0036,
// MergeStory left the merged-away story with the counts, dates and lead
// article it had, though its articles had moved; 0036 clears those, and
// only those. old is a store migrated up to 0036, not including it, whose
// DB() it writes the old state through; upgrade migrates the same
// database to the end and returns a store on it.
func MergedStoryCountsMigration(t *testing.T, old store.Store, upgrade func() store.Store) {
	ctx := context.Background()
	withDB, ok := old.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("store %T has no DB()", old)
	}
	db := withDB.DB()
	src1, src2 := newSource(t, old, "https://one.example/feed"), newSource(t, old, "https://two.example/feed")
	var arts []*store.Article
	for i := range 6 {
		a := article([]int64{src1.ID, src2.ID}[i%2], i+1)
		if i%2 == 1 {
			a.Language = "de"
		}
		upsert(t, old, a, store.Created)
		arts = append(arts, a)
	}
	// keep has article 0; gone 1 and 2 (two sources, two languages);
	// other 3; stray 4 and 5.
	var keep, gone, other, stray store.StoryCentroid
	inStory(t, old, func(tx store.StoryTx) error {
		for i, c := range []*store.StoryCentroid{&keep, &gone, &other, &stray} {
			c.Vector, c.Size, c.Last = map[uint64]float64{uint64(i + 1): 1}, 1, base
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
		}
		for i, id := range []int64{keep.ID, gone.ID, gone.ID, other.ID, stray.ID, stray.ID} {
			if err := tx.SetArticleStory(ctx, arts[i].ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	// The old merge: the articles move, the survivor is counted again, the
	// merged-away story keeps what it had. Written here as MergeStory now
	// does it, then gone's columns put back as they were.
	const cols = `articles, sources, languages, first_at, last_at, article_id`
	columns := func(id int64) string {
		var a, s, l, first, last, lead sql.NullInt64
		q := fmt.Sprintf(`SELECT %s FROM stories WHERE id = %d`, cols, id)
		if err := db.QueryRowContext(ctx, q).Scan(&a, &s, &l, &first, &last, &lead); err != nil {
			t.Fatalf("read story %d: %v", id, err)
		}
		v := func(n sql.NullInt64) string {
			if !n.Valid {
				return "NULL"
			}
			return strconv.FormatInt(n.Int64, 10)
		}
		return fmt.Sprintf("articles = %s, sources = %s, languages = %s, first_at = %s, last_at = %s, article_id = %s",
			v(a), v(s), v(l), v(first), v(last), v(lead))
	}
	oldMerge := func(g, k int64) {
		t.Helper()
		was := columns(g)
		inStory(t, old, func(tx store.StoryTx) error { return tx.MergeStory(ctx, g, k) })
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`UPDATE stories SET %s WHERE id = %d`, was, g)); err != nil {
			t.Fatalf("put back story %d: %v", g, err)
		}
	}
	oldMerge(gone.ID, keep.ID)
	// A merged story that holds an article again (filed there by some
	// other way) is counted rightly and must keep its counts.
	oldMerge(stray.ID, keep.ID)
	inStory(t, old, func(tx store.StoryTx) error { return tx.SetArticleStory(ctx, arts[5].ID, stray.ID) })

	story := func(s store.Store, id int64) store.Story {
		t.Helper()
		st, err := s.Story(ctx, id)
		if err != nil {
			t.Fatalf("Story(%d): %v", id, err)
		}
		return *st
	}
	before := map[int64]store.Story{}
	for _, id := range []int64{keep.ID, gone.ID, other.ID, stray.ID} {
		before[id] = story(old, id)
	}
	if g := before[gone.ID]; g.MergedInto != keep.ID || g.Articles != 2 || g.Sources != 2 || g.Languages != 2 || g.ArticleID != arts[2].ID {
		t.Fatalf("before 0036 the merged story = %+v, want its old counts (2 articles, 2 sources, 2 languages, led by the earlier %d)", g, arts[2].ID)
	}

	s := upgrade()
	g := story(s, gone.ID)
	if g.MergedInto != keep.ID || g.Articles != 0 || g.Sources != 0 || g.Languages != 0 || g.ArticleID != 0 ||
		!g.FirstAt.IsZero() || !g.LastAt.IsZero() {
		t.Errorf("after 0036 the merged story = %+v, want merged into %d counting nothing", g, keep.ID)
	}
	for _, id := range []int64{keep.ID, other.ID, stray.ID} {
		if got, want := story(s, id), before[id]; fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("story %d changed by 0036:\n got %+v\nwant %+v", id, got, want)
		}
	}
	if k := story(s, keep.ID); k.Articles != 4 || k.Sources != 2 || k.Languages != 2 {
		t.Errorf("the surviving story = %+v, want 4 articles (its own, gone's two, stray's first) from 2 sources in 2 languages", k)
	}
}

// SearchTierMigration checks migration 0033 (the search index's tier of
// the newest documents) on a database indexed before it, as an upgrade
// finds it: every search finds what it found before, PostgreSQL's tier is
// filled with the newest documents and SQLite's starts empty above them,
// and an article indexed after the upgrade is found in the tier and the
// whole index alike. old is a store migrated up to 0033, not including it,
// whose search tables it writes as PutSearchDocs then did (fullText is the
// dialect's sqlstore.FullText*); upgrade migrates the same database to the
// end and returns a store on it.
func SearchTierMigration(t *testing.T, old store.Store, fullText string, upgrade func() store.Store) {
	ctx := context.Background()
	withDB, ok := old.(interface{ DB() *sql.DB })
	if !ok {
		t.Fatalf("store %T has no DB()", old)
	}
	db := withDB.DB()
	src := newSource(t, old, "https://tier.example/feed")
	pg := fullText == sqlstore.FullTextTSVector
	put := func(s store.Store, i int) int64 {
		t.Helper()
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://tier.example/%d", i), Title: fmt.Sprintf("Report %d", i),
			Text: "text", Language: "en", PublishedAt: base.Add(time.Duration(i) * time.Minute)}
		upsert(t, s, a, store.Created)
		doc := store.SearchDoc{Lang: "en", Title: []string{"report"}, Body: []string{"common", fmt.Sprintf("n%d", i)}}
		if s != old {
			putDocs(t, s, a, doc)
			return a.ID
		}
		var sortAt int64
		if err := db.QueryRowContext(ctx, rebind(pg, `SELECT sort_at FROM articles WHERE id = ?`), a.ID).Scan(&sortAt); err != nil {
			t.Fatal(err)
		}
		for _, r := range sqlstore.SearchRows(fullText, a.ID, sortAt, []store.SearchDoc{doc}) {
			stmts := map[string][]any{
				`INSERT INTO search_docs (id, article_id, lang, sort_at) VALUES (?, ?, ?, ?)`: {r.Key, a.ID, r.Lang, sortAt},
				`INSERT INTO search_fts (rowid, title, body, extra) VALUES (?, ?, ?, ?)`:      {r.Key, r.Title, r.Body, r.Extra},
			}
			if pg {
				stmts = map[string][]any{`INSERT INTO search_docs (article_id, lang, sort_at, ord, tsv, pairs)
					VALUES (?, ?, ?, ?, CAST(? AS tsvector), CAST(? AS tsvector))`: {a.ID, r.Lang, sortAt, r.Key, r.TSV, r.Pairs}}
			}
			for q, args := range stmts {
				if _, err := db.ExecContext(ctx, rebind(pg, q), args...); err != nil {
					t.Fatalf("index article %d as before 0033: %v", a.ID, err)
				}
			}
		}
		return a.ID
	}
	var all []int64
	for i := range 30 {
		all = append(all, put(old, i))
	}
	common := func(s store.Store, sort string) []int64 {
		t.Helper()
		page, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"common"}}, Sort: sort, Limit: 100})
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if page.Total != len(page.Articles) {
			t.Errorf("Search: Total %d, %d articles", page.Total, len(page.Articles))
		}
		return ids(page.Articles)
	}
	newestFirst := func() []int64 {
		out := slices.Clone(all)
		slices.Reverse(out)
		return out
	}

	s := upgrade()
	ts, ok := s.(searchTiered)
	if !ok {
		t.Fatalf("%T keeps no tier of the newest search documents", s)
	}
	floor, bound, err := ts.SearchTier(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var inTier int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_recent`).Scan(&inTier); err != nil {
		t.Fatal(err)
	}
	if pg && (floor != 0 || bound != 0 || inTier != len(all)) {
		t.Errorf("after 0033 the tier holds %d documents from %d (bound %d), want all %d from 0", inTier, floor, bound, len(all))
	}
	if !pg && (floor == 0 || floor != bound || inTier != 0) {
		t.Errorf("after 0033 the tier holds %d documents from %d (bound %d), want none, above the newest", inTier, floor, bound)
	}
	if got := common(s, store.SortNewest); !slices.Equal(got, newestFirst()) {
		t.Errorf("after 0033, newest: %v, want %v", got, newestFirst())
	}
	if got := common(s, store.SortRelevance); !sameSet(got, all) {
		t.Errorf("after 0033, relevance: %v, want %v", got, all)
	}
	// Newer articles, indexed by the new code: in the tier too.
	for i := 30; i < 40; i++ {
		all = append(all, put(s, i))
	}
	if got := common(s, store.SortNewest); !slices.Equal(got, newestFirst()) {
		t.Errorf("after 0033 and 10 more articles, newest: %v, want %v", got, newestFirst())
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_recent`).Scan(&inTier); err != nil {
		t.Fatal(err)
	}
	want := len(all) - 30
	if pg {
		want = len(all)
	}
	if inTier != want {
		t.Errorf("the tier holds %d documents, want the %d indexed after the upgrade", inTier, want)
	}

	// Filling the tier (SQLite; PostgreSQL's is full) from the documents
	// as built now. One article's document is not built any more (its
	// search job pending): the floor stops above it, and the older ones
	// stay out.
	docOf := map[int64]int{}
	for i, id := range all {
		docOf[id] = i
	}
	gap := all[10]
	filled, err := s.FillSearchTier(ctx, func(ctx context.Context, ids []int64) (map[int64][]store.SearchDoc, error) {
		out := map[int64][]store.SearchDoc{}
		for _, id := range ids {
			if id != gap {
				out[id] = []store.SearchDoc{{Lang: "en", Title: []string{"report"}, Body: []string{"common", fmt.Sprintf("n%d", docOf[id])}}}
			}
		}
		return out, nil
	})
	if err != nil {
		t.Fatalf("FillSearchTier: %v", err)
	}
	if want := 19; pg {
		want = 0
		if filled != want {
			t.Errorf("FillSearchTier added %d documents on PostgreSQL, want none (its tier is copied)", filled)
		}
	} else if filled != want {
		t.Errorf("FillSearchTier added %d documents, want the %d above the one not built", filled, want)
	}
	for _, sort := range []string{store.SortNewest, store.SortRelevance} {
		if got := common(s, sort); !sameSet(got, all) || sort == store.SortNewest && !slices.Equal(got, newestFirst()) {
			t.Errorf("after filling the tier, %s: %v, want %v", sort, got, newestFirst())
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_recent`).Scan(&inTier); err != nil {
		t.Fatal(err)
	}
	if want := len(all) - 11; !pg && inTier != want {
		t.Errorf("after filling, the tier holds %d documents, want %d", inTier, want)
	}
	// A page the tier holds, read from it: the filled documents are there
	// with their words.
	page, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"common"}}, Sort: store.SortNewest, Limit: 15})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(page.Articles), newestFirst()[:15]) {
		t.Errorf("after filling, the newest 15 (10 indexed after the upgrade, 5 filled): %v, want %v", ids(page.Articles), newestFirst()[:15])
	}
	page, err = s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"n25"}, {"common"}}, Sort: store.SortRelevance})
	if err != nil || len(page.Articles) != 1 || page.Articles[0].ID != all[25] {
		t.Errorf("n25 after filling the tier: %v, %v; want article %d", ids(page.Articles), err, all[25])
	}
}

func rebind(pg bool, q string) string {
	if !pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
