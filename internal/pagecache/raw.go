package pagecache

import (
	"bytes"
	"net/http"
	"strconv"
)

// Raw is a GET or HEAD request read by a server other than net/http (the
// web node's front, internal/front), with what a hit needs of it. The
// front hands anything it does not understand fully to net/http, so a Raw
// is always a plain HTTP/1.1 keep-alive request without a body.
type Raw struct {
	Head        bool
	Path, Query string // as net/http's URL.Path and URL.RawQuery would be
	// Every Accept-Encoding and If-None-Match line, in order.
	AcceptEncoding, IfNoneMatch []string
	Date                        []byte // the Date header's value, in http.TimeFormat
	Close                       bool   // say Connection: close (the server is shutting down)
	// Hit is the request as OnHit hooks (view counting) see it; nil: the
	// hooks are not called.
	Hit Hit
}

// rawHead is an entry's answer up to the Date header, as net/http writes
// it: the status line and the handler's headers, sorted (http.Header's
// WriteSubset, the very function net/http uses). Date follows, then
// Connection when closing, the empty line and the body (net/http's
// extraHeader order).
type rawHead struct {
	plain, gz, notModified []byte
}

// buildRaw prepares e's answers for AppendHit. It leaves e.raw nil, and
// so every request for e to net/http, when net/http would add a header of
// its own (a sniffed Content-Type).
func (e *entry) buildRaw() {
	if ct := e.headerValues("Content-Type"); len(ct) == 0 {
		return
	}
	h := make(http.Header, len(e.header)+2)
	for _, f := range e.header {
		h[f.name] = f.vals
	}
	block := func(status int) []byte {
		var b bytes.Buffer
		b.WriteString("HTTP/1.1 ")
		b.WriteString(strconv.Itoa(status))
		b.WriteByte(' ')
		b.WriteString(http.StatusText(status))
		b.WriteString("\r\n")
		_ = h.WriteSubset(&b, nil) // writes to memory cannot fail
		return b.Bytes()
	}
	r := &rawHead{}
	h["Content-Length"] = e.plainLen
	r.plain = block(e.status)
	if e.gz != nil {
		h["Content-Encoding"], h["Content-Length"] = gzipValue, e.gzLen
		r.gz = block(e.status)
	}
	if e.etag != "" {
		// net/http drops these from a 304 (suppressedHeaders), and the
		// cache sets no length or encoding for one.
		delete(h, "Content-Encoding")
		delete(h, "Content-Length")
		delete(h, "Content-Type")
		r.notModified = block(http.StatusNotModified)
	}
	e.raw = r
	e.size += int64(len(r.plain) + len(r.gz) + len(r.notModified))
}

func (e *entry) headerValues(name string) []string {
	for _, f := range e.header {
		if f.name == name {
			return f.vals
		}
	}
	return nil
}

// AppendHit appends to dst the HTTP/1.1 answer to rq, status line and
// headers, and returns the body to send after them (shared, read-only;
// nil for HEAD and 304): byte for byte what Front writes through net/http
// (Date aside), when rq's page is in the cache and fresh. Otherwise ok is
// false, and the request is net/http's to answer (a miss renders through
// the routes as ever). Pages' OnHit hooks are called as for Front's hits.
func (c *Cache) AppendHit(dst []byte, rq *Raw) (head, body []byte, ok bool) {
	e := c.fresh(rq.Path, rq.Query)
	if e == nil || e.raw == nil {
		return dst, nil, false
	}
	c.hits.Add(1)
	status, block := e.status, e.raw.plain
	body = e.plain
	switch {
	case e.etag != "" && len(rq.IfNoneMatch) > 0 && etagMatch(rq.IfNoneMatch, e.etag):
		status, block, body = http.StatusNotModified, e.raw.notModified, nil
	case e.gz != nil && acceptsGzip(rq.AcceptEncoding):
		block, body = e.raw.gz, e.gz
	}
	dst = append(dst, block...)
	dst = append(dst, "Date: "...)
	dst = append(dst, rq.Date...)
	dst = append(dst, "\r\n"...)
	if rq.Close {
		dst = append(dst, "Connection: close\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	if rq.Head {
		body = nil
	}
	if e.onHit != nil && rq.Hit != nil {
		e.onHit(rq.Hit, status)
	}
	return dst, body, true
}
