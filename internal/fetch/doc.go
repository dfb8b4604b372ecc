// Package fetch is Spektrum's only way out to the network.
//
// It owns everything that decides whether, when and how a URL may be
// requested: the SSRF guard (checked on every IP actually dialled, so DNS
// rebinding and redirects into private networks are caught), robots.txt,
// per-host concurrency and pacing, conditional GET, redirects, size and time
// limits, transparent decompression, and decoding bodies to UTF-8.
//
// It must not interpret what it fetches (feeds, articles, metadata belong to
// feed and extract), must not store anything beyond its in-memory caches, and
// must not retry on its own: callers decide about retries from the Error kind,
// IsPermanent and RetryAfter, because only they know the job's schedule.
package fetch
