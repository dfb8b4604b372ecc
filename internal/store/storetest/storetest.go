// Package storetest is the one conformance suite every store.Store
// implementation must pass. Implementation packages call Run from their own
// tests with a function that opens a fresh, empty database; helpers for
// multi-store scenarios and benchmarks live here too so that both dialects
// are held to exactly the same checks.
//
// This package must not know about any particular implementation.
package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"spektrum/internal/store"
)

// Opener returns a fresh, empty store (migrated or not) and arranges for it
// to be closed and removed when t ends.
type Opener func(t *testing.T) store.Store

// base is the fixed "now" the suite works with, so no assertion depends on
// the wall clock.
var base = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// Run runs the conformance suite against stores made by open. Subtests run
// in parallel, each with its own store.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"MigrateTwice", testMigrateTwice},
		{"Sources", testSources},
		{"SourceViewpoints", testSourceViewpoints}, // viewpoints.go
		{"EditDuringPoll", testEditDuringPoll},     // polls.go
		{"DueSources", testDueSources},
		{"DeleteSource", testDeleteSource},
		{"UpsertResults", testUpsertResults},
		{"DedupeCanonicalAcrossSources", testDedupeCanonical},
		{"DedupeGUIDWithinSource", testDedupeGUID},
		{"DedupeURL", testDedupeURL},
		{"ScriptImageURLsAreNotKept", testScriptImageURLs},
		{"NearDuplicates", testNearDuplicates},
		{"StoryState", testStoryState},     // stories.go
		{"StoryListing", testStoryListing}, // stories.go
		{"StoryTurns", testStoryTurns},     // stories.go
		{"LaterDurable", testLaterDurable}, // stories.go
		{"StoryHidden", testStoryHidden},   // stories.go
		{"StoryRecheck", testStoryRecheck}, // stories.go
		{"MostCovered", testMostCovered},
		{"ArticleKnownAndCount", testArticleKnown},
		{"TimesRoundTrip", testTimesRoundTrip},
		{"Pagination", testPagination},
		{"Cards", testCards}, // cards.go
		{"BadCursor", testBadCursor},
		{"Filters", testFilters},
		{"Limits", testLimits},
		{"Hidden", testHidden},
		{"UnicodeSlugs", testUnicodeSlugs},
		{"SlugCollisions", testSlugCollisions},
		{"ConcurrentUpsert", testConcurrentUpsert},
		{"Sections", testSections},
		{"SectionEdits", testSectionEdits},   // sections.go
		{"SectionRemove", testSectionRemove}, // sections.go
		{"ViewsAndTrending", testTrending},
		{"AddViewsBatch", testAddViews}, // views.go
		{"EnqueueUniqueKey", testEnqueueUnique},
		{"EnqueueOnceKey", testEnqueueOnce},
		{"ClaimOrderAndKinds", testClaimOrder},
		{"ConcurrentClaim", testConcurrentClaim},
		{"LeaseExpiry", testLeaseExpiry},
		{"RetryThenDead", testRetryThenDead},
		{"DeferJob", testDeferJob},
		{"ClaimJobs", testClaimJobs},                       // batch.go
		{"ConcurrentClaimJobs", testConcurrentClaimJobs},   // batch.go
		{"JobBatches", testJobBatches},                     // batch.go
		{"RecordUnchangedPolls", testRecordUnchangedPolls}, // batch.go
		{"JobCountsAndPurge", testJobCountsAndPurge},
		{"Translations", testTranslations}, // translation.go
		{"Newsletter", testNewsletter},
		{"PageGeneration", testPageGeneration},         // generation.go
		{"PageChanges", testPageChanges},               // generation.go
		{"PageChangesPruned", testPageChangesPruned},   // generation.go
		{"Admin", testAdmin},                           // admin.go
		{"Search", testSearch},                         // search.go
		{"SearchTier", testSearchTier},                 // search.go
		{"SearchTierEditions", testSearchTierEditions}, // search.go
		{"Settings", testSettings},                     // settings.go
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

// ---- helpers ----

func newSource(t testing.TB, s store.Store, url string) *store.Source {
	t.Helper()
	src := &store.Source{URL: url, Name: "Source " + url, Kind: store.KindFeed, Enabled: true,
		PollInterval: 15 * time.Minute, NextPollAt: base}
	if err := s.CreateSource(context.Background(), src); err != nil {
		t.Fatalf("CreateSource(%s): %v", url, err)
	}
	return src
}

func upsert(t testing.TB, s store.Store, a *store.Article, want store.UpsertResult) {
	t.Helper()
	got, err := s.UpsertArticle(context.Background(), a)
	if err != nil {
		t.Fatalf("UpsertArticle(%s): %v", a.URL, err)
	}
	if got != want {
		t.Fatalf("UpsertArticle(%s) = %v, want %v", a.URL, got, want)
	}
}

func article(srcID int64, n int) *store.Article {
	return &store.Article{
		SourceID:    srcID,
		URL:         fmt.Sprintf("https://example.com/%d/story-%d", srcID, n),
		GUID:        fmt.Sprintf("guid-%d", n),
		Title:       fmt.Sprintf("Story number %d", n),
		Text:        fmt.Sprintf("Body of story %d.", n),
		HTML:        fmt.Sprintf("<p>Body of story %d.</p>", n),
		PublishedAt: base.Add(-time.Duration(n) * time.Hour),
		Language:    "en",
	}
}

func ids(as []store.Article) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func countRows(t *testing.T, s store.Store) int {
	t.Helper()
	n, err := s.CountArticles(context.Background())
	if err != nil {
		t.Fatalf("CountArticles: %v", err)
	}
	return n
}

func enqueue(t testing.TB, s store.Store, j *store.Job) {
	t.Helper()
	ok, err := s.Enqueue(context.Background(), j)
	if err != nil || !ok {
		t.Fatalf("Enqueue(%s %q) = %v, %v; want true, nil", j.Kind, j.UniqueKey, ok, err)
	}
}

func claim(t *testing.T, s store.Store, worker string, now time.Time) *store.Job {
	t.Helper()
	j, err := s.Claim(context.Background(), worker, []string{"fetch"}, now, time.Minute)
	if err != nil {
		t.Fatalf("Claim by %s at %v: %v", worker, now, err)
	}
	return j
}

func counts(t *testing.T, s store.Store, now time.Time) store.JobCounts {
	t.Helper()
	c, err := s.JobCounts(context.Background(), nil, now)
	if err != nil {
		t.Fatalf("JobCounts: %v", err)
	}
	return c
}

// ---- migrations ----

func testMigrateTwice(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://example.com/feed")
	for i := range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again (#%d): %v", i+2, err)
		}
	}
	got, err := s.Source(ctx, src.ID)
	if err != nil || got.URL != src.URL {
		t.Fatalf("after re-Migrate, Source(%d) = %+v, %v; data must survive", src.ID, got, err)
	}
	// Concurrent Migrate calls (as from several processes) must all succeed.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- s.Migrate(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate: %v", err)
		}
	}
}

// ---- sources ----

