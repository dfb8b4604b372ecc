package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/config"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// TestDigestShowsOriginalOfUpdatedArticle: the outlet as serve builds it
// (store, newsletter, translations) mails a German reader a digest of an
// article updated after its German translation was made. The translation
// is of the older version, so the digest shows the updated original, as
// the site does — not the stale translation. (The newsletter once checked
// only the translation's status.) It needs Mailpit, as the newsletter's
// own tests do: scripts/test.sh starts one.
func TestDigestShowsOriginalOfUpdatedArticle(t *testing.T) {
	smtpURL, api := os.Getenv("SPEKTRUM_TEST_SMTP_URL"), os.Getenv("SPEKTRUM_TEST_MAILPIT_API")
	if smtpURL == "" || api == "" {
		t.Skip("SPEKTRUM_TEST_SMTP_URL and SPEKTRUM_TEST_MAILPIT_API are not set: this test needs a real SMTP server (run scripts/test.sh, which starts Mailpit)")
	}
	ctx := context.Background()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	config.Register(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--db", filepath.Join(t.TempDir(), "spektrum.db"), "--editions", "en,de",
		"--base-url", "http://127.0.0.1:9", "--smtp-url", smtpURL, "--secret", "test secret", "--newsletter-rate", "0"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	st := a.Store

	src := &store.Source{URL: "https://wire.example/feed", Name: "Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	art := &store.Article{SourceID: src.ID, URL: "https://wire.example/minister", Title: "Minister resigns",
		Summary: "Lead.", Text: "Body", HTML: "<p>Body</p>", Language: "en",
		PublishedAt: time.Now().Add(-time.Hour), FirstSeenAt: time.Now().Add(-time.Hour)}
	if _, err := st.UpsertArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	if err := st.PutTranslation(ctx, &store.Translation{ArticleID: art.ID, Language: "de", SourceLanguage: "en",
		Status: store.TranslationDone, Title: "Minister tritt zurück", Summary: "Vorspann.", HTML: "<p>Text</p>", Text: "Text",
		Provider: "apertium", ContentHash: art.ContentHash}); err != nil {
		t.Fatal(err)
	}
	upd := *art
	upd.ID, upd.ContentHash, upd.Title, upd.Text = 0, "", "Minister stays after all", "Corrected body"
	if _, err := st.UpsertArticle(ctx, &upd); err != nil || upd.ID != art.ID || upd.ContentHash == art.ContentHash {
		t.Fatalf("update = article %d hash %q, %v; want article %d with a new hash", upd.ID, upd.ContentHash, err, art.ID)
	}
	email := fmt.Sprintf("leser-%d@digest-stale.example.org", time.Now().UnixNano())
	sub := &store.Subscriber{Email: email, Language: "de", Frequency: store.Daily, Status: store.SubActive}
	if err := st.CreateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if rep, err := a.Newsletter.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily}); err != nil || rep.SentNow != 1 {
		t.Fatalf("digest run = %+v, %v; want one sent", rep, err)
	}
	text := mailpitText(t, api, email)
	if strings.Contains(text, "Minister tritt zurück") {
		t.Errorf("the digest carries the translation of the article's older version:\n%s", text)
	}
	if !strings.Contains(text, "Minister stays after all") {
		t.Errorf("the digest should show the updated original:\n%s", text)
	}
}

// mailpitText waits for the one mail to addr and returns its text part.
func mailpitText(t *testing.T, api, addr string) string {
	t.Helper()
	get := func(path string, v any) {
		resp, err := http.Get(api + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("mailpit %s: %v: %s", path, err, b)
		}
	}
	for range 100 {
		var list struct{ Messages []struct{ ID string } }
		get("/api/v1/search?query="+url.QueryEscape("to:"+addr), &list)
		if len(list.Messages) > 0 {
			var m struct{ Text string }
			get("/api/v1/message/"+list.Messages[0].ID, &m)
			return m.Text
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s arrived at Mailpit", addr)
	return ""
}
