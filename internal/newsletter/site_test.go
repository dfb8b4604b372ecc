package newsletter_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// TestBounceWebhook posts each provider's format to the real endpoint and
// checks what it did to the subscribers and to the next digest run.
func TestBounceWebhook(t *testing.T) {
	t.Parallel()
	e := newOfflineEnv(t, nil)
	ctx := context.Background()
	hard, soft, complaint, other := e.addr("hard"), e.addr("soft"), e.addr("complaint"), e.addr("other")
	for _, a := range []string{hard, soft, complaint, other} {
		e.activeSubscriber(a, nil, store.Daily)
	}
	hook := e.n.BounceWebhookURL()
	if !strings.HasPrefix(hook, e.base+"/api/v1/newsletter/bounces/") {
		t.Fatalf("webhook URL %s is not on the site", hook)
	}
	post := func(u, body string) int {
		t.Helper()
		resp, err := http.Post(u, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(e.base+"/api/v1/newsletter/bounces/guess", `{"RecordType":"Bounce","Type":"HardBounce","Email":"`+other+`"}`); got != http.StatusNotFound {
		t.Fatalf("webhook with a wrong key = %d, want 404", got)
	}
	if got := post(hook, `{"Type":"Notification","Message":"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"`+strings.ToUpper(hard)+`\"}]}}"}`); got != http.StatusOK {
		t.Fatalf("SES hard bounce = %d", got)
	}
	for range 4 {
		if got := post(hook, `{"RecordType":"Bounce","Type":"SoftBounce","Email":"`+soft+`"}`); got != http.StatusOK {
			t.Fatalf("Postmark soft bounce = %d", got)
		}
	}
	if got := post(hook, `[{"email":"`+complaint+`","event":"spamreport"}]`); got != http.StatusOK {
		t.Fatalf("SendGrid spam report = %d", got)
	}
	if got := post(hook, `{"nothing":"known"}`); got != http.StatusBadRequest {
		t.Fatalf("unknown format = %d, want 400", got)
	}
	want := map[string]string{hard: store.SubBounced, soft: store.SubActive, complaint: store.SubUnsubscribed, other: store.SubActive}
	for a, status := range want {
		sub, err := e.st.SubscriberByEmail(ctx, a)
		if err != nil || sub.Status != status {
			t.Errorf("%s after the webhook: %v (%v), want %s", a, sub, err, status)
		}
	}
	// The fifth soft bounce in a row deactivates the address too.
	post(hook, `{"event-data":{"event":"failed","severity":"temporary","recipient":"`+soft+`"}}`)
	if sub, _ := e.st.SubscriberByEmail(ctx, soft); sub.Status != store.SubBounced {
		t.Errorf("after 5 soft bounces %s is %s, want bounced", soft, sub.Status)
	}
	sub, _ := e.st.SubscriberByEmail(ctx, hard)
	cs, err := e.st.Consents(ctx, sub.ID)
	if err != nil || len(cs) != 1 || cs[0].Action != "bounce" || !strings.Contains(cs[0].Choices, `"kind":"hard"`) {
		t.Errorf("hard bounce record = %+v, %v", cs, err)
	}
	// A bounced address is not mailed: only "other" is due (and has
	// nothing new, as no articles exist).
	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.Planned != 1 {
		t.Fatalf("digest run after bounces = %+v, %v; want only the one active subscriber planned", rep, err)
	}
}

// TestFormProtections: the sign-up form refuses cross-site posts, stale or
// forged form tokens, and answers unknown links with one neutral page.
func TestFormProtections(t *testing.T) {
	t.Parallel()
	e := newOfflineEnv(t, nil)
	ctx := context.Background()
	_, page := e.get(e.base + "/newsletter")
	form := hiddenFields(page, `class="nl-form`)
	form.Set("email", e.addr("x"))

	req, _ := http.NewRequest(http.MethodPost, e.base+"/newsletter/subscribe", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site form post = %d, want 403", resp.StatusCode)
	}

	e.clock.Add(49 * time.Hour) // older than the form's lifetime
	status, body := e.postForm(e.base+"/newsletter/subscribe", form)
	if status != http.StatusBadRequest || !strings.Contains(body, `name="ft"`) || !strings.Contains(body, e.addr("x")) ||
		!strings.Contains(body, "The form had expired") {
		t.Fatalf("stale form = %d; want 400 and a fresh form keeping the address:\n%s", status, body)
	}
	forged := url.Values{"ft": {"abc.def"}, "email": {e.addr("y")}, "lang": {"en"}}
	if status, _ := e.postForm(e.base+"/newsletter/subscribe", forged); status != http.StatusBadRequest {
		t.Fatalf("forged form token = %d, want 400", status)
	}
	if n, _ := e.st.CountSubscribers(ctx); len(n) != 0 {
		t.Fatalf("refused forms stored subscribers: %v", n)
	}
	for _, path := range []string{"/newsletter/confirm?t=1.0.AAAA", "/newsletter/unsubscribe?t=zz", "/newsletter/preferences?t=", "/newsletter/export?t=5.0.x"} {
		status, body := e.get(e.base + path)
		if status != http.StatusNotFound || !strings.Contains(body, "link doesn") {
			t.Errorf("GET %s = %d, want the 404 bad-link page", path, status)
		}
	}
	// The pages work without scripts or inline styles (the site's CSP).
	resp, err = http.Get(e.base + "/newsletter")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("newsletter page CSP = %q; want the site's headers", csp)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Error("the sign-up page has a script or an inline style; CSP forbids both")
	}
	if status, css := e.get(e.base + "/newsletter/style.css"); status != http.StatusOK || !strings.Contains(css, ".nl-form") && !strings.Contains(css, ".nl-main") {
		t.Errorf("stylesheet = %d", status)
	}
}

// TestDigestSectionsAndEditions: a digest holds only the subscriber's
// sections, in their edition's language (translated titles where the
// translate stage stored them, section names in the edition's language),
// and a subscriber with nothing new gets no mail and keeps their period.
func TestDigestSectionsAndEditions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *newsletter.Config) {
		c.Languages = []string{"en", "de"}
		c.ReturnPath = "bounces@news.example.org"
	})
	ctx := context.Background()
	seeded := e.seed(map[string][]string{"europe": {"Europe story"}, "tech": {"Tech story"}})
	eu := seeded["Europe story"]
	if err := e.st.PutTranslation(ctx, &store.Translation{ArticleID: eu.ID, Language: "de", SourceLanguage: "en",
		Status: store.TranslationDone, Title: "Übersetzter Titel", Summary: "Übersetzter Vorspann.", HTML: "<p>Text</p>",
		Text: "Text", Provider: "apertium", ContentHash: eu.ContentHash}); err != nil {
		t.Fatal(err)
	}
	de := e.addr("leser")
	sub := e.activeSubscriber(de, []string{"europe"}, store.Daily)
	sub.Language = "de"
	if err := e.st.UpdateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	sportsOnly := e.addr("sport")
	if err := e.st.EnsureSection(ctx, store.Section{Slug: "sport", Name: "Sport"}); err != nil {
		t.Fatal(err)
	}
	e.activeSubscriber(sportsOnly, []string{"sport"}, store.Daily)

	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily})
	if err != nil || rep.SentNow != 1 || rep.Counts.Empty != 1 {
		t.Fatalf("run = %+v, %v; want one sent, one with nothing new", rep, err)
	}
	m := e.mailpit.message(e.mailpit.waitFor(de, 1)[0].ID)
	if rp := first(m.Headers["Return-Path"]); rp != "<bounces@news.example.org>" {
		t.Errorf("Return-Path = %q, want the configured envelope sender", rp)
	}
	if m.Subject != "Spektrum Test: 1 neuer Artikel" {
		t.Errorf("German subject = %q", m.Subject)
	}
	if !strings.Contains(m.Text, "Übersetzter Titel") || !strings.Contains(m.HTML, "Übersetzter Titel") ||
		strings.Contains(m.Text, "Tech story") || !strings.Contains(m.Text, "Abmelden") {
		t.Errorf("German digest should hold the translated europe story only, with German links:\n%s", m.Text)
	}
	if link := linkIn(t, m.Text, e.base+"/de/20"); link != "" {
		if status, _ := e.get(link); status != http.StatusOK {
			t.Errorf("the German digest's article link %s answers %d", link, status)
		}
	}
	if !strings.Contains(m.Text, "Europa") {
		t.Errorf("the German digest should name the europe section in German (Europa):\n%s", m.Text)
	}
	s2, _ := e.st.SubscriberByEmail(ctx, sportsOnly)
	if !s2.LastDigestAt.IsZero() {
		t.Errorf("an empty digest moved the sports reader's period to %v", s2.LastDigestAt)
	}
	if got := e.mailpit.to(sportsOnly); len(got) != 0 {
		t.Errorf("the sports reader got %d mails with nothing in their sections", len(got))
	}
	// Dry run of tomorrow: counts, sends nothing, records nothing.
	e.clock.Add(24 * time.Hour)
	dry, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, DryRun: true})
	if err != nil || !dry.DryRun || dry.Counts.Sent+dry.Counts.Empty != 2 {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if c, _ := e.st.DigestSendCounts(ctx, dry.RunKey); c != (store.SendCounts{}) {
		t.Fatalf("dry run recorded %+v in the send log", c)
	}
}

