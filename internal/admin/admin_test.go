package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"spektrum/internal/admin"
	"spektrum/internal/auth"
	"spektrum/internal/store"
)

func TestSignedOutRedirectsToLogin(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	for path, next := range map[string]string{"/admin/": "/admin/", "/admin/sources": "/admin/sources", "/admin/users": "/admin/users"} {
		a := b.get(path)
		if a.status != http.StatusSeeOther || a.location != "/admin/login?next="+url.QueryEscape(next) {
			t.Errorf("GET %s signed out = %d → %q; want 303 → /admin/login?next=…", path, a.status, a.location)
		}
	}
	if a := b.get("/admin"); a.status != http.StatusMovedPermanently || a.location != "/admin/" {
		t.Errorf("GET /admin = %d → %q", a.status, a.location)
	}
}

func TestSignInAddsSourceAndSignsOut(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	page := b.get("/admin/login")
	for _, want := range []string{`name="email"`, `name="password"`, `type="hidden" name="csrf"`, `/static/style.`, `/admin/static/admin.`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	// A cookie planted before sign-in (fixation) is not the session after it.
	u, _ := url.Parse(e.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "spektrum_admin", Value: "planted-by-an-attacker", Path: "/"}})
	b.mustSignIn(adminEmail)
	c := b.sessionCookie()
	if c == nil || c.Value == "planted-by-an-attacker" || len(c.Value) < 40 {
		t.Fatalf("session cookie after sign-in = %+v", c)
	}
	home := b.get("/admin/")
	if home.status != http.StatusOK || !strings.Contains(home.body, adminEmail) {
		t.Fatalf("GET /admin/ signed in = %d", home.status)
	}

	feed := feedServer(t, "The &lt;script&gt;alert(1)&lt;/script&gt; Times")
	tok := b.csrf()
	a := b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}, "section": {"world"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/sources/") {
		t.Fatalf("add source = %d → %q\n%s", a.status, a.location, a.body)
	}
	ss, err := e.st.Sources(context.Background())
	if err != nil || len(ss) != 1 || ss[0].URL != feed.URL+"/feed.xml" || ss[0].Section != "world" {
		t.Fatalf("sources after adding = %+v, %v", ss, err)
	}
	// The feed's hostile title is shown as text, never as markup.
	list := b.get("/admin/sources")
	if strings.Contains(list.body, "<script>alert(1)") || !strings.Contains(list.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a source's name is not escaped on the sources page")
	}
	// The same refusal as the CLI, in words: the same feed again, and a page that is no feed.
	a = b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "already reads") {
		t.Errorf("adding it twice = %d, want 422 naming the source that reads it", a.status)
	}
	a = b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/missing.xml"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "Cannot read") || !strings.Contains(a.body, feed.URL+"/missing.xml") {
		t.Errorf("adding an unreadable URL = %d\n%s", a.status, a.body)
	}
	a = b.post("/admin/sources", url.Values{"csrf": {tok}, "url": {"no address"}})
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, `value="no address"`) {
		t.Errorf("adding a non-address = %d; the form should come back with the value", a.status)
	}

	// Edit, pause, fetch now, each through ops, each in the audit log.
	src := ss[0]
	path := "/admin/sources/" + itoa(src.ID)
	if a := b.post(path, url.Values{"csrf": {tok}, "name": {"Renamed"}, "section": {"europe"}, "language": {"de"}, "interval": {"1h"}}); a.status != http.StatusSeeOther {
		t.Fatalf("edit = %d\n%s", a.status, a.body)
	}
	if a := b.post(path+"/pause", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther {
		t.Fatalf("pause = %d", a.status)
	}
	if a := b.post(path+"/fetch", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther {
		t.Fatalf("fetch now = %d", a.status)
	}
	got, _ := e.st.Source(context.Background(), src.ID)
	if got.Name != "Renamed" || got.Section != "europe" || got.Language != "de" || got.PollInterval.String() != "1h0m0s" || got.Enabled {
		t.Errorf("source after edit and pause = %+v", got)
	}
	detail := b.get(path)
	if !strings.Contains(detail.body, "paused") || !strings.Contains(detail.body, "Resume") {
		t.Error("a paused source's page does not say so")
	}
	log, _ := e.st.Audit(context.Background(), 0, 10)
	var acts []string
	for _, l := range log {
		acts = append(acts, l.Actor+" "+l.Action)
	}
	if strings.Join(acts, ",") != adminEmail+" source.fetch,"+adminEmail+" source.pause,"+adminEmail+" source.edit,"+adminEmail+" source.add,test user.add,test user.add" {
		t.Errorf("audit log = %q", acts)
	}
	if a := b.get("/admin/audit"); a.status != http.StatusOK || !strings.Contains(a.body, "source.pause") {
		t.Errorf("audit page = %d", a.status)
	}

	// Sign-out ends the session on the server: the same cookie, replayed, is refused.
	stolen := *b.sessionCookie()
	if a := b.post("/admin/logout", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther || a.location != "/admin/login" {
		t.Fatalf("sign out = %d → %q", a.status, a.location)
	}
	replay := e.browser()
	replay.c.Jar.SetCookies(u, []*http.Cookie{&stolen})
	if a := replay.get("/admin/sources"); a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/admin/login") {
		t.Errorf("replayed cookie after sign-out: GET /admin/sources = %d → %q; want a redirect to the login", a.status, a.location)
	}
	if a := replay.post(path+"/resume", url.Values{"csrf": {tok}}); a.status != http.StatusForbidden {
		t.Errorf("replayed cookie after sign-out: POST = %d, want 403", a.status)
	}
}

var csrfValueRE = regexp.MustCompile(`name="csrf" value="[^"]*"`)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEditorIsRefusedAdminPages(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(editorEmail)
	tok := b.csrf()
	for _, path := range []string{"/admin/users", "/admin/audit"} {
		if a := b.get(path); a.status != http.StatusForbidden {
			t.Errorf("editor GET %s = %d, want 403", path, a.status)
		}
	}
	// Privilege escalation: an editor cannot make an account, nor promote itself.
	ed, _ := e.st.UserByEmail(context.Background(), editorEmail)
	if a := b.post("/admin/users", url.Values{"csrf": {tok}, "email": {"mole@example.org"}, "role": {"admin"}, "password": {password}}); a.status != http.StatusForbidden {
		t.Errorf("editor POST /admin/users = %d, want 403", a.status)
	}
	if a := b.post("/admin/users/"+itoa(ed.ID)+"/role", url.Values{"csrf": {tok}, "role": {"admin"}}); a.status != http.StatusForbidden {
		t.Errorf("editor promoting itself = %d, want 403", a.status)
	}
	if u, _ := e.st.UserByEmail(context.Background(), editorEmail); u.Role != store.RoleEditor {
		t.Error("the editor became an admin")
	}
	if _, err := e.st.UserByEmail(context.Background(), "mole@example.org"); err == nil {
		t.Error("an editor added an account")
	}
	// The nav offers an editor no admin-only pages.
	if a := b.get("/admin/"); strings.Contains(a.body, `href="/admin/users"`) {
		t.Error("an editor's nav links to /admin/users")
	}
	// Sources are an editor's work.
	if a := b.get("/admin/sources"); a.status != http.StatusOK {
		t.Errorf("editor GET /admin/sources = %d", a.status)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	feed := feedServer(t, "Feed")
	form := url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}}
	for name, h := range map[string]map[string]string{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": "same-site"},
		"Origin of another site":    {"Origin": "https://evil.example"},
		"Origin null":               {"Origin": "null"},
	} {
		if a := b.postWith("/admin/sources", form, h); a.status != http.StatusForbidden {
			t.Errorf("%s: POST = %d, want 403", name, a.status)
		}
	}
	// Same origin but without the session's token (a form on a subdomain
	// we do not control, a stale page): refused too.
	for _, bad := range []string{"", "forged"} {
		if a := b.post("/admin/sources", url.Values{"csrf": {bad}, "url": {feed.URL + "/feed.xml"}}); a.status != http.StatusForbidden {
			t.Errorf("POST with csrf %q = %d, want 403", bad, a.status)
		}
	}
	// The login form is protected as well (login CSRF).
	if a := b.postWith("/admin/login", url.Values{"email": {adminEmail}, "password": {password}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); a.status != http.StatusForbidden {
		t.Errorf("cross-site login POST = %d, want 403", a.status)
	}
	if ss, _ := e.st.Sources(context.Background()); len(ss) != 0 {
		t.Fatalf("a refused POST added %d sources", len(ss))
	}
	// And the same form from our own page works.
	if a := b.post("/admin/sources", form); a.status != http.StatusSeeOther {
		t.Errorf("same-origin POST = %d, want 303", a.status)
	}
}

func TestWrongPasswordsAreThrottled(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	for _, email := range []string{adminEmail, "nobody@example.org"} {
		b := e.browser()
		var last answer
		statuses := []int{}
		for range 12 {
			last = b.signIn(email, "wrong password!")
			statuses = append(statuses, last.status)
		}
		if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many failed sign-ins") {
			t.Errorf("%s: statuses of 12 wrong passwords = %v; want the last to be 429 with a message", email, statuses)
		}
		for i, s := range statuses[:admin.MaxAccountFailures] {
			if s != http.StatusUnauthorized {
				t.Errorf("%s: attempt %d = %d, want 401 (before the limit)", email, i+1, s)
			}
		}
		if email == adminEmail {
			// Throttled means throttled: the right password waits too.
			if a := b.signIn(email, password); a.status != http.StatusTooManyRequests {
				t.Errorf("right password while throttled = %d, want 429", a.status)
			}
			// Another account from the same address is not locked by it.
			if a := e.browser().signIn(editorEmail, password); a.status != http.StatusSeeOther {
				t.Errorf("another account's sign-in = %d, want 303", a.status)
			}
		}
	}
	// Known and unknown e-mails get the same answer.
	k, u := e.browser().signIn(editorEmail, "wrong password!"), e.browser().signIn("nobody2@example.org", "wrong password!")
	norm := func(body, email string) string {
		return csrfValueRE.ReplaceAllString(strings.Replace(body, email, "X", 1), "")
	}
	if k.status != u.status || norm(k.body, editorEmail) != norm(u.body, "nobody2@example.org") {
		t.Error("a wrong password answers differently for a known and an unknown e-mail")
	}
}

