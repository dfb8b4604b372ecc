package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

func testAdmin(t *testing.T, s store.Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, s) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, s) })
	t.Run("TokensOnce", func(t *testing.T) { testTokensOnce(t, s) })
	t.Run("AuthFailures", func(t *testing.T) { testAuthFailures(t, s) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, s) })
	t.Run("FilterAndHideArticles", func(t *testing.T) { testFilterArticles(t, s) })
	t.Run("CorrectArticles", func(t *testing.T) { testCorrectArticles(t, s) })
}

func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := &store.User{Email: "ada@example.org", Role: store.RoleAdmin, PasswordHash: "$argon2id$x", CreatedAt: base}
	if err := s.CreateUser(ctx, a); err != nil || a.ID == 0 {
		t.Fatalf("CreateUser = %v, id %d", err, a.ID)
	}
	if err := s.CreateUser(ctx, &store.User{Email: "ada@example.org", Role: store.RoleEditor}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("CreateUser of a taken e-mail = %v, want ErrDuplicate", err)
	}
	e := &store.User{Email: "eve@example.org", Role: store.RoleEditor, CreatedAt: base}
	if err := s.CreateUser(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByEmail(ctx, "ada@example.org")
	if err != nil || got.ID != a.ID || got.Role != store.RoleAdmin || got.PasswordHash != "$argon2id$x" || !got.CreatedAt.Equal(base) {
		t.Fatalf("UserByEmail = %+v, %v", got, err)
	}
	if _, err := s.UserByEmail(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UserByEmail(unknown) = %v, want ErrNotFound", err)
	}
	e.Role, e.PasswordHash, e.TOTPSecret, e.UpdatedAt = store.RoleAdmin, "$argon2id$y", "JBSWY3DPEHPK3PXP", base.Add(time.Hour)
	if err := s.UpdateUser(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got, err := s.User(ctx, e.ID); err != nil || got.Role != store.RoleAdmin || got.PasswordHash != "$argon2id$y" || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || !got.UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("User after UpdateUser = %+v, %v", got, err)
	}
	// A TOTP step works once; an older one never.
	if err := s.UseTOTPStep(ctx, e.ID, 100); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int64{100, 99} {
		if err := s.UseTOTPStep(ctx, e.ID, step); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseTOTPStep(%d) after 100 = %v, want ErrNotFound", step, err)
		}
	}
	if err := s.UseTOTPStep(ctx, e.ID, 101); err != nil {
		t.Errorf("UseTOTPStep(101) = %v", err)
	}
	us, err := s.Users(ctx)
	if err != nil || len(us) != 2 || us[0].ID != a.ID || us[1].ID != e.ID {
		t.Fatalf("Users = %+v, %v", us, err)
	}
	// Removing an account ends its sessions and voids its tokens.
	if err := s.CreateSession(ctx, &store.Session{TokenHash: "h-eve", UserID: e.ID, CSRF: "c", CreatedAt: base, LastSeenAt: base}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUserToken(ctx, &store.UserToken{TokenHash: "t-eve", UserID: e.ID, Purpose: "signin", ExpiresAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "h-eve"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session of a removed user = %v, want ErrNotFound", err)
	}
	if _, err := s.UseUserToken(ctx, "t-eve", "signin", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token of a removed user = %v, want ErrNotFound", err)
	}
	if err := s.DeleteUser(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteUser twice = %v, want ErrNotFound", err)
	}
	if err := s.UpdateUser(ctx, e); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateUser of a removed user = %v, want ErrNotFound", err)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := &store.User{Email: "s@example.org", Role: store.RoleEditor}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	mk := func(h string, created, seen time.Time) {
		t.Helper()
		if err := s.CreateSession(ctx, &store.Session{TokenHash: h, UserID: u.ID, CSRF: "csrf-" + h, CreatedAt: created, LastSeenAt: seen}); err != nil {
			t.Fatal(err)
		}
	}
	mk("fresh", base, base)
	mk("idle", base.Add(-3*time.Hour), base.Add(-3*time.Hour))
	mk("old", base.Add(-48*time.Hour), base)
	if err := s.CreateSession(ctx, &store.Session{TokenHash: "fresh", UserID: u.ID, CreatedAt: base, LastSeenAt: base}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("CreateSession with a taken hash = %v, want ErrDuplicate", err)
	}
	got, err := s.Session(ctx, "fresh")
	if err != nil || got.UserID != u.ID || got.CSRF != "csrf-fresh" || !got.CreatedAt.Equal(base) {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	if err := s.TouchSession(ctx, "fresh", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, "fresh"); !got.LastSeenAt.Equal(base.Add(time.Minute)) {
		t.Errorf("LastSeenAt after touch = %v", got.LastSeenAt)
	}
	if err := s.TouchSession(ctx, "gone", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TouchSession(unknown) = %v, want ErrNotFound", err)
	}
	n, err := s.PurgeSessions(ctx, base.Add(-2*time.Hour), base.Add(-24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PurgeSessions = %d, %v; want 2 (the idle and the old one)", n, err)
	}
	if _, err := s.Session(ctx, "fresh"); err != nil {
		t.Errorf("a fresh session was purged: %v", err)
	}
	if err := s.DeleteSession(ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "fresh"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after DeleteSession = %v, want ErrNotFound", err)
	}
	mk("a", base, base)
	mk("b", base, base)
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"a", "b"} {
		if _, err := s.Session(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s after DeleteUserSessions = %v", h, err)
		}
	}
}

func testTokensOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := &store.User{Email: "t@example.org", Role: store.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"live", "expired"} {
		exp := base.Add(time.Hour)
		if h == "expired" {
			exp = base.Add(-time.Second)
		}
		if err := s.CreateUserToken(ctx, &store.UserToken{TokenHash: h, UserID: u.ID, Purpose: "signin", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.UseUserToken(ctx, "live", "reset", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token used for another purpose = %v, want ErrNotFound", err)
	}
	if _, err := s.UseUserToken(ctx, "expired", "signin", base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired token = %v, want ErrNotFound", err)
	}
	// Concurrent uses: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			tok, err := s.UseUserToken(ctx, "live", "signin", base)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
				if tok.UserID != u.ID || !tok.ExpiresAt.Equal(base.Add(time.Hour)) {
					t.Errorf("UseUserToken = %+v", tok)
				}
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UseUserToken: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent uses of a one-time token succeeded, want 1", wins)
	}
}

func testAuthFailures(t *testing.T, s store.Store) {
	ctx := context.Background()
	w1, w2 := base, base.Add(time.Minute)
	for i := 1; i <= 3; i++ {
		if n, err := s.AddAuthFailure(ctx, "ip:x", w1); err != nil || n != i {
			t.Fatalf("AddAuthFailure #%d = %d, %v", i, n, err)
		}
	}
	if n, err := s.AddAuthFailure(ctx, "ip:x", w2); err != nil || n != 1 {
		t.Fatalf("AddAuthFailure in a new window = %d, %v; want 1", n, err)
	}
	if _, err := s.AddAuthFailure(ctx, "acct:y", w2); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key   string
		since time.Time
		want  int
	}{{"ip:x", w1, 4}, {"ip:x", w2, 1}, {"acct:y", w1, 1}, {"none", w1, 0}} {
		if n, err := s.AuthFailures(ctx, c.key, c.since); err != nil || n != c.want {
			t.Errorf("AuthFailures(%s, %v) = %d, %v; want %d", c.key, c.since, n, err, c.want)
		}
	}
	if err := s.ClearAuthFailures(ctx, "ip:x"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.AuthFailures(ctx, "ip:x", w1); n != 0 {
		t.Errorf("failures after clear = %d", n)
	}
	if n, err := s.PurgeAuthFailures(ctx, w2.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("PurgeAuthFailures = %d, %v; want 1", n, err)
	}
}

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, act := range []string{"source.add", "source.pause", "user.add"} {
		e := &store.AuditEntry{At: base.Add(time.Duration(i) * time.Minute), Actor: "ada@example.org", Action: act, Target: "#1", Detail: "<b>x</b>"}
		if err := s.AddAudit(ctx, e); err != nil || e.ID == 0 {
			t.Fatalf("AddAudit = %v, id %d", err, e.ID)
		}
	}
	all, err := s.Audit(ctx, 0, 10)
	if err != nil || len(all) != 3 || all[0].Action != "user.add" || all[2].Action != "source.add" || !all[2].At.Equal(base) || all[0].Detail != "<b>x</b>" {
		t.Fatalf("Audit = %+v, %v", all, err)
	}
	older, err := s.Audit(ctx, all[0].ID, 1)
	if err != nil || len(older) != 1 || older[0].Action != "source.pause" {
		t.Fatalf("Audit(before newest, 1) = %+v, %v", older, err)
	}
}

func testFilterArticles(t *testing.T, s store.Store) {
	ctx := context.Background()
	var srcs [2]*store.Source
	for i := range srcs {
		srcs[i] = &store.Source{URL: fmt.Sprintf("https://s%d.example/feed", i), Name: fmt.Sprintf("S%d", i), Enabled: true}
		if err := s.CreateSource(ctx, srcs[i]); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]int64, 6)
	for i := range ids {
		a := &store.Article{SourceID: srcs[i%2].ID, URL: fmt.Sprintf("https://s%d.example/%d", i%2, i), Title: fmt.Sprintf("Story %d", i),
			Text: "body", HTML: "<p>body</p>", Section: []string{"world", "sport"}[i/3], Language: []string{"en", "de", "en"}[i%3],
			PublishedAt: base.Add(time.Duration(i) * time.Hour)}
		if _, err := s.UpsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	if err := s.SetArticleHidden(ctx, ids[4], true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetArticleHidden(ctx, 1<<40, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetArticleHidden(unknown) = %v, want ErrNotFound", err)
	}
	yes, no := true, false
	titles := func(f store.ArticleFilter) string {
		t.Helper()
		as, err := s.FilterArticles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			if a.HTML != "" || a.Text != "" {
				t.Errorf("FilterArticles returned a body")
			}
			out = append(out, a.Title[6:])
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    store.ArticleFilter
		want string
	}{
		{store.ArticleFilter{}, "5,4,3,2,1,0"},
		{store.ArticleFilter{SourceID: srcs[1].ID}, "5,3,1"},
		{store.ArticleFilter{Section: "sport"}, "5,4,3"},
		{store.ArticleFilter{Language: "de"}, "4,1"},
		{store.ArticleFilter{Hidden: &yes}, "4"},
		{store.ArticleFilter{Hidden: &no, Section: "sport"}, "5,3"},
		{store.ArticleFilter{Limit: 2, Offset: 1}, "4,3"},
	} {
		if got := titles(c.f); got != c.want {
			t.Errorf("FilterArticles(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	// A hidden article leaves the public listings and comes back when shown.
	page, _ := s.Articles(ctx, store.ArticleQuery{Limit: 10})
	if len(page.Articles) != 5 {
		t.Errorf("Articles lists %d with one hidden, want 5", len(page.Articles))
	}
	if err := s.SetArticleHidden(ctx, ids[4], false); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.Articles(ctx, store.ArticleQuery{Limit: 10}); len(page.Articles) != 6 {
		t.Errorf("Articles lists %d after unhiding, want 6", len(page.Articles))
	}
}

// An editor's corrections sit beside what the source published: a
// re-fetch that changes the page updates the original and keeps the
// correction, the hash as read changes with each correction (the translate
// stage's cue), and every change bumps the page generation.
func testCorrectArticles(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://corrections.example/feed")
	a := &store.Article{SourceID: src.ID, URL: "https://corrections.example/1", Title: "Teh headline", Summary: "A lead.",
		Text: "body", HTML: "<p>body</p>", Section: "world", Language: "en", PublishedAt: base}
	if _, err := s.UpsertArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	plain, err := s.Article(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if plain.TitleCorrected || plain.SourceTitle != "Teh headline" || plain.ContentHash != a.ContentHash {
		t.Fatalf("an uncorrected article reads %+v", plain)
	}
	gen0, _ := s.PageGeneration(ctx)
	title, section := "The headline", "europe"
	if err := s.CorrectArticle(ctx, a.ID, store.ArticleCorrection{Title: &title, Section: &section}); err != nil {
		t.Fatal(err)
	}
	if gen, _ := s.PageGeneration(ctx); gen <= gen0 {
		t.Errorf("a correction left the page generation at %d", gen)
	}
	got, err := s.Article(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "The headline" || !got.TitleCorrected || got.SourceTitle != "Teh headline" || got.Summary != "A lead." ||
		got.SummaryCorrected || got.Section != "europe" || got.ContentHash == plain.ContentHash {
		t.Fatalf("corrected article reads %+v", got)
	}
	bySlug, _ := s.ArticleBySlug(ctx, got.Slug)
	if bySlug == nil || bySlug.Title != "The headline" {
		t.Errorf("ArticleBySlug does not show the correction: %+v", bySlug)
	}
	// The source changes its page: the original follows, the correction and the move stay.
	again := &store.Article{SourceID: src.ID, URL: a.URL, Title: "Teh headline, updated", Summary: "A new lead.",
		Text: "body, more", HTML: "<p>body, more</p>", Section: "world", Language: "en", PublishedAt: base}
	if res, err := s.UpsertArticle(ctx, again); err != nil || res != store.Updated {
		t.Fatalf("re-fetch = %v, %v", res, err)
	}
	got, _ = s.Article(ctx, a.ID)
	if got.Title != "The headline" || got.SourceTitle != "Teh headline, updated" || got.Summary != "A new lead." || got.Section != "europe" {
		t.Fatalf("after a re-fetch: title %q (source %q), summary %q, section %q", got.Title, got.SourceTitle, got.Summary, got.Section)
	}
	hash1 := got.ContentHash
	summary := "A corrected lead."
	if err := s.CorrectArticle(ctx, a.ID, store.ArticleCorrection{Summary: &summary}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Article(ctx, a.ID)
	if got.Title != "The headline" || got.Summary != summary || !got.SummaryCorrected || got.ContentHash == hash1 {
		t.Fatalf("after correcting the summary: %+v", got)
	}
	// Taking both back shows what the source published, and its hash.
	none := ""
	if err := s.CorrectArticle(ctx, a.ID, store.ArticleCorrection{Title: &none, Summary: &none, Section: &none}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Article(ctx, a.ID)
	if got.Title != "Teh headline, updated" || got.TitleCorrected || got.Summary != "A new lead." || got.ContentHash != again.ContentHash {
		t.Fatalf("after taking the corrections back: %+v", got)
	}
	if err := s.CorrectArticle(ctx, 1<<40, store.ArticleCorrection{Title: &title}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CorrectArticle(unknown) = %v", err)
	}
	// Pins.
	at := base.Add(time.Hour)
	if err := s.PinArticle(ctx, a.ID, at); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Article(ctx, a.ID); !got.PinnedAt.Equal(at) {
		t.Errorf("PinnedAt = %v, want %v", got.PinnedAt, at)
	}
	if err := s.PinArticle(ctx, a.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Article(ctx, a.ID); !got.PinnedAt.IsZero() {
		t.Errorf("unpinned PinnedAt = %v", got.PinnedAt)
	}
	if err := s.PinArticle(ctx, 1<<40, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PinArticle(unknown) = %v", err)
	}
	// Stale translations keep their text and lose their hash.
	if err := s.PutTranslation(ctx, &store.Translation{ArticleID: a.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone,
		Title: "Die Schlagzeile", ContentHash: got.ContentHash}); err != nil {
		t.Fatal(err)
	}
	if err := s.StaleTranslations(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	tr, err := s.Translation(ctx, a.ID, "de")
	if err != nil || tr.Title != "Die Schlagzeile" || tr.ContentHash != "" {
		t.Errorf("stale translation = %+v, %v", tr, err)
	}
}
