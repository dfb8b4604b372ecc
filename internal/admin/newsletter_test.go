package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"spektrum/internal/admin"
	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/jobs"
	"spektrum/internal/newsletter"
	"spektrum/internal/ops"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/web"
)

// nlEnv is env with the newsletter: the admin's newsletter pages on, the
// newsletter's own routes mounted, mail to Mailpit when the tests have it
// (SPEKTRUM_TEST_SMTP_URL, SPEKTRUM_TEST_MAILPIT_API), else to nowhere.
type nlEnv struct {
	*env
	n       *newsletter.Newsletter
	mailpit string // Mailpit's API, "" without a mail server
}

func newNLEnv(t *testing.T, st store.Store, withMail bool) *nlEnv {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1, Timeout: 5 * time.Second})
	p := pipeline.New(st, fc, extract.New(), pipeline.Options{Logger: logger})
	e := &nlEnv{env: &env{t: t, st: st, users: ops.NewUsers(st, nil), pipe: p}}
	for _, u := range []ops.NewUser{{Email: adminEmail, Role: store.RoleAdmin, Password: password}, {Email: editorEmail, Role: store.RoleEditor, Password: password}} {
		if _, err := e.users.AddUser(ctx, "test", u); err != nil {
			t.Fatal(err)
		}
	}
	e.srv = httptest.NewUnstartedServer(nil)
	e.base = "http://" + e.srv.Listener.Addr().String()
	var mailer newsletter.Mailer = newsletter.NoMailer{}
	if withMail {
		smtpURL, api := os.Getenv("SPEKTRUM_TEST_SMTP_URL"), os.Getenv("SPEKTRUM_TEST_MAILPIT_API")
		if smtpURL == "" || api == "" {
			t.Skip("SPEKTRUM_TEST_SMTP_URL and SPEKTRUM_TEST_MAILPIT_API are not set: this test needs a real SMTP server (scripts/test.sh starts Mailpit)")
		}
		sc, err := newsletter.ParseSMTPURL(smtpURL)
		if err != nil {
			t.Fatal(err)
		}
		m, err := newsletter.NewSMTP(sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		mailer, e.mailpit = m, api
	}
	var err error
	if e.n, err = newsletter.New(ctx, st, mailer, newsletter.Config{SiteName: "Spektrum Test", BaseURL: e.base, Secret: "test secret",
		Languages: []string{"en", "de"}, Logger: logger}); err != nil {
		t.Fatal(err)
	}
	style, err := web.AssetPath("style.css")
	if err != nil {
		t.Fatal(err)
	}
	e.ops = ops.New(st, fc, p, ops.Options{})
	if e.adm, err = admin.New(ctx, st, admin.Config{BaseURL: e.base, SiteName: "Spektrum Test", Language: "en", StyleURL: style,
		Sources: e.ops, Users: e.users, Articles: ops.NewArticles(st, p), Logger: logger, Newsletter: e.n}); err != nil {
		t.Fatal(err)
	}
	mounts := e.n.Handlers()
	for k, v := range e.adm.Handlers() {
		mounts[k] = v
	}
	h, err := web.New(st, web.Config{BaseURL: e.base, Logger: logger, Mounts: mounts, Editions: []string{"en", "de"}, NewsletterForm: e.n.Form})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = h
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// subscriber stores one directly, with a consent record entry.
func (e *nlEnv) subscriber(email, status, freq, lang string) *store.Subscriber {
	e.t.Helper()
	ctx := context.Background()
	sub := &store.Subscriber{Email: email, Language: lang, Frequency: freq, Status: status, LinkNonce: "n-" + email,
		CreatedAt: time.Date(2026, 11, 2, 9, 30, 15, 123e6, time.UTC)}
	if status == store.SubActive {
		sub.ConfirmedAt = sub.CreatedAt.Add(time.Hour)
	}
	if err := e.st.CreateSubscriber(ctx, sub); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "subscribe", Text: "I agree to get the <b>digest</b> & its links.",
		TextVersion: "v7abc", Language: "en", PageURL: "http://news.example/en/newsletter", Choices: `{"frequency":"` + freq + `"}`, CreatedAt: sub.CreatedAt}); err != nil {
		e.t.Fatal(err)
	}
	return sub
}