func testSources(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := &store.Source{URL: "https://a.example/feed", SiteURL: "https://a.example/", Kind: store.KindFeed,
		Name: "A", Section: "world", Language: "de", PollInterval: 30 * time.Minute, Enabled: true,
		NextPollAt: base}
	if err := s.CreateSource(ctx, a); err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	if a.ID == 0 || a.CreatedAt.IsZero() {
		t.Fatalf("CreateSource did not set ID/CreatedAt: %+v", a)
	}
	b := newSource(t, s, "https://b.example/sitemap.xml")

	dup := &store.Source{URL: a.URL, Name: "again"}
	if err := s.CreateSource(ctx, dup); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("CreateSource with existing URL: err = %v, want ErrDuplicate", err)
	}

	got, err := s.Source(ctx, a.ID)
	if err != nil {
		t.Fatalf("Source: %v", err)
	}
	if got.URL != a.URL || got.SiteURL != a.SiteURL || got.Name != "A" || got.Section != "world" ||
		got.Language != "de" || got.PollInterval != 30*time.Minute || !got.Enabled || !got.NextPollAt.Equal(base) {
		t.Fatalf("Source round trip: got %+v, want %+v", got, a)
	}

	got.ETag, got.LastModified, got.LastError, got.ErrorCount = `"v2"`, "Mon, 02 Jan 2006", "timeout", 3
	got.LastPolledAt, got.LastSuccess, got.NextPollAt = base, base.Add(-time.Hour), base.Add(time.Hour)
	got.Kind = store.KindNewsSitemap
	if err := s.RecordPoll(ctx, got); err != nil {
		t.Fatalf("RecordPoll: %v", err)
	}
	got.Name, got.Enabled = "A renamed", false
	if err := s.UpdateSource(ctx, got); err != nil {
		t.Fatalf("UpdateSource: %v", err)
	}
	again, err := s.SourceByURL(ctx, a.URL)
	if err != nil {
		t.Fatalf("SourceByURL: %v", err)
	}
	if again.ID != a.ID || again.ETag != `"v2"` || again.LastModified != got.LastModified ||
		again.LastError != "timeout" || again.ErrorCount != 3 || !again.LastPolledAt.Equal(base) ||
		!again.LastSuccess.Equal(base.Add(-time.Hour)) || again.Name != "A renamed" || again.Enabled ||
		again.Kind != store.KindNewsSitemap || !again.CreatedAt.Equal(got.CreatedAt) {
		t.Fatalf("after UpdateSource: got %+v, want %+v", again, got)
	}

	got.URL = b.URL
	if err := s.RecordPoll(ctx, got); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("RecordPoll moving to another source's URL: err = %v, want ErrDuplicate", err)
	}
	if err := s.UpdateSource(ctx, &store.Source{ID: 999999, URL: "https://nowhere/"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateSource of missing id: err = %v, want ErrNotFound", err)
	}
	if err := s.RecordPoll(ctx, &store.Source{ID: 999999, URL: "https://nowhere/"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RecordPoll of missing id: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Source(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Source(missing): err = %v, want ErrNotFound", err)
	}
	if _, err := s.SourceByURL(ctx, "https://nowhere/"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SourceByURL(missing): err = %v, want ErrNotFound", err)
	}

	// Computed counts: two articles of A; one dead job of A, one queued.
	for n := range 2 {
		upsert(t, s, article(a.ID, n), store.Created)
	}
	enqueue(t, s, &store.Job{Kind: "fetch", SourceID: a.ID, MaxAttempts: 1, RunAt: base})
	enqueue(t, s, &store.Job{Kind: "fetch", SourceID: a.ID, RunAt: base.Add(time.Hour)})
	j := claim(t, s, "w", base)
	if err := s.FailJob(ctx, j.ID, "w", "404", base.Add(time.Minute)); err != nil {
		t.Fatalf("FailJob: %v", err)
	}

	all, err := s.Sources(ctx)
	if err != nil {
		t.Fatalf("Sources: %v", err)
	}
	if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("Sources: got ids %v, want [%d %d] in ID order", all, a.ID, b.ID)
	}
	if all[0].ArticleCount != 2 || all[0].FailedJobs != 1 || all[1].ArticleCount != 0 || all[1].FailedJobs != 0 {
		t.Fatalf("Sources counts: A=%d/%d B=%d/%d, want A=2/1 B=0/0",
			all[0].ArticleCount, all[0].FailedJobs, all[1].ArticleCount, all[1].FailedJobs)
	}
	one, err := s.Source(ctx, a.ID)
	if err != nil || one.ArticleCount != 2 || one.FailedJobs != 1 {
		t.Fatalf("Source counts = %+v, %v; want ArticleCount 2, FailedJobs 1", one, err)
	}
	// The count is kept as articles come and change (migration 0023): an
	// update of a stored article is not another one; a third is.
	changed := article(a.ID, 1)
	changed.Title = "Story number 1, updated"
	upsert(t, s, changed, store.Updated)
	upsert(t, s, article(a.ID, 2), store.Created)
	if one, err := s.Source(ctx, a.ID); err != nil || one.ArticleCount != 3 {
		t.Fatalf("Source after an update and a new article = %+v, %v; want ArticleCount 3", one, err)
	}
}

func testDueSources(t *testing.T, s store.Store) {
	ctx := context.Background()
	mk := func(url string, next time.Time, enabled bool) int64 {
		src := &store.Source{URL: url, Enabled: enabled, NextPollAt: next}
		if err := s.CreateSource(ctx, src); err != nil {
			t.Fatalf("CreateSource: %v", err)
		}
		return src.ID
	}
	late := mk("https://late.example/", base.Add(-time.Minute), true)
	future := mk("https://future.example/", base.Add(time.Minute), true)
	_ = future
	mk("https://off.example/", base.Add(-time.Hour), false)
	early := mk("https://early.example/", base.Add(-time.Hour), true)
	never := mk("https://never.example/", time.Time{}, true) // zero = poll at once
	exact := mk("https://exact.example/", base, true)

	due, err := s.DueSources(ctx, base)
	if err != nil {
		t.Fatalf("DueSources: %v", err)
	}
	got := make([]int64, len(due))
	for i, d := range due {
		got[i] = d.ID
	}
	want := []int64{never, early, late, exact}
	if !slices.Equal(got, want) {
		t.Fatalf("DueSources = %v, want %v (enabled, next_poll_at <= now, soonest first)", got, want)
	}
}

func testDeleteSource(t *testing.T, s store.Store) {
	ctx := context.Background()
	gone := newSource(t, s, "https://gone.example/feed")
	kept := newSource(t, s, "https://kept.example/feed")
	var goneIDs []int64
	for n := range 3 {
		a := article(gone.ID, n)
		upsert(t, s, a, store.Created)
		goneIDs = append(goneIDs, a.ID)
		if err := s.RecordView(ctx, a.ID, base); err != nil {
			t.Fatalf("RecordView: %v", err)
		}
	}
	keptArt := article(kept.ID, 0)
	upsert(t, s, keptArt, store.Created)
	if err := s.RecordView(ctx, keptArt.ID, base); err != nil {
		t.Fatalf("RecordView: %v", err)
	}
	enqueue(t, s, &store.Job{Kind: "fetch", SourceID: gone.ID, RunAt: base})
	enqueue(t, s, &store.Job{Kind: "fetch", SourceID: kept.ID, RunAt: base})
	enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base}) // no source

	if err := s.DeleteSource(ctx, gone.ID); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if _, err := s.Source(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Source after delete: err = %v, want ErrNotFound", err)
	}
	for _, id := range goneIDs {
		if _, err := s.Article(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Article %d of deleted source: err = %v, want ErrNotFound", id, err)
		}
	}
	if n := countRows(t, s); n != 1 {
		t.Fatalf("CountArticles after delete = %d, want 1 (the kept source's)", n)
	}
	if src, err := s.Source(ctx, kept.ID); err != nil || src.ArticleCount != 1 {
		t.Fatalf("kept source after delete = %+v, %v; want ArticleCount 1", src, err)
	}
	tr, err := s.Trending(ctx, base.Add(-time.Hour), 10)
	if err != nil || len(tr) != 1 || tr[0].ID != keptArt.ID {
		t.Fatalf("Trending after delete = %v, %v; want only article %d", ids(tr), err, keptArt.ID)
	}
	if c := counts(t, s, base); c.Queued != 2 {
		t.Fatalf("queued jobs after delete = %d, want 2 (kept source's and source-less)", c.Queued)
	}
	if err := s.DeleteSource(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteSource twice: err = %v, want ErrNotFound", err)
	}
	// The URL is free again.
	newSource(t, s, gone.URL)
}

// ---- articles ----

