package newsletter_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
	"spektrum/internal/web"
)

// syncBuffer is a log the job runner and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPagesInTheSiteLayoutWithMailsInAFolder signs up the way a newcomer
// to the demo does, with no SMTP server: the newsletter's pages are the
// site's (masthead, menu, edition switcher, footer, a way back to the
// reader's edition), the choices are the sections that have articles, in
// the edition's language, and the confirmation mail lands in a folder
// with its link in the log, which confirms the subscription.
func TestPagesInTheSiteLayoutWithMailsInAFolder(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	dir := filepath.Join(t.TempDir(), "mail")
	site := httptest.NewUnstartedServer(nil)
	base := "http://" + site.Listener.Addr().String()
	wc := web.Config{SiteName: "Spektrum Test", BaseURL: base, Language: "en", Editions: []string{"en", "de"}, Logger: logger}
	layout, err := web.NewLayout(st, wc)
	if err != nil {
		t.Fatal(err)
	}
	n, err := newsletter.Open(ctx, st, newsletter.Settings{SMTPURL: "file:" + dir, Config: newsletter.Config{
		SiteName: "Spektrum Test", BaseURL: base, Secret: "test secret", Languages: []string{"en", "de"},
		Logger: logger, Layout: layout.Render}})
	if err != nil {
		t.Fatal(err)
	}
	wc.Mounts, wc.NewsletterForm = n.Handlers(), n.Form
	h, err := web.New(st, wc)
	if err != nil {
		t.Fatal(err)
	}
	site.Config.Handler = h
	site.Start()
	t.Cleanup(site.Close)

	for _, sec := range []store.Section{{Slug: "world", Name: "World"}, {Slug: "empty", Name: "Empty"}} {
		if err := st.EnsureSection(ctx, sec); err != nil {
			t.Fatal(err)
		}
	}
	src := &store.Source{URL: "https://wire.example/feed", Name: "Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertArticle(ctx, &store.Article{SourceID: src.ID, URL: "https://wire.example/1", Title: "A story",
		Section: "world", Language: "en", Text: "t", HTML: "<p>t</p>", PublishedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", u, cc)
		}
		return resp.StatusCode, string(b)
	}
	post := func(u string, form url.Values) (int, string) {
		t.Helper()
		resp, err := http.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	inSite := func(what, page, lang string) {
		t.Helper()
		for _, want := range []string{
			`<html lang="` + lang + `">`, `class="masthead"`, `class="sections-nav"`, `class="site-footer"`,
			`<meta name="robots" content="noindex">`, `<meta name="description" content="`, `rel="icon"`,
			`<a class="brand" href="/` + lang + `/">`,                                    // the way back is the reader's edition
			`href="/en/newsletter" hreflang="en"`, `href="/de/newsletter" hreflang="de"`, // the edition switcher
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", what, want)
			}
		}
		if strings.Contains(page, "/newsletter/style.css") {
			t.Errorf("%s still loads the newsletter's own stylesheet", what)
		}
	}

	status, page := get(base + "/de/newsletter")
	if status != http.StatusOK {
		t.Fatalf("sign-up page: %d", status)
	}
	inSite("the German sign-up page", page, "de")
	if !strings.Contains(page, `value="world"> Welt`) || strings.Contains(page, `value="empty"`) {
		t.Errorf("the German sign-up page should offer the section World as \"Welt\" and not the empty one")
	}
	if !strings.Contains(page, `href="`+base+`/de/"`) {
		t.Error("the sign-up page's way back should lead to the German edition")
	}
	ft := regexp.MustCompile(`name="ft" value="([^"]+)"`).FindStringSubmatch(page)
	if ft == nil {
		t.Fatal("no form token on the sign-up page")
	}
	status, page = post(base+"/newsletter/subscribe", url.Values{"ft": {html.UnescapeString(ft[1])}, "email": {"reader@example.org"},
		"lang": {"de"}, "shown": {"de"}, "frequency": {"daily"}, "sections": {"world"}, "page": {base + "/de/newsletter"}})
	if status != http.StatusOK {
		t.Fatalf("sign-up: %d %.300s", status, page)
	}
	inSite("the check-your-mail page", page, "de")

	runner := jobs.New(st, jobs.Options{Concurrency: 1, Poll: 10 * time.Millisecond})
	n.Register(runner)
	if err := runner.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("mails in %s: %v, want the one confirmation", dir, files)
	}
	eml, err := os.ReadFile(files[0])
	if err != nil || !bytes.Contains(eml, []byte("To: <reader@example.org>")) {
		t.Fatalf("the mail file is not the mail to the reader: %v\n%.400s", err, eml)
	}
	link := regexp.MustCompile(`links="?(\S+/newsletter/confirm\?t=[^\s"]+)`).FindStringSubmatch(logs.String())
	if link == nil {
		t.Fatalf("the log does not give the confirmation link:\n%s", logs.String())
	}
	status, page = get(link[1])
	if status != http.StatusOK {
		t.Fatalf("confirmation page: %d", status)
	}
	inSite("the confirmation page", page, "de")
	if !strings.Contains(page, "Welt") {
		t.Error("the confirmation page should name the chosen section in German")
	}
	tok, _ := url.Parse(link[1])
	c := regexp.MustCompile(`name="c" value="([^"]+)"`).FindStringSubmatch(page)
	if c == nil {
		t.Fatal("no choices digest on the confirmation page")
	}
	status, page = post(base+"/newsletter/confirm", url.Values{"t": {tok.Query().Get("t")}, "c": {html.UnescapeString(c[1])}})
	if status != http.StatusOK || !strings.Contains(page, "Sie haben den Newsletter abonniert") {
		t.Fatalf("confirm: %d %.300s", status, page)
	}
	inSite("the confirmed page", page, "de")
	sub, err := st.SubscriberByEmail(ctx, "reader@example.org")
	if err != nil || sub.Status != store.SubActive {
		t.Fatalf("subscriber after confirming: %+v, %v", sub, err)
	}
	// A bad link's page is the site's too, in the default edition.
	status, page = get(base + "/newsletter/unsubscribe?t=forged")
	if status != http.StatusNotFound {
		t.Errorf("a forged link: %d, want 404", status)
	}
	inSite("the bad-link page", page, "en")
}
