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
package web