func testUpsertResults(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://example.com/feed")
	a := article(src.ID, 1)
	a.Section, a.Author, a.Image, a.Summary = "world", "Jo", "https://example.com/i.jpg", "Lead."
	upsert(t, s, a, store.Created)
	if a.ID == 0 || a.Slug == "" || a.FirstSeenAt.IsZero() {
		t.Fatalf("Created article lacks ID/Slug/FirstSeenAt: %+v", a)
	}
	if a.CanonicalURL != a.URL {
		t.Fatalf("CanonicalURL = %q, want it to default to URL %q", a.CanonicalURL, a.URL)
	}
	if len(a.ContentHash) != 64 {
		t.Fatalf("ContentHash = %q, want sha256 hex set by the store", a.ContentHash)
	}
	id, slug, hash := a.ID, a.Slug, a.ContentHash

	same := article(src.ID, 1)
	upsert(t, s, same, store.Unchanged)
	if same.ID != id || same.Slug != slug {
		t.Fatalf("Unchanged upsert: ID/Slug = %d/%s, want %d/%s", same.ID, same.Slug, id, slug)
	}

	changed := article(src.ID, 1)
	changed.Title, changed.Text = "Story number 1, corrected", "New body."
	changed.HTML = "<p>New body.</p>"
	upsert(t, s, changed, store.Updated)
	if changed.ID != id || changed.Slug != slug {
		t.Fatalf("Updated upsert: ID/Slug = %d/%s, want kept %d/%s", changed.ID, changed.Slug, id, slug)
	}
	got, err := s.Article(ctx, id)
	if err != nil {
		t.Fatalf("Article: %v", err)
	}
	if got.Title != changed.Title || got.Text != "New body." || got.HTML != "<p>New body.</p>" ||
		got.ContentHash == hash || got.Slug != slug || got.SourceName != src.Name {
		t.Fatalf("after update: got %+v", got)
	}
	if got.Section != "world" || got.Author != "Jo" || got.Image != a.Image {
		t.Fatalf("update with empty Section/Author/Image erased them: %+v", got)
	}
	if n := countRows(t, s); n != 1 {
		t.Fatalf("CountArticles = %d, want 1", n)
	}
	bySlug, err := s.ArticleBySlug(ctx, slug)
	if err != nil || bySlug.ID != id {
		t.Fatalf("ArticleBySlug(%s) = %v, %v; want id %d", slug, bySlug, err, id)
	}
	if _, err := s.Article(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Article(missing): err = %v, want ErrNotFound", err)
	}
	if _, err := s.ArticleBySlug(ctx, "no-such-slug"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ArticleBySlug(missing): err = %v, want ErrNotFound", err)
	}
	if _, err := s.UpsertArticle(ctx, &store.Article{SourceID: src.ID, Title: "no url"}); err == nil {
		t.Fatalf("UpsertArticle without any URL succeeded; want an error")
	}
}

