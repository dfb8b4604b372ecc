package newsletter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/jobs"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite"
	"spektrum/internal/web"
)

// The real SMTP server the tests deliver to: scripts/test.sh installs
// Mailpit and starts it on loopback, exporting these.
const (
	envSMTP    = "SPEKTRUM_TEST_SMTP_URL"    // e.g. smtp://127.0.0.1:1025
	envMailpit = "SPEKTRUM_TEST_MAILPIT_API" // e.g. http://127.0.0.1:8025
)

// base is the tests' "now": 10:00 UTC, so a lease or two later is the same day.
var base = time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC) // a Monday

// clock is a settable time source, so no assertion depends on the wall clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func mailpitEnv(t testing.TB) (smtpURL, api string) {
	t.Helper()
	smtpURL, api = os.Getenv(envSMTP), os.Getenv(envMailpit)
	if smtpURL == "" || api == "" {
		t.Skipf("%s and %s are not set: these tests need a real SMTP server (run scripts/test.sh, which starts Mailpit)", envSMTP, envMailpit)
	}
	return smtpURL, api
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "spektrum.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// env is one outlet under test: a store, the newsletter delivering to
// Mailpit, and the real site with the newsletter mounted, over loopback.
type env struct {
	t       testing.TB
	st      store.Store
	n       *newsletter.Newsletter
	mailer  newsletter.Mailer
	clock   *clock
	site    *httptest.Server
	base    string
	mailpit *mailpit
	domain  string // recipients of this test are @domain, so parallel tests don't see each other's mail
	cfg     newsletter.Config
	seeded  int // articles seeded so far, for unique URLs
}

func newEnv(t *testing.T, tweak func(*newsletter.Config)) *env {
	t.Helper()
	smtpURL, api := mailpitEnv(t)
	sc, err := newsletter.ParseSMTPURL(smtpURL)
	if err != nil {
		t.Fatalf("%s: %v", envSMTP, err)
	}
	m, err := newsletter.NewSMTP(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return startEnv(t, m, &mailpit{api: api, t: t}, tweak)
}

// newOfflineEnv is an outlet whose mailer refuses to send, for tests of
// what needs no mail (bounces, forms, links).
func newOfflineEnv(t *testing.T, tweak func(*newsletter.Config)) *env {
	return startEnv(t, newsletter.NoMailer{}, nil, tweak)
}

func startEnv(t testing.TB, m newsletter.Mailer, mp *mailpit, tweak func(*newsletter.Config)) *env {
	t.Helper()
	e := &env{t: t, st: openStore(t), mailer: m, clock: &clock{t: base}, mailpit: mp,
		domain: strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())) + fmt.Sprintf("-%d.example.org", time.Now().UnixNano())}
	e.site = httptest.NewUnstartedServer(nil)
	e.base = "http://" + e.site.Listener.Addr().String()
	e.cfg = newsletter.Config{SiteName: "Spektrum Test", BaseURL: e.base, Now: e.clock.Now, Secret: "test secret"}
	if tweak != nil {
		tweak(&e.cfg)
	}
	e.n = e.newNewsletter(m)
	langs := e.cfg.Languages
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	h, err := web.New(e.st, web.Config{SiteName: "Spektrum Test", BaseURL: e.base, Now: e.clock.Now,
		Editions: langs, Mounts: e.n.Handlers(), NewsletterForm: e.n.Form})
	if err != nil {
		t.Fatal(err)
	}
	e.site.Config.Handler = h
	e.site.Start()
	t.Cleanup(e.site.Close)
	return e
}

// newNewsletter builds another Newsletter on the same store and site, as a
// second process would.
func (e *env) newNewsletter(m newsletter.Mailer) *newsletter.Newsletter {
	e.t.Helper()
	n, err := newsletter.New(context.Background(), e.st, m, e.cfg)
	if err != nil {
		e.t.Fatalf("newsletter.New: %v", err)
	}
	return n
}

func (e *env) addr(local string) string { return local + "@" + e.domain }

// runJobs works off the queue (confirmation mails) as serve's workers would.
func (e *env) runJobs() {
	e.t.Helper()
	r := jobs.New(e.st, jobs.Options{Concurrency: 1, Poll: 10 * time.Millisecond})
	e.n.Register(r)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.RunUntilIdle(ctx); err != nil {
		e.t.Fatalf("run jobs: %v", err)
	}
	c, err := e.st.JobCounts(context.Background(), nil, time.Now())
	if err != nil || c.Dead > 0 || c.Queued > 0 {
		e.t.Fatalf("jobs after running: %+v, %v; want all done", c, err)
	}
}

