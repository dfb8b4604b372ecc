package admin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"spektrum/internal/admin"
	"spektrum/internal/extract"
	"spektrum/internal/fetch"
	"spektrum/internal/ops"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/store/postgres"
	"spektrum/internal/store/postgres/pgtest"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/web"
)

const (
	adminEmail  = "ada@example.org"
	editorEmail = "ed@example.org"
	password    = "correct horse battery"
)

// env is a Spektrum site with the admin mounted, on a real database, served
// over loopback.
type env struct {
	t     testing.TB
	ops   *ops.Service
	st    store.Store
	users *ops.Users
	adm   *admin.Admin
	pipe  *pipeline.Pipeline
	srv   *httptest.Server
	base  string
}

func sqliteStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func postgresStore(t testing.TB) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// newEnv serves st's site and admin. With seed, an admin and an editor
// account exist (password above).
func newEnv(t testing.TB, st store.Store, seed bool) *env {
	return newEnvWith(t, st, seed, pipeline.Options{})
}

// newEnvWith is newEnv with the pipeline's options (editions, translator);
// the site serves po.Editions.
func newEnvWith(t testing.TB, st store.Store, seed bool, po pipeline.Options) *env {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The test feeds are on loopback, which the fetch guard refuses unless told.
	fc := fetch.New(fetch.Options{AllowPrivateNetworks: true, PerHostDelay: -1, Timeout: 5 * time.Second})
	po.Logger = logger
	p := pipeline.New(st, fc, extract.New(), po)
	e := &env{t: t, st: st, users: ops.NewUsers(st, nil), pipe: p}
	if seed {
		for _, u := range []ops.NewUser{{Email: adminEmail, Role: store.RoleAdmin, Password: password}, {Email: editorEmail, Role: store.RoleEditor, Password: password}} {
			if _, err := e.users.AddUser(ctx, "test", u); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.srv = httptest.NewUnstartedServer(nil)
	e.base = "http://" + e.srv.Listener.Addr().String()
	style, err := web.AssetPath("style.css")
	if err != nil {
		t.Fatal(err)
	}
	e.ops = ops.New(st, fc, p, ops.Options{})
	e.adm, err = admin.New(ctx, st, admin.Config{BaseURL: e.base, SiteName: "Spektrum Test", Language: "en", StyleURL: style,
		Sources: e.ops, Users: e.users, Articles: ops.NewArticles(st, p), Logger: logger,
		Sections: ops.NewSections(st, editionsOr(po.Editions)), SectionName: sectionNamer(t), Translation: newTranslation(st, po),
		Settings: ops.NewSettings(st, editionsOr(po.Editions))})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(st, web.Config{BaseURL: e.base, Logger: logger, Mounts: e.adm.Handlers(), Editions: po.Editions})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = h
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// browser is a client with cookies that does not follow redirects, so
// tests see each answer.
type browser struct {
	t    testing.TB
	e    *env
	c    *http.Client
	base string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, base: e.base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// on returns a browser for another server sharing b's cookies.
func (b *browser) on(e *env) *browser {
	u, _ := url.Parse(b.base)
	jar, _ := cookiejar.New(nil)
	u2, _ := url.Parse(e.base)
	jar.SetCookies(u2, b.c.Jar.Cookies(u))
	return &browser{t: b.t, e: e, base: e.base, c: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: b.c.CheckRedirect}}
}

type answer struct {
	status   int
	body     string
	location string
}

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location")}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// post sends a form as our own page would (same origin).
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	return b.postWith(path, form, map[string]string{"Origin": b.base, "Sec-Fetch-Site": "same-origin"})
}

func (b *browser) postWith(path string, form url.Values, headers map[string]string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// hidden returns the hidden fields of the first form in page.
func hidden(page string) url.Values {
	v := url.Values{}
	if i := strings.Index(page, "</form>"); i >= 0 {
		page = page[:i]
	}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// signIn signs b in through the login form, as a browser would.
func (b *browser) signIn(email, pw string) answer {
	b.t.Helper()
	page := b.get("/admin/login")
	if page.status != http.StatusOK {
		b.t.Fatalf("GET /admin/login = %d", page.status)
	}
	form := hidden(page.body)
	form.Set("email", email)
	form.Set("password", pw)
	return b.post("/admin/login", form)
}

func (b *browser) mustSignIn(email string) {
	b.t.Helper()
	if a := b.signIn(email, password); a.status != http.StatusSeeOther || a.location != "/admin/" {
		b.t.Fatalf("sign-in of %s = %d → %q; want 303 → /admin/\n%s", email, a.status, a.location, a.body)
	}
}

// csrf is the session's token, read from a page's forms.
func (b *browser) csrf() string {
	b.t.Helper()
	a := b.get("/admin/account")
	tok := hidden(a.body).Get("csrf")
	if a.status != http.StatusOK || tok == "" {
		b.t.Fatalf("no CSRF token on /admin/account (%d)", a.status)
	}
	return tok
}

func (b *browser) sessionCookie() *http.Cookie {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "spektrum_admin" {
			return c
		}
	}
	return nil
}

// feedServer serves an RSS feed on loopback.
func feedServer(t testing.TB, title string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>`+title+`</title><link>http://`+r.Host+`/</link>
<item><title>First story</title><link>http://`+r.Host+`/a/1</link><guid>1</guid></item></channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// editionsOr is the site's editions, English when none are given.
func editionsOr(eds []string) []string {
	if len(eds) == 0 {
		return []string{"en"}
	}
	return eds
}

func (e *env) srvOps() *ops.Service    { return e.ops }
func (e *env) articles() *ops.Articles { return ops.NewArticles(e.st, e.pipe) }
