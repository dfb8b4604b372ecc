// Package feed turns fetched bytes into items: it detects and parses RSS
// 0.9x/1.0/2.0, Atom, JSON Feed, sitemaps, sitemap indexes and Google News
// sitemaps into one domain model (Feed, Item), and discovers feed links in
// HTML pages (Discover).
//
// The package owns format detection, character-set repair, URL resolution and
// the mapping from wire formats to the model. It must not touch the network:
// callers fetch and pass bytes, and probe the guessed links Discover returns.
// It does not sanitize HTML either: Summary and Content are passed on exactly
// as the publisher wrote them, and the extract stage sanitizes. Every URL it
// returns (item links, images, the site link, child sitemaps, discovered
// feeds) is resolved against the document and passes weburl's http(s)-only
// rule; anything else is dropped, never passed on.
//
// Memory: before any parser sees a body, its shape is bounded (package
// bound; limitsFor in shape.go): nesting depth, elements or JSON values,
// attributes, namespaces in scope, the longest text and the longest element.
// A body over a bound is refused with ErrTooComplex, having cost under 1 MB
// however hostile its 20 MB; the costliest body the bounds accept (20 MB of
// content at the limits) peaks under 128 MB of heap above the body itself,
// garbage not yet collected included (TestHostileFeedMemory measures both).
package feed
