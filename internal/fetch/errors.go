package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ErrorKind says what class of failure an Error is, so callers can decide
// between "retry later", "back off" and "give up" without parsing messages.
type ErrorKind int

const (
	// Network: DNS, connection, TLS or read failure. Usually temporary.
	Network ErrorKind = iota
	// Blocked: the URL or an address it resolved to is in a private,
	// loopback, link-local or otherwise non-public range.
	Blocked
	// Robots: robots.txt disallows the URL for our user agent.
	Robots
	// RobotsUnavailable: robots.txt could not be read (5xx, 429, network
	// error), so the site is treated as closed to crawlers for a while.
	// Temporary, unlike Robots; RetryAfter says when the verdict expires.
	RobotsUnavailable
	// Status: the server answered with a non-success status (see Status).
	Status
	// TooLarge: the body exceeds Options.MaxBytes.
	TooLarge
	// Timeout: no complete answer within Options.Timeout.
	Timeout
	// BadURL: the URL cannot or may not be fetched (scheme, user info,
	// syntax).
	BadURL
	// TooManyRedirects: more than Options.MaxRedirects redirects.
	TooManyRedirects
	// Canceled: the caller's context ended before the fetch finished.
	Canceled
	// HostBusy: nothing was sent because the host is busy with our other
	// requests (its per-host slots, its pacing window, its robots.txt being
	// read); RetryAfter says when to come back. Only Requests with NoWait
	// get it, and those whose turn would come after their deadline. Not a
	// failure of the URL: callers reschedule without counting it as one.
	HostBusy
)

func (k ErrorKind) String() string {
	switch k {
	case Network:
		return "network"
	case Blocked:
		return "blocked"
	case Robots:
		return "robots"
	case RobotsUnavailable:
		return "robots-unavailable"
	case Status:
		return "status"
	case TooLarge:
		return "too-large"
	case Timeout:
		return "timeout"
	case BadURL:
		return "bad-url"
	case TooManyRedirects:
		return "too-many-redirects"
	case Canceled:
		return "canceled"
	case HostBusy:
		return "host-busy"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the error Client.Get returns for every failure.
type Error struct {
	Kind ErrorKind
	URL  string
	// Status is the HTTP status for Kind Status (and for a robots.txt
	// answer behind RobotsUnavailable); 0 otherwise.
	Status int
	// RetryAfter is the server's Retry-After (429, 503) or, for
	// RobotsUnavailable, how long the site stays closed; 0 if unknown.
	RetryAfter time.Duration
	// Err is the underlying cause or detail; may be nil.
	Err error
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	switch e.Kind {
	case Blocked:
		// No hint how to allow it: that is a setting of the front door
		// (the CLI adds its flag when it sees Kind Blocked).
		return fmt.Sprintf("refusing to fetch %s: %v; private networks are not fetched", e.URL, e.Err)
	case BadURL:
		return fmt.Sprintf("refusing to fetch %q: %v; only http and https URLs without user info can be fetched", e.URL, e.Err)
	case Robots:
		return fmt.Sprintf("fetch %s: robots.txt disallows it for %s; the site owner asked crawlers to stay away, remove the source or ask the publisher", e.URL, robotsAgent)
	case RobotsUnavailable:
		return fmt.Sprintf("fetch %s: robots.txt could not be read (%v), so the site is treated as closed to crawlers; retry in %s", e.URL, e.Err, e.RetryAfter.Round(time.Second))
	case Status:
		return fmt.Sprintf("fetch %s: server answered %d %s; %s", e.URL, e.Status, http.StatusText(e.Status), e.statusHint())
	case TooLarge:
		return fmt.Sprintf("fetch %s: %v; raise the size limit if the page is legitimate", e.URL, e.Err)
	case Timeout:
		return fmt.Sprintf("fetch %s: %v; the server is slow or hanging, retry later or raise the timeout", e.URL, e.Err)
	case TooManyRedirects:
		return fmt.Sprintf("fetch %s: %v; the site probably has a redirect loop, check the URL in a browser", e.URL, e.Err)
	case Canceled:
		return fmt.Sprintf("fetch %s: %v", e.URL, e.Err)
	case HostBusy:
		return fmt.Sprintf("fetch %s: not sent: %v; its turn comes in %s", e.URL, e.Err, e.RetryAfter.Round(time.Millisecond))
	}
	return fmt.Sprintf("fetch %s: %v; check the host name and that the site is up, then retry", e.URL, e.Err)
}

func (e *Error) statusHint() string {
	switch {
	case e.Status == http.StatusNotFound:
		return "check the URL"
	case e.Status == http.StatusGone:
		return "the page was removed for good, stop fetching it"
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return "the site refuses us; check whether it blocks crawlers or needs a subscription"
	case e.Status == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("we are rate limited, retry after %s", e.RetryAfter.Round(time.Second))
		}
		return "we are rate limited, poll less often"
	case e.Status >= 500:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("the site has a problem, retry after %s", e.RetryAfter.Round(time.Second))
		}
		return "the site has a problem, retry later"
	}
	return "check the URL"
}

// IsPermanent reports whether err will not fix itself by retrying: the URL is
// gone (404, 410), not allowed (Blocked, Robots) or malformed (BadURL).
// Everything else — timeouts, 5xx, 429, network errors, an unreadable
// robots.txt — is worth retrying later.
func IsPermanent(err error) bool {
	var fe *Error
	if !errors.As(err, &fe) {
		return false
	}
	switch fe.Kind {
	case Blocked, BadURL, Robots:
		return true
	case Status:
		return fe.Status == http.StatusNotFound || fe.Status == http.StatusGone
	}
	return false
}

// parseRetryAfter reads a Retry-After header given as delay-seconds or as an
// HTTP-date (RFC 9110 §10.2.3). It returns 0 when absent, invalid or past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		// Cap absurd values so the multiplication cannot overflow.
		const maxSecs = int64(365 * 24 * time.Hour / time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
