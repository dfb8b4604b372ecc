package ops

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"spektrum/internal/feed"
	"spektrum/internal/fetch"
)

// Problem is the short, public category of a failure: what a reader of
// /api/v1/sources may know. It never carries an address, a resolver or a
// system message; the full text stays in Source.LastError for the CLI and
// the admin.
type Problem string

// Problems. A server's answer is "site answered NNN" (see statusProblem).
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

func statusProblem(code int) Problem {
	return Problem("site answered " + strconv.Itoa(code))
}

// Classify names the category of a failure from its type: fetch.Error's
// kind, feed's sentinel errors.
func Classify(err error) Problem {
	if err == nil {
		return NoProblem
	}
	if errors.Is(err, feed.ErrNotFeed) || errors.Is(err, feed.ErrUnknownFormat) {
		return NotAFeed
	}
	if errors.Is(err, feed.ErrMalformed) {
		return MalformedFeed
	}
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return Failed
	}
	switch fe.Kind {
	case fetch.Network:
		return Unreachable
	case fetch.Timeout:
		return TimedOut
	case fetch.Blocked:
		return AddressNotAllowed
	case fetch.BadURL:
		return InvalidAddress
	case fetch.Robots:
		return RobotsRefused
	case fetch.RobotsUnavailable:
		return RobotsUnreadable
	case fetch.Status:
		return statusProblem(fe.Status)
	case fetch.TooLarge:
		return TooLarge
	case fetch.TooManyRedirects:
		return RedirectLoop
	case fetch.Canceled:
		return Interrupted
	}
	return Failed
}

// textMarks recognise, in a stored error text, the messages the typed
// errors above produce, most specific first. A stored text is all a poll
// leaves behind (Source.LastError); deriving its category here instead of
// storing one needs no schema change and covers rows written before.
// TestProblemOfAgreesWithClassify keeps the two in step: it produces every
// kind of failure for real and checks both give the same category. Text
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
	{feed.ErrMalformed.Error(), MalformedFeed},
	{feed.ErrUnknownFormat.Error(), NotAFeed},
	{feed.ErrNotFeed.Error(), NotAFeed},
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
		return statusProblem(code)
	}
	for _, m := range textMarks[4:] {
		if strings.Contains(lastError, m.mark) {
			return m.p
		}
	}
	return Failed
}
