package newsletter_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/newsletter"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// TestSampleDigestAndTestMail: a preview is the digest the mailer would
// send, a test mail goes through the real SMTP server to any address, and
// neither records a send or carries a working subscriber link.
func TestSampleDigestAndTestMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"Rail strike ends in Lyon"}, "tech": {"A rocket for bigger payloads"}})
	sub := e.activeSubscriber(e.addr("reader"), nil, store.Daily)

	m, err := e.n.SampleDigest(ctx, newsletter.Sample{Language: "en", Frequency: store.Daily, Email: "editor@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "editor@example.org" || !strings.Contains(m.HTML, "Rail strike ends in Lyon") || !strings.Contains(m.Text, "A rocket for bigger payloads") ||
		m.Subject == "" || m.ListUnsubscribe == "" {
		t.Fatalf("sample digest = %+v; want both articles in both parts, a subject and the list headers", m)
	}
	// Its links name nobody: the stand-in's unsubscribe link leads nowhere.
	if status, _ := e.get(m.ListUnsubscribe); status != http.StatusNotFound {
		t.Errorf("the sample's unsubscribe link answers %d, want 404", status)
	}
	if _, err := e.n.SampleDigest(ctx, newsletter.Sample{Language: "xx", Frequency: store.Daily}); !errors.Is(err, newsletter.ErrInvalid) {
		t.Errorf("sample of an edition the outlet lacks = %v, want ErrInvalid", err)
	}
	if _, err := e.n.SampleDigest(ctx, newsletter.Sample{Language: "en", Frequency: "hourly"}); !errors.Is(err, newsletter.ErrInvalid) {
		t.Errorf("sample of an unknown frequency = %v, want ErrInvalid", err)
	}

	to := e.addr("editor")
	sent, err := e.n.SendSample(ctx, newsletter.Sample{Language: "en", Frequency: store.Weekly, Email: strings.ToUpper(to)})
	if err != nil {
		t.Fatal(err)
	}
	got := e.mailpit.message(e.mailpit.waitFor(to, 1)[0].ID)
	if got.Subject != sent.Subject || !strings.Contains(got.Text, "Rail strike ends in Lyon") || !strings.Contains(got.HTML, "A rocket for bigger payloads") {
		t.Fatalf("Mailpit got %q:\n%s\nwant the sample digest %q", got.Subject, got.Text, sent.Subject)
	}
	if _, err := e.n.SendSample(ctx, newsletter.Sample{Language: "en", Frequency: store.Daily, Email: "not an address"}); !errors.Is(err, newsletter.ErrInvalid) {
		t.Errorf("test mail to a bad address = %v, want ErrInvalid", err)
	}
	if log, err := e.st.DigestSends(ctx, sub.ID); err != nil || len(log) != 0 {
		t.Errorf("a subscriber's send log after previews and test mails = %+v, %v; want empty", log, err)
	}
	if runs, err := e.st.DigestRuns(ctx, 0, 10); err != nil || len(runs) != 0 {
		t.Errorf("runs after previews and test mails = %+v, %v; want none", runs, err)
	}
	off := e.newNewsletter(newsletter.NoMailer{})
	if _, err := off.SendSample(ctx, newsletter.Sample{Language: "en", Frequency: store.Daily, Email: to}); !errors.Is(err, newsletter.ErrNoMailServer) {
		t.Errorf("test mail without a mail server = %v, want ErrNoMailServer", err)
	}
}

// TestSendNowOnceAndCounts: "send now" submitted twice with one token
// queues one run; planned through the schedule's path it mails each due
// subscriber once, and the run's counts follow a later unsubscribe and
// bounce.
func TestSendNowOnceAndCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *newsletter.Config) { c.Languages = []string{"en", "de"} })
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"Story N"}})
	stay, leave, bounce := e.addr("stay"), e.addr("leave"), e.addr("bounce")
	for _, a := range []string{stay, leave, bounce} {
		e.activeSubscriber(a, nil, store.Daily)
	}
	de := e.activeSubscriber(e.addr("german"), nil, store.Daily)
	de.Language = "de"
	if err := e.st.UpdateSubscriber(ctx, de); err != nil {
		t.Fatal(err)
	}

	const tok = "form-token-0123456789"
	for i, want := range []bool{true, false} {
		queued, err := e.n.SendNow(ctx, store.Daily, "en", tok)
		if err != nil || queued != want {
			t.Fatalf("SendNow #%d = %v, %v; want %v", i+1, queued, err, want)
		}
	}
	if _, err := e.n.SendNow(ctx, store.Daily, "en", "x"); !errors.Is(err, newsletter.ErrInvalid) {
		t.Errorf("SendNow with a token no form makes = %v, want ErrInvalid", err)
	}
	plan := func() { // as a worker would; the digests it queues are serve's
		t.Helper()
		r := jobs.New(e.st, jobs.Options{Concurrency: 1, Poll: 10 * time.Millisecond})
		e.n.Register(r)
		if err := r.RunUntilIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	plan()
	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true})
	if err != nil || rep.SentNow != 3 || rep.Counts.Sent != 3 {
		t.Fatalf("sending the planned run = %+v, %v; want the 3 English subscribers", rep, err)
	}
	// A new request plans only who became due: nobody here.
	if q, err := e.n.SendNow(ctx, store.Daily, "", "another-form-token-42"); err != nil || !q {
		t.Fatalf("SendNow with a new token = %v, %v", q, err)
	}
	plan()
	rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true})
	if err != nil || rep.SentNow != 1 || rep.Counts.Sent != 4 {
		t.Fatalf("second send now for every edition = %+v, %v; want only the German subscriber", rep, err)
	}
	for _, a := range []string{stay, leave, bounce, de.Email} {
		e.mailpit.waitFor(a, 1)
	}

	msg := e.mailpit.message(e.mailpit.waitFor(leave, 1)[0].ID)
	unsub := linkIn(t, msg.Text, e.base+"/newsletter/unsubscribe?t=")
	tokv, _ := url.ParseQuery(strings.SplitN(unsub, "?", 2)[1])
	if status, _ := e.postForm(unsub, url.Values{"t": tokv["t"], "List-Unsubscribe": {"One-Click"}}); status != http.StatusOK {
		t.Fatalf("one-click unsubscribe = %d", status)
	}
	if err := e.n.Bounce(ctx, bounce, newsletter.BounceHard, "550 5.1.1 no such user"); err != nil {
		t.Fatal(err)
	}
	runs, err := e.st.DigestRuns(ctx, 0, 10)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs = %+v, %v; want the one run", runs, err)
	}
	r := runs[0]
	if r.RunKey != newsletter.RunKey(store.Daily, e.clock.Now()) || r.Counts.Sent != 4 || r.Delivered() != 3 || r.Counts.Bounced != 1 || r.Counts.Unsubscribed != 1 {
		t.Errorf("run = %+v; want 4 sent, 3 delivered, 1 bounced, 1 unsubscribed", r)
	}
}

