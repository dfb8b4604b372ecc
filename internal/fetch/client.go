package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultUserAgent          = "Spektrum/0.1 (news aggregator)"
	DefaultTimeout            = 30 * time.Second
	DefaultMaxBytes           = 20 << 20
	DefaultPerHostConcurrency = 2
	DefaultPerHostDelay       = time.Second
	DefaultMaxRedirects       = 10
	DefaultAccept             = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml," +
		"application/feed+json,application/json;q=0.9,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
)

const (
	dialTimeout = 10 * time.Second
	keepAlive   = 30 * time.Second
	// drainBytes is how much of a redirect or error body we read so the
	// connection can be reused; anything longer is not worth the bytes.
	drainBytes = 64 << 10
)

// Options configures a Client. Zero values mean the defaults above.
type Options struct {
	// UserAgent is sent with every request, e.g.
	// "Spektrum/0.1 (+https://spektrum.example; news aggregator)".
	UserAgent string
	// AllowPrivateNetworks turns the SSRF guard off (tests, intranet
	// deployments).
	AllowPrivateNetworks bool
	// Timeout bounds a whole request, reading the body included.
	Timeout time.Duration
	// MaxBytes bounds the body after decompression.
	MaxBytes int64
	// PerHostConcurrency bounds requests in flight to one host.
	PerHostConcurrency int
	// PerHostDelay is the minimum gap between request starts to one host;
	// negative means none. A robots.txt Crawl-delay raises it per host.
	PerHostDelay time.Duration
	// MaxRedirects bounds the redirects followed for one Get.
	MaxRedirects int
	// AllowAddrs are addresses fetched although they are not public (an
	// intranet host the operator trusts), while the guard still refuses
	// every other private address, redirects included.
	AllowAddrs []netip.Prefix

	// exempt lets in-package tests treat chosen loopback addresses as
	// public, to exercise "public page redirects to private address".
	exempt func(netip.Addr) bool
}

// Client fetches URLs politely and safely. It is safe for concurrent use;
// create one per process so the per-host limits and robots cache are shared.
type Client struct {
	userAgent    string
	allowPrivate bool
	exempt       func(netip.Addr) bool
	timeout      time.Duration
	maxBytes     int64
	maxRedirects int

	http    *http.Client
	limiter *hostLimiter
	robots  *robotsCache
}

