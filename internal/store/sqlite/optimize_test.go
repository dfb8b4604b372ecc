package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/store/sqlstore"
)

// TestOptimizeSearchBesideAWriter: `spektrum search reindex` merges the
// index (OptimizeSearch) in its own process while the server keeps storing
// and indexing articles. The merge goes in steps, each a short write
// transaction, so that the server's writes get the lock between them
// instead of waiting out their busy timeout behind one long 'optimize';
// nothing the server writes meanwhile may be lost, and the merge must end
// although the server keeps adding segments.
//
// Two pools on one file stand for the two processes. The index is given
// FTS5's smallest useful page size so that a test-sized index takes many
// steps of optimizeStep pages, as a large one does with the real pages.
// Whether the writer got in between the steps is counted, not timed: a
// commit hook on the merging connection numbers its steps, and each write
// notes the number it followed.
func TestOptimizeSearchBesideAWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "optimize.db")
	server := migrated(t, path)

	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO search_fts (search_fts, rank) VALUES ('pgsz', 32)`); err != nil {
		t.Fatal(err)
	}
	src := &store.Source{URL: "https://a.example/feed", Enabled: true, Kind: store.KindFeed, PollInterval: time.Hour}
	if err := server.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	words := []string{"kestrel", "falcon", "heron", "osprey", "plover", "curlew", "dunlin", "godwit", "merlin", "hobby"}
	// add stores article i and its search document: a word of its own, so
	// that every article can be found alone, and words many share.
	add := func(i int) (int64, error) {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("Bird %d", i),
			Text: "Birds.", Language: "en", PublishedAt: at.Add(time.Duration(i) * time.Minute)}
		if _, err := server.UpsertArticle(ctx, a); err != nil {
			return 0, err
		}
		var body []string
		for j := range 40 {
			body = append(body, words[(i+j)%len(words)], fmt.Sprintf("w%d", (i*7+j)%500))
		}
		doc := store.SearchDoc{Lang: "en", Title: []string{"bird", fmt.Sprintf("only%d", i)}, Body: body}
		return a.ID, server.PutSearchDocs(ctx, a.ID, []store.SearchDoc{doc})
	}
	// Indexed one article at a time, as the search stage does: many segments.
	const before = 600
	var ids []int64
	for i := range before {
		id, err := add(i)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	// The merging process: one connection, whose commits are its steps.
	mdb, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	mdb.SetMaxOpenConns(1)
	var steps atomic.Int64
	conn, err := mdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		h, ok := dc.(interface{ RegisterCommitHook(msqlite.CommitHookFn) })
		if !ok {
			return fmt.Errorf("the driver's connection %T has no commit hook", dc)
		}
		h.RegisterCommitHook(func() int32 { steps.Add(1); return 0 })
		return nil
	})
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	reindex := sqlstore.New(mdb, sqlite.Dialect())
	defer reindex.Close()

	// The server writes for as long as the merge runs, each write with the
	// production busy timeout, and notes how many steps it followed. It
	// leaves the lock free at least as long as it held it, as a server
	// does: one writing without pause would starve the merge (whose busy
	// handler polls as slowly) and any other process, merge or not.
	var merging atomic.Bool
	merging.Store(true)
	var (
		done []int64 // articles written beside the merge
		gaps = map[int64]bool{}
		span int64 // the most steps one write waited through
		werr error
	)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i := before; merging.Load(); i++ {
			s0, t0 := steps.Load(), time.Now()
			id, err := add(i)
			if err != nil {
				werr = fmt.Errorf("write %d beside the merge: %w", i-before, err)
				return
			}
			s1 := steps.Load()
			done = append(done, id)
			gaps[s1] = true
			span = max(span, s1-s0)
			time.Sleep(max(5*time.Millisecond, time.Since(t0)))
		}
	}()
	// A merge that never ends (see OptimizeSearch) fails here, not by
	// hanging until the test binary's timeout.
	mctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	opt, err := reindex.OptimizeSearch(mctx)
	merging.Store(false)
	<-wrote
	if err != nil {
		t.Fatalf("OptimizeSearch beside a writer: %v", err)
	}
	if werr != nil {
		t.Fatal(werr)
	}
	n := steps.Load()
	inside := 0 // gaps between two steps (not before the first or after the last) written in
	for s := range gaps {
		if s >= 1 && s < n {
			inside++
		}
	}
	if opt.Steps < 1 {
		t.Errorf("OptimizeSearch reported %+v, want its steps counted", opt)
	}
	t.Logf("reported %+v; %d steps; %d writes beside them, in %d of the %d gaps between them; a write waited through %d steps at most",
		opt, n, len(done), inside, n-1, span)
	if n < 5 {
		t.Fatalf("the merge took %d steps, want it in several short ones", n)
	}
	// Each write should wait for one step at most (two: it is two
	// transactions), but a loaded machine can keep the writer off the CPU
	// through a gap or a few; behind one long merge, or with no gap the
	// writer can see, it waits through all of them.
	if span > n/2 {
		t.Errorf("a write waited through %d of the merge's %d steps, want a few at most", span, n)
	}

	// Nothing lost: the articles are found alone by their own words, and
	// a word all share finds every one, merged or written beside the merge.
	results := func(q [][]string) []int64 {
		var found []int64
		cursor := ""
		for {
			page, err := server.Search(ctx, store.SearchQuery{Lang: "en", Groups: q, Sort: store.SortNewest, Limit: 200, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Articles {
				found = append(found, a.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				return found
			}
		}
	}
	all := append(ids, done...)
	for i, id := range all {
		// Every article written beside the merge, a sample of the others.
		if i >= before || i%25 == 0 {
			if got := results([][]string{{fmt.Sprintf("only%d", i)}}); !slices.Equal(got, []int64{id}) {
				t.Errorf("article %d: found %v, want [%d]", i, got, id)
			}
		}
	}
	got := results([][]string{{"bird"}})
	slices.Sort(got)
	if want := slices.Sorted(slices.Values(all)); !slices.Equal(got, want) {
		t.Errorf("bird: %d found, want all %d", len(got), len(want))
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO search_fts (search_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("index integrity after the merge: %v", err)
	}
}
