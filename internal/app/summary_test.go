package app

import (
	"errors"
	"strings"
	"testing"

	"spektrum/internal/pipeline"
)

// Regression (issue 11): a translation that failed with a retry to follow
// was reported as "0 failed" and nothing else, although the pass ended with
// it still pending.
func TestSummaryReportsTranslationsWaitingToRetry(t *testing.T) {
	var s Summary
	fail := func(url, lang string, final bool) {
		s.Observe(pipeline.Event{Kind: pipeline.TranslationFailed, URL: url, Language: lang, Err: errors.New("503"), Final: final})
	}
	fail("https://x.org/a", "es", false)
	fail("https://x.org/a", "es", false) // the same one again: still one
	fail("https://x.org/a", "de", false)
	fail("https://x.org/b", "es", true) // no retry follows: failed
	s.Observe(pipeline.Event{Kind: pipeline.TranslationDone, URL: "https://x.org/c", Language: "es"})
	if got := s.String(); !strings.Contains(got, "translations: 1 done, 0 kept in their language, 1 failed, 2 waiting to retry") {
		t.Fatalf("summary = %q; want the two pending retries reported", got)
	}
	s.Observe(pipeline.Event{Kind: pipeline.TranslationDone, URL: "https://x.org/a", Language: "de"})
	fail("https://x.org/a", "es", true)
	if got := s.String(); strings.Contains(got, "waiting") || s.TranslationsRetrying() != 0 || !strings.Contains(got, "2 done, 0 kept in their language, 2 failed") {
		t.Fatalf("summary = %q; want nothing waiting once each retry settled", got)
	}
}
