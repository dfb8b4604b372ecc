// Package view is how a source looks from outside: the one JSON shape of a
// source (for `spektrum sources list --json` and /api/v1/sources alike) and
// the short, public category of a failure. It depends on the data model
// only, so the public site can use it without depending on the packages
// that fetch, parse or store.
package view

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/store"
)

// Problem is the short, public category of a failure: what a reader of
// /api/v1/sources may know. It never carries an address, a resolver or a
// system message; the full text stays in Source.LastError for the CLI and
// the admin.
type Problem string

// Problems. A server's answer is "site answered NNN" (StatusProblem).
const (
	NoProblem         Problem = ""
	Unreachable       Problem = "site unreachable"
	TimedOut          Problem = "timed out"
	NotAFeed          Problem = "not a feed"
	MalformedFeed     Problem = "malformed feed"
	RobotsRefused     Problem = "refused by robots.txt"
	RobotsUnreadable  Problem = "robots.txt unreadable"
	AddressNotAllowed Problem = "address not allowed"
	InvalidAddress    Problem = "invalid address"
	TooLarge          Problem = "too large"
	RedirectLoop      Problem = "too many redirects"
	FeedTaken         Problem = "feed read by another source"
	Interrupted       Problem = "interrupted"
	Failed            Problem = "could not be read" // anything not classified above
)

// StatusProblem is the category of a server's answer with status code.
func StatusProblem(code int) Problem {
	return Problem("site answered " + strconv.Itoa(code))
}

// textMarks recognise, in a stored error text, the messages of the typed
// errors ops.Classify reads (fetch.Error, feed's errors), most specific
// first. A stored text is all a poll
// leaves behind (Source.LastError); deriving its category here instead of
// storing one needs no schema change and covers rows written before.
// ops.TestProblemOfAgreesWithClassify keeps the two in step: it produces
// every kind of failure for real and checks both give the same category. Text
// matching nothing gets Failed, so a public answer can never carry more than
// one of the fixed categories.
var textMarks = []struct {
	mark string
	p    Problem
}{
	{"is a web page, not a feed", NotAFeed},
	{"which source #", FeedTaken},
	{"robots.txt disallows", RobotsRefused},
	{"robots.txt could not be read", RobotsUnreadable},
	{"only http and https URLs", InvalidAddress},
	{"refusing to fetch", AddressNotAllowed},
	{"larger than the limit", TooLarge},
	{"the server is slow or hanging", TimedOut},
	{"redirect loop", RedirectLoop},
	{"check the host name and that the site is up", Unreachable},
	{"malformed feed", MalformedFeed},
	{"unknown feed format", NotAFeed},
	{"not a feed", NotAFeed},
}

var answeredRE = regexp.MustCompile(`server answered (\d{3}) `)

// ProblemOf derives the category of a stored error text (Source.LastError).
func ProblemOf(lastError string) Problem {
	if lastError == "" {
		return NoProblem
	}
	for _, m := range textMarks[:4] {
		if strings.Contains(lastError, m.mark) {
			return m.p
		}
	}
	// A status comes before the generic marks: "server answered 404" in a
	// sitemap's child error is still a 404.
	if m := answeredRE.FindStringSubmatch(lastError); m != nil {
		code, _ := strconv.Atoi(m[1])
		return StatusProblem(code)
	}
	for _, m := range textMarks[4:] {
		if strings.Contains(lastError, m.mark) {
			return m.p
		}
	}
	return Failed
}

// Source states, as Source.State.
const (
	StateNew     = "new"     // not polled yet
	StateOK      = "ok"      // the last poll succeeded
	StateFailing = "failing" // the last poll failed (see Problem)
	StatePaused  = "paused"  // not polled until resumed
)

// Source is a source as the outside sees it: the one JSON shape of a
// source for `spektrum sources list --json` and /api/v1/sources. Field
// names are a public contract: add fields, never rename one.
type Source struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	Name         string     `json:"name"`
	SiteURL      string     `json:"site_url"`
	Kind         string     `json:"kind"`
	Section      string     `json:"section"`
	Language     string     `json:"language"`
	Enabled      bool       `json:"enabled"`
	State        string     `json:"state"`
	Articles     int        `json:"articles"`
	FailedJobs   int        `json:"failed_jobs"` // the name the API has always had: fields are added, never renamed
	ErrorCount   int        `json:"error_count"`
	Problem      Problem    `json:"problem"` // category of the last poll's failure, "" when it succeeded
	LastPolledAt *time.Time `json:"last_polled_at"`
	NextPollAt   *time.Time `json:"next_poll_at"`
	// Viewpoint (package viewpoint), "" when not said: an ISO 3166-1
	// alpha-2 country, an outlet type of viewpoint.Types, and the step key
	// of the outlet's scale (a position the scale no longer has is kept
	// and shown to the editor; the public API shows it as "").
	Country  string `json:"country"`
	Type     string `json:"type"`
	Position string `json:"position"`
	// Ownership is the editor's note of who owns the outlet.
	Ownership string `json:"ownership,omitempty"`
	// LastError is the last poll's full error text, for the editor (CLI,
	// admin). Public answers leave it out: it can name internal
	// addresses and resolvers.
	LastError string `json:"last_error,omitempty"`
}

// Of is a source for the editor, with the full error text.
func Of(s *store.Source) Source {
	v := Public(s)
	v.LastError = s.LastError
	v.Position = s.Position
	v.Ownership = s.Ownership
	return v
}

// Public is a source for anyone: the error only as its category.
func Public(s *store.Source) Source {
	return Source{ID: s.ID, URL: s.URL, Name: s.Name, SiteURL: s.SiteURL, Kind: s.Kind, Section: s.Section,
		Language: s.Language, Enabled: s.Enabled, State: State(s), Articles: s.ArticleCount, FailedJobs: s.FailedJobs,
		ErrorCount: s.ErrorCount, Problem: ProblemOf(s.LastError), LastPolledAt: timeOrNil(s.LastPolledAt),
		NextPollAt: timeOrNil(s.NextPollAt), Country: s.Country, Type: s.Type, Position: s.Position}
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
