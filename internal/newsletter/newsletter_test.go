package newsletter_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// TestSignupConfirmDigestUnsubscribe follows one reader from the form at
// the foot of a site page to a one-click unsubscribe, through real HTTP and
// a real SMTP server, asserting on the mails as Mailpit received them.
func TestSignupConfirmDigestUnsubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	arts := e.seed(map[string][]string{
		"europe": {"Rail strike ends in Lyon", "Krakow extends its tram network"},
		"tech":   {"A rocket for bigger payloads"},
	})
	addr := e.addr("reader")

	// 1. The form at the foot of the home page, submitted as a browser would.
	status, home := e.get(e.base + "/")
	if status != http.StatusOK || !strings.Contains(home, `action="`+e.base+`/newsletter/subscribe"`) {
		t.Fatalf("home page %d does not carry the sign-up form:\n%s", status, home)
	}
	form := hiddenFields(home, `class="nl-form`)
	// The home page may redirect to an edition's (/en/); the form names
	// the page it is on.
	if form.Get("ft") == "" || !strings.HasPrefix(form.Get("page"), e.base+"/") {
		t.Fatalf("footer form's hidden fields = %v; want a form token and the page URL", form)
	}
	form.Set("email", addr)
	form.Set("frequency", "daily")
	status, body := e.postForm(e.base+"/newsletter/subscribe", form)
	if status != http.StatusOK || !strings.Contains(body, "check your inbox") {
		t.Fatalf("sign-up answered %d:\n%s", status, body)
	}

	// Nothing but the confirmation goes to an unconfirmed address.
	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 0 {
		t.Fatalf("digest run before confirmation sent %d (%v); want 0", rep.SentNow, err)
	}
	e.runJobs()
	msgs := e.mailpit.waitFor(addr, 1)
	confirm := e.mailpit.message(msgs[0].ID)
	assertHeaders(t, confirm, addr, "Confirm your subscription to Spektrum Test")
	if len(confirm.Headers["List-Unsubscribe"]) != 0 {
		t.Errorf("the confirmation mail has List-Unsubscribe %v; it is not a list mail", confirm.Headers["List-Unsubscribe"])
	}
	link := linkIn(t, confirm.Text, e.base+"/newsletter/confirm?t=")
	if htmlLink := linkIn(t, confirm.HTML, e.base+"/newsletter/confirm?t="); htmlLink != link {
		t.Errorf("text part links %s, HTML part %s; want the same confirmation link", link, htmlLink)
	}
	if !strings.Contains(confirm.Text, "(Daily, all sections)") {
		t.Errorf("the confirmation mail does not restate the choices:\n%s", confirm.Text)
	}
	if !strings.Contains(confirm.Text, "We don't track opens or clicks") {
		t.Errorf("the confirmation mail does not repeat the consent text:\n%s", confirm.Text)
	}

	// 2. Following the link shows a button; only the POST confirms.
	status, page := e.get(link)
	if status != http.StatusOK || !strings.Contains(page, "Confirm your subscription") {
		t.Fatalf("GET confirmation link: %d\n%s", status, page)
	}
	if sub, _ := e.st.SubscriberByEmail(ctx, addr); sub.Status != store.SubPending {
		t.Fatalf("a GET of the confirmation link made the subscriber %s; only the button may confirm", sub.Status)
	}
	fields := hiddenFields(page, `class="nl-button"`)
	// A button press carrying choices other than the pending ones (they
	// changed since the page was shown) shows the page again, confirming
	// nothing.
	stale := url.Values{}
	for k, v := range fields {
		stale[k] = v
	}
	stale.Set("c", "choices-the-reader-never-saw")
	if status, again := e.postForm(e.base+"/newsletter/confirm", stale); status != http.StatusOK || !strings.Contains(again, "Confirm your subscription") {
		t.Fatalf("POST with stale choices: %d\n%s", status, again)
	}
	if sub, _ := e.st.SubscriberByEmail(ctx, addr); sub.Status != store.SubPending {
		t.Fatalf("a press with stale choices made the subscriber %s", sub.Status)
	}
	status, page = e.postForm(e.base+"/newsletter/confirm", fields)
	if status != http.StatusOK || !strings.Contains(page, "You&#39;re subscribed") {
		t.Fatalf("POST confirmation: %d\n%s", status, page)
	}
	if status, _ = e.postForm(e.base+"/newsletter/confirm", fields); status != http.StatusNotFound {
		t.Fatalf("a second confirmation with the same link answered %d, want 404: links are single-use", status)
	}

	// 3. The daily digest: both parts, the right articles, one-click headers.
	rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 1 || rep.Counts.Sent != 1 {
		t.Fatalf("digest run = %+v, %v; want one sent", rep, err)
	}
	msgs = e.mailpit.waitFor(addr, 2)
	digest := e.mailpit.message(msgs[0].ID)
	assertHeaders(t, digest, addr, "Spektrum Test: 3 new articles")
	for title, a := range arts {
		if !strings.Contains(digest.Text, title) || !strings.Contains(digest.HTML, title) {
			t.Errorf("digest lacks %q in one of its parts", title)
		}
		if !strings.Contains(digest.Text, e.base+"/en/"+a.PublishedAt.UTC().Format("2006/01/02")+"/"+a.Slug) {
			t.Errorf("digest text lacks the link to %q on the site", title)
		}
	}
	articleLink := linkIn(t, digest.Text, e.base+"/en/20")
	if status, _ := e.get(articleLink); status != http.StatusOK {
		t.Errorf("article link %s in the digest answers %d", articleLink, status)
	}
	unsub := digest.Headers["List-Unsubscribe"]
	if len(unsub) != 1 || !strings.HasPrefix(unsub[0], "<"+e.base+"/newsletter/unsubscribe?t=") || !strings.HasSuffix(unsub[0], ">") {
		t.Fatalf("List-Unsubscribe = %q, want <%s/newsletter/unsubscribe?t=…>", unsub, e.base)
	}
	if got := digest.Headers["List-Unsubscribe-Post"]; len(got) != 1 || got[0] != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post = %q, want List-Unsubscribe=One-Click (RFC 8058)", got)
	}
	if bodyUnsub := linkIn(t, digest.Text, e.base+"/newsletter/unsubscribe?t="); bodyUnsub == "" {
		t.Fatal("no unsubscribe link in the digest's text")
	}

	// Running the same run again mails nobody twice.
	if rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily}); err != nil || rep.SentNow != 0 {
		t.Fatalf("second run of the same day sent %d (%v), want 0", rep.SentNow, err)
	}

	// 4. One-click unsubscribe as a mailbox provider does it (RFC 8058).
	oneClick := strings.Trim(unsub[0], "<>")
	resp, err := http.Post(oneClick, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST answered %d", resp.StatusCode)
	}
	sub, err := e.st.SubscriberByEmail(ctx, addr)
	if err != nil || sub.Status != store.SubUnsubscribed {
		t.Fatalf("after one-click: %+v, %v; want unsubscribed at once", sub, err)
	}
	e.clock.Add(24 * time.Hour)
	if rep, err = e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily}); err != nil || rep.SentNow != 0 {
		t.Fatalf("next day's run sent %d (%v) after unsubscribing; want 0", rep.SentNow, err)
	}

	// 5. The consent record says what was shown, where, and what was chosen.
	cs, err := e.st.Consents(ctx, sub.ID)
	if err != nil || len(cs) != 3 {
		t.Fatalf("consent record = %+v, %v; want subscribe, confirm, unsubscribe", cs, err)
	}
	if cs[0].Action != "subscribe" || cs[0].Language != "en" || !strings.HasPrefix(cs[0].Text, "We use your sign-up only") ||
		cs[0].TextVersion == "" || cs[0].PageURL != form.Get("page") || !strings.Contains(cs[0].Choices, `"frequency":"daily"`) ||
		!cs[0].CreatedAt.Equal(base) {
		t.Errorf("subscribe consent = %+v", cs[0])
	}
	if cs[1].Action != "confirm" || cs[2].Action != "unsubscribe" || cs[2].PageURL != "one-click" {
		t.Errorf("later consent entries = %+v, %+v", cs[1], cs[2])
	}
}

