// Package web is Spektrum's reader-facing publisher: the server-rendered
// website (home, sections, articles, a helpful 404), the output feeds (RSS 2.0,
// Atom 1.0, JSON Feed 1.1 for the home and every section), the sitemaps and
// robots.txt, and the read-only JSON API.
//
// It only reads from store.Store (plus the anonymous view counter behind
// Trending); it never fetches, extracts or translates. Article bodies arrive
// already sanitized by the extract stage and are rendered as trusted HTML;
// everything else goes through html/template's contextual escaping.
//
// Pages carry no third-party requests, no trackers and no inline scripts or
// styles, so the Content-Security-Policy can stay strict. Every UI string
// goes through one lookup (see strings.go) so that language editions can be
// added as catalogues later without touching the templates.
package web