func TestNextIsNeverAnotherSite(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	for next, want := range map[string]string{
		"/admin/sources":          "/admin/sources",
		"//evil.example/admin/":   "/admin/",
		"https://evil.example/":   "/admin/",
		"/\\evil.example":         "/admin/",
		"/admin/\\\\evil.example": "/admin/",
		"/en/":                    "/admin/",
	} {
		b := e.browser()
		page := b.get("/admin/login?next=" + url.QueryEscape(next))
		form := hidden(page.body)
		form.Set("email", adminEmail)
		form.Set("password", password)
		form.Set("next", next)
		if a := b.post("/admin/login", form); a.location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, a.location, want)
		}
	}
}

func TestSetupMakesTheFirstAdminOnce(t *testing.T) {
	e := newEnv(t, sqliteStore(t), false)
	setup := e.adm.SetupURL()
	if !strings.HasPrefix(setup, e.base+"/admin/setup?token=") {
		t.Fatalf("SetupURL = %q", setup)
	}
	b := e.browser()
	if a := b.get("/admin/setup?token=guess"); a.status != http.StatusNotFound {
		t.Errorf("setup with a wrong token = %d, want 404", a.status)
	}
	page := b.get(strings.TrimPrefix(setup, e.base))
	if page.status != http.StatusOK {
		t.Fatalf("setup page = %d", page.status)
	}
	form := hidden(page.body)
	form.Set("email", "short@example.org")
	form.Set("password", "short")
	if a := b.post("/admin/setup", form); a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "at least 10 characters") {
		t.Errorf("setup with a short password = %d", a.status)
	}
	form.Set("email", "First@Example.org")
	form.Set("password", password)
	if a := b.post("/admin/setup", form); a.status != http.StatusSeeOther || a.location != "/admin/" {
		t.Fatalf("setup = %d → %q\n%s", a.status, a.location, a.body)
	}
	if a := b.get("/admin/users"); a.status != http.StatusOK || !strings.Contains(a.body, "first@example.org") {
		t.Errorf("after setup, /admin/users = %d", a.status)
	}
	// Once there is an admin, setup is gone, token or not.
	if a := e.browser().get(strings.TrimPrefix(setup, e.base)); a.status != http.StatusNotFound {
		t.Errorf("setup a second time = %d, want 404", a.status)
	}
}

