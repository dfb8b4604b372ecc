package pagecache

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// entry is one cached answer, ready to write: everything a hit needs was
// computed when it was built.
type entry struct {
	key     key
	gen     int64
	expires int64 // on the cache's clock
	// until is 0 while gen is the current generation. Once a newer one is
	// read, it is when the entry stops answering even while its page is
	// rendered anew: Stale after the start of the last read that found gen
	// current (on the cache's clock).
	until  int64
	seen   int64 // the start of a read that found gen current, before the rendering began
	made   int64 // when the rendering began
	took   int64 // how long it took: how early to begin the next
	hitAt  int64 // when a reader was last answered from it as current, under the cache's mu: a busy page
	size   int64
	status int
	etag   string  // "" for non-200 answers, which are never revalidated
	header []field // everything but the length and the encoding
	plain  []byte
	gz     []byte // nil when not worth it
	// Content-Length values, shared read-only by every hit.
	plainLen, gzLen []string
	raw             *rawHead // the answers for AppendHit; nil: net/http's to answer
	onHit           func(h Hit, status int)
	// scopes are what the page shows (Scope); nil: everything, so every
	// move of the generation ends the entry.
	scopes []string
}

type field struct {
	name string // canonical
	vals []string
}

// Shared read-only header values.
var (
	gzipValue = []string{"gzip"}
)

// serve writes e for r: 304 when r holds its ETag, gzip when r accepts
// it, headers only for HEAD.
func (e *entry) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for _, f := range e.header {
		h[f.name] = f.vals
	}
	status := e.status
	if e.etag != "" {
		if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm, e.etag) {
			w.WriteHeader(http.StatusNotModified)
			if e.onHit != nil {
				e.onHit(RequestHit(r), http.StatusNotModified)
			}
			return
		}
	}
	body := e.plain
	if e.gz != nil && acceptsGzip(r.Header["Accept-Encoding"]) {
		body = e.gz
		h["Content-Encoding"] = gzipValue
		h["Content-Length"] = e.gzLen
	} else {
		h["Content-Length"] = e.plainLen
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away; nothing left to do
	}
	if e.onHit != nil {
		e.onHit(RequestHit(r), status)
	}
}

// etagMatch is If-None-Match's weak comparison, without allocating.
func etagMatch(header []string, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, line := range header {
		for line != "" {
			var c string
			c, line, _ = strings.Cut(line, ",")
			c = strings.TrimSpace(c)
			if c == "*" || strings.TrimPrefix(c, "W/") == want {
				return true
			}
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding without allocating: gzip (or x-gzip)
// listed, and not with q=0.
func acceptsGzip(header []string) bool {
	for _, line := range header {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") {
				continue
			}
			return !zeroQ(params)
		}
	}
	return false
}

// zeroQ reports whether params (after the coding's ";") say q=0.
func zeroQ(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		val = strings.TrimSpace(val)
		return strings.Trim(strings.TrimPrefix(val, "0"), ".0") == "" && strings.HasPrefix(val, "0")
	}
	return false
}

// recorder keeps a handler's answer in memory.
type recorder struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	overflow bool // larger than maxBodyBytes: not kept
	onHit    func(h Hit, status int)
	// What Scope and Unscoped registered.
	scopes             []string
	scoped, everything bool
}

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(code int) {
	if rc.status == 0 {
		rc.status = code
	}
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	if rc.body.Len()+len(b) > maxBodyBytes {
		rc.overflow = true
	}
	return rc.body.Write(b)
}

// replay writes an answer that is not kept to the client as recorded. It
// was rendered without the client's conditional and encoding headers, so
// it goes out whole and plain.
func (rc *recorder) replay(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	clear(h)
	for name, vals := range rc.header {
		h[name] = vals
	}
	if rc.header.Get("Content-Encoding") == "" && rc.status != http.StatusNoContent && rc.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(rc.body.Len()))
	}
	w.WriteHeader(rc.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rc.body.Bytes())
	}
	if rc.onHit != nil {
		rc.onHit(RequestHit(r), rc.status)
	}
}
