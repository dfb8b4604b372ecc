package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/store/storetest"
)

func open(t testing.TB, path string) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func migrated(t testing.TB, path string) store.Store {
	t.Helper()
	s := open(t, path)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "spektrum.db"))
	})
}

func TestOpenCreatesDirectoryAndWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "spektrum.db")
	migrated(t, path)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), "db?mode=ro"); err == nil {
		t.Fatal("Open accepted a path with '?'; want an error")
	}
}

// Two Stores on one file behave like two processes: separate pools, one file.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a := open(t, path)
	b := open(t, path)
	// Both migrate at once, as two processes starting together would.
	var wg sync.WaitGroup
	for _, s := range []store.Store{a, b} {
		wg.Go(func() {
			if err := s.Migrate(context.Background()); err != nil {
				t.Errorf("concurrent Migrate: %v", err)
			}
		})
	}
	wg.Wait()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		s := []store.Store{a, b}[i%2]
		if ok, err := s.Enqueue(context.Background(), &store.Job{Kind: "fetch", RunAt: base}); !ok || err != nil {
			t.Fatalf("Enqueue: %v, %v", ok, err)
		}
	}
	seen := storetest.ClaimConcurrently(t, []store.Store{a, b}, 4, base)
	if len(seen) != 60 {
		t.Fatalf("claimed %d distinct jobs across two stores, want 60", len(seen))
	}

	// Concurrent writers on both stores: none may fail with "database is locked".
	src := &store.Source{URL: "https://a.example/feed", Enabled: true}
	if err := a.CreateSource(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := range 8 {
		s := []store.Store{a, b}[g%2]
		wg.Go(func() {
			for i := range 25 {
				art := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/%d-%d", g, i),
					Title: fmt.Sprintf("Writer %d story %d", g, i), Text: "t"}
				if _, err := s.UpsertArticle(context.Background(), art); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	if n, err := b.CountArticles(context.Background()); err != nil || n != 200 {
		t.Fatalf("CountArticles = %d, %v; want 200", n, err)
	}
}

// An upsert whose context is cancelled mid-flight must roll back cleanly:
// the file stays consistent and the store usable.
func TestCancelledUpsertLeavesDatabaseUsable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cancel.db")
	s := migrated(t, path)
	src := &store.Source{URL: "https://a.example/feed", Enabled: true}
	if err := s.CreateSource(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	mk := func(i int) *store.Article {
		return &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/%d", i), GUID: fmt.Sprint(i),
			Title: "Same title for every article", Text: fmt.Sprintf("body %d", i)}
	}
	// Cancel at a spread of points: before the call, and from another
	// goroutine racing the transaction. Whatever happens must be all or nothing.
	cancelled := 0
	for i := range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		if i%4 == 0 {
			cancel()
		} else {
			go cancel()
		}
		if _, err := s.UpsertArticle(ctx, mk(i)); err != nil {
			if !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				t.Fatalf("upsert %d failed for another reason than cancellation: %v", i, err)
			}
			cancelled++
		}
		cancel()
	}
	if cancelled == 0 {
		t.Fatal("no upsert was cancelled; the test exercised nothing")
	}
	// Redo all: each article ends up exactly once, with distinct slugs.
	ctx := context.Background()
	for i := range 40 {
		a := mk(i)
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			t.Fatalf("upsert %d after cancellations: %v", i, err)
		}
	}
	if n, err := s.CountArticles(ctx); err != nil || n != 40 {
		t.Fatalf("CountArticles = %d, %v; want 40", n, err)
	}
	slugs := map[string]bool{}
	page, err := s.Articles(ctx, store.ArticleQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range page.Articles {
		if slugs[a.Slug] {
			t.Fatalf("duplicate slug %s", a.Slug)
		}
		slugs[a.Slug] = true
	}
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", res, err)
	}
}

func BenchmarkUpsertArticle(b *testing.B) {
	storetest.BenchUpsertArticle(b, migrated(b, filepath.Join(b.TempDir(), "bench.db")))
}

func BenchmarkArticlesPage(b *testing.B) {
	storetest.BenchArticlesPage(b, migrated(b, filepath.Join(b.TempDir(), "bench.db")))
}

func BenchmarkClaim(b *testing.B) {
	storetest.BenchClaim(b, migrated(b, filepath.Join(b.TempDir(), "bench.db")))
}

func BenchmarkSearchTierEditions(b *testing.B) {
	storetest.BenchSearchTierEditions(b, func(b *testing.B) store.Store { return migrated(b, filepath.Join(b.TempDir(), "bench.db")) })
}