func TestSignInLinkWorksOnce(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(adminEmail)
	tok := b.csrf()
	a := b.post("/admin/users", url.Values{"csrf": {tok}, "email": {"new@example.org"}, "role": {"editor"}})
	i := strings.Index(a.body, e.base+"/admin/link/")
	if a.status != http.StatusOK || i < 0 {
		t.Fatalf("adding an account without password = %d; want the page with its sign-in link", a.status)
	}
	link := a.body[i:]
	link = link[:strings.Index(link, "<")]
	nb := e.browser()
	page := nb.get(strings.TrimPrefix(link, e.base))
	if page.status != http.StatusOK {
		t.Fatalf("link page = %d", page.status)
	}
	if a := nb.post(strings.TrimPrefix(link, e.base), hidden(page.body)); a.status != http.StatusSeeOther || a.location != "/admin/account" {
		t.Fatalf("using the link = %d → %q", a.status, a.location)
	}
	acc := nb.get("/admin/account")
	if !strings.Contains(acc.body, "new@example.org") || !strings.Contains(acc.body, "no password yet") {
		t.Errorf("account page after the link does not ask for a password")
	}
	f := hidden(acc.body)
	f.Set("password", "a brand new pass")
	f.Set("password2", "a brand new pass")
	if a := nb.post("/admin/account", f); a.status != http.StatusSeeOther {
		t.Fatalf("setting the password = %d\n%s", a.status, a.body)
	}
	if a := e.browser().signIn("new@example.org", "a brand new pass"); a.status != http.StatusSeeOther {
		t.Errorf("sign-in with the new password = %d", a.status)
	}
	again := e.browser()
	page = again.get(strings.TrimPrefix(link, e.base))
	if a := again.post(strings.TrimPrefix(link, e.base), hidden(page.body)); a.status != http.StatusGone {
		t.Errorf("the link a second time = %d, want 410", a.status)
	}
}