// TestOutletNameFromSettings: mails and pages name the outlet as the
// site's settings do in each edition (Config.Names), and fall back to
// Config.SiteName where they set none or give one no From header can hold.
func TestOutletNameFromSettings(t *testing.T) {
	t.Parallel()
	var e *env
	e = newEnv(t, func(c *newsletter.Config) {
		c.Languages = []string{"en", "de", "fr"}
		c.Names = func(ctx context.Context, lang string) string {
			kv, err := e.st.Settings(ctx)
			if err != nil {
				t.Error(err)
				return ""
			}
			if lang == "fr" {
				return "Broken\r\nBcc: victim@example.org" // never into a header
			}
			return settings.Decode(kv).For(lang, settings.Text{}).Name
		}
	})
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"Rail strike ends in Lyon"}})
	subject := func(lang string) string {
		m, err := e.n.SampleDigest(ctx, newsletter.Sample{Language: lang, Frequency: store.Daily, Email: "editor@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		return m.FromName + " | " + m.Subject
	}
	if got := subject("en"); got != "Spektrum Test | Spektrum Test: 1 new article" {
		t.Errorf("with no name set: %q", got)
	}
	if err := e.st.SaveSettings(ctx, map[string]string{settings.KeyName: "Daily Spectrum", settings.KeyName + ".de": "Tägliches Spektrum"}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"en": "Daily Spectrum | Daily Spectrum: 1 new article",
		"de": "Tägliches Spektrum | Tägliches Spektrum: 1 neuer Artikel",
		"fr": "Spektrum Test | Spektrum Test : 1 nouvel article",
	} {
		if got := subject(lang); got != want {
			t.Errorf("%s digest: %q, want %q", lang, got, want)
		}
	}
	if status, page := e.get(e.base + "/newsletter?lang=de"); status != http.StatusOK || !strings.Contains(page, "Tägliches Spektrum") {
		t.Errorf("German sign-up page = %d, lacks the outlet's German name:\n%.800s", status, page)
	}
}
