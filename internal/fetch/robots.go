package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsAgent is the product token robots.txt groups are matched against.
const robotsAgent = "Spektrum"

const (
	robotsTTL = time.Hour
	// robotsUnavailableTTL is how long a site whose robots.txt answered 5xx
	// or 429, or could not be reached, is treated as disallowing everything.
	// This follows Google's convention (RFC 9309 §2.3.1.4): an unreadable
	// robots.txt may hide rules we would break, and a server that is already
	// failing is the last one that needs our article requests. After the
	// window we ask again.
	robotsUnavailableTTL = 15 * time.Minute
	// robotsMaxBytes: Google stops parsing at 500 KiB; rules past it are
	// ignored by everyone, so we ignore them too.
	robotsMaxBytes = 500 << 10
	// maxCrawlDelay caps Crawl-delay: a "Crawl-delay: 3600" (often meant for
	// a different crawler or a typo) would otherwise stall a source's
	// articles for hours.
	maxCrawlDelay  = 30 * time.Second
	robotsCacheMax = 4096
)

// robotsCache holds one robots.txt verdict per origin (scheme://host:port,
// as RFC 9309 scopes it). Only one fetch per origin runs at a time; other
// callers wait for it.
type robotsCache struct {
	mu      sync.Mutex
	entries map[string]*robotsEntry
}

type robotsEntry struct {
	ready   chan struct{} // closed when the fields below are set
	started time.Time     // when the load began
	// Set once before ready is closed, read-only afterwards.
	expires     time.Time
	group       *robotstxt.Group // nil: everything allowed
	unavailable error            // non-nil: disallow all until expires
	status      int              // robots.txt status behind unavailable, if any
	fail        *Error           // a failure that is not about robots (Blocked, BadURL)
}

func newRobotsCache() *robotsCache {
	return &robotsCache{entries: make(map[string]*robotsEntry)}
}

// entry returns the current entry for origin and whether the caller must
// load it.
func (rc *robotsCache) entry(origin string, now time.Time) (*robotsEntry, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if e := rc.entries[origin]; e != nil {
		select {
		case <-e.ready:
			if now.Before(e.expires) {
				return e, false
			}
		default:
			return e, false // a load is in flight; wait for it
		}
	}
	if len(rc.entries) >= robotsCacheMax {
		for k, e := range rc.entries {
			select {
			case <-e.ready:
				if !now.Before(e.expires) {
					delete(rc.entries, k)
				}
			default:
			}
		}
	}
	e := &robotsEntry{ready: make(chan struct{}), started: now}
	rc.entries[origin] = e
	return e, true
}

// checkRobots returns nil if robots.txt lets us fetch u. Without wait, a
// robots.txt still being read gives a *busyError instead of a wait.
func (c *Client) checkRobots(ctx context.Context, u *url.URL, wait bool) error {
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	now := time.Now()
	e, load := c.robots.entry(origin, now)
	if load {
		// The load runs detached from this caller's context: other callers
		// wait for the same result, and one caller giving up must not
		// poison the cache for them. It is bounded by the client timeout.
		go c.loadRobots(e, u)
		// The caller that starts the read waits for it even without wait:
		// reading robots.txt is its own request's first step, and a queue
		// worker turned away here would lose its place to the jobs behind
		// it. Only the others are turned away while it is read.
		wait = true
	}
	if !wait {
		select {
		case <-e.ready:
		default:
			// Come back after as long again as the read has taken so far
			// (at least a pacing gap): a slow host is asked a few times,
			// not every moment.
			wait := max(now.Sub(e.started), c.limiter.gapFor(hostKey(u)), minBusyRetry)
			return &busyError{until: now.Add(wait), reason: fmt.Sprintf("robots.txt of %s is still being read", origin)}
		}
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	switch {
	case e.fail != nil:
		fe := *e.fail
		fe.URL = u.String()
		return &fe
	case e.unavailable != nil:
		return &Error{Kind: RobotsUnavailable, URL: u.String(), Status: e.status,
			RetryAfter: max(time.Until(e.expires), time.Second), Err: e.unavailable}
	case e.group != nil && !e.group.Test(robotsPath(u)):
		return &Error{Kind: Robots, URL: u.String()}
	}
	return nil
}

// robotsPath is what RFC 9309 matches rules against: path and query.
func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func (c *Client) loadRobots(e *robotsEntry, page *url.URL) {
	defer close(e.ready)
	ctx, cancel := context.WithTimeoutCause(context.Background(), c.timeout, errOurTimeout)
	defer cancel()

	ru := &url.URL{Scheme: page.Scheme, Host: page.Host, Path: "/robots.txt"}
	now := time.Now()
	e.expires = now.Add(robotsTTL)
	resp, err := c.get(ctx, ru, Request{Accept: "text/plain,*/*;q=0.5"})
	if err != nil {
		err = c.classify(ctx, err, ru.String())
		var fe *Error
		errors.As(err, &fe)
		switch {
		case fe.Kind == Blocked || fe.Kind == BadURL:
			// Not a verdict about robots; don't keep it.
			e.fail, e.expires = fe, now
		case fe.Kind == Status && fe.Status >= 400 && fe.Status < 500 && fe.Status != http.StatusTooManyRequests:
			// No robots.txt (or not for us to see): no restrictions.
			c.limiter.setCrawlDelay(hostKey(page), 0)
		case fe.Kind == Status:
			e.status = fe.Status
			e.unavailable = fmt.Errorf("%s answered %d %s", ru, fe.Status, http.StatusText(fe.Status))
			e.expires = now.Add(max(robotsUnavailableTTL, fe.RetryAfter))
		default:
			e.unavailable = fmt.Errorf("%s: %w", ru, fe)
			e.expires = now.Add(robotsUnavailableTTL)
		}
		return
	}
	body := resp.Body
	if len(body) > robotsMaxBytes {
		body = body[:robotsMaxBytes]
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		// The parser rejects the whole file for one bad line; a file we
		// cannot read states no rules we could follow, like a missing one.
		c.limiter.setCrawlDelay(hostKey(page), 0)
		return
	}
	e.group = data.FindGroup(robotsAgent)
	c.limiter.setCrawlDelay(hostKey(page), min(e.group.CrawlDelay, maxCrawlDelay))
}
