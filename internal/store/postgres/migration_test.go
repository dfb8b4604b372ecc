package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/sqlstore"
	"spektrum/internal/store/storetest"
)

// Migration 0024 builds search_docs.pairs for the documents already
// indexed from their tsvectors' positions; it must give the pairs that
// PutSearchDocs writes from the terms, or a phrase would find other
// documents before a reindex than after.
func TestSearchPairsMigrationMatchesIndexing(t *testing.T) {
	ctx := context.Background()
	dsn := schemaDSN(t)
	s := open(t, dsn)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	src := &store.Source{URL: "https://a.example/feed", Kind: "rss", Name: "A", Enabled: true, PollInterval: time.Hour}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	docs := []store.SearchDoc{
		{Lang: "en", Title: []string{"river", "rhine"}, Body: []string{"rhine", "river", "rose", "river", "rhine"}},
		// A pair that occurs twice, a field of one term, and the extra field.
		{Lang: "de", Title: []string{"hochwass"}, Body: []string{"koln", "altstadt", "koln", "altstadt"}, Extra: []string{"flood", "cologn"}},
		{Lang: "fr", Body: []string{"seul"}},
	}
	for i, d := range docs {
		a := &store.Article{SourceID: src.ID, URL: "https://a.example/" + d.Lang, Title: "t", Language: "en",
			PublishedAt: time.Date(2026, 11, 1, i, 0, 0, 0, time.UTC)}
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSearchDocs(ctx, a.ID, []store.SearchDoc{d}); err != nil {
			t.Fatal(err)
		}
	}
	body, err := os.ReadFile("migrations/0024_search_pairs.sql")
	if err != nil {
		t.Fatal(err)
	}
	sqlText := string(body)
	start := strings.Index(sqlText, "UPDATE search_docs")
	end := strings.Index(sqlText[start:], "), '');")
	if start < 0 || end < 0 {
		t.Fatal("migration 0024 has no UPDATE of search_docs.pairs in the expected form")
	}
	update := sqlText[start : start+end+len("), '')")]

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pairs := func() []string {
		rows, err := db.QueryContext(ctx, `SELECT lang || ': ' || pairs::text FROM search_docs ORDER BY lang`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	indexed := pairs()
	want := []string{
		"de: 'altstadt koln' 'flood cologn' 'koln altstadt'",
		"en: 'rhine river' 'river rhine' 'river rose' 'rose river'",
		"fr: ",
	}
	if !slices.Equal(indexed, want) {
		t.Errorf("PutSearchDocs wrote pairs %q, want %q", indexed, want)
	}
	if _, err := db.ExecContext(ctx, `UPDATE search_docs SET pairs = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, update); err != nil {
		t.Fatalf("migration 0024's UPDATE: %v", err)
	}
	if got := pairs(); !slices.Equal(got, indexed) {
		t.Errorf("migration 0024 built pairs %q, PutSearchDocs %q", got, indexed)
	}
}

// migratedBefore returns a store on a new schema migrated up to version,
// not including it (what an older release left), and a function that
// migrates the same schema to the end and returns a store on it.
func migratedBefore(t *testing.T, version int) (*sqlstore.Store, func() store.Store) {
	t.Helper()
	ctx := context.Background()
	dsn := schemaDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	d := postgres.Dialect()
	d.Migrations = storetest.MigrationsBefore(t, d.Migrations, version)
	old := sqlstore.New(db, d)
	t.Cleanup(func() { _ = old.Close() }) // before the schema is dropped
	if err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return old, func() store.Store {
		s := open(t, dsn)
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// Migration 0036 on a database that holds stories merged before it.
func TestMergedStoryCountsMigration(t *testing.T) {
	old, upgrade := migratedBefore(t, 36)
	storetest.MergedStoryCountsMigration(t, old, upgrade)
}

// Migration 0033 on a database indexed before it: the tier is filled.
func TestSearchTierMigration(t *testing.T) {
	old, upgrade := migratedBefore(t, 33)
	storetest.SearchTierMigration(t, old, sqlstore.FullTextTSVector, upgrade)
}