// seed stores sections and articles first seen in the hours before now.
func (e *env) seed(articles map[string][]string) map[string]store.Article {
	e.t.Helper()
	ctx := context.Background()
	src := &store.Source{URL: fmt.Sprintf("https://source.example/feed-%s-%d", e.domain, e.seeded), Name: "Example Wire", Kind: store.KindFeed, Enabled: true, PollInterval: time.Hour}
	if err := e.st.CreateSource(ctx, src); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]store.Article{}
	i := e.seeded
	defer func() { e.seeded = i }()
	for section, titles := range articles {
		if section != "" {
			if err := e.st.EnsureSection(ctx, store.Section{Slug: section, Name: strings.ToUpper(section[:1]) + section[1:]}); err != nil {
				e.t.Fatal(err)
			}
		}
		for _, title := range titles {
			i++
			a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://source.example/%s/%d", e.domain, i),
				Title: title, Summary: "Lead of " + title + ".", Text: "Body of " + title, HTML: "<p>Body</p>",
				Section: section, Language: "en", PublishedAt: e.clock.Now().Add(-time.Duration(i-e.seeded) * time.Minute),
				FirstSeenAt: e.clock.Now().Add(-time.Duration(i-e.seeded) * time.Minute)}
			if _, err := e.st.UpsertArticle(ctx, a); err != nil {
				e.t.Fatal(err)
			}
			out[title] = *a
		}
	}
	return out
}

// activeSubscriber stores a confirmed subscriber directly.
func (e *env) activeSubscriber(email string, sections []string, freq string) *store.Subscriber {
	e.t.Helper()
	sub := &store.Subscriber{Email: email, Language: "en", Sections: sections, Frequency: freq,
		Status: store.SubActive, LinkNonce: "nonce-" + email, CreatedAt: e.clock.Now(), ConfirmedAt: e.clock.Now()}
	if err := e.st.CreateSubscriber(context.Background(), sub); err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func (e *env) get(u string) (int, string) {
	e.t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		e.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) postForm(u string, v url.Values) (int, string) {
	e.t.Helper()
	resp, err := http.PostForm(u, v)
	if err != nil {
		e.t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// ---- Mailpit's API ----

type mailpit struct {
	api string
	t   testing.TB
}

type mpAddress struct{ Name, Address string }

type mpSummary struct {
	ID, MessageID, Subject string
	From                   mpAddress
	To                     []mpAddress
}

type mpMessage struct {
	mpSummary
	Text, HTML string
	Headers    map[string][]string
}

func (m *mailpit) getJSON(path string, v any) {
	m.t.Helper()
	resp, err := http.Get(m.api + path)
	if err != nil {
		m.t.Fatalf("Mailpit API %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		m.t.Fatalf("Mailpit API %s: %s: %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		m.t.Fatalf("Mailpit API %s: %v", path, err)
	}
}

// to lists the messages Mailpit received for addr, newest first.
func (m *mailpit) to(addr string) []mpSummary {
	m.t.Helper()
	var res struct{ Messages []mpSummary }
	m.getJSON("/api/v1/search?limit=1000&query="+url.QueryEscape(`to:"`+addr+`"`), &res)
	// Mailpit's search matches substrings; keep exact recipients only.
	var out []mpSummary
	for _, s := range res.Messages {
		for _, to := range s.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// toDomain counts messages to any address @domain.
func (m *mailpit) toDomain(domain string) map[string]int {
	m.t.Helper()
	var res struct{ Messages []mpSummary }
	m.getJSON("/api/v1/search?limit=5000&query="+url.QueryEscape(`to:"@`+domain+`"`), &res)
	out := map[string]int{}
	for _, s := range res.Messages {
		for _, to := range s.To {
			if strings.HasSuffix(strings.ToLower(to.Address), "@"+domain) {
				out[strings.ToLower(to.Address)]++
			}
		}
	}
	return out
}

// waitFor polls until addr has n messages. SMTP delivery into Mailpit's
// store is asynchronous to the SMTP reply by a few milliseconds; the limit
// only bounds a broken run.
func (m *mailpit) waitFor(addr string, n int) []mpSummary {
	m.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := m.to(addr)
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				m.t.Fatalf("Mailpit has %d messages to %s, want %d", len(got), addr, n)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (m *mailpit) message(id string) mpMessage {
	m.t.Helper()
	var msg mpMessage
	m.getJSON("/api/v1/message/"+id, &msg)
	m.getJSON("/api/v1/message/"+id+"/headers", &msg.Headers)
	return msg
}

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+`)

// linkIn returns the first URL in text that starts with prefix.
func linkIn(t testing.TB, text, prefix string) string {
	t.Helper()
	for _, l := range linkRe.FindAllString(text, -1) {
		if strings.HasPrefix(l, prefix) {
			return strings.ReplaceAll(l, "&amp;", "&")
		}
	}
	t.Fatalf("no link starting with %s in:\n%s", prefix, text)
	return ""
}

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)

// hiddenFields reads the hidden inputs of the first form in page after marker.
func hiddenFields(page, marker string) url.Values {
	if i := strings.Index(page, marker); i >= 0 {
		page = page[i:]
	}
	if j := strings.Index(page, "</form>"); j >= 0 {
		page = page[:j]
	}
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], strings.ReplaceAll(m[2], "&amp;", "&"))
	}
	return v
}