// New returns a Client with opts, defaults filled in.
func New(opts Options) *Client {
	c := &Client{
		userAgent:    opts.UserAgent,
		allowPrivate: opts.AllowPrivateNetworks,
		exempt:       opts.exempt,
		timeout:      opts.Timeout,
		maxBytes:     opts.MaxBytes,
		maxRedirects: opts.MaxRedirects,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if c.maxRedirects <= 0 {
		c.maxRedirects = DefaultMaxRedirects
	}
	if allow := opts.AllowAddrs; len(allow) > 0 && c.exempt == nil {
		c.exempt = func(a netip.Addr) bool {
			for _, p := range allow {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}
	}
	conc := opts.PerHostConcurrency
	if conc <= 0 {
		conc = DefaultPerHostConcurrency
	}
	delay := opts.PerHostDelay
	switch {
	case delay == 0:
		delay = DefaultPerHostDelay
	case delay < 0:
		delay = 0
	}

	d := c.newDialer()
	transport := &http.Transport{
		// Never a proxy: HTTP(S)_PROXY would route around the dial-time
		// guard, since we would only ever dial the proxy.
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    conc,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// DisableCompression stays false: the transport asks for gzip and
		// undoes it; readBody bounds the decompressed size.
	}
	c.http = &http.Client{
		Transport: transport,
		// Redirects are followed by Get itself, so every hop is vetted,
		// paced and checked against robots.txt like the first one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.limiter = newHostLimiter(conc, delay)
	c.robots = newRobotsCache()
	return c
}

// Request describes one fetch.
type Request struct {
	URL string
	// ETag and LastModified are the validators from the previous fetch;
	// they make the request conditional.
	ETag, LastModified string
	// Accept overrides DefaultAccept.
	Accept string
	// Robots makes the fetch obey robots.txt (article pages). Feeds are
	// fetched regardless: a publisher offering a feed wants it read.
	Robots bool
	// NoWait makes Get fail at once with an Error of Kind HostBusy (and
	// RetryAfter saying when to come back) where it would otherwise wait:
	// for a free per-host slot, the host's pacing window, or a robots.txt
	// another request is reading. Nothing is sent then. Queue workers use
	// it so that one busy host never holds a worker while other hosts'
	// work waits. It covers the request itself; redirects it leads to wait
	// for their turn like any request, within the time limit.
	NoWait bool
}

// Response is a successful (2xx) or not-modified (304) answer.
type Response struct {
	// URL is the final URL after redirects.
	URL string
	// PermanentURL is the final URL if there were redirects and all of them
	// were permanent (301, 308): the caller should store it instead of the
	// requested URL. Empty otherwise.
	PermanentURL string
	StatusCode   int
	NotModified  bool // 304: the caller's copy is current; Body is empty
	// ETag and LastModified are the validators to send next time. On 304
	// they fall back to the request's if the server did not repeat them.
	ETag, LastModified string
	ContentType        string
	// Body holds the bytes after Content-Encoding was undone.
	Body []byte
}

// Get fetches r.URL, following redirects. Every failure is an *Error.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(r.URL))
	if err != nil {
		return nil, &Error{Kind: BadURL, URL: r.URL, Err: fmt.Errorf("cannot parse it: %w", err)}
	}
	// A caller's deadline that is shorter than ours wins; ours is the
	// cause we look for to tell our timeout from the caller's.
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errOurTimeout)
	defer cancel()

	resp, err := c.get(ctx, u, r)
	if err != nil {
		return nil, c.classify(ctx, err, u.String())
	}
	return resp, nil
}

var errOurTimeout = errors.New("fetch timeout")

func (c *Client) get(ctx context.Context, u *url.URL, r Request) (*Response, error) {
	permanent := true
	for hops := 0; ; hops++ {
		if fe := c.checkURL(u); fe != nil {
			return nil, fe
		}
		// Only the first hop may be turned away: once the host took this
		// fetch, its redirects are part of the same turn.
		wait := !r.NoWait || hops > 0
		if r.Robots {
			if err := c.checkRobots(ctx, u, wait); err != nil {
				return nil, err
			}
		}
		resp, release, err := c.do(ctx, u, r, wait)
		if err != nil {
			return nil, err
		}

		if isRedirect(resp.StatusCode) && resp.Header.Get("Location") != "" {
			loc, err := resp.Location()
			drainClose(resp.Body)
			release()
			if err != nil {
				return nil, &Error{Kind: BadURL, URL: u.String(), Err: fmt.Errorf("the server redirected to an unparsable Location %q: %w", resp.Header.Get("Location"), err)}
			}
			if hops >= c.maxRedirects {
				return nil, &Error{Kind: TooManyRedirects, URL: u.String(), Err: fmt.Errorf("stopped after %d redirects", c.maxRedirects)}
			}
			if resp.StatusCode != http.StatusMovedPermanently && resp.StatusCode != http.StatusPermanentRedirect {
				permanent = false
			}
			loc.Fragment = ""
			u = loc
			continue
		}

		out, err := c.finish(resp, u, r)
		release()
		if err != nil {
			return nil, err
		}
		if hops > 0 && permanent {
			out.PermanentURL = out.URL
		}
		return out, nil
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// do sends one request for u once the host limiter lets it (or, without
// wait, fails with a *busyError if it does not let it now). The returned
// release must be called after the body is closed.
func (c *Client) do(ctx context.Context, u *url.URL, r Request, wait bool) (*http.Response, func(), error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, &Error{Kind: BadURL, URL: u.String(), Err: err}
	}
	req.Header.Set("User-Agent", c.userAgent)
	accept := r.Accept
	if accept == "" {
		accept = DefaultAccept
	}
	req.Header.Set("Accept", accept)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	host := hostKey(u)
	ticket, err := c.limiter.acquire(ctx, host, wait)
	if err != nil {
		var busy *busyError
		if wait && errors.As(err, &busy) {
			// A waiting request (a redirect, or a caller that does not
			// defer) whose turn comes after its time limit: a timeout, not
			// HostBusy, which only a NoWait first hop may answer — else a
			// job would defer for ever on a slow host's redirect.
			return nil, nil, &Error{Kind: Timeout, URL: u.String(), RetryAfter: max(time.Until(busy.until), time.Millisecond),
				Err: fmt.Errorf("the host %s's next turn for us comes after this request's time limit of %s; nothing was sent", host, c.timeout)}
		}
		if ctx.Err() != nil && context.Cause(ctx) == errOurTimeout {
			return nil, nil, &Error{Kind: Timeout, URL: u.String(), Err: fmt.Errorf(
				"the host %s stayed busy with our other requests for the whole time limit of %s; nothing was sent", host, c.timeout)}
		}
		return nil, nil, err
	}
	// The host's next window opens a gap after this request is written,
	// which is when the host can first see it.
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { ticket.sent(time.Now()) },
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		ticket.release()
		return nil, nil, err
	}
	return resp, ticket.release, nil
}

// hostKey groups requests for pacing: per machine name, ports ignored,
// because politeness is owed to the server, not to a port.
func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// HostGap is how far apart requests to host (a HostKey) are sent: the
// per-host delay, or the host's robots.txt Crawl-delay if longer.
func (c *Client) HostGap(host string) time.Duration { return c.limiter.gapFor(host) }

// HostKey is the host whose per-host limits a fetch of rawURL counts
// against (the name hostKey paces by), or "" for a URL that does not
// parse: callers that order their requests by host (the pipeline's batched
// polls) group them as the limiter does.
func HostKey(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return ""
	}
	return hostKey(u)
}

