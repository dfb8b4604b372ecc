package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestNewsletterCommands runs `spektrum newsletter …` as a process against a
// SQLite file and the Mailpit scripts/test.sh starts.
func TestNewsletterCommands(t *testing.T) {
	smtpURL, api := os.Getenv("SPEKTRUM_TEST_SMTP_URL"), os.Getenv("SPEKTRUM_TEST_MAILPIT_API")
	if smtpURL == "" || api == "" {
		t.Skip("SPEKTRUM_TEST_SMTP_URL and SPEKTRUM_TEST_MAILPIT_API are not set: run scripts/test.sh, which starts Mailpit")
	}
	db := filepath.Join(t.TempDir(), "nl.db")
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_SMTP_URL=", "SPEKTRUM_BASE_URL=https://news.example.org")
	c.ok("migrate")
	st := openStore(t, db)
	ctx := context.Background()
	addr := "cli-" + time.Now().Format("150405.000000") + "@cli.example.org"
	src := &store.Source{URL: "https://wire.example/feed", Name: "Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertArticle(ctx, &store.Article{SourceID: src.ID, URL: "https://wire.example/1", Title: "Command line story",
		Text: "Body", FirstSeenAt: time.Now().Add(-time.Hour), PublishedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSubscriber(ctx, &store.Subscriber{Email: addr, Language: "en", Frequency: store.Daily,
		Status: store.SubActive, LinkNonce: "n"}); err != nil {
		t.Fatal(err)
	}

	if _, errs, code := c.run("newsletter", "send"); code != 1 || !strings.Contains(errs, "SPEKTRUM_SMTP_URL") {
		t.Fatalf("send without SMTP: exit %d, %q; want 1 and how to configure it", code, errs)
	}
	if _, _, code := c.run("newsletter", "send", "--frequency", "hourly"); code != 2 {
		t.Fatalf("send --frequency hourly: exit %d, want 2", code)
	}
	out := c.ok("newsletter", "send", "--dry-run")
	if !strings.Contains(out, "1 digests would be sent") || !strings.Contains(out, "first subject: Spektrum: 1 new article") {
		t.Fatalf("dry run said:\n%s", out)
	}
	out = c.ok("newsletter", "send", "--frequency", "daily", "--smtp-url", smtpURL)
	if !strings.Contains(out, "1 sent now") {
		t.Fatalf("send said:\n%s", out)
	}
	if out = c.ok("newsletter", "send", "--smtp-url", smtpURL); !strings.Contains(out, "0 sent now (1 in all)") {
		t.Fatalf("second send the same day said:\n%s", out)
	}
	var found struct {
		Messages []struct{ Subject string }
	}
	resp, err := http.Get(api + "/api/v1/search?query=" + url.QueryEscape(`to:"`+addr+`"`))
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&found)
	resp.Body.Close()
	if err != nil || len(found.Messages) != 1 || found.Messages[0].Subject != "Spektrum: 1 new article" {
		t.Fatalf("Mailpit has %+v (%v) for %s; want the one digest", found.Messages, err, addr)
	}

	var ex struct {
		Email   string
		Digests []struct{ State string } `json:"digests"`
	}
	if err := json.Unmarshal([]byte(c.ok("newsletter", "export", strings.ToUpper(addr))), &ex); err != nil || ex.Email != addr ||
		len(ex.Digests) != 1 || ex.Digests[0].State != store.SendSent {
		t.Fatalf("export = %+v, %v", ex, err)
	}
	if out := c.ok("newsletter", "stats"); !strings.Contains(out, "active") {
		t.Fatalf("stats said %q", out)
	}
	if out := c.ok("newsletter", "webhook-url"); !strings.HasPrefix(out, "https://news.example.org/api/v1/newsletter/bounces/") {
		t.Fatalf("webhook-url said %q", out)
	}
	// Bounce mails piped in (or given as files) deactivate addresses.
	if err := st.CreateSubscriber(ctx, &store.Subscriber{Email: "gone@example.net", Language: "en", Frequency: store.Daily,
		Status: store.SubActive, LinkNonce: "n"}); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("newsletter", "bounce", "../../internal/newsletter/testdata/dsn-postfix.eml"); !strings.Contains(out, "2 recipients reported on") {
		t.Fatalf("bounce said %q", out)
	}
	if gone, err := st.SubscriberByEmail(ctx, "gone@example.net"); err != nil || gone.Status != store.SubBounced {
		t.Fatalf("after the DSN: %+v, %v; want bounced", gone, err)
	}
	c.ok("newsletter", "erase", addr)
	if _, errs, code := c.run("newsletter", "export", addr); code != 1 || !strings.Contains(errs, "no subscriber") {
		t.Fatalf("export after erase: exit %d, %q", code, errs)
	}
}
