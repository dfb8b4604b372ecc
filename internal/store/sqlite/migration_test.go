package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/store/sqlstore"
	"spektrum/internal/store/storetest"
)

// TestSearchOrderMigrationRequeues: migration 0021 cannot move FTS5 rows
// to their new rowids (the table is contentless), so on a database with
// an index it empties the index and queues every visible article for the
// search stage. Run here on a database that has one, as an upgrade does.
func TestSearchOrderMigrationRequeues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "upgrade.db")
	s := migrated(t, path)
	src := &store.Source{URL: "https://a.example/feed", Enabled: true, Kind: store.KindFeed, PollInterval: time.Hour}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var visible, hidden store.Article
	for _, a := range []*store.Article{&visible, &hidden} {
		*a = store.Article{SourceID: src.ID, URL: "https://a.example/" + time.Now().Format(time.RFC3339Nano), Title: "Kestrel",
			Text: "A kestrel hovered.", Language: "en", Hidden: a == &hidden, PublishedAt: time.Now()}
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSearchDocs(ctx, a.ID, []store.SearchDoc{{Lang: "en", Title: []string{"kestrel"}}}); err != nil {
			t.Fatal(err)
		}
	}
	find := func() int {
		page, err := s.Search(ctx, store.SearchQuery{Lang: "en", Groups: [][]string{{"kestrel"}}})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	if n := find(); n != 1 {
		t.Fatalf("before: %d found, want 1", n)
	}

	migration, err := os.ReadFile("migrations/0021_search_order.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, string(migration)); err != nil {
		t.Fatalf("migration 0021 on a database with an index: %v", err)
	}
	if n := find(); n != 0 {
		t.Errorf("after: %d found, want an emptied index", n)
	}
	var jobs int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = 'search'`).Scan(&jobs); err != nil || jobs != 1 {
		t.Errorf("%d search jobs queued (%v), want 1: the visible article's", jobs, err)
	}
	var key, payload string
	if err := db.QueryRowContext(ctx, `SELECT unique_key, CAST(payload AS TEXT) FROM jobs WHERE kind = 'search' AND state = 'queued'`).Scan(&key, &payload); err != nil {
		t.Fatalf("the visible article's search job (and only it): %v", err)
	}
	if want := `{"article_id":` + itoa(visible.ID) + `}`; key != "search:"+itoa(visible.ID) || payload != want {
		t.Errorf("job %q %s, want search:%d %s", key, payload, visible.ID, want)
	}
	// The stage indexes it again, under the new key.
	if err := s.PutSearchDocs(ctx, visible.ID, []store.SearchDoc{{Lang: "en", Title: []string{"kestrel"}}}); err != nil {
		t.Fatal(err)
	}
	if n := find(); n != 1 {
		t.Errorf("re-indexed: %d found, want 1", n)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }

// migratedBefore returns a store on a new database file migrated up to
// version, not including it (what an older release left), and the file.
func migratedBefore(t *testing.T, version int) (*sqlstore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upgrade.db")
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	d := sqlite.Dialect()
	d.Migrations = storetest.MigrationsBefore(t, d.Migrations, version)
	old := sqlstore.New(db, d)
	t.Cleanup(func() { _ = old.Close() })
	if err := old.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return old, path
}

// Migration 0036 on a database that holds stories merged before it.
func TestMergedStoryCountsMigration(t *testing.T) {
	old, path := migratedBefore(t, 36)
	storetest.MergedStoryCountsMigration(t, old, func() store.Store { return migrated(t, path) })
}

// Migration 0033 on a database indexed before it: the tier starts empty.
func TestSearchTierMigration(t *testing.T) {
	old, path := migratedBefore(t, 33)
	storetest.SearchTierMigration(t, old, sqlstore.FullTextFTS5, func() store.Store { return migrated(t, path) })
}
