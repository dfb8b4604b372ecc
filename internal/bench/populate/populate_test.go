package populate_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"spektrum/internal/bench/populate"
	"spektrum/internal/edition"
	"spektrum/internal/search"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite"
)

type dbOf interface{ DB() *sql.DB }

func TestPopulateSQLite(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check(t, st, false)
}

func TestPopulatePostgres(t *testing.T) {
	check(t, pgtest.Open(t, pgtest.DSN(t)), true)
}

// check populates a small outlet and reads it back through the store, as
// the site would: what populate writes must be rows the store can serve.
func check(t *testing.T, st store.Store, pg bool) {
	ctx := context.Background()
	db := st.(dbOf).DB()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	res, err := populate.Populate(ctx, db, populate.Options{Articles: 3000, Sources: 40, Sections: 5,
		Postgres: pg, Workers: 3, Seed: 7, Batch: 700, Now: now, Search: true})
	if err != nil {
		t.Fatal(err)
	}
	// Every article in its own edition, every (current) translation in its.
	if res.SearchDocs != res.Articles+res.Translations {
		t.Fatalf("%d search documents for %d articles and %d translations", res.SearchDocs, res.Articles, res.Translations)
	}
	checkSearch(t, st, pg)
	if res.Articles != 3000 || res.Sources != 40 || res.Translations < 3000*0.3*5*0.8 || res.Translations > 3000*0.3*5*1.2 {
		t.Fatalf("result %+v", res)
	}
	if n, err := st.CountArticles(ctx); err != nil || n != 3000 {
		t.Fatalf("CountArticles = %d, %v", n, err)
	}
	secs, err := st.Sections(ctx)
	if err != nil || len(secs) != 5 {
		t.Fatalf("Sections = %d, %v", len(secs), err)
	}
	total := 0
	for _, s := range secs {
		total += s.ArticleCount
	}
	if total != 3000 {
		t.Fatalf("section counts add up to %d", total)
	}
	// Walk one edition to the end: every article of its language or
	// translated into it, newest first, within the year before now.
	seen, cursor, last := 0, "", now.Add(time.Hour)
	for {
		page, err := st.EditionArticles(ctx, "pl", store.ArticleQuery{Limit: 200, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Articles {
			d := a.Date()
			if d.After(last) || d.Before(now.AddDate(-1, 0, -1)) {
				t.Fatalf("article %d dated %v after %v", a.ID, d, last)
			}
			last = d
			if a.Language != "pl" {
				if _, err := st.Translation(ctx, a.ID, "pl"); err != nil {
					t.Fatalf("article %d (%s) listed in pl without a translation: %v", a.ID, a.Language, err)
				}
			}
			seen++
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if seen < 3000/6/2 || seen >= 3000 {
		t.Fatalf("the pl edition lists %d of 3000 articles", seen)
	}
	a, err := st.Article(ctx, 1234)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := st.ArticleBySlug(ctx, a.Slug); err != nil || b.ID != 1234 || len(a.Text) < 500 {
		t.Fatalf("article by slug %q: %v, text %d bytes", a.Slug, err, len(a.Text))
	}
	// A populate stopped with batches missing (here the second) resumes to
	// the same outlet.
	sum := func() (n, chars, visible, counted int64) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(LENGTH(text)) FROM articles`).Scan(&n, &chars); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT SUM(visible_count) FROM sections`).Scan(&visible); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT SUM(article_count) FROM sources`).Scan(&counted); err != nil {
			t.Fatal(err)
		}
		return n, chars, visible, counted
	}
	n0, c0, v0, s0 := sum()
	if _, err := db.ExecContext(ctx, `DELETE FROM articles WHERE id > 700 AND id <= 1400`); err != nil {
		t.Fatal(err)
	}
	if n, _, v, _ := sum(); n != 2300 || v != 2300 {
		t.Fatalf("after deleting a batch: %d articles, %d visible", n, v)
	}
	res, err = populate.Populate(ctx, db, populate.Options{Articles: 3000, Sources: 40, Sections: 5,
		Postgres: pg, Workers: 2, Seed: 7, Batch: 700, Now: now, Resume: true, Search: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, c, v, s := sum(); res.Articles != 700 || n != n0 || c != c0 || v != v0 || s != s0 || v != 3000 || s != 3000 {
		t.Fatalf("resumed %d: %d articles, %d chars, %d visible, %d counted; want %d, %d, %d, %d", res.Articles, n, c, v, s, n0, c0, v0, s0)
	}
	// Batches written without their search documents get them on resuming.
	docs := func() (n, langs int64) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT lang) FROM search_docs`).Scan(&n, &langs); err != nil {
			t.Fatal(err)
		}
		return n, langs
	}
	d0, l0 := docs()
	if _, err := db.ExecContext(ctx, `DELETE FROM search_docs WHERE article_id > 1400 AND article_id <= 2800`); err != nil {
		t.Fatal(err)
	}
	res, err = populate.Populate(ctx, db, populate.Options{Articles: 3000, Sources: 40, Sections: 5,
		Postgres: pg, Workers: 2, Seed: 7, Batch: 700, Now: now, Resume: true, Search: true})
	if err != nil {
		t.Fatal(err)
	}
	if d, l := docs(); res.Articles != 0 || d != d0 || l != l0 || l != 6 {
		t.Fatalf("resumed for search: %d articles written, %d documents in %d editions; want 0, %d in %d", res.Articles, d, l, d0, l0)
	}
	if n, c, v, s := sum(); n != n0 || c != c0 || v != v0 || s != s0 {
		t.Fatalf("resuming for search changed the articles: %d, %d, %d, %d", n, c, v, s)
	}
	checkSearch(t, st, pg)
	if _, err := populate.Populate(ctx, db, populate.Options{Articles: 3000, Sources: 39, Postgres: pg, Resume: true}); err == nil {
		t.Fatal("resuming with other options: no error")
	}
	if _, err := populate.Populate(ctx, db, populate.Options{Articles: 1, Sources: 1, Postgres: pg}); err == nil {
		t.Fatal("populating a database that holds articles: no error")
	}
	if _, err := populate.Populate(ctx, db, populate.Options{Articles: 0, Sources: 1, Postgres: pg}); err == nil {
		t.Fatal("zero articles: no error")
	}
}

// checkSearch re-indexes some articles as the search stage does
// (edition.SearchDocs over the store's rows, store.PutSearchDocs) and wants
// the same search_docs rows populate wrote, and finds them by a word of
// their title through the store's search.
func checkSearch(t *testing.T, st store.Store, pg bool) {
	t.Helper()
	ctx := context.Background()
	db := st.(dbOf).DB()
	cols := `lang, sort_at, id`
	if pg {
		cols = `lang, sort_at, ord, CAST(tsv AS TEXT), CAST(pairs AS TEXT)`
	}
	rows := func(id int64) []string {
		t.Helper()
		q := `SELECT ` + cols + ` FROM search_docs WHERE article_id = ` + strconv.FormatInt(id, 10) + ` ORDER BY lang`
		rs, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		cs, _ := rs.Columns()
		var out []string
		for rs.Next() {
			vals := make([]any, len(cs))
			ptrs := make([]any, len(cs))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		return out
	}
	for _, id := range []int64{1, 777, 1234, 2999} {
		a, err := st.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		before := rows(id)
		docs, err := edition.SearchDocs(a, populate.DefaultEditions, func(ed string) (*store.Translation, error) {
			return st.Translation(ctx, id, ed)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 || len(before) != len(docs) {
			t.Fatalf("article %d: populate wrote %d documents, the search stage builds %d", id, len(before), len(docs))
		}
		if err := st.PutSearchDocs(ctx, id, docs); err != nil {
			t.Fatal(err)
		}
		if after := rows(id); !slices.Equal(before, after) {
			t.Fatalf("article %d: populate wrote\n%q\nthe search stage writes\n%q", id, before, after)
		}
		// Found in its own edition by its title as a phrase.
		q, err := search.Parse(a.Language, `"`+strings.ToLower(a.Title)+`"`)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Search(ctx, store.SearchQuery{Lang: a.Language, Groups: q.Groups, Sort: store.SortNewest, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, b := range page.Articles {
			found = found || b.ID == id
		}
		if !found {
			t.Fatalf("article %d not found by its title %q in %s: %d results", id, a.Title, a.Language, len(page.Articles))
		}
	}
}