// assertHeaders checks what every mail must carry.
func assertHeaders(t *testing.T, m mpMessage, to, subject string) {
	t.Helper()
	if m.Subject != subject {
		t.Errorf("Subject = %q, want %q", m.Subject, subject)
	}
	from, err := mail.ParseAddress(first(m.Headers["From"]))
	if err != nil || from.Name != "Spektrum Test" || from.Address != "newsletter@localhost.localdomain" {
		t.Errorf("From = %q (%v), want the outlet's name and address", m.Headers["From"], err)
	}
	if len(m.To) != 1 || m.To[0].Address != to {
		t.Errorf("To = %+v, want only %s", m.To, to)
	}
	if id := first(m.Headers["Message-Id"]); !regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`).MatchString(id) {
		t.Errorf("Message-ID = %q, want <local@domain>", id)
	}
	if _, err := mail.ParseDate(first(m.Headers["Date"])); err != nil {
		t.Errorf("Date = %q: %v", m.Headers["Date"], err)
	}
	if m.Text == "" || m.HTML == "" {
		t.Errorf("want both a text and an HTML part; text %d bytes, HTML %d bytes", len(m.Text), len(m.HTML))
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// TestAPISignupSameAnswerAndLimits: the JSON API answers alike for every
// address state, confirmation mails stop after a few, and sign-ups are
// rate-limited per address and per IP.
func TestAPISignupSameAnswerAndLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *newsletter.Config) { c.SignupsPerIPHour = 7 })
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"One"}})
	post := func(body string) (int, string) {
		t.Helper()
		resp, err := http.Post(e.base+"/api/v1/newsletter/subscribe", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		b, _ := json.Marshal(out)
		return resp.StatusCode, string(b)
	}
	known := e.addr("known")
	e.activeSubscriber(known, nil, store.Daily)
	newAddr := e.addr("new")
	answers := map[string]bool{}
	for _, a := range []string{newAddr, newAddr, known} {
		status, body := post(`{"email":"` + a + `","lang":"en","sections":["europe"],"frequency":"weekly"}`)
		if status != http.StatusAccepted {
			t.Fatalf("API sign-up of %s = %d %s, want 202", a, status, body)
		}
		answers[body] = true
		e.runJobs()
	}
	if len(answers) != 1 {
		t.Fatalf("the API answered differently for new, pending and active addresses: %v", answers)
	}
	sub, err := e.st.SubscriberByEmail(ctx, newAddr)
	if err != nil || sub.Status != store.SubPending || sub.Frequency != store.Weekly || len(sub.Sections) != 1 {
		t.Fatalf("API subscriber = %+v, %v", sub, err)
	}
	// Three more sign-ups of the same address: 5 in all within the hour;
	// one mail (TestSignupsCannotLockOutOwner tests the spacing).
	for range 3 {
		if status, body := post(`{"email":"` + newAddr + `"}`); status != http.StatusAccepted {
			t.Fatalf("repeat sign-up = %d %s", status, body)
		}
		e.runJobs()
	}
	if status, _ := post(`{"email":"` + newAddr + `"}`); status != http.StatusTooManyRequests {
		t.Fatalf("sixth sign-up of one address in a day = %d, want 429", status)
	}
	e.runJobs()
	e.mailpit.waitFor(newAddr, 1)
	// The active subscriber is told, with their preferences link; the
	// sign-up changed nothing.
	km := e.mailpit.message(e.mailpit.waitFor(known, 1)[0].ID)
	if km.Subject != "Your subscription to Spektrum Test" || !strings.Contains(km.Text, e.base+"/newsletter/preferences?t=") ||
		strings.Contains(km.Text, "/newsletter/confirm") {
		t.Fatalf("mail to the already active address: %q\n%s", km.Subject, km.Text)
	}
	if ks, _ := e.st.SubscriberByEmail(ctx, known); ks.Frequency != store.Daily || len(ks.Sections) != 0 {
		t.Fatalf("a sign-up by address alone changed an active subscriber's choices: %+v", ks)
	}

	for _, tc := range []struct{ body, ctype string }{
		{`{"email":"not an address"}`, "application/json"},
		{`{"email":"a@b.org\r\nBcc: victim@example.org"}`, "application/json"},
		{`{"email":"x@example.org","frequency":"hourly"}`, "application/json"},
		{`{"email":"x@example.org","sections":["nope"]}`, "application/json"},
		{`{"email":"x@example.org","lang":"xx"}`, "application/json"},
		{`{"email":"x@example.org","admin":true}`, "application/json"},
	} {
		if status, body := post(tc.body); status != http.StatusBadRequest || !strings.Contains(body, "error") {
			t.Errorf("sign-up %s = %d %s, want 400 with an error", tc.body, status, body)
		}
	}
	resp, err := http.Post(e.base+"/api/v1/newsletter/subscribe", "text/plain", strings.NewReader(`{"email":"x@example.org"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain sign-up = %d, want 415 (a cross-site form must not be able to sign anyone up)", resp.StatusCode)
	}
	// Seven valid sign-ups came from this IP so far: the limit (7 an hour here) is reached.
	if status, _ := post(`{"email":"` + e.addr("other") + `"}`); status != http.StatusTooManyRequests {
		t.Fatalf("sign-up over the per-IP limit = %d, want 429", status)
	}
}

