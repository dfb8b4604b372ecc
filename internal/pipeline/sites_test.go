package pipeline

import (
	"context"
	"fmt"
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

// The site's standing paragraph (the same on every story, inside the
// article's own container, with no class that marks it) is learned as
// template after a few pages and left out of the next articles, while
// every story paragraph stays.
func TestSiteTemplateIsLearnedAcrossPages(t *testing.T) {
	ctx := context.Background()
	const template = "Die Rheinpost ist eine unabhängige Tageszeitung aus Bonn. Sie erscheint seit 1946 und gehört keiner Partei an."
	towns := []string{"Bonn", "Köln", "Siegburg", "Königswinter", "Meckenheim", "Troisdorf"}
	story := func(i int) []string {
		town := towns[i]
		return []string{
			fmt.Sprintf("Der Stadtrat von %s hat am Dienstagabend nach langer Debatte einen neuen Haushalt für das kommende Jahr beschlossen. Die Opposition stimmte dagegen.", town),
			fmt.Sprintf("Nach Angaben der Verwaltung in %s steigen vor allem die Ausgaben für Schulen und Kitas, während bei den Straßen gespart werden soll.", town),
			fmt.Sprintf("Bürgerinnen und Bürger aus %s können den Entwurf noch bis Ende des Monats im Rathaus einsehen und Einwände schriftlich einreichen.", town),
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Rheinpost</title><link>http://` + r.Host + `/</link>`)
		for i := range towns {
			fmt.Fprintf(&b, `<item><title>Haushalt in %s beschlossen</title><link>http://%s/story/%d</link><guid>story-%d</guid><pubDate>Mon, %02d Mar 2025 08:00:00 +0000</pubDate></item>`,
				towns[i], r.Host, i, i, 20-i)
		}
		b.WriteString(`</channel></rss>`)
		_, _ = w.Write([]byte(b.String()))
	})
	mux.HandleFunc("/story/{n}", func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscan(r.PathValue("n"), &i)
		var b strings.Builder
		fmt.Fprintf(&b, `<!doctype html><html lang="de"><head><title>Haushalt in %s beschlossen</title></head><body>
<header><a href="/">Rheinpost</a></header><main><article><h1>Haushalt in %s beschlossen</h1>`, towns[i], towns[i])
		for _, p := range story(i) {
			b.WriteString("<p>" + p + "</p>")
		}
		b.WriteString("<p>" + template + "</p></article></main><footer>Impressum</footer></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(b.String()))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sites.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p := New(st, fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1}), extract.New(), Options{})
	src := newSource(t, st, srv.URL+"/feed.xml", "")
	if _, err := p.EnqueuePoll(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	// One worker: the stories are read in feed order, so the later ones
	// meet a profile learned from the earlier ones.
	r := jobs.New(st, jobs.Options{Concurrency: 1})
	p.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := st.Articles(ctx, store.ArticleQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Articles) != len(towns) {
		t.Fatalf("%d articles, want %d", len(page.Articles), len(towns))
	}
	withTemplate := 0
	for _, a := range page.Articles {
		var i int
		fmt.Sscan(a.URL[strings.LastIndex(a.URL, "/")+1:], &i)
		for _, para := range story(i) {
			if !strings.Contains(a.Text, para) {
				t.Errorf("%s lost a story paragraph: %q", a.URL, para)
			}
		}
		if strings.Contains(a.Text, "unabhängige Tageszeitung") {
			withTemplate++
			if i >= 3 {
				t.Errorf("story %d (read after %d pages of the site) still has the site's standing paragraph", i, i)
			}
		}
	}
	if withTemplate == 0 {
		t.Fatalf("no article kept the standing paragraph: the first pages, read before anything was learned, should have")
	}
}