// Two web nodes on one database: sign in on one, act on the other.
func TestSessionsWorkAcrossNodes(t *testing.T) {
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": sqliteStore, "postgres": postgresStore} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			n1 := newEnv(t, st, true)
			n2 := newEnv(t, st, false)
			b := n1.browser()
			b.mustSignIn(adminEmail)
			tok := b.csrf()
			b2 := b.on(n2)
			feed := feedServer(t, "Across")
			if a := b2.post("/admin/sources", url.Values{"csrf": {tok}, "url": {feed.URL + "/feed.xml"}}); a.status != http.StatusSeeOther {
				t.Fatalf("adding a source on the second node = %d\n%s", a.status, a.body)
			}
			if a := b2.post("/admin/logout", url.Values{"csrf": {tok}}); a.status != http.StatusSeeOther {
				t.Fatalf("sign out on node 2 = %d", a.status)
			}
			// b still holds the cookie on node 1: signed out everywhere.
			if a := b.get("/admin/sources"); a.status != http.StatusSeeOther {
				t.Errorf("node 1 after sign-out on node 2 = %d, want a redirect to the login", a.status)
			}
		})
	}
}

func TestHideArticleTakesItOffTheSite(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	ctx := context.Background()
	src := &store.Source{URL: "https://news.example/feed", Name: "News", Enabled: true}
	if err := e.st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	art := &store.Article{SourceID: src.ID, URL: "https://news.example/1", Title: "A <b>bold</b> claim", Text: "Body text.",
		HTML: "<p>Body text.</p>", Language: "en", Section: "world"}
	if _, err := e.st.UpsertArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	reader := e.browser()
	public := "/en" + art.Path()
	if a := reader.get(public); a.status != http.StatusOK {
		t.Fatalf("the article's page = %d before hiding", a.status)
	}
	b := e.browser()
	b.mustSignIn(editorEmail) // an editor's work
	list := b.get("/admin/articles?section=world")
	if list.status != http.StatusOK || !strings.Contains(list.body, "A &lt;b&gt;bold&lt;/b&gt; claim") {
		t.Fatalf("articles page = %d, or the headline is not escaped", list.status)
	}
	tok := b.csrf()
	a := b.post("/admin/articles/"+itoa(art.ID)+"/hide", url.Values{"csrf": {tok}, "back": {"/admin/articles?section=world"}})
	if a.status != http.StatusSeeOther || a.location != "/admin/articles?section=world&done=hidden" {
		t.Fatalf("hide = %d → %q", a.status, a.location)
	}
	if a := reader.get(public); a.status != http.StatusNotFound {
		t.Errorf("a hidden article's page = %d, want 404", a.status)
	}
	if a := b.get("/admin/articles?state=hidden"); !strings.Contains(a.body, "bold") || !strings.Contains(a.body, "/unhide") {
		t.Error("the hidden filter does not list the hidden article with a button to show it")
	}
	if a := b.get("/admin/articles?state=visible"); strings.Contains(a.body, "bold") {
		t.Error("the visible filter lists a hidden article")
	}
	// back never leads elsewhere.
	if a := b.post("/admin/articles/"+itoa(art.ID)+"/unhide", url.Values{"csrf": {tok}, "back": {"//evil.example/"}}); a.location != "/admin/articles?done=shown" {
		t.Errorf("unhide with a foreign back = %q", a.location)
	}
	if a := reader.get(public); a.status != http.StatusOK {
		t.Errorf("the article's page after showing it again = %d", a.status)
	}
	if a := b.post("/admin/articles/999999/hide", url.Values{"csrf": {tok}}); a.status != http.StatusNotFound {
		t.Errorf("hiding no article = %d, want 404", a.status)
	}
	log, _ := e.st.Audit(ctx, 0, 2)
	if len(log) != 2 || log[0].Action != "article.unhide" || log[1].Action != "article.hide" || log[1].Actor != editorEmail {
		t.Errorf("audit log = %+v", log)
	}
}

