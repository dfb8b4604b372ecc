package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/store"
)

// The same wire story republished by a second source under a new headline
// (with a credit line added) is recognised from its text and marked as a
// copy of the first; a different story on the same topic is not. Nothing
// about either article changes.
func TestWireCopyIsMarkedAsNearDuplicate(t *testing.T) {
	const wire = `<p>The central bank left its main interest rate unchanged on Thursday, saying inflation had eased faster than expected over the winter but warning that wage growth remained strong.</p>
<p>Economists had widely expected the decision. The bank's governor told reporters that the board would watch the labour market closely before any cut, and that energy prices were still a risk for the months ahead.</p>
<p>In its statement the board said consumer prices rose by 2.4 percent in the year to February, down from a peak of more than ten percent two years ago. Markets reacted calmly and the currency barely moved.</p>`
	const apart = `<p>Interest rates stay where they are: on Thursday the central bank's board kept borrowing costs on hold for another month.</p>
<p>Prices have cooled since the winter, the governor said, yet pay is still rising quickly, so the board wants to see more of the jobs market before it lowers rates.</p>
<p>Energy remains a risk, she added. Traders had bet on the outcome, and the currency hardly moved after the announcement on Thursday afternoon.</p>`
	site := func(title, body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/feed.xml" {
				w.Header().Set("Content-Type", "application/rss+xml")
				fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>http://%[1]s/</link>
<item><title>%[2]s</title><link>http://%[1]s/story</link><guid>s1</guid></item></channel></rss>`, r.Host, title)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title></head><body><article><h1>%[1]s</h1>%s</article></body></html>`, title, body)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	first := site("Central bank holds rates", wire)
	copySite := site("Rates unchanged, bank warns on wages", wire+"<p>(Reporting by our correspondent; editing by the desk.)</p>")
	apartSite := site("Bank keeps borrowing costs on hold", apart)

	ctx := context.Background()
	st := testStore(t)
	p := New(st, fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1}), extract.New(), Options{})
	ids := map[string]int64{}
	for _, srv := range []*httptest.Server{first, copySite, apartSite} {
		src := &store.Source{URL: srv.URL + "/feed.xml", Kind: store.KindFeed, Name: srv.URL, PollInterval: time.Hour, Enabled: true}
		if err := st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if _, err := p.EnqueuePoll(ctx, src.ID); err != nil {
			t.Fatal(err)
		}
		r := jobs.New(st, jobs.Options{})
		p.Register(r)
		if err := r.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := st.Articles(ctx, store.ArticleQuery{SourceID: src.ID})
		if err != nil || len(page.Articles) != 1 {
			t.Fatalf("source %s: %d articles, %v", srv.URL, len(page.Articles), err)
		}
		ids[srv.URL] = page.Articles[0].ID
	}
	copies, err := st.Copies(ctx, ids[first.URL])
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 1 || copies[0].ID != ids[copySite.URL] {
		t.Fatalf("copies of the first article = %v, want the wire copy %d only", copies, ids[copySite.URL])
	}
	originals, err := st.Articles(ctx, store.ArticleQuery{OriginalsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range originals.Articles {
		titles = append(titles, a.Title)
	}
	if len(titles) != 2 || strings.Contains(strings.Join(titles, "|"), "wages") {
		t.Errorf("originals = %q, want the first report and the one written apart", titles)
	}
}

// Stages run in any order: when the later copy is judged before the older
// article has a signature, the older one claims it when its turn comes.
func TestNearDuplicateJudgedOutOfOrder(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	p := New(st, fetch.New(fetch.Options{}), extract.New(), Options{})
	text := strings.Repeat("The central bank left its main interest rate unchanged on Thursday, warning that wage growth remained strong. ", 6)
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	var arts []*store.Article
	for i, name := range []string{"a", "b"} {
		src := &store.Source{URL: "https://" + name + ".example/feed", Kind: store.KindFeed, Name: name, PollInterval: time.Hour, Enabled: true}
		if err := st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		a := &store.Article{SourceID: src.ID, URL: "https://" + name + ".example/rates", Title: "Rates " + name, Text: text,
			FirstSeenAt: at.Add(time.Duration(i) * time.Hour)}
		if _, err := st.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	older, newer := arts[0], arts[1]
	if err := p.dedupe(ctx, newer); err != nil { // the newer one first
		t.Fatal(err)
	}
	if err := p.dedupe(ctx, older); err != nil {
		t.Fatal(err)
	}
	got, err := st.Article(ctx, newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DuplicateOf != older.ID {
		t.Errorf("the newer copy is marked a copy of %d, want %d", got.DuplicateOf, older.ID)
	}
	if o, _ := st.Article(ctx, older.ID); o.DuplicateOf != 0 {
		t.Errorf("the older article is marked a copy of %d", o.DuplicateOf)
	}
}
