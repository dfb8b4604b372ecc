package app

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"spektrum/internal/config"
	"spektrum/internal/store"
)

// TestServeFlushesViewsOnShutdown runs serve's web role over loopback:
// views are counted in memory, once per reader, and the counts still in
// memory when serve stops are written before it returns.
func TestServeFlushesViewsOnShutdown(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	config.Register(fs, func(string) string { return "" })
	db := filepath.Join(t.TempDir(), "spektrum.db")
	if err := fs.Parse([]string{"--db", db, "--addr", "127.0.0.1:0", "--role", "web"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	src := &store.Source{URL: "https://views.example/feed", Name: "Views", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := a.Store.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	art := &store.Article{SourceID: src.ID, URL: "https://views.example/1", Title: "Counted once per reader",
		HTML: "<p>Body</p>", Text: "Body", Language: "en", PublishedAt: time.Now().Add(-time.Hour)}
	if _, err := a.Store.UpsertArticle(ctx, art); err != nil {
		t.Fatal(err)
	}

	urlc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(u string) { urlc <- u }) }()
	base := <-urlc
	for i, ua := range []string{"Mozilla/5.0 reader-one", "Mozilla/5.0 reader-one", "Mozilla/5.0 reader-one", "Mozilla/5.0 reader-two"} {
		req, _ := http.NewRequest(http.MethodGet, base+"en"+art.Path(), nil)
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("view %d: %s", i, resp.Status)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	tr, err := a.Store.Trending(context.Background(), time.Now().Add(-2*time.Hour), 5)
	if err != nil || len(tr) != 1 || tr[0].ID != art.ID {
		t.Fatalf("after shutdown Trending = %v, %v; want the viewed article: the last counts must be written", tr, err)
	}
	// Exactly two readers: one more view by a third reader in the same
	// hour must tie with an article that has 2, not trail one with 4.
	other := &store.Article{SourceID: src.ID, URL: "https://views.example/2", Title: "Two views",
		HTML: "<p>Body</p>", Text: "Body", Language: "en", PublishedAt: time.Now().Add(-2 * time.Hour)}
	if _, err := a.Store.UpsertArticle(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.AddViews(context.Background(), []store.ViewCount{{ArticleID: other.ID, Hour: time.Now(), Count: 3}}); err != nil {
		t.Fatal(err)
	}
	tr, err = a.Store.Trending(context.Background(), time.Now().Add(-2*time.Hour), 5)
	if err != nil || len(tr) != 2 || tr[0].ID != other.ID {
		t.Fatalf("Trending = %v, %v; want the article with 3 views above the one with 2 readers", tr, err)
	}
}
