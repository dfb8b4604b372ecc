package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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
	if _, errs, code := c.run("newsletter", "send", "--dry-run", "--edition", "xx"); code != 1 || !strings.Contains(errs, `language "xx" is not one of this outlet's editions`) {
		t.Fatalf("send --edition xx: exit %d, %q; want 1 naming the editions", code, errs)
	}
	if out := c.ok("newsletter", "send", "--dry-run", "--edition", "en"); !strings.Contains(out, "1 digests would be sent") {
		t.Fatalf("dry run of the en edition said:\n%s", out)
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

// mailpitMessages returns the subjects and text parts of the mails to addr,
// waiting (up to a bound) until there are n.
func mailpitMessages(t *testing.T, api, addr string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var found struct{ Messages []struct{ ID string } }
		resp, err := http.Get(api + "/api/v1/search?query=" + url.QueryEscape(`to:"`+addr+`"`))
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&found)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(found.Messages) >= n || time.Now().After(deadline) {
			if len(found.Messages) != n {
				t.Fatalf("Mailpit has %d mails to %s, want %d", len(found.Messages), addr, n)
			}
			var out []map[string]any
			for _, m := range found.Messages {
				var msg map[string]any
				resp, err := http.Get(api + "/api/v1/message/" + m.ID)
				if err != nil {
					t.Fatal(err)
				}
				err = json.NewDecoder(resp.Body).Decode(&msg)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, msg)
			}
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNewsletterServe signs up through a running `spektrum serve` (the
// form its pages carry, confirmation mails from its workers), then sends a
// digest with the command line and unsubscribes with one click.
func TestNewsletterServe(t *testing.T) {
	smtpURL, api := os.Getenv("SPEKTRUM_TEST_SMTP_URL"), os.Getenv("SPEKTRUM_TEST_MAILPIT_API")
	if smtpURL == "" || api == "" {
		t.Skip("SPEKTRUM_TEST_SMTP_URL and SPEKTRUM_TEST_MAILPIT_API are not set: run scripts/test.sh, which starts Mailpit")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	db := filepath.Join(t.TempDir(), "serve.db")
	c := newCLI(t, db)
	c.env = append(c.env, "SPEKTRUM_SMTP_URL="+smtpURL, "SPEKTRUM_BASE_URL=http://"+addr)
	c.ok("migrate")
	st := openStore(t, db)
	ctx := context.Background()
	src := &store.Source{URL: "https://wire.example/serve", Name: "Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertArticle(ctx, &store.Article{SourceID: src.ID, URL: "https://wire.example/serve/1", Title: "Served story",
		Text: "Body", FirstSeenAt: time.Now().Add(-time.Hour), PublishedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	base := serve(t, c, "--addr", addr)
	reader := "serve-" + time.Now().Format("150405.000000") + "@cli.example.org"

	home := get(t, base+"/en/")
	form := url.Values{"email": {reader}, "frequency": {"daily"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(home, -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("ft") == "" {
		t.Fatalf("no sign-up form on the home page:\n%s", home)
	}
	resp, err := http.PostForm(base+"/newsletter/subscribe", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-up answered %d", resp.StatusCode)
	}
	confirm := mailpitMessages(t, api, reader, 1)[0]
	link := regexp.MustCompile(`http://\S+/newsletter/confirm\?t=\S+`).FindString(confirm["Text"].(string))
	if !strings.HasPrefix(link, base+"/newsletter/confirm?t=") {
		t.Fatalf("confirmation link %q is not on the base URL %s", link, base)
	}
	tok, _ := url.Parse(link)
	// The page's button confirms the choices it shows (their digest "c").
	shown := get(t, link)
	choices := regexp.MustCompile(`name="c" value="([^"]+)"`).FindStringSubmatch(shown)
	if choices == nil {
		t.Fatalf("the confirmation page carries no choices field:\n%s", shown)
	}
	resp, err = http.PostForm(base+"/newsletter/confirm", url.Values{"t": {tok.Query().Get("t")}, "c": {choices[1]}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "subscribed") {
		t.Fatalf("confirming answered %d:\n%s", resp.StatusCode, page)
	}

	if out := c.ok("newsletter", "send"); !strings.Contains(out, "1 sent now") {
		t.Fatalf("send said:\n%s", out)
	}
	msgs := mailpitMessages(t, api, reader, 2)
	var digest map[string]any
	for _, m := range msgs {
		if strings.Contains(m["Subject"].(string), "new article") {
			digest = m
		}
	}
	if digest == nil || !strings.Contains(digest["Text"].(string), "Served story") {
		t.Fatalf("no digest with the article among %d mails", len(msgs))
	}
	unsub := regexp.MustCompile(`http://\S+/newsletter/unsubscribe\?t=\S+`).FindString(digest["Text"].(string))
	resp, err = http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe answered %d", resp.StatusCode)
	}
	if sub, err := st.SubscriberByEmail(ctx, reader); err != nil || sub.Status != store.SubUnsubscribed {
		t.Fatalf("after one-click: %+v, %v", sub, err)
	}
}