// finish turns a non-redirect answer into a Response or an *Error, reading
// the body within the size limit. It closes resp.Body.
func (c *Client) finish(resp *http.Response, u *url.URL, r Request) (*Response, error) {
	out := &Response{
		URL:          u.String(),
		StatusCode:   resp.StatusCode,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		drainClose(resp.Body)
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		drainClose(resp.Body)
		return nil, &Error{
			Kind: Status, URL: u.String(), Status: resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	body, err := c.readBody(resp)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			fe.URL = u.String()
		}
		return nil, err
	}
	out.Body = body
	return out, nil
}

// readBody reads at most maxBytes of the (decompressed) body and closes it.
// A declared Content-Length over the limit is refused without reading;
// readLimited catches chunked and compressed bodies, including gzip bombs,
// after at most one byte too many.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	tooLarge := &Error{Kind: TooLarge, Err: fmt.Errorf("the body is larger than the limit of %d bytes", c.maxBytes)}
	if !resp.Uncompressed && resp.ContentLength > c.maxBytes {
		tooLarge.Err = fmt.Errorf("the server announces %d bytes, more than the limit of %d", resp.ContentLength, c.maxBytes)
		return nil, tooLarge
	}
	size := resp.ContentLength
	if resp.Uncompressed {
		size = -1 // the length announced was the compressed one
	}
	body, err := readLimited(resp.Body, c.maxBytes, size)
	if errors.Is(err, errOverLimit) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return body, nil
}

var errOverLimit = errors.New("over the limit")

// Chunks readLimited reads a body in: the first of a body of unknown
// length, and the most any one grows to.
const (
	firstChunk = 32 << 10
	maxChunk   = 1 << 20
)

// readLimited reads r to its end: at most limit bytes, errOverLimit once
// there is one more. size is the length r announces (-1: unknown); a body
// of that length up to maxChunk is read into one buffer of it (not more:
// a server could announce the limit and send nothing).
//
// Not io.ReadAll of a LimitReader: that reads into growing chunks too, but
// joins them before the length can be checked, so a body cut off at the
// limit (a hostile endless one) cost twice the limit, and one of a known
// length is copied once more than needed (TestSoak's heap,
// docs/benchmarks.md). A body over the limit is dropped unjoined.
func readLimited(r io.Reader, limit, size int64) ([]byte, error) {
	next := int64(firstChunk)
	if size >= 0 {
		next = min(size+1, maxChunk) // +1: finding the end needs no second buffer
	}
	var chunks [][]byte
	var total int64
	for {
		chunk := make([]byte, min(next, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		total += int64(n)
		if total > limit {
			return nil, errOverLimit
		}
		chunks = append(chunks, chunk[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		next = min(2*int64(len(chunk)), maxChunk)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	body := make([]byte, 0, total)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return body, nil
}

func drainClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainBytes))
	_ = body.Close()
}

// classify turns whatever went wrong into exactly one *Error.
func (c *Client) classify(ctx context.Context, err error, rawURL string) error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.URL == "" {
			fe.URL = rawURL
		}
		return fe
	}
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		// url.Error repeats the method and URL our message already has.
		rawURL, err = ue.URL, ue.Err
	}
	var be *blockedAddrError
	if errors.As(err, &be) {
		return &Error{Kind: Blocked, URL: rawURL, Err: be}
	}
	var busy *busyError
	if errors.As(err, &busy) {
		return &Error{Kind: HostBusy, URL: rawURL, Err: busy, RetryAfter: max(time.Until(busy.retryAt()), time.Millisecond)}
	}
	if ctx.Err() != nil {
		if context.Cause(ctx) == errOurTimeout {
			return &Error{Kind: Timeout, URL: rawURL, Err: fmt.Errorf("no complete answer within %s", c.timeout)}
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The caller's own deadline: still a timeout, but theirs.
			return &Error{Kind: Timeout, URL: rawURL, Err: ctx.Err()}
		}
		return &Error{Kind: Canceled, URL: rawURL, Err: ctx.Err()}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Kind: Timeout, URL: rawURL, Err: err}
	}
	return &Error{Kind: Network, URL: rawURL, Err: err}
}
