package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// The leaf pages read from FTS5's structure record stand for the index's
// size (OptimizeSearch's budget) without reading it: on a real FTS5 index
// of many segments they are most of its rows (the others are the structure,
// the averages and doclist indexes), never more. A record cut short is not
// understood, and the page count is used instead.
func TestFTSPages(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := New(db, Dialect{Name: "sqlite"})
	defer s.Close()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE search_fts USING fts5(body)`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('pgsz', 64)`,
		`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0)`,
	} {
		if _, err := s.execDB(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := range 300 { // one segment per statement
		if _, err := s.execDB(ctx, `INSERT INTO search_fts (body) VALUES (?)`, fmt.Sprintf("kestrel falcon w%d w%d heron", i, i*7%50)); err != nil {
			t.Fatal(err)
		}
	}
	var rows int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_fts_data`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	pages, err := s.ftsPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d leaf pages in the structure, %d rows", pages, rows)
	if pages > rows || pages < rows/2 {
		t.Errorf("ftsPages = %d of %d rows in search_fts_data, want most of them and no more", pages, rows)
	}
	var rec []byte
	if err := db.QueryRowContext(ctx, `SELECT block FROM search_fts_data WHERE id = 10`).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	if n, ok := fts5StructurePages(rec[:len(rec)/2]); ok {
		t.Errorf("half a structure record read as %d pages, want it not understood", n)
	}
	if _, ok := fts5StructurePages(nil); ok {
		t.Error("no structure record read as understood")
	}
}