func testDedupeCanonical(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := newSource(t, s, "https://a.example/feed")
	b := newSource(t, s, "https://b.example/feed")
	first := &store.Article{SourceID: a.ID, URL: "https://a.example/x?utm=1", CanonicalURL: "https://a.example/x",
		GUID: "a-1", Title: "Shared story", Text: "text"}
	upsert(t, s, first, store.Created)
	// The same source, another URL and GUID, same canonical URL: the same article.
	again := &store.Article{SourceID: a.ID, URL: "https://a.example/x?utm=2", CanonicalURL: "https://a.example/x",
		GUID: "a-2", Title: "Shared story", Text: "text"}
	upsert(t, s, again, store.Unchanged)
	if again.ID != first.ID {
		t.Fatalf("same canonical URL in one source got id %d, want %d", again.ID, first.ID)
	}
	// Another source claiming the same canonical URL and even the same URL
	// (a hostile page's rel=canonical, or a feed linking to a's page) gets an
	// article of its own: it can neither overwrite a's nor be merged into it.
	hostile := &store.Article{SourceID: b.ID, URL: "https://a.example/x?utm=1", CanonicalURL: "https://a.example/x",
		GUID: "b-1", Title: "Attacker's words", Author: "Mallory", Text: "forged text"}
	upsert(t, s, hostile, store.Created)
	if hostile.ID == first.ID {
		t.Fatalf("another source's article with a's canonical URL got a's id %d", first.ID)
	}
	got, err := s.Article(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SourceID != a.ID || got.Title != "Shared story" || got.Text != "text" || got.Author != "" {
		t.Fatalf("a's article after b's upsert = source %d, %q by %q: %q; want it unchanged", got.SourceID, got.Title, got.Author, got.Text)
	}
	// Re-fetching b's copy updates b's copy only.
	hostile2 := *hostile
	hostile2.ID, hostile2.ContentHash, hostile2.Title = 0, "", "Attacker's words, v2"
	upsert(t, s, &hostile2, store.Updated)
	if hostile2.ID != hostile.ID {
		t.Fatalf("b's re-fetch got id %d, want b's own %d", hostile2.ID, hostile.ID)
	}
	if got, _ := s.Article(ctx, first.ID); got.Title != "Shared story" {
		t.Fatalf("a's title after b's re-fetch = %q", got.Title)
	}
	if n := countRows(t, s); n != 2 {
		t.Fatalf("CountArticles = %d, want 2", n)
	}
}

func testNearDuplicates(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := newSource(t, s, "https://a.example/feed")
	b := newSource(t, s, "https://b.example/feed")
	first := &store.Article{SourceID: a.ID, URL: "https://a.example/wire", Title: "Wire story", Text: "t"}
	upsert(t, s, first, store.Created)
	copyB := &store.Article{SourceID: b.ID, URL: "https://b.example/wire", Title: "Wire story, new headline", Text: "t2"}
	upsert(t, s, copyB, store.Created)
	other := &store.Article{SourceID: b.ID, URL: "https://b.example/other", Title: "Other", Text: "t3"}
	upsert(t, s, other, store.Created)
	sig := []uint32{1, 2, 3, 4, 5, 6, 7, 8}
	if err := s.PutSignature(ctx, first.ID, sig, []uint64{10, 1 << 63}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSignature(ctx, copyB.ID, sig, []uint64{11, 1 << 63, 1 << 63}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSignature(ctx, other.ID, []uint32{9, 9}, []uint64{12}); err != nil {
		t.Fatal(err)
	}
	got, err := s.SignatureCandidates(ctx, []uint64{11, 1 << 63}, copyB.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ArticleID != first.ID || got[0].SourceID != a.ID || len(got[0].Signature) != 8 || got[0].Signature[7] != 8 {
		t.Fatalf("candidates = %+v, want only the first article with its signature", got)
	}
	if err := s.SetDuplicateOf(ctx, copyB.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Article(ctx, copyB.ID); err != nil || got.DuplicateOf != first.ID {
		t.Fatalf("the copy reads back with DuplicateOf %v, %v; want %d", got, err, first.ID)
	}
	if got, _ := s.Article(ctx, first.ID); got.DuplicateOf != 0 {
		t.Fatalf("the original reads back as a copy of %d", got.DuplicateOf)
	}
	page, err := s.Articles(ctx, store.ArticleQuery{OriginalsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range page.Articles {
		if x.ID == copyB.ID {
			t.Error("a copy is listed among the originals")
		}
	}
	if all, _ := s.Articles(ctx, store.ArticleQuery{}); len(all.Articles) != 3 {
		t.Errorf("all articles = %d, want 3 (copies are still articles)", len(all.Articles))
	}
	copies, err := s.Copies(ctx, first.ID)
	if err != nil || len(copies) != 1 || copies[0].ID != copyB.ID || copies[0].SourceName == "" {
		t.Fatalf("Copies = %+v, %v; want b's copy with its source name", copies, err)
	}
	// A signature removed leaves no candidates behind.
	if err := s.PutSignature(ctx, first.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SignatureCandidates(ctx, []uint64{10, 1 << 63}, copyB.ID, 10); len(got) != 0 {
		t.Errorf("candidates after removal = %+v", got)
	}
	// Deleting the original's source frees the copy: it is an original again.
	if err := s.DeleteSource(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	page, _ = s.Articles(ctx, store.ArticleQuery{OriginalsOnly: true})
	found := false
	for _, x := range page.Articles {
		found = found || x.ID == copyB.ID
	}
	if !found {
		t.Error("the copy stayed hidden after its original was deleted")
	}
}

// testMostCovered: originals rank by their visible copies, ties by date;
// an article without copies, a hidden copy and a story too old are left out.
func testMostCovered(t *testing.T, s store.Store) {
	ctx := context.Background()
	var srcs []*store.Source
	for i := range 4 {
		srcs = append(srcs, newSource(t, s, fmt.Sprintf("https://s%d.example/feed", i)))
	}
	orig := func(n int) *store.Article {
		a := article(srcs[0].ID, n)
		upsert(t, s, a, store.Created)
		return a
	}
	copyOf := func(o *store.Article, src int, hidden bool) *store.Article {
		c := article(srcs[src].ID, 100+int(o.ID)*10+src)
		c.PublishedAt, c.Hidden = o.PublishedAt, hidden
		upsert(t, s, c, store.Created)
		if err := s.SetDuplicateOf(ctx, c.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		return c
	}
	one, two, lonely, old, tie := orig(1), orig(2), orig(3), orig(40), orig(4)
	copyOf(one, 1, false)
	copyOf(one, 2, true) // a hidden copy does not count
	copyOf(two, 1, false)
	copyOf(two, 2, false)
	copyOf(old, 1, false)
	copyOf(tie, 1, false)
	_ = lonely // no copies: not listed
	got, err := s.MostCovered(ctx, base.Add(-24*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{two.ID, one.ID, tie.ID}; !slices.Equal(ids(got), want) {
		t.Fatalf("MostCovered = %v, want %v (two copies, then one each by date)", ids(got), want)
	}
	if got[0].Title != two.Title || got[0].SourceName == "" {
		t.Errorf("MostCovered article not fully read: %+v", got[0])
	}
	if got, err := s.MostCovered(ctx, base.Add(-24*time.Hour), 1); err != nil || !slices.Equal(ids(got), []int64{two.ID}) {
		t.Errorf("MostCovered(limit 1) = %v, %v", ids(got), err)
	}
}

func testScriptImageURLs(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	for i, img := range []string{"javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JAVASCRIPT:x", "//no-scheme.example/i.png"} {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/img-%d", i), Title: "I", Text: "t", Image: img}
		upsert(t, s, a, store.Created)
		got, err := s.Article(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Image != "" {
			t.Errorf("image %q stored as %q, want it dropped", img, got.Image)
		}
	}
	ok := &store.Article{SourceID: src.ID, URL: "https://a.example/img-ok", Title: "I", Text: "t", Image: "https://a.example/i.png"}
	upsert(t, s, ok, store.Created)
	if got, _ := s.Article(ctx, ok.ID); got.Image != "https://a.example/i.png" {
		t.Errorf("an https image was changed to %q", got.Image)
	}
}

func testDedupeGUID(t *testing.T, s store.Store) {
	a := newSource(t, s, "https://a.example/feed")
	b := newSource(t, s, "https://b.example/feed")
	first := &store.Article{SourceID: a.ID, URL: "https://a.example/1", GUID: "item-1", Title: "One", Text: "t"}
	upsert(t, s, first, store.Created)
	// Same source and GUID, the URL moved: same article, content changed.
	moved := &store.Article{SourceID: a.ID, URL: "https://a.example/1-moved", GUID: "item-1", Title: "One!", Text: "t"}
	upsert(t, s, moved, store.Updated)
	if moved.ID != first.ID {
		t.Fatalf("same source+GUID got id %d, want %d", moved.ID, first.ID)
	}
	// The same GUID in another source is another article.
	other := &store.Article{SourceID: b.ID, URL: "https://b.example/1", GUID: "item-1", Title: "One", Text: "t"}
	upsert(t, s, other, store.Created)
	// Empty GUIDs never match each other.
	e1 := &store.Article{SourceID: a.ID, URL: "https://a.example/e1", Title: "E1", Text: "t"}
	e2 := &store.Article{SourceID: a.ID, URL: "https://a.example/e2", Title: "E2", Text: "t"}
	upsert(t, s, e1, store.Created)
	upsert(t, s, e2, store.Created)
	if n := countRows(t, s); n != 4 {
		t.Fatalf("CountArticles = %d, want 4", n)
	}
}

func testDedupeURL(t *testing.T, s store.Store) {
	a := newSource(t, s, "https://a.example/feed")
	first := &store.Article{SourceID: a.ID, URL: "https://a.example/p", CanonicalURL: "https://a.example/canon",
		GUID: "g1", Title: "P", Text: "t"}
	upsert(t, s, first, store.Created)
	// A different GUID and a canonical URL not seen yet, but the fetched URL is
	// known: the same article (e.g. a feed that rewrites its GUIDs).
	again := &store.Article{SourceID: a.ID, URL: "https://a.example/p", CanonicalURL: "https://a.example/other",
		GUID: "g2", Title: "P", Text: "t"}
	upsert(t, s, again, store.Unchanged)
	if again.ID != first.ID {
		t.Fatalf("same URL got id %d, want %d", again.ID, first.ID)
	}
	if n := countRows(t, s); n != 1 {
		t.Fatalf("CountArticles = %d, want 1", n)
	}
}

func testArticleKnown(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	other := newSource(t, s, "https://b.example/feed")
	a := &store.Article{SourceID: src.ID, URL: "https://a.example/k", GUID: "k-1", Title: "K", Text: "t"}
	upsert(t, s, a, store.Created)
	for _, c := range []struct {
		src        int64
		guid, url  string
		want       bool
		whyWantErr string
	}{
		{src.ID, "k-1", "", true, "same source and GUID"},
		{src.ID, "", "https://a.example/k", true, "same URL"},
		{other.ID, "", "https://a.example/k", false, "same URL, but another source's article"},
		{other.ID, "k-1", "https://b.example/k", false, "GUID of another source"},
		{src.ID, "k-2", "https://a.example/new", false, "unknown"},
	} {
		got, err := s.ArticleKnown(ctx, c.src, c.guid, c.url)
		if err != nil || got != c.want {
			t.Errorf("ArticleKnown(%d, %q, %q) = %v, %v; want %v (%s)", c.src, c.guid, c.url, got, err, c.want, c.whyWantErr)
		}
	}
}

func testTimesRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	loc := time.FixedZone("CET", 3600)
	pub := time.Date(2024, 5, 6, 7, 8, 9, 123_456_789, loc)
	a := &store.Article{SourceID: src.ID, URL: "https://a.example/t", Title: "Time", Text: "t",
		PublishedAt: pub, UpdatedAt: pub.Add(time.Hour), FirstSeenAt: pub.Add(2 * time.Hour)}
	upsert(t, s, a, store.Created)
	got, err := s.Article(ctx, a.ID)
	if err != nil {
		t.Fatalf("Article: %v", err)
	}
	// Stored as unix milliseconds, read back in UTC.
	wantPub := pub.Truncate(time.Millisecond).UTC()
	if !got.PublishedAt.Equal(wantPub) || got.PublishedAt.Location() != time.UTC {
		t.Fatalf("PublishedAt = %v, want %v in UTC", got.PublishedAt, wantPub)
	}
	if !got.UpdatedAt.Equal(wantPub.Add(time.Hour)) || !got.FirstSeenAt.Equal(wantPub.Add(2*time.Hour)) {
		t.Fatalf("UpdatedAt/FirstSeenAt = %v/%v, want %v/%v", got.UpdatedAt, got.FirstSeenAt,
			wantPub.Add(time.Hour), wantPub.Add(2*time.Hour))
	}
	zero := &store.Article{SourceID: src.ID, URL: "https://a.example/z", Title: "Zero", Text: "t"}
	upsert(t, s, zero, store.Created)
	got, err = s.Article(ctx, zero.ID)
	if err != nil || !got.PublishedAt.IsZero() || !got.UpdatedAt.IsZero() || got.FirstSeenAt.IsZero() {
		t.Fatalf("zero times: got %+v, %v; want zero PublishedAt/UpdatedAt, FirstSeenAt set", got, err)
	}
}

// walk collects every page of q and fails on a page larger than the limit.
func walk(t *testing.T, s store.Store, q store.ArticleQuery) []store.Article {
	t.Helper()
	var all []store.Article
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("pagination does not end")
		}
		p, err := s.Articles(context.Background(), q)
		if err != nil {
			t.Fatalf("Articles(%+v): %v", q, err)
		}
		if q.Limit > 0 && len(p.Articles) > q.Limit {
			t.Fatalf("page of %d articles, limit %d", len(p.Articles), q.Limit)
		}
		all = append(all, p.Articles...)
		if p.NextCursor == "" {
			return all
		}
		q.Cursor = p.NextCursor
	}
}

func testPagination(t *testing.T, s store.Store) {
	src := newSource(t, s, "https://a.example/feed")
	type key struct{ sortAt, id int64 }
	var want []key
	for n := range 55 {
		a := article(src.ID, n)
		switch {
		case n%5 == 0:
			// Unknown publication date: ordered by when first seen.
			a.PublishedAt = time.Time{}
			a.FirstSeenAt = base.Add(-time.Duration(n)*time.Hour + 30*time.Minute)
		case n%7 == 0:
			// Ties on the sort key are broken by ID.
			a.PublishedAt = base.Add(-100 * time.Hour)
		}
		upsert(t, s, a, store.Created)
		sortAt := a.PublishedAt
		if sortAt.IsZero() {
			sortAt = a.FirstSeenAt
		}
		want = append(want, key{sortAt.UnixMilli(), a.ID})
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].sortAt != want[j].sortAt {
			return want[i].sortAt > want[j].sortAt
		}
		return want[i].id > want[j].id
	})
	wantIDs := make([]int64, len(want))
	for i, k := range want {
		wantIDs[i] = k.id
	}
	got := ids(walk(t, s, store.ArticleQuery{Limit: 7}))
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("walk with page size 7:\n got %v\nwant %v", got, wantIDs)
	}
	// An exactly full last page has no next cursor.
	p, err := s.Articles(context.Background(), store.ArticleQuery{Limit: 55})
	if err != nil || len(p.Articles) != 55 || p.NextCursor != "" {
		t.Fatalf("Articles(limit 55 of 55) = %d articles, cursor %q, %v; want 55 and no cursor",
			len(p.Articles), p.NextCursor, err)
	}
}

func testBadCursor(t *testing.T, s store.Store) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, c := range []string{"%%%", enc([]byte("nonsense")), enc([]byte("12:x")), enc([]byte("x:12")), enc([]byte("5:-1"))} {
		_, err := s.Articles(context.Background(), store.ArticleQuery{Cursor: c})
		if !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("Articles(cursor %q): err = %v, want ErrBadCursor", c, err)
		}
	}
}

func testFilters(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := newSource(t, s, "https://a.example/feed")
	b := newSource(t, s, "https://b.example/feed")
	var inWorldA, inWorld, ofB []int64
	for n := range 12 {
		src := a
		if n%3 == 0 {
			src = b
		}
		art := article(src.ID, n)
		if n%2 == 0 {
			art.Section = "world"
		}
		upsert(t, s, art, store.Created)
		if art.Section == "world" {
			inWorld = append(inWorld, art.ID)
			if src == a {
				inWorldA = append(inWorldA, art.ID)
			}
		}
		if src == b {
			ofB = append(ofB, art.ID)
		}
	}
	// Articles were created newest first, so ID order is listing order.
	check := func(q store.ArticleQuery, want []int64) {
		t.Helper()
		got := ids(walk(t, s, q))
		if !slices.Equal(got, want) {
			t.Errorf("Articles(%+v) = %v, want %v", q, got, want)
		}
	}
	check(store.ArticleQuery{Section: "world", Limit: 2}, inWorld)
	check(store.ArticleQuery{SourceID: b.ID, Limit: 3}, ofB)
	check(store.ArticleQuery{Section: "world", SourceID: a.ID}, inWorldA)
	check(store.ArticleQuery{Section: "sport"}, nil)
	// Since: published in the last 3.5 hours = articles 0..3.
	all := ids(walk(t, s, store.ArticleQuery{}))
	check(store.ArticleQuery{Since: base.Add(-210 * time.Minute)}, all[:4])
	check(store.ArticleQuery{Exclude: all[1]}, append(slices.Clone(all[:1]), all[2:]...))

	p, err := s.Articles(ctx, store.ArticleQuery{SourceID: b.ID, Limit: 1})
	if err != nil || len(p.Articles) != 1 || p.Articles[0].SourceName != b.Name {
		t.Fatalf("SourceName not filled by join: %+v, %v", p.Articles, err)
	}
}

func testLimits(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	for n := range 205 {
		upsert(t, s, article(src.ID, n), store.Created)
	}
	p, err := s.Articles(ctx, store.ArticleQuery{})
	if err != nil || len(p.Articles) != 20 || p.NextCursor == "" {
		t.Fatalf("default limit: %d articles, cursor %q, %v; want 20 and a cursor", len(p.Articles), p.NextCursor, err)
	}
	p, err = s.Articles(ctx, store.ArticleQuery{Limit: 1000})
	if err != nil || len(p.Articles) != 200 || p.NextCursor == "" {
		t.Fatalf("capped limit: %d articles, %v; want 200 and a cursor", len(p.Articles), err)
	}
	p, err = s.Articles(ctx, store.ArticleQuery{Limit: 1000, Cursor: p.NextCursor})
	if err != nil || len(p.Articles) != 5 || p.NextCursor != "" {
		t.Fatalf("last page: %d articles, cursor %q, %v; want 5 and none", len(p.Articles), p.NextCursor, err)
	}
}

func testHidden(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	if err := s.EnsureSection(ctx, store.Section{Slug: "world", Name: "World"}); err != nil {
		t.Fatalf("EnsureSection: %v", err)
	}
	shown := article(src.ID, 1)
	shown.Section = "world"
	hidden := article(src.ID, 2)
	hidden.Section, hidden.Hidden = "world", true
	upsert(t, s, shown, store.Created)
	upsert(t, s, hidden, store.Created)
	for _, id := range []int64{shown.ID, hidden.ID} {
		if err := s.RecordView(ctx, id, base); err != nil {
			t.Fatalf("RecordView: %v", err)
		}
	}
	for _, q := range []store.ArticleQuery{{}, {Section: "world"}, {SourceID: src.ID}} {
		if got := ids(walk(t, s, q)); !slices.Equal(got, []int64{shown.ID}) {
			t.Errorf("Articles(%+v) = %v, want only the visible %d", q, got, shown.ID)
		}
	}
	tr, err := s.Trending(ctx, base.Add(-time.Hour), 10)
	if err != nil || !slices.Equal(ids(tr), []int64{shown.ID}) {
		t.Errorf("Trending = %v, %v; want only the visible %d", ids(tr), err, shown.ID)
	}
	sec, err := s.Section(ctx, "world")
	if err != nil || sec.ArticleCount != 1 {
		t.Errorf("Section(world).ArticleCount = %v, %v; want 1 (hidden not counted)", sec, err)
	}
	got, err := s.Article(ctx, hidden.ID)
	if err != nil || !got.Hidden {
		t.Errorf("Article(hidden) = %+v, %v; want it readable by ID with Hidden set", got, err)
	}
	// A re-fetch does not unhide it.
	hidden.Text = "changed"
	hidden.ContentHash = ""
	hidden.Hidden = false
	upsert(t, s, hidden, store.Updated)
	if got, err := s.Article(ctx, hidden.ID); err != nil || !got.Hidden {
		t.Errorf("after update, Hidden = %v, %v; want still hidden", got.Hidden, err)
	}
	// The count is kept as articles are shown, hidden, moved and deleted,
	// and a section made after its articles counts them (migration 0025).
	count := func(slug string, want int, when string) {
		t.Helper()
		sec, err := s.Section(ctx, slug)
		if err != nil || sec.ArticleCount != want {
			t.Errorf("%s: Section(%s).ArticleCount = %+v, %v; want %d", when, slug, sec, err, want)
		}
	}
	if err := s.SetArticleHidden(ctx, hidden.ID, false); err != nil {
		t.Fatal(err)
	}
	count("world", 2, "after showing the hidden one")
	if err := s.SetArticleHidden(ctx, shown.ID, true); err != nil {
		t.Fatal(err)
	}
	count("world", 1, "after hiding the shown one")
	late := article(src.ID, 3)
	late.Section = "late"
	upsert(t, s, late, store.Created)
	if err := s.EnsureSection(ctx, store.Section{Slug: "late", Name: "Late"}); err != nil {
		t.Fatal(err)
	}
	count("late", 1, "a section made after its article")
	if err := s.DeleteSource(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	count("world", 0, "after its articles' source was deleted")
	count("late", 0, "after its article's source was deleted")
}

func testUnicodeSlugs(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	for i, c := range []struct{ title, slug string }{
		{"Grüße aus Köln: Straßenbahn fährt wieder", "gruesse-aus-koeln-strassenbahn-faehrt-wieder"},
		{"Café crème à Paris, niño & façade", "cafe-creme-a-paris-nino-facade"},
		{"Łódź, Ørsted og Århus", "lodz-orsted-og-arhus"},
		{"Привет, мир", "privet-mir"},
		{"Αθήνα 2025", "athina-2025"},
		{"東京", "article"},
		{"  -- Hello,   World! --  ", "hello-world"},
		{"", "article-2"},
	} {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/u%d", i), Title: c.title, Text: "t"}
		upsert(t, s, a, store.Created)
		if a.Slug != c.slug {
			t.Errorf("slug for %q = %q, want %q", c.title, a.Slug, c.slug)
		}
		got, err := s.ArticleBySlug(ctx, c.slug)
		if err != nil || got.Title != c.title {
			t.Errorf("ArticleBySlug(%q) = %+v, %v; want title %q back intact", c.slug, got, err, c.title)
		}
	}
	long := &store.Article{SourceID: src.ID, URL: "https://a.example/long",
		Title: strings.Repeat("Überlange Schlagzeile ", 20), Text: "t"}
	upsert(t, s, long, store.Created)
	if len(long.Slug) > 80 || strings.HasSuffix(long.Slug, "-") || !strings.HasPrefix(long.Slug, "ueberlange-schlagzeile-") {
		t.Errorf("long title slug = %q (%d chars), want <= 80, no trailing hyphen", long.Slug, len(long.Slug))
	}
}

func testSlugCollisions(t *testing.T, s store.Store) {
	src := newSource(t, s, "https://a.example/feed")
	var got []string
	for i := range 4 {
		a := &store.Article{SourceID: src.ID, URL: fmt.Sprintf("https://a.example/c%d", i), Title: "Breaking News", Text: "t"}
		upsert(t, s, a, store.Created)
		got = append(got, a.Slug)
	}
	want := []string{"breaking-news", "breaking-news-2", "breaking-news-3", "breaking-news-4"}
	if !slices.Equal(got, want) {
		t.Fatalf("slugs = %v, want %v", got, want)
	}
	// A caller-chosen slug is used, and suffixed when taken.
	mine := &store.Article{SourceID: src.ID, URL: "https://a.example/mine", Slug: "my-slug", Title: "X", Text: "t"}
	upsert(t, s, mine, store.Created)
	dup := &store.Article{SourceID: src.ID, URL: "https://a.example/mine2", Slug: "my-slug", Title: "Y", Text: "t"}
	upsert(t, s, dup, store.Created)
	if mine.Slug != "my-slug" || dup.Slug != "my-slug-2" {
		t.Fatalf("explicit slugs = %q, %q; want my-slug, my-slug-2", mine.Slug, dup.Slug)
	}
}

func testConcurrentUpsert(t *testing.T, s store.Store) {
	src := newSource(t, s, "https://a.example/feed")
	for round := range 3 {
		var wg sync.WaitGroup
		results := make([]store.UpsertResult, 8)
		errs := make([]error, 8)
		ids := make([]int64, 8)
		for g := range 8 {
			wg.Go(func() {
				a := article(src.ID, round)
				results[g], errs[g] = s.UpsertArticle(context.Background(), a)
				ids[g] = a.ID
			})
		}
		wg.Wait()
		created := 0
		for g := range 8 {
			if errs[g] != nil {
				t.Fatalf("round %d goroutine %d: UpsertArticle: %v", round, g, errs[g])
			}
			if results[g] == store.Created {
				created++
			} else if results[g] != store.Unchanged {
				t.Errorf("round %d goroutine %d: result %v, want created or unchanged", round, g, results[g])
			}
			if ids[g] != ids[0] {
				t.Errorf("round %d: goroutines got ids %v, want all equal", round, ids)
			}
		}
		if created != 1 {
			t.Fatalf("round %d: %d Created results, want exactly 1", round, created)
		}
	}
	if n := countRows(t, s); n != 3 {
		t.Fatalf("CountArticles = %d, want 3 (one per round)", n)
	}
}

// ---- sections ----

func testSections(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, sec := range []store.Section{{Slug: "world", Name: "World"}, {Slug: "arts", Name: "Culture"}, {Slug: "world", Name: "Renamed"}} {
		if err := s.EnsureSection(ctx, sec); err != nil {
			t.Fatalf("EnsureSection(%+v): %v", sec, err)
		}
	}
	src := newSource(t, s, "https://a.example/feed")
	a := article(src.ID, 1)
	a.Section = "world"
	upsert(t, s, a, store.Created)
	all, err := s.Sections(ctx)
	if err != nil {
		t.Fatalf("Sections: %v", err)
	}
	want := []store.Section{{Slug: "arts", Name: "Culture"}, {Slug: "world", Name: "World", ArticleCount: 1}}
	if !slices.EqualFunc(all, want, sameSection) {
		t.Fatalf("Sections = %+v, want %+v (by name, existing names kept)", all, want)
	}
	sec, err := s.Section(ctx, "world")
	if err != nil || !sameSection(*sec, want[1]) {
		t.Fatalf("Section(world) = %+v, %v; want %+v", sec, err, want[1])
	}
	if _, err := s.Section(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Section(missing): err = %v, want ErrNotFound", err)
	}
}

// ---- views ----

func testTrending(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://a.example/feed")
	var arts []*store.Article
	for n := range 4 {
		a := article(src.ID, n)
		upsert(t, s, a, store.Created)
		arts = append(arts, a)
	}
	view := func(a *store.Article, at time.Time, times int) {
		for range times {
			if err := s.RecordView(ctx, a.ID, at); err != nil {
				t.Fatalf("RecordView(%d): %v", a.ID, err)
			}
		}
	}
	view(arts[3], base.Add(-30*time.Minute), 2)
	view(arts[3], base.Add(-90*time.Minute), 3) // 5 in total, spread over two hours
	view(arts[1], base, 4)
	view(arts[2], base.Add(-10*time.Minute), 4) // tie with arts[1]; arts[1] is newer
	view(arts[0], base.Add(-48*time.Hour), 9)   // too old to count

	tr, err := s.Trending(ctx, base.Add(-2*time.Hour), 10)
	if err != nil {
		t.Fatalf("Trending: %v", err)
	}
	want := []int64{arts[3].ID, arts[1].ID, arts[2].ID}
	if !slices.Equal(ids(tr), want) {
		t.Fatalf("Trending = %v, want %v", ids(tr), want)
	}
	if tr[0].SourceName != src.Name || tr[0].Title != arts[3].Title {
		t.Fatalf("Trending article not fully read: %+v", tr[0])
	}
	tr, err = s.Trending(ctx, base.Add(-2*time.Hour), 1)
	if err != nil || !slices.Equal(ids(tr), want[:1]) {
		t.Fatalf("Trending(limit 1) = %v, %v; want %v", ids(tr), err, want[:1])
	}
	if err := s.RecordView(ctx, 999999, base); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RecordView(missing article): err = %v, want ErrNotFound", err)
	}
}

// ---- jobs ----

// A once: key stays taken after its job is done (or dead), until the purge.
func testEnqueueOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	key := store.OnceKeyPrefix + "fetch@2026-11-30T10:00:00Z"
	j := &store.Job{Kind: "fetch", UniqueKey: key, RunAt: base}
	enqueue(t, s, j)
	if ok, err := s.Enqueue(ctx, &store.Job{Kind: "fetch", UniqueKey: key, RunAt: base}); ok || err != nil {
		t.Fatalf("Enqueue with a queued once-key = %v, %v; want false, nil", ok, err)
	}
	got := claim(t, s, "w", base)
	if err := s.CompleteJob(ctx, got.ID, "w"); err != nil {
		t.Fatalf("CompleteJob: %v", err)
	}
	if ok, err := s.Enqueue(ctx, &store.Job{Kind: "fetch", UniqueKey: key, RunAt: base}); ok || err != nil {
		t.Fatalf("Enqueue with a done once-key = %v, %v; want false, nil (one job per key, finished or not)", ok, err)
	}
	// An ordinary key equal but for the prefix is not affected.
	enqueue(t, s, &store.Job{Kind: "fetch", UniqueKey: "fetch@2026-11-30T10:00:00Z", RunAt: base})
	if n, err := s.PurgeJobs(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PurgeJobs = %d, %v; want the done job", n, err)
	}
	enqueue(t, s, &store.Job{Kind: "fetch", UniqueKey: key, RunAt: base}) // purged: the key is free again
}

func testEnqueueUnique(t *testing.T, s store.Store) {
	ctx := context.Background()
	j := &store.Job{Kind: "fetch", UniqueKey: "fetch:https://a.example/1", Payload: []byte(`{"url":"https://a.example/1"}`), RunAt: base}
	enqueue(t, s, j)
	if j.ID == 0 || j.State != store.JobQueued || j.MaxAttempts != 5 || j.CreatedAt.IsZero() {
		t.Fatalf("Enqueue did not fill ID/State/MaxAttempts/CreatedAt: %+v", j)
	}
	again := &store.Job{Kind: "fetch", UniqueKey: j.UniqueKey, RunAt: base}
	if ok, err := s.Enqueue(ctx, again); ok || err != nil {
		t.Fatalf("Enqueue with a queued job's key = %v, %v; want false, nil", ok, err)
	}
	got := claim(t, s, "w", base)
	if got.ID != j.ID || string(got.Payload) != string(j.Payload) || got.UniqueKey != j.UniqueKey {
		t.Fatalf("claimed %+v, want job %d with its payload", got, j.ID)
	}
	if ok, err := s.Enqueue(ctx, &store.Job{Kind: "fetch", UniqueKey: j.UniqueKey, RunAt: base}); ok || err != nil {
		t.Fatalf("Enqueue with a running job's key = %v, %v; want false, nil", ok, err)
	}
	if err := s.CompleteJob(ctx, got.ID, "w"); err != nil {
		t.Fatalf("CompleteJob: %v", err)
	}
	// Done jobs do not block the key.
	enqueue(t, s, &store.Job{Kind: "fetch", UniqueKey: j.UniqueKey, RunAt: base})
	// Jobs without a key never conflict.
	enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base})
	enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base})
	if c := counts(t, s, base); c.Queued != 3 || c.Done != 1 {
		t.Fatalf("JobCounts = %+v, want 3 queued, 1 done", c)
	}
}

