// Package web is Spektrum's reader-facing publisher: the server-rendered
// website (home, sections, articles, a helpful 404) once per language edition
// under /{lang}/, the output feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1 for every
// edition's home and sections), the sitemaps with hreflang alternates and
// robots.txt, and the read-only JSON API (?lang= for an edition).
//
// It only reads, through the few store methods its Store interface names
// (plus the anonymous view counter behind Trending, ViewStore); it never
// fetches, extracts or translates. Article bodies arrive
// already sanitized by the extract stage and are rendered as trusted HTML;
// everything else goes through html/template's contextual escaping.
//
// Pages carry no third-party requests, no trackers and no inline scripts or
// styles, so the Content-Security-Policy can stay strict: pictures come
// through the media proxy (Config.Images, internal/media) as same-origin
// URLs, never from the publishers' servers. Every UI string
// goes through the message catalogues (internal/i18n), so a new
// language is a new catalogue file, not a template change; what an edition
// shows of an article (translation, note, section names) is
// internal/edition's to decide.
//
// # The page cache
//
// With Config.Cache set (serve sets it, internal/pagecache), the answers of
// the routes that opt in are kept in memory per web node, gzipped once,
// and served before the router runs; they are rendered again when the
// database's page generation moves (any write that changes what readers
// see, within a second on every node) or after a minute. A route opts in
// by wrapping its handler where routes() registers it:
//
//	mux.Handle("GET "+p+"/story/{id}", s.cached(s.in(ed, s.handleStory)))
//	mux.Handle("GET /api/v1/sources", s.cachedFor(h, sourcesMaxAge)) // shorter life
//
// Opt a route in only when its answer depends on nothing but the path, the
// query and the database's reader-facing content (articles, translations,
// sections, sources' names): not on headers (the root picks an edition by
// Accept-Language), cookies, a session, the reader (the admin, forms with
// a per-session CSRF token) or the clock beyond a minute. A handler may
// still refuse to be kept by answering with Cache-Control: no-store or
// private, or with Set-Cookie; errors other than 404, 410 and permanent
// redirects are never kept, and those only for 10 s. Search pages can opt
// in (the query is part of the key, and memory is bounded). A new table
// whose rows a page shows needs its own trigger bumping page_generation in
// its migration (see migration 0013), or the page stays up to a minute old.
//
// A handler that counts something per view registers it with
// pagecache.OnHit (the article page counts Trending views that way), so
// answers served from memory count too, without a database write.
package web
