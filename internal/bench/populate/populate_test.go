package populate_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"spektrum/internal/bench/populate"
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
		Postgres: pg, Workers: 3, Seed: 7, Batch: 700, Now: now})
	if err != nil {
		t.Fatal(err)
	}
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
		Postgres: pg, Workers: 2, Seed: 7, Batch: 700, Now: now, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if n, c, v, s := sum(); res.Articles != 700 || n != n0 || c != c0 || v != v0 || s != s0 || v != 3000 || s != 3000 {
		t.Fatalf("resumed %d: %d articles, %d chars, %d visible, %d counted; want %d, %d, %d, %d", res.Articles, n, c, v, s, n0, c0, v0, s0)
	}
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