// crashAfter passes n sends through to the real mailer, then ends the run
// as a crash would: the context is cancelled and nothing more is recorded.
type crashAfter struct {
	newsletter.Mailer
	n      int32
	sent   atomic.Int32
	cancel context.CancelFunc
}

func (c *crashAfter) Send(ctx context.Context, m *newsletter.Message) error {
	if c.sent.Load() >= c.n {
		c.cancel()
		return ctx.Err()
	}
	if err := c.Mailer.Send(ctx, m); err != nil {
		return err
	}
	c.sent.Add(1)
	return nil
}

// TestCrashMidRunResumes: a run dies after 5 of 12 digests; a second
// process resumes it once the first's lease has run out. Every subscriber
// ends up with exactly one digest in the mailbox.
func TestCrashMidRunResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.seed(map[string][]string{"europe": {"Story A", "Story B"}})
	var subs []string
	for i := range 12 {
		a := e.addr("sub" + string(rune('a'+i)))
		e.activeSubscriber(a, nil, store.Daily)
		subs = append(subs, a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crash := &crashAfter{Mailer: e.mailer, n: 5, cancel: cancel}
	first := e.newNewsletter(crash)
	_, err := first.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, Lease: 5 * time.Minute, Concurrency: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("crashed run returned %v, want context.Canceled", err)
	}
	if got := e.mailpit.toDomain(e.domain); len(got) != 5 {
		t.Fatalf("after the crash %d subscribers have mail, want 5: %v", len(got), got)
	}
	c, err := e.st.DigestSendCounts(context.Background(), newsletter.RunKey(store.Daily, e.clock.Now()))
	if err != nil || c.Sent != 5 || c.Pending != 7 {
		t.Fatalf("send log after the crash = %+v, %v; want 5 sent, 7 pending", c, err)
	}
	// Before the lease runs out, another sender leaves the crashed sender's
	// batch alone: its digests stay pending, none goes out twice.
	second := e.newNewsletter(e.mailer)
	e.clock.Add(time.Minute)
	rep, err := second.SendDigests(context.Background(), newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true})
	if err != nil || rep.SentNow != 0 || rep.Counts.Sent != 5 || rep.Counts.Pending != 7 {
		t.Fatalf("resume within the lease = %+v, %v; want nothing sent, the held batch waiting for its lease", rep, err)
	}
	e.clock.Add(5 * time.Minute)
	rep, err = second.SendDigests(context.Background(), newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 7 || rep.Counts.Sent != 12 || rep.Retrying != 0 {
		t.Fatalf("resume after the lease = %+v, %v; want the 7 left sent, 12 in all", rep, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var got map[string]int
	for {
		got = e.mailpit.toDomain(e.domain)
		if len(got) == 12 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, a := range subs {
		if got[a] != 1 {
			t.Errorf("%s received %d digests, want exactly 1", a, got[a])
		}
	}
}

// TestPreferencesExportErase uses the signed link of a digest to change
// the choices, download the data, and erase it.
func TestPreferencesExportErase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"Story E"}, "tech": {"Story T"}})
	addr := e.addr("prefs")
	sub := e.activeSubscriber(addr, nil, store.Daily)
	if rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily}); err != nil || rep.SentNow != 1 {
		t.Fatalf("digest = %+v, %v", rep, err)
	}
	msg := e.mailpit.message(e.mailpit.waitFor(addr, 1)[0].ID)
	prefs := linkIn(t, msg.Text, e.base+"/newsletter/preferences?t=")

	status, page := e.get(prefs)
	if status != http.StatusOK || !strings.Contains(page, addr) || !strings.Contains(page, `value="europe"`) {
		t.Fatalf("preferences page %d:\n%s", status, page)
	}
	form := hiddenFields(page, `class="nl-form`)
	form.Set("frequency", "weekly")
	form["sections"] = []string{"tech"}
	status, page = e.postForm(e.base+"/newsletter/preferences", form)
	if status != http.StatusOK || !strings.Contains(page, "Your choices are saved") {
		t.Fatalf("saving preferences: %d\n%s", status, page)
	}
	got, err := e.st.Subscriber(ctx, sub.ID)
	if err != nil || got.Frequency != store.Weekly || len(got.Sections) != 1 || got.Sections[0] != "tech" {
		t.Fatalf("after saving: %+v, %v; want weekly, tech", got, err)
	}
	// A forged token changes nothing.
	bad := url.Values{"ft": {"1.0.AAAA"}, "frequency": {"daily"}, "lang": {"en"}}
	if status, _ := e.postForm(e.base+"/newsletter/preferences", bad); status != http.StatusNotFound {
		t.Fatalf("preferences with a forged token = %d, want 404", status)
	}

	exportURL := e.base + "/newsletter/export?" + strings.SplitN(prefs, "?", 2)[1]
	resp, err := http.Get(exportURL)
	if err != nil {
		t.Fatal(err)
	}
	var ex newsletter.Export
	err = json.NewDecoder(resp.Body).Decode(&ex)
	resp.Body.Close()
	if err != nil || ex.Email != addr || ex.Frequency != store.Weekly || len(ex.Consents) != 1 ||
		ex.Consents[0].Action != "preferences" || ex.Consents[0].Text == "" || len(ex.Mails) != 1 || ex.Mails[0].State != store.SendSent {
		t.Fatalf("export = %+v, %v; want the address, choices, the preferences consent and the sent digest", ex, err)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("export Content-Disposition = %q, want an attachment", cd)
	}

	erase := hiddenFields(page, `action="`+e.base+`/newsletter/erase"`)
	status, page = e.postForm(e.base+"/newsletter/erase", erase)
	if status != http.StatusOK || !strings.Contains(page, "Your data is erased") {
		t.Fatalf("erase: %d\n%s", status, page)
	}
	if _, err := e.st.SubscriberByEmail(ctx, addr); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after erase the subscriber is still there (%v)", err)
	}
	if status, _ := e.get(prefs); status != http.StatusNotFound {
		t.Fatalf("preferences link after erase = %d, want 404", status)
	}
}
