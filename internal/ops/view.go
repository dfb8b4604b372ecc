package ops

import (
	"time"

	"spektrum/internal/store"
)

// Source states, as SourceView.State.
const (
	StateNew     = "new"     // not polled yet
	StateOK      = "ok"      // the last poll succeeded
	StateFailing = "failing" // the last poll failed (see Problem)
	StatePaused  = "paused"  // not polled until resumed
)

// SourceView is a source as the outside sees it: the one JSON shape of a
// source for `spektrum sources list --json` and /api/v1/sources. Field
// names are a public contract: add fields, never rename one.
type SourceView struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Name           string     `json:"name"`
	SiteURL        string     `json:"site_url"`
	Kind           string     `json:"kind"`
	Section        string     `json:"section"`
	Language       string     `json:"language"`
	Enabled        bool       `json:"enabled"`
	State          string     `json:"state"`
	Articles       int        `json:"articles"`
	FailedArticles int        `json:"failed_articles"`
	ErrorCount     int        `json:"error_count"`
	Problem        Problem    `json:"problem"` // category of the last poll's failure, "" when it succeeded
	LastPolledAt   *time.Time `json:"last_polled_at"`
	NextPollAt     *time.Time `json:"next_poll_at"`
	// LastError is the last poll's full error text, for the editor (CLI,
	// admin). Public answers leave it out: it can name internal
	// addresses and resolvers.
	LastError string `json:"last_error,omitempty"`
}

// View is a source for the editor, with the full error text.
func View(s *store.Source) SourceView {
	v := PublicView(s)
	v.LastError = s.LastError
	return v
}

// PublicView is a source for anyone: the error only as its category.
func PublicView(s *store.Source) SourceView {
	return SourceView{ID: s.ID, URL: s.URL, Name: s.Name, SiteURL: s.SiteURL, Kind: s.Kind, Section: s.Section,
		Language: s.Language, Enabled: s.Enabled, State: State(s), Articles: s.ArticleCount, FailedArticles: s.FailedJobs,
		ErrorCount: s.ErrorCount, Problem: ProblemOf(s.LastError), LastPolledAt: timeOrNil(s.LastPolledAt),
		NextPollAt: timeOrNil(s.NextPollAt)}
}

// State is a source's state: StateNew, StateOK, StateFailing or StatePaused.
func State(s *store.Source) string {
	switch {
	case !s.Enabled:
		return StatePaused
	case s.LastError != "":
		return StateFailing
	case s.LastPolledAt.IsZero():
		return StateNew
	}
	return StateOK
}

// timeOrNil gives JSON null for "never" and whole seconds in UTC otherwise.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}