// Behind https the cookies are Secure, and the session's is __Host-.
func TestCookiesOverHTTPS(t *testing.T) {
	st := sqliteStore(t)
	e := newEnv(t, st, true)
	ad, err := admin.New(context.Background(), st, admin.Config{BaseURL: "https://news.example", Sources: e.srvOps(), Users: e.users, Articles: e.articles()})
	if err != nil {
		t.Fatal(err)
	}
	h := ad.Handlers()
	rec := httptest.NewRecorder()
	h["GET /admin/login"].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://news.example/admin/login", nil))
	c := rec.Result().Cookies()
	if len(c) != 1 || !c[0].Secure || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("form token cookie = %+v", c)
	}
	form := url.Values{"csrf": {c[0].Value}, "email": {adminEmail}, "password": {password}, "next": {"/admin/"}}
	req := httptest.NewRequest(http.MethodPost, "https://news.example/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://news.example")
	req.AddCookie(c[0])
	rec = httptest.NewRecorder()
	h["POST /admin/login"].ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-in over https = %d", rec.Code)
	}
	sc := rec.Result().Cookies()
	if len(sc) != 1 || sc[0].Name != "__Host-spektrum_admin" || !sc[0].Secure || !sc[0].HttpOnly || sc[0].SameSite != http.SameSiteLaxMode || sc[0].Path != "/" {
		t.Errorf("session cookie over https = %+v", sc)
	}
}