func testClaimOrder(t *testing.T, s store.Store) {
	ctx := context.Background()
	later := &store.Job{Kind: "fetch", RunAt: base.Add(-time.Minute)}
	sooner := &store.Job{Kind: "fetch", RunAt: base.Add(-time.Hour)}
	future := &store.Job{Kind: "fetch", RunAt: base.Add(time.Hour)}
	other := &store.Job{Kind: "translate", RunAt: base.Add(-2 * time.Hour)}
	for _, j := range []*store.Job{later, sooner, future, other} {
		enqueue(t, s, j)
	}
	for _, want := range []int64{sooner.ID, later.ID} {
		got := claim(t, s, "w", base)
		if got.ID != want || got.State != store.JobRunning || got.Attempts != 1 || got.LockedBy != "w" ||
			!got.LockedUntil.Equal(base.Add(time.Minute)) {
			t.Fatalf("Claim = %+v, want job %d running for w until %v, attempt 1", got, want, base.Add(time.Minute))
		}
	}
	if _, err := s.Claim(ctx, "w", []string{"fetch"}, base, time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Claim with only future jobs: err = %v, want ErrNotFound", err)
	}
	got, err := s.Claim(ctx, "w", []string{"fetch", "translate"}, base, time.Minute)
	if err != nil || got.ID != other.ID || got.Kind != "translate" {
		t.Fatalf("Claim(fetch, translate) = %+v, %v; want job %d", got, err, other.ID)
	}
	for _, id := range []int64{sooner.ID, later.ID, other.ID} {
		if err := s.CompleteJob(ctx, id, "w"); err != nil {
			t.Fatalf("CompleteJob(%d): %v", id, err)
		}
	}
	got, err = s.Claim(ctx, "w", []string{"fetch"}, base.Add(time.Hour), time.Minute)
	if err != nil || got.ID != future.ID {
		t.Fatalf("Claim once due = %+v, %v; want job %d", got, err, future.ID)
	}
}

