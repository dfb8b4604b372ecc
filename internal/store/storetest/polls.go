package storetest

import (
	"context"
	"testing"
	"time"

	"spektrum/internal/store"
)

// testEditDuringPoll: a poll reads the source, an editor saves an edit while
// the poll runs, then the poll records what it learnt on the row it read.
// The edit must survive and the poll's results must land; an edit read
// before the poll must not undo the poll either.
func testEditDuringPoll(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://poll.example/feed")

	polling, err := s.Source(ctx, src.ID) // the poll's read
	if err != nil {
		t.Fatal(err)
	}
	edit, err := s.Source(ctx, src.ID) // the editor's read
	if err != nil {
		t.Fatal(err)
	}
	edit.Name, edit.Section, edit.Language = "Edited name", "europe", "fr"
	edit.PollInterval, edit.Enabled = 2*time.Hour, false
	edit.Country, edit.Type, edit.Ownership, edit.Position = "FR", "newspaper", "private", "centre"
	if err := s.UpdateSource(ctx, edit); err != nil {
		t.Fatal(err)
	}

	// The poll learnt a moved feed, validators and its times.
	polling.URL, polling.Kind = "https://poll.example/new-feed", store.KindSitemap
	polling.SiteURL = "https://poll.example/"
	polling.ETag, polling.LastModified = `"e1"`, "Tue, 03 Jan 2006"
	polling.LastPolledAt, polling.LastSuccess = base.Add(time.Minute), base.Add(time.Minute)
	polling.NextPollAt, polling.ErrorCount, polling.LastError = base.Add(16*time.Minute), 0, ""
	if err := s.RecordPoll(ctx, polling); err != nil {
		t.Fatal(err)
	}

	got, err := s.Source(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Edited name" || got.Section != "europe" || got.Language != "fr" ||
		got.PollInterval != 2*time.Hour || got.Enabled ||
		got.Country != "FR" || got.Type != "newspaper" || got.Ownership != "private" || got.Position != "centre" {
		t.Fatalf("the edit made during the poll was lost: %+v", got)
	}
	if got.URL != "https://poll.example/new-feed" || got.Kind != store.KindSitemap ||
		got.SiteURL != "https://poll.example/" || got.ETag != `"e1"` ||
		got.LastModified != "Tue, 03 Jan 2006" || !got.LastPolledAt.Equal(base.Add(time.Minute)) ||
		!got.LastSuccess.Equal(base.Add(time.Minute)) || !got.NextPollAt.Equal(base.Add(16*time.Minute)) {
		t.Fatalf("the poll's results were not recorded: %+v", got)
	}

	// A second edit from the editor's stale read (made before the poll)
	// changes its field and undoes nothing the poll recorded.
	edit.Section = "world"
	if err := s.UpdateSource(ctx, edit); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, src.ID)
	if got.Section != "world" || got.URL != "https://poll.example/new-feed" || got.ETag != `"e1"` ||
		got.Kind != store.KindSitemap || !got.NextPollAt.Equal(base.Add(16*time.Minute)) ||
		!got.LastPolledAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("an edit from a read made before the poll undid it: %+v", got)
	}

	// A poll names a source only when it has no name, and fills in a site
	// address only when there is none.
	polling.Name, polling.SiteURL = "Feed title", "https://elsewhere.example/"
	if err := s.RecordPoll(ctx, polling); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, src.ID)
	if got.Name != "Edited name" || got.SiteURL != "https://poll.example/" {
		t.Fatalf("a poll overwrote a set name or site: name %q site %q", got.Name, got.SiteURL)
	}
	unnamed := &store.Source{URL: "https://unnamed.example/feed", Kind: store.KindFeed, Enabled: true, NextPollAt: base}
	if err := s.CreateSource(ctx, unnamed); err != nil {
		t.Fatal(err)
	}
	unnamed.Name = "Unnamed Daily"
	if err := s.RecordPoll(ctx, unnamed); err != nil {
		t.Fatal(err)
	}
	// An edit that carries no name (read before the poll named it) keeps the poll's.
	unnamed.Name, unnamed.Section = "", "culture"
	if err := s.UpdateSource(ctx, unnamed); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, unnamed.ID)
	if got.Name != "Unnamed Daily" || got.Section != "culture" {
		t.Fatalf("unnamed source: name %q section %q", got.Name, got.Section)
	}

	// Resuming a paused source sets when it is next polled; an edit of an
	// enabled source leaves the time the poll set.
	edit.Enabled, edit.NextPollAt = true, base.Add(-time.Hour)
	if err := s.UpdateSource(ctx, edit); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, src.ID)
	if !got.Enabled || !got.NextPollAt.Equal(base.Add(-time.Hour)) {
		t.Fatalf("resumed: enabled %v next poll %v", got.Enabled, got.NextPollAt)
	}
	edit.NextPollAt = base.Add(time.Hour)
	if err := s.UpdateSource(ctx, edit); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Source(ctx, src.ID)
	if !got.NextPollAt.Equal(base.Add(-time.Hour)) {
		t.Fatalf("an edit of an enabled source moved its next poll to %v", got.NextPollAt)
	}
}
