// Package extract turns one fetched HTML page into an Article: the sanitized
// body, its plain text and the page's metadata (title, author, dates, image,
// language, canonical URL, site name, section, description). It also owns the
// HTML sanitizer that every piece of third-party markup passes through before
// it is stored or shown, including feed content when a page cannot be fetched.
//
// The package works on bytes the caller already has: it must never touch the
// network, the store or the clock of the pipeline. Fetching, charset decoding
// and redirects belong to internal/fetch; language identification beyond the
// page's own declaration belongs to internal/lang.
//
// Untrusted input is bounded before any recursive algorithm sees it: pages over
// MaxPageBytes are refused, and the token stream is re-written so that the DOM
// handed to go-trafilatura (and to the sanitizer) is at most maxDepth elements
// deep and holds at most maxElements elements (see bound.go).
package extract