// seedArticles stores articles first seen in the last hours, for digests.
func (e *nlEnv) seedArticles(titles ...string) {
	e.t.Helper()
	ctx := context.Background()
	src := &store.Source{URL: "https://wire.example/feed", Name: "Example Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := e.st.CreateSource(ctx, src); err != nil {
		e.t.Fatal(err)
	}
	for i, title := range titles {
		at := time.Now().Add(-time.Duration(i+1) * time.Minute)
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://wire.example/a/%d", i), Title: title, Summary: "Lead of " + title,
			Text: "Body", HTML: "<p>Body</p>", Language: "en", PublishedAt: at, FirstSeenAt: at}
		if _, err := e.st.UpsertArticle(ctx, a); err != nil {
			e.t.Fatal(err)
		}
	}
}

func eachStore(t *testing.T, f func(t *testing.T, st store.Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, sqliteStore(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, postgresStore(t)) })
}

const xssEmail = `"<script>alert(1)</script>"@xss.example`

// TestNewsletterSubscribers: an editor finds subscribers by a part of the
// address in any case, filters by state, frequency and edition, and opens
// one to see every stored field and the consent record as stored. Markup
// in an address or a consent text is shown as text.
func TestNewsletterSubscribers(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		e := newNLEnv(t, st, false)
		kim := e.subscriber("kim.novak@example.org", store.SubActive, store.Daily, "en")
		e.subscriber("kimberly@example.org", store.SubPending, store.Weekly, "de")
		e.subscriber("olga@example.org", store.SubUnsubscribed, store.Daily, "en")
		xss := e.subscriber(xssEmail, store.SubActive, store.Weekly, "en")
		b := e.browser()
		b.mustSignIn(editorEmail)

		for _, c := range []struct {
			query       string
			want, wantN []string
		}{
			{"q=KIM", []string{"kim.novak@example.org", "kimberly@example.org"}, []string{"olga@example.org"}},
			{"q=kim&state=pending", []string{"kimberly@example.org"}, []string{"kim.novak@example.org"}},
			{"frequency=daily", []string{"kim.novak@example.org", "olga@example.org"}, []string{"kimberly@example.org"}},
			{"language=de", []string{"kimberly@example.org"}, []string{"olga@example.org"}},
			{"q=%25", nil, []string{"kim.novak@example.org"}}, // a literal %, not a wildcard
			{"state=bogus&q=olga", []string{"olga@example.org"}, nil},
		} {
			a := b.get("/admin/newsletter?" + c.query)
			if a.status != http.StatusOK {
				t.Fatalf("GET ?%s = %d", c.query, a.status)
			}
			for _, w := range c.want {
				if !strings.Contains(a.body, ">"+w+"</a>") {
					t.Errorf("?%s does not list %s", c.query, w)
				}
			}
			for _, w := range c.wantN {
				if strings.Contains(a.body, ">"+w+"</a>") {
					t.Errorf("?%s lists %s", c.query, w)
				}
			}
		}
		if a := b.get("/admin/newsletter?q=KIM"); !strings.Contains(a.body, "Matching subscribers: 2") {
			t.Errorf("the search does not say how many match:\n%s", a.body)
		}

		list := b.get("/admin/newsletter?q=xss")
		page := b.get("/admin/newsletter/" + itoa(xss.ID))
		for name, body := range map[string]string{"list": list.body, "subscriber": page.body} {
			if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("the %s page does not escape an address with markup", name)
			}
		}
		if strings.Contains(page.body, "<b>digest</b>") || !strings.Contains(page.body, "I agree to get the &lt;b&gt;digest&lt;/b&gt; &amp; its links.") {
			t.Errorf("the consent text is not shown escaped, exactly as stored")
		}

		a := b.get("/admin/newsletter/" + itoa(kim.ID))
		for _, want := range []string{"2026-11-02 09:30:15.123 UTC", "v7abc", "http://news.example/en/newsletter", "{&#34;frequency&#34;:&#34;daily&#34;}",
			"2026-11-02 10:30:15.123 UTC", "stores no IP address"} {
			if !strings.Contains(a.body, want) {
				t.Errorf("subscriber page lacks %q", want)
			}
		}
		if a := b.get("/admin/newsletter/999999"); a.status != http.StatusNotFound {
			t.Errorf("an unknown subscriber = %d, want 404", a.status)
		}
	})
}

