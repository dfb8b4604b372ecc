package pipeline

import (
	"context"
	"testing"
	"time"

	"spektrum/internal/store"
)

// newSource stores a source reading url, due now, the way package ops adds
// one after probing it (ops owns adding; these tests exercise polling).
func newSource(tb testing.TB, st store.Store, url, language string) *store.Source {
	tb.Helper()
	src := &store.Source{URL: url, Kind: store.KindFeed, Language: language, PollInterval: 30 * time.Minute, Enabled: true, NextPollAt: time.Now()}
	if err := st.CreateSource(context.Background(), src); err != nil {
		tb.Fatalf("create source %s: %v", url, err)
	}
	return src
}
