package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
)

// Items that carry their text but no link (notes, live-blog entries) are
// stored from the feed, each as its own article, and stay single on a
// second poll.
func TestLinklessItemsAreStoredOnceEach(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ticker</title><link>` + "http://" + r.Host + `/</link>
<item><title>Eilmeldung: Brücke gesperrt</title><guid isPermaLink="false">note-1</guid>
<description>&lt;p&gt;Die Rheinbrücke ist wegen eines Unfalls in beide Richtungen gesperrt.&lt;/p&gt;</description></item>
<item><title>Eilmeldung: Brücke wieder frei</title><guid isPermaLink="false">note-2</guid>
<description>&lt;p&gt;Die Sperrung der Rheinbrücke ist aufgehoben; der Verkehr fließt wieder.&lt;/p&gt;</description></item>
</channel></rss>`))
	}))
	defer srv.Close()

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1})
	p := New(st, fc, extract.New(), Options{})
	src := newSource(t, st, srv.URL+"/feed.xml", "")
	for pass := range 2 {
		if _, err := p.EnqueuePoll(ctx, src.ID); err != nil {
			t.Fatal(err)
		}
		r := jobs.New(st, jobs.Options{})
		p.Register(r)
		if err := r.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := st.Articles(ctx, store.ArticleQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Articles) != 2 {
			t.Fatalf("pass %d: %d articles, want 2", pass+1, len(page.Articles))
		}
		for _, a := range page.Articles {
			if !strings.Contains(a.Text, "Rheinbrücke") || !strings.HasPrefix(a.URL, srv.URL+"/#item-") {
				t.Errorf("article %q: url %q text %q", a.Title, a.URL, a.Text)
			}
		}
	}
}
