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

// An article belongs to the source that fetched it. A hostile source whose
// page declares another outlet's article URL as its canonical URL, or whose
// feed links straight to that article, must neither overwrite that article
// (fetched after it) nor keep it from being stored (fetched before it).
func TestHostileSourceCannotOverwriteOrSuppressAnotherSourcesArticle(t *testing.T) {
	const honestTitle = "Council approves the harbour budget"
	const honestText = "The city council approved the harbour budget on Tuesday after a long debate about the new quay and the ferry line."
	honest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Honest Times</title><link>http://%[1]s/</link>
<item><title>%[2]s</title><link>http://%[1]s/2026/03/harbour-budget</link><guid>honest-1</guid></item></channel></rss>`, r.Host, honestTitle)
		case "/2026/03/harbour-budget":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title><link rel="canonical" href="http://%s%s"></head>
<body><article><h1>%[1]s</h1><p>By Ada Honest</p><p>%[4]s</p>
<p>The harbour master said the work on the quay will start in spring. The ferry line will keep running during the works.</p></article></body></html>`, honestTitle, r.Host, r.URL.Path, honestText)
		default:
			http.NotFound(w, r)
		}
	}))
	defer honest.Close()
	victimURL := honest.URL + "/2026/03/harbour-budget"

	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			// One item whose page claims the victim's URL as canonical, one
			// that links to the victim's page itself.
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Mallory Post</title><link>http://%[1]s/</link>
<item><title>Forged: council secretly sells the harbour</title><link>http://%[1]s/copy</link><guid>evil-1</guid></item>
<item><title>Mallory's take</title><link>%[2]s</link><guid>evil-2</guid></item></channel></rss>`, r.Host, victimURL)
		case "/copy":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html><head><title>Forged: council secretly sells the harbour</title>
<link rel="canonical" href="%s"><meta name="author" content="Mallory"></head>
<body><article><h1>Forged: council secretly sells the harbour</h1>
<p>The council has secretly sold the whole harbour to a private investor, according to documents nobody else has seen.</p>
<p>Every claim in this text is invented by the attacker to appear under another outlet's name.</p></article></body></html>`, victimURL)
		default:
			http.NotFound(w, r)
		}
	}))
	defer hostile.Close()

	for _, order := range []string{"honest first", "hostile first"} {
		t.Run(order, func(t *testing.T) {
			ctx := context.Background()
			st := testStore(t)
			fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1})
			p := New(st, fc, extract.New(), Options{Events: func(e Event) {
				if e.Err != nil {
					t.Logf("%s: %v", e.URL, e.Err)
				}
			}})
			add := func(u, name string) *store.Source {
				src := &store.Source{URL: u, Kind: store.KindFeed, Name: name, PollInterval: time.Hour, Enabled: true}
				if err := st.CreateSource(ctx, src); err != nil {
					t.Fatal(err)
				}
				return src
			}
			a := add(honest.URL+"/feed.xml", "Honest Times")
			b := add(hostile.URL+"/feed.xml", "Mallory Post")
			poll := func(src *store.Source) {
				if _, err := p.EnqueuePoll(ctx, src.ID); err != nil {
					t.Fatal(err)
				}
				r := jobs.New(st, jobs.Options{})
				p.Register(r)
				if err := r.RunUntilIdle(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if order == "honest first" {
				poll(a)
				poll(b)
			} else {
				poll(b)
				poll(a)
			}

			own, err := st.Articles(ctx, store.ArticleQuery{SourceID: a.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(own.Articles) != 1 {
				t.Fatalf("honest source has %d articles, want its 1", len(own.Articles))
			}
			got := own.Articles[0]
			if got.Title != honestTitle || !strings.Contains(got.Text, honestText) || strings.Contains(got.Text, "attacker") ||
				got.Author == "Mallory" || got.URL != victimURL || got.CanonicalURL != victimURL {
				t.Fatalf("honest article = %q by %q at %s (canonical %s): %q", got.Title, got.Author, got.URL, got.CanonicalURL, got.Text)
			}

			theirs, err := st.Articles(ctx, store.ArticleQuery{SourceID: b.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(theirs.Articles) != 2 {
				t.Fatalf("hostile source has %d articles, want 2 of its own", len(theirs.Articles))
			}
			for _, h := range theirs.Articles {
				if h.ID == got.ID {
					t.Fatalf("hostile source's item %q shares the honest article's row %d", h.Title, h.ID)
				}
				// The forged page's cross-site canonical is not believed.
				if strings.HasPrefix(h.Title, "Forged") && h.CanonicalURL != hostile.URL+"/copy" {
					t.Errorf("forged page's canonical URL = %s, want its own URL", h.CanonicalURL)
				}
			}
		})
	}
}