// TestNewsletterExportErase: export is a CSRF-protected POST answering the
// subscriber's data as a JSON download; erase needs its confirmation step,
// deletes everything as the CLI's erase does, and the audit log names the
// subscriber by number only.
func TestNewsletterExportErase(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		e := newNLEnv(t, st, false)
		ctx := context.Background()
		sub := e.subscriber("erase.me@example.org", store.SubActive, store.Daily, "en")
		b := e.browser()
		b.mustSignIn(editorEmail)
		path := "/admin/newsletter/" + itoa(sub.ID)

		if a := b.post(path+"/export", url.Values{}); a.status != http.StatusForbidden {
			t.Fatalf("export without the CSRF token = %d, want 403", a.status)
		}
		req, _ := http.NewRequest(http.MethodPost, e.base+path+"/export", strings.NewReader(url.Values{"csrf": {b.csrf()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ex newsletter.Export
		err = json.NewDecoder(resp.Body).Decode(&ex)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || ex.Email != "erase.me@example.org" || len(ex.Consents) != 1 || ex.Consents[0].TextVersion != "v7abc" {
			t.Fatalf("export = %d %+v, %v; want the subscriber's data", resp.StatusCode, ex, err)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="subscriber-`+itoa(sub.ID)+`.json"` {
			t.Errorf("export Content-Disposition = %q", cd)
		}

		form := b.get(path + "/erase")
		if form.status != http.StatusOK || !strings.Contains(form.body, `name="confirm" value="erase"`) || !strings.Contains(form.body, "erase.me@example.org") {
			t.Fatalf("erase confirmation page = %d:\n%s", form.status, form.body)
		}
		// A POST without the confirmation page's field only leads to it.
		if a := b.post(path+"/erase", url.Values{"csrf": {b.csrf()}}); a.status != http.StatusSeeOther || a.location != path+"/erase" {
			t.Fatalf("erase without confirming = %d → %s", a.status, a.location)
		}
		if _, err := st.Subscriber(ctx, sub.ID); err != nil {
			t.Fatalf("the subscriber is gone before confirming: %v", err)
		}
		if a := b.post(path+"/erase", hidden(form.body[strings.Index(form.body, `action="`+path+`/erase"`):])); a.status != http.StatusSeeOther || a.location != "/admin/newsletter?done=erased" {
			t.Fatalf("confirmed erase = %d → %s", a.status, a.location)
		}
		if _, err := st.SubscriberByEmail(ctx, "erase.me@example.org"); err == nil {
			t.Fatal("the subscriber is still stored after erasing")
		}
		if cs, _ := st.Consents(ctx, sub.ID); len(cs) != 0 {
			t.Fatalf("%d consent entries left after erasing", len(cs))
		}
		if a := b.get("/admin/newsletter?done=erased"); !strings.Contains(a.body, "The subscriber is erased.") {
			t.Error("no notice after erasing")
		}
		log, err := st.Audit(ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, en := range log {
			actions[en.Action] = true
			if strings.Contains(en.Target+en.Detail, "erase.me") {
				t.Errorf("the audit log keeps the erased address: %+v", en)
			}
			if (en.Action == "subscriber.export" || en.Action == "subscriber.erase") && (en.Actor != editorEmail || en.Target != "subscriber #"+itoa(sub.ID)) {
				t.Errorf("audit entry %+v; want the editor and the subscriber's number", en)
			}
		}
		if !actions["subscriber.export"] || !actions["subscriber.erase"] {
			t.Errorf("audit log actions %v; want subscriber.export and subscriber.erase", actions)
		}
		if a := b.get(path); a.status != http.StatusNotFound {
			t.Errorf("the erased subscriber's page = %d, want 404", a.status)
		}
	})
}

// TestNewsletterPreview: the digest page shows the digest the mailer would
// send, its HTML in a sandboxed frame served under its own strict policy,
// and its text part; without a mail server nothing can be sent.
func TestNewsletterPreview(t *testing.T) {
	e := newNLEnv(t, sqliteStore(t), false)
	e.seedArticles("Rail strike ends in Lyon", `Tags <img src=x onerror=alert(1)> in a headline`)
	b := e.browser()
	b.mustSignIn(adminEmail)

	req, _ := http.NewRequest(http.MethodGet, e.base+"/admin/newsletter/digest?lang=en&frequency=weekly", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<iframe class="preview" src="/admin/newsletter/digest/html?frequency=weekly&amp;lang=en" sandbox=""`) ||
		!strings.Contains(page, "Rail strike ends in Lyon") || !strings.Contains(page, "Spektrum Test: 2 new articles") {
		t.Fatalf("digest page = %d:\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the digest page's CSP %q must allow frames from the admin only, and stay strict otherwise", csp)
	}
	if strings.Contains(page, "<img src=x") {
		t.Error("a headline's markup reaches the digest page unescaped")
	}

	req, _ = http.NewRequest(http.MethodGet, e.base+"/admin/newsletter/digest/html?lang=en&frequency=weekly", nil)
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	html := string(body)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(html, "Rail strike ends in Lyon") || !strings.Contains(html, `style="`) ||
		strings.Contains(html, "<img src=x") || !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") ||
		!strings.Contains(csp, "frame-ancestors 'self'") || resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Fatalf("preview HTML = %d, CSP %q, X-Frame-Options %q:\n%s", resp.StatusCode, csp, resp.Header.Get("X-Frame-Options"), html)
	}
	if a := b.get("/admin/newsletter/digest/html?lang=xx&frequency=daily"); a.status != http.StatusNotFound {
		t.Errorf("preview of an edition the site lacks = %d, want 404", a.status)
	}
	if a := b.get("/admin/newsletter/digest"); !strings.Contains(a.body, "No mail server is set up") || !strings.Contains(a.body, " disabled>") {
		t.Errorf("without a mail server the page must say so and disable sending")
	}
	a := b.post("/admin/newsletter/digest/test", url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "frequency": {"daily"}, "to": {"ed@example.org"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "No mail server is set up") {
		t.Errorf("test mail without a mail server = %d", a.status)
	}
	a = b.post("/admin/newsletter/digest/send", url.Values{"csrf": {b.csrf()}, "send_frequency": {"daily"}, "token": {"0123456789abcdef0123"}})
	if a.status != http.StatusUnprocessableEntity {
		t.Errorf("send now without a mail server = %d, want 422", a.status)
	}
	if a := b.get("/admin/newsletter/runs"); a.status != http.StatusOK || !strings.Contains(a.body, "No digest has been sent yet.") {
		t.Errorf("past sends before any = %d", a.status)
	}
}

// sendQueued works off what "send now" queued as serve's workers would:
// a worker plans the run, then its digests go out. It returns how many.
func (e *nlEnv) sendQueued(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	r := jobs.New(e.st, jobs.Options{Concurrency: 1, Poll: 10 * time.Millisecond})
	e.n.Register(r)
	if err := r.RunUntilIdle(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := e.n.SendDigests(ctx, newsletter.SendOptions{Frequency: store.Daily, ResumeOnly: true})
	if err != nil {
		t.Fatalf("sending the queued run: %+v, %v", rep, err)
	}
	return rep.SentNow
}

var tokenFieldRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

// TestNewsletterSendTestAndNow: a test digest reaches Mailpit; "send now"
// submitted twice queues one run, which mails each due subscriber once
// and shows in past sends with its counts. Both are in the audit log.
func TestNewsletterSendTestAndNow(t *testing.T) {
	e := newNLEnv(t, sqliteStore(t), true)
	ctx := context.Background()
	e.seedArticles("Rail strike ends in Lyon")
	domain := fmt.Sprintf("send-now-%d.example", time.Now().UnixNano())
	subs := []*store.Subscriber{e.subscriber("a@"+domain, store.SubActive, store.Daily, "en"), e.subscriber("b@"+domain, store.SubActive, store.Daily, "de"),
		e.subscriber("c@"+domain, store.SubPending, store.Daily, "en")}
	b := e.browser()
	b.mustSignIn(editorEmail)

	to := "editor@" + domain
	a := b.post("/admin/newsletter/digest/test", url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "frequency": {"daily"}, "to": {to}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.location, "done=test-sent") {
		t.Fatalf("test digest = %d → %s\n%s", a.status, a.location, a.body)
	}
	if got := mailpitCount(t, e.mailpit, to, 1); !strings.Contains(got[0].Subject, "Spektrum Test") {
		t.Errorf("test digest subject %q", got[0].Subject)
	}
	if a := b.post("/admin/newsletter/digest/test", url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "frequency": {"daily"}, "to": {"<b>x</b>"}}); a.status != http.StatusUnprocessableEntity ||
		strings.Contains(a.body, "<b>x</b>") {
		t.Errorf("test digest to a bad address = %d; want 422 with the address escaped", a.status)
	}

	page := b.get("/admin/newsletter/digest")
	m := tokenFieldRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no send-now token on the digest page:\n%s", page.body)
	}
	form := url.Values{"csrf": {b.csrf()}, "token": {m[1]}, "send_frequency": {"daily"}, "send_lang": {""}}
	for i, want := range []string{"done=send-queued", "done=send-already"} {
		if a := b.post("/admin/newsletter/digest/send", form); a.status != http.StatusSeeOther || !strings.HasSuffix(a.location, want) {
			t.Fatalf("send now #%d = %d → %s; want → …%s", i+1, a.status, a.location, want)
		}
	}
	if sent := e.sendQueued(t); sent != 2 {
		t.Fatalf("the queued run sent %d digests; want the 2 active subscribers'", sent)
	}
	mailpitCount(t, e.mailpit, subs[0].Email, 1)
	mailpitCount(t, e.mailpit, subs[1].Email, 1)
	if log, err := e.st.DigestSends(ctx, subs[2].ID); err != nil || len(log) != 0 {
		t.Errorf("a pending subscriber's send log = %+v, %v; want nothing planned", log, err)
	}

	runs := b.get("/admin/newsletter/runs")
	key := newsletter.RunKey(store.Daily, time.Now())
	if runs.status != http.StatusOK || !strings.Contains(runs.body, key) ||
		!regexp.MustCompile(`data-label="Delivered">2<`).MatchString(runs.body) {
		t.Fatalf("past sends = %d:\n%s", runs.status, runs.body)
	}
	log, _ := e.st.Audit(ctx, 0, 50)
	n := map[string]int{}
	for _, en := range log {
		n[en.Action]++
	}
	if n["newsletter.test"] != 1 || n["newsletter.send"] != 1 {
		t.Errorf("audit log counts %v; want one test mail and one send (the repeat queued nothing)", n)
	}
}

type mpSummary struct {
	ID, Subject string
	To          []struct{ Address string }
}

// mailpitCount waits until Mailpit holds n messages to addr and returns them.
func mailpitCount(t *testing.T, api, addr string, n int) []mpSummary {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(api + "/api/v1/search?limit=100&query=" + url.QueryEscape(`to:"`+addr+`"`))
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Messages []mpSummary }
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []mpSummary
		for _, m := range res.Messages {
			for _, to := range m.To {
				if strings.EqualFold(to.Address, addr) {
					got = append(got, m)
				}
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("Mailpit has %d messages to %s, want %d", len(got), addr, n)
			}
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}
