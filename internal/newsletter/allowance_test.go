package newsletter_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestSignupsCannotLockOutOwner replays the lock-out against real Mailpit:
// someone signs up another person's address again and again, with other
// choices each time. The address gets one mail an hour at most and three
// in all; every mail carries the same link, which keeps working; when it
// has expired, its owner gets a fresh one from the page it opens, whatever
// the allowance says; and the owner confirms exactly the choices shown.
func TestSignupsCannotLockOutOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.seed(map[string][]string{"europe": {"One"}, "tech": {"Two"}})
	victim := e.addr("victim")
	signup := func(freq string, sections ...string) {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"email": victim, "lang": "en", "frequency": freq, "sections": sections})
		resp, err := http.Post(e.base+"/api/v1/newsletter/subscribe", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("sign-up = %d, want 202", resp.StatusCode)
		}
		e.runJobs()
	}

	signup("daily")
	e.clock.Add(10 * time.Minute)
	signup("weekly") // within the hour: no second mail
	e.mailpit.waitFor(victim, 1)
	e.clock.Add(2 * time.Hour)
	signup("daily", "europe")
	e.clock.Add(2 * time.Hour)
	signup("weekly", "tech")
	e.clock.Add(2 * time.Hour)
	signup("daily", "tech") // the allowance is spent: no mail
	msgs := e.mailpit.waitFor(victim, 3)

	// Every mail carries the same link, and the first still works.
	var links []string
	for _, m := range msgs {
		links = append(links, linkIn(t, e.mailpit.message(m.ID).Text, e.base+"/newsletter/confirm?t="))
	}
	first := links[len(links)-1] // Mailpit lists newest first
	status, page := e.get(first)
	if status != http.StatusOK || !strings.Contains(page, "You are confirming: daily digest, Tech, in English.") {
		t.Fatalf("the first mail's link after more sign-ups = %d; want the confirmation page with the current choices:\n%s", status, page)
	}

	// A week later every link has expired. The page the owner lands on
	// offers a fresh one, and sends it although the allowance is spent.
	e.clock.Add(8 * 24 * time.Hour)
	status, page = e.get(links[0])
	if status != http.StatusOK || !strings.Contains(page, "has expired") || !strings.Contains(page, `action="`+e.base+`/newsletter/resend"`) {
		t.Fatalf("an expired link = %d; want a page offering a new link:\n%s", status, page)
	}
	fields := hiddenFields(page, `class="nl-button"`)
	for range 2 { // a double click: one mail
		if status, body := e.postForm(e.base+"/newsletter/resend", fields); status != http.StatusOK || !strings.Contains(body, "new confirmation link is on its way") {
			t.Fatalf("asking for a new link = %d:\n%s", status, body)
		}
		e.runJobs()
	}
	msgs = e.mailpit.waitFor(victim, 4)
	fresh := linkIn(t, e.mailpit.message(msgs[0].ID).Text, e.base+"/newsletter/confirm?t=")
	status, page = e.get(fresh)
	if status != http.StatusOK || !strings.Contains(page, "You are confirming") {
		t.Fatalf("the fresh link = %d:\n%s", status, page)
	}
	confirm := hiddenFields(page, `class="nl-button"`)

	// Another sign-up changes the choices while the page is open: the
	// button shows the new choices instead of confirming unseen ones.
	signup("weekly", "europe")
	status, page = e.postForm(e.base+"/newsletter/confirm", confirm)
	if status != http.StatusOK || !strings.Contains(page, "You are confirming: weekly digest, Europe, in English.") {
		t.Fatalf("confirming choices that changed since shown = %d; want the page again with the new ones:\n%s", status, page)
	}
	if sub, _ := e.st.SubscriberByEmail(ctx, victim); sub.Status != store.SubPending {
		t.Fatalf("unseen choices were confirmed: %s", sub.Status)
	}
	status, page = e.postForm(e.base+"/newsletter/confirm", hiddenFields(page, `class="nl-button"`))
	if status != http.StatusOK || !strings.Contains(page, "You&#39;re subscribed") {
		t.Fatalf("confirming = %d:\n%s", status, page)
	}
	sub, err := e.st.SubscriberByEmail(ctx, victim)
	if err != nil || sub.Status != store.SubActive || sub.Frequency != store.Weekly {
		t.Fatalf("subscriber = %+v, %v; want active, weekly", sub, err)
	}
	if n := len(e.mailpit.to(victim)); n != 4 {
		t.Errorf("%d mails in all, want 4: three sign-up mails and the one the owner asked for", n)
	}
	// A forged or used link gets no fresh mail.
	if status, _ := e.postForm(e.base+"/newsletter/resend", fields); status != http.StatusNotFound {
		t.Errorf("asking for a new link after confirming = %d, want 404", status)
	}
	forged := fields
	forged.Set("t", regexp.MustCompile(`\.[^.]+$`).ReplaceAllString(fields.Get("t"), ".AAAAAAAAAAAAAAAAAAAAAAAA"))
	if status, _ := e.postForm(e.base+"/newsletter/resend", forged); status != http.StatusNotFound {
		t.Errorf("a forged link asking for a new one = %d, want 404", status)
	}
}