func TestNewsletterSubscribersAndConsent(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	ctx := context.Background()
	sub := &store.Subscriber{Email: "reader@example.org", Language: "de", Frequency: store.Weekly, Status: store.SubActive}
	if err := e.st.CreateSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	consent := "Ich möchte den <Newsletter> erhalten."
	if err := e.st.AddConsent(ctx, &store.Consent{SubscriberID: sub.ID, Action: "subscribe", Text: consent, TextVersion: "v1", Language: "de", PageURL: "https://news.example/de/", Choices: `{"frequency":"weekly"}`}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.mustSignIn(editorEmail)
	list := b.get("/admin/newsletter")
	if list.status != http.StatusOK || !strings.Contains(list.body, "reader@example.org") || !strings.Contains(list.body, "<strong>1</strong> <a href=\"/admin/newsletter?state=active\">") {
		t.Fatalf("newsletter page = %d\n%s", list.status, list.body)
	}
	if a := b.get("/admin/newsletter?q=READER@example.org"); !strings.Contains(a.body, "/admin/newsletter/"+itoa(sub.ID)) {
		t.Error("searching an address does not find it")
	}
	if a := b.get("/admin/newsletter?q=nobody@example.org"); strings.Contains(a.body, "reader@example.org") {
		t.Error("searching another address lists this one")
	}
	one := b.get("/admin/newsletter/" + itoa(sub.ID))
	if one.status != http.StatusOK || !strings.Contains(one.body, "Ich möchte den &lt;Newsletter&gt; erhalten.") || !strings.Contains(one.body, "https://news.example/de/") {
		t.Errorf("subscriber page = %d, or the consent is not shown as stored (escaped)", one.status)
	}
}

func TestTwoStepSignIn(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(editorEmail)
	acc := b.get("/admin/account")
	form := hidden(acc.body[strings.Index(acc.body, `action="/admin/account/totp"`):])
	secret := form.Get("secret")
	if len(secret) != 32 {
		t.Fatalf("the account page offers no TOTP key (%q)", secret)
	}
	form.Set("code", "000000")
	if a := b.post("/admin/account/totp", form); a.status != http.StatusUnprocessableEntity {
		t.Fatalf("turning it on with a wrong code = %d, want 422", a.status)
	}
	form.Set("code", auth.TOTPCode(secret, auth.TOTPStep(time.Now())))
	if a := b.post("/admin/account/totp", form); a.status != http.StatusSeeOther {
		t.Fatalf("turning it on = %d", a.status)
	}
	// Now the password alone is not enough.
	nb := e.browser()
	a := nb.signIn(editorEmail, password)
	if a.status != http.StatusOK || !strings.Contains(a.body, `action="/admin/login/code"`) || nb.sessionCookie() != nil {
		t.Fatalf("password of a two-step account = %d, session %v; want the code form and no session", a.status, nb.sessionCookie())
	}
	step := hidden(a.body)
	step.Set("code", "123456")
	if strings.Contains(auth.TOTPCode(secret, auth.TOTPStep(time.Now())), "123456") {
		t.Skip("the wrong code happens to be right")
	}
	if a := nb.post("/admin/login/code", step); a.status != http.StatusUnauthorized || nb.sessionCookie() != nil {
		t.Fatalf("wrong code = %d", a.status)
	}
	// The step's token was used up: the right code with it fails too.
	step.Set("code", auth.TOTPCode(secret, auth.TOTPStep(time.Now())+1))
	if a := nb.post("/admin/login/code", step); a.status != http.StatusUnauthorized {
		t.Fatalf("a used sign-in step = %d, want 401", a.status)
	}
	a = nb.signIn(editorEmail, password)
	step = hidden(a.body)
	code := auth.TOTPCode(secret, auth.TOTPStep(time.Now())+1)
	step.Set("code", code)
	if a := nb.post("/admin/login/code", step); a.status != http.StatusSeeOther || nb.sessionCookie() == nil {
		t.Fatalf("right code = %d → %q", a.status, a.location)
	}
	// The same code again (replayed by someone who saw it) is refused.
	other := e.browser()
	a = other.signIn(editorEmail, password)
	step = hidden(a.body)
	step.Set("code", code)
	if a := other.post("/admin/login/code", step); a.status != http.StatusUnauthorized {
		t.Errorf("a replayed code = %d, want 401", a.status)
	}
	if log, _ := e.st.Audit(context.Background(), 0, 1); len(log) != 1 || log[0].Action != "user.totp-on" {
		t.Errorf("audit = %+v", log)
	}
}
