// Package front is a web node's listener. It answers the requests the
// page cache holds itself, without net/http, and hands every other
// connection, untouched, to a net/http server that answers as if it had
// accepted it.
//
// Why: a page-cache hit costs ~2 µs of Spektrum's own work, and net/http
// around it ~100 µs of the machine per request (a request and header map,
// a context, a background read per request, one goroutine wake-up more);
// measured on 2 cores, net/http serving bytes from memory did 0.3–0.45×
// nginx's requests/s (docs/benchmarks.md, "Reader pages, second pass").
// A loop that reads the request head, looks the page up and writes the
// prepared answer in one write does what nginx does for a static file.
//
// What it answers: only a plain HTTP/1.1 GET or HEAD with an origin-form
// target whose path needs no unescaping, exactly one valid Host, no body
// (no Content-Length, Transfer-Encoding or Expect), no Upgrade, no
// Connection but keep-alive, every line ending in CRLF, no folded or
// malformed header, the head within readSize bytes; and only when the
// page cache has the page fresh (pagecache.Cache.AppendHit, the same bytes
// net/http would write). Anything else, a miss included, is handed to
// net/http with the very bytes received, the current request first, so
// the site's handler, limits and error answers apply unchanged, including
// the rejection of ambiguous framing that request smuggling relies on.
// A connection handed over stays with net/http until it closes.
//
// The http.Server's timeouts apply on the fast path too: ReadHeaderTimeout
// for a request head, IdleTimeout between requests, WriteTimeout for an
// answer. Shutdown stops accepting, closes idle connections, lets answers
// being written finish (saying Connection: close), then shuts net/http
// down gracefully.
package front