// TestUnconfirmedSignupsErased: a sign-up nobody confirms is erased once its
// last confirmation mail is older than the confirmation window; a confirmed
// subscriber and a recent sign-up stay.
func TestUnconfirmedSignupsErased(t *testing.T) {
	t.Parallel()
	e := newOfflineEnv(t, nil)
	ctx := context.Background()
	old := e.addr("old")
	if err := e.n.Subscribe(ctx, newsletter.Signup{Email: old}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(29 * 24 * time.Hour)
	recent := e.addr("recent")
	if err := e.n.Subscribe(ctx, newsletter.Signup{Email: recent}); err != nil {
		t.Fatal(err)
	}
	e.activeSubscriber(e.addr("active"), nil, store.Daily)
	if k, err := e.n.PurgeUnconfirmed(ctx); err != nil || k != 0 {
		t.Fatalf("purge at 29 days = %d, %v; want nothing yet", k, err)
	}
	e.clock.Add(2 * 24 * time.Hour)
	if k, err := e.n.PurgeUnconfirmed(ctx); err != nil || k != 1 {
		t.Fatalf("purge at 31 days = %d, %v; want the old sign-up", k, err)
	}
	for a, want := range map[string]bool{old: false, recent: true, e.addr("active"): true} {
		if _, err := e.st.SubscriberByEmail(ctx, a); (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", a, err == nil, want)
		}
	}
	// Each edition has its sign-up page.
	if status, page := e.get(e.base + "/en/newsletter"); status != http.StatusOK || !strings.Contains(page, `name="email"`) {
		t.Errorf("/en/newsletter = %d", status)
	}
}

// TestDigestShowsOriginalOfUpdatedArticle: an article updated after it was
// translated has only a translation of its older version; the digest shows
// the original (as the site does), not the stale translation.
func TestDigestShowsOriginalOfUpdatedArticle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *newsletter.Config) { c.Languages = []string{"en", "de"} })
	ctx := context.Background()
	a := e.seed(map[string][]string{"europe": {"Minister resigns"}})["Minister resigns"]
	if err := e.st.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en",
		Status: store.TranslationDone, Title: "Minister tritt zurück", Summary: "Alter Vorspann.", HTML: "<p>Alt</p>",
		Text: "Alt", Provider: "apertium", ContentHash: a.ContentHash}); err != nil {
		t.Fatal(err)
	}
	// The source corrects the story: new title and text, a new content
	// hash; the translate stage has not caught up yet.
	upd := a
	upd.ID, upd.ContentHash = 0, ""
	upd.Title, upd.Summary, upd.Text = "Minister stays after all", "Lead of the correction.", "Corrected body"
	if _, err := e.st.UpsertArticle(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if upd.ID != a.ID || upd.ContentHash == a.ContentHash {
		t.Fatalf("update stored as article %d with hash %q; want article %d with a new hash", upd.ID, upd.ContentHash, a.ID)
	}
	sub := e.activeSubscriber(e.addr("leser"), nil, store.Daily)
	sub.Language = "de"
	if err := e.st.UpdateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily}); err != nil || rep.SentNow != 1 {
		t.Fatalf("run = %+v, %v; want one digest sent", rep, err)
	}
	m := e.mailpit.message(e.mailpit.waitFor(sub.Email, 1)[0].ID)
	if strings.Contains(m.Text, "Minister tritt zurück") || strings.Contains(m.HTML, "Minister tritt zurück") {
		t.Errorf("the digest carries the translation of the article's older version:\n%s", m.Text)
	}
	if !strings.Contains(m.Text, "Minister stays after all") || !strings.Contains(m.HTML, "Minister stays after all") {
		t.Errorf("the digest should show the updated original's title:\n%s", m.Text)
	}
}