func testConcurrentClaim(t *testing.T, s store.Store) {
	for range 50 {
		enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base})
	}
	seen := ClaimConcurrently(t, []store.Store{s}, 8, base)
	if len(seen) != 50 {
		t.Fatalf("claimed %d distinct jobs, want 50", len(seen))
	}
}

// ClaimConcurrently drains the "fetch" queue with workers goroutines per
// store, completing each job, and fails t if any job is claimed twice. It
// returns the set of claimed job IDs. Use it with several Stores opened on one
// database to check that claiming is safe across processes.
func ClaimConcurrently(t *testing.T, stores []store.Store, workers int, now time.Time) map[int64]string {
	t.Helper()
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*workers)
	for si, s := range stores {
		for w := range workers {
			name := fmt.Sprintf("store%d-worker%d", si, w)
			wg.Go(func() {
				ctx := context.Background()
				for {
					j, err := s.Claim(ctx, name, []string{"fetch"}, now, time.Hour)
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					if err != nil {
						errs <- fmt.Errorf("%s: Claim: %w", name, err)
						return
					}
					mu.Lock()
					prev, dup := seen[j.ID]
					seen[j.ID] = name
					mu.Unlock()
					if dup {
						errs <- fmt.Errorf("job %d claimed by both %s and %s", j.ID, prev, name)
						return
					}
					if err := s.CompleteJob(ctx, j.ID, name); err != nil {
						errs <- fmt.Errorf("%s: CompleteJob(%d): %w", name, j.ID, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c, err := stores[0].JobCounts(context.Background(), []string{"fetch"}, now); err != nil || c.Queued != 0 || c.Running != 0 || c.Done != len(seen) {
		t.Errorf("after draining: JobCounts = %+v, %v; want 0 queued, 0 running, %d done", c, err, len(seen))
	}
	return seen
}

func testLeaseExpiry(t *testing.T, s store.Store) {
	ctx := context.Background()
	enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base})
	stale := claim(t, s, "w1", base) // lease until base+1m
	if _, err := s.Claim(ctx, "w2", []string{"fetch"}, base.Add(30*time.Second), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Claim during a live lease: err = %v, want ErrNotFound", err)
	}
	if err := s.ExtendLease(ctx, stale.ID, "w1", base.Add(2*time.Minute)); err != nil {
		t.Fatalf("ExtendLease by holder: %v", err)
	}
	if _, err := s.Claim(ctx, "w2", []string{"fetch"}, base.Add(90*time.Second), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Claim during an extended lease: err = %v, want ErrNotFound", err)
	}
	fresh := claim(t, s, "w2", base.Add(3*time.Minute))
	if fresh.ID != stale.ID || fresh.Attempts != 2 || fresh.LockedBy != "w2" {
		t.Fatalf("reclaim after expiry = %+v, want job %d, attempt 2, locked by w2", fresh, stale.ID)
	}
	if err := s.CompleteJob(ctx, stale.ID, "w1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CompleteJob by the stale worker: err = %v, want ErrNotFound", err)
	}
	if err := s.ExtendLease(ctx, stale.ID, "w1", base.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ExtendLease by the stale worker: err = %v, want ErrNotFound", err)
	}
	if err := s.FailJob(ctx, stale.ID, "w1", "late", base.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FailJob by the stale worker: err = %v, want ErrNotFound", err)
	}
	if err := s.CompleteJob(ctx, fresh.ID, "w2"); err != nil {
		t.Fatalf("CompleteJob by the holder: %v", err)
	}
	if err := s.CompleteJob(ctx, fresh.ID, "w2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CompleteJob twice: err = %v, want ErrNotFound", err)
	}
	if c := counts(t, s, base); c.Done != 1 || c.Running != 0 {
		t.Fatalf("JobCounts = %+v, want 1 done", c)
	}
}

func testRetryThenDead(t *testing.T, s store.Store) {
	ctx := context.Background()
	j := &store.Job{Kind: "fetch", MaxAttempts: 3, RunAt: base}
	enqueue(t, s, j)
	now := base
	for attempt := 1; attempt <= 3; attempt++ {
		got := claim(t, s, "w", now)
		if got.ID != j.ID || got.Attempts != attempt {
			t.Fatalf("attempt %d: claimed %+v", attempt, got)
		}
		retry := now.Add(10 * time.Minute)
		if err := s.FailJob(ctx, j.ID, "w", fmt.Sprintf("error %d", attempt), retry); err != nil {
			t.Fatalf("FailJob #%d: %v", attempt, err)
		}
		if attempt < 3 {
			if c := counts(t, s, now); c.Queued != 1 || c.Waiting != 1 || c.Running != 0 {
				t.Fatalf("after failure %d: JobCounts = %+v, want 1 queued and waiting", attempt, c)
			}
			if _, err := s.Claim(ctx, "w", []string{"fetch"}, now, time.Minute); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Claim before retryAt: err = %v, want ErrNotFound", err)
			}
		}
		now = retry
	}
	if c := counts(t, s, now); c.Dead != 1 || c.Queued != 0 {
		t.Fatalf("after max attempts: JobCounts = %+v, want 1 dead", c)
	}
	if _, err := s.Claim(ctx, "w", []string{"fetch"}, now.Add(time.Hour), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Claim of a dead job: err = %v, want ErrNotFound", err)
	}

	// A zero retryAt means "do not retry": dead at once, attempts left or not.
	k := &store.Job{Kind: "fetch", RunAt: base}
	enqueue(t, s, k)
	got := claim(t, s, "w", now)
	if err := s.FailJob(ctx, got.ID, "w", "permanent", time.Time{}); err != nil {
		t.Fatalf("FailJob(zero retryAt): %v", err)
	}
	if c := counts(t, s, now); c.Dead != 2 {
		t.Fatalf("after FailJob with zero retryAt: JobCounts = %+v, want 2 dead", c)
	}

	// last_error is kept: a job failed once and then reclaimed carries it.
	l := &store.Job{Kind: "fetch", RunAt: base}
	enqueue(t, s, l)
	got = claim(t, s, "w", now)
	if err := s.FailJob(ctx, got.ID, "w", "timeout talking to a.example", now); err != nil {
		t.Fatalf("FailJob: %v", err)
	}
	got = claim(t, s, "w", now)
	if got.ID != l.ID || got.LastError != "timeout talking to a.example" || got.Attempts != 2 {
		t.Fatalf("reclaimed after failure: %+v, want LastError kept and attempt 2", got)
	}
}

// A deferred job (its host was busy) waits until its time and comes back
// with the attempt its claim counted given back: a job on its last attempt
// can be deferred any number of times and still run.
func testDeferJob(t *testing.T, s store.Store) {
	ctx := context.Background()
	j := &store.Job{Kind: "fetch", MaxAttempts: 1, RunAt: base}
	enqueue(t, s, j)
	later := &store.Job{Kind: "fetch", RunAt: base.Add(time.Second)}
	enqueue(t, s, later)
	now := base
	for round := range 3 {
		got := claim(t, s, "w", now)
		if got.ID != j.ID || got.Attempts != 1 {
			t.Fatalf("round %d: claimed %+v, want job %d at attempt 1", round, got, j.ID)
		}
		if err := s.DeferJob(ctx, j.ID, "other", now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeferJob by a worker that does not hold it: err = %v, want ErrNotFound", err)
		}
		runAt := now.Add(time.Minute)
		if err := s.DeferJob(ctx, j.ID, "w", runAt); err != nil {
			t.Fatalf("DeferJob: %v", err)
		}
		// A deferred job is queued but not waiting out a backoff (a pass
		// to the end waits for it); in round 0 the later job is waiting.
		queued, waiting := 1, 0
		if round == 0 {
			queued, waiting = 2, 1
		}
		if c := counts(t, s, now); c.Waiting != waiting || c.Queued != queued || c.Running != 0 || c.Dead != 0 {
			t.Fatalf("after DeferJob: JobCounts = %+v, want %d queued, %d of them waiting out a backoff", c, queued, waiting)
		}
		// Until its time, other work goes first.
		if now.Equal(base) {
			if got := claim(t, s, "w", now.Add(time.Second)); got.ID != later.ID {
				t.Fatalf("claimed %+v while job %d is deferred, want job %d", got, j.ID, later.ID)
			}
			if err := s.CompleteJob(ctx, later.ID, "w"); err != nil {
				t.Fatal(err)
			}
		} else if _, err := s.Claim(ctx, "w", []string{"fetch"}, runAt.Add(-time.Millisecond), time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Claim before the deferred time: err = %v, want ErrNotFound", err)
		}
		now = runAt
	}
	got := claim(t, s, "w", now)
	if err := s.CompleteJob(ctx, got.ID, "w"); err != nil {
		t.Fatalf("CompleteJob after deferrals: %v", err)
	}
	if err := s.DeferJob(ctx, got.ID, "w", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeferJob of a done job: err = %v, want ErrNotFound", err)
	}
	// A job deferred, then claimed again and failed with a backoff, is
	// waiting out the backoff: the claim took the deferral's mark off.
	k := &store.Job{Kind: "fetch", MaxAttempts: 3, RunAt: now}
	enqueue(t, s, k)
	claim(t, s, "w", now)
	if err := s.DeferJob(ctx, k.ID, "w", now.Add(time.Second)); err != nil {
		t.Fatalf("DeferJob: %v", err)
	}
	claim(t, s, "w", now.Add(time.Second))
	if err := s.FailJob(ctx, k.ID, "w", "503", now.Add(time.Hour)); err != nil {
		t.Fatalf("FailJob after a deferral: %v", err)
	}
	if c := counts(t, s, now.Add(time.Second)); c.Waiting != 1 || c.Queued != 1 || c.Done != 2 || c.Dead != 0 {
		t.Fatalf("failed after a deferral: JobCounts = %+v, want 2 done, 1 queued and waiting out its backoff", c)
	}
}

func testJobCountsAndPurge(t *testing.T, s store.Store) {
	ctx := context.Background()
	for range 3 {
		enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base})
	}
	enqueue(t, s, &store.Job{Kind: "fetch", RunAt: base.Add(time.Hour)})
	enqueue(t, s, &store.Job{Kind: "translate", RunAt: base})
	done := claim(t, s, "w", base)
	if err := s.CompleteJob(ctx, done.ID, "w"); err != nil {
		t.Fatalf("CompleteJob: %v", err)
	}
	claim(t, s, "w", base) // stays running

	c, err := s.JobCounts(ctx, []string{"fetch"}, base)
	if err != nil {
		t.Fatalf("JobCounts: %v", err)
	}
	if want := (store.JobCounts{Queued: 2, Running: 1, Done: 1, Waiting: 1}); c != want {
		t.Fatalf("JobCounts(fetch) = %+v, want %+v", c, want)
	}
	if c := counts(t, s, base); c.Queued != 3 {
		t.Fatalf("JobCounts(all kinds).Queued = %d, want 3", c.Queued)
	}

	// Completion times are wall-clock; an old cutoff keeps, a future one purges.
	if n, err := s.PurgeJobs(ctx, time.Unix(0, 0).Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("PurgeJobs(old cutoff) = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeJobs(ctx, time.Now().Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("PurgeJobs(future cutoff) = %d, %v; want 1", n, err)
	}
	if c := counts(t, s, base); c.Done != 0 || c.Running != 1 || c.Queued != 3 {
		t.Fatalf("after purge: JobCounts = %+v, want only done jobs gone", c)
	}
}
