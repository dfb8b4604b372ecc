// Package pagecache keeps rendered reader pages in memory, pre-compressed,
// so a page that many readers want costs one rendering per change instead
// of one per request. It owns the cache, its invalidation and the purge
// hook; it knows nothing of what a page shows (internal/web decides which
// routes opt in, and the store's triggers decide what is a change).
//
// How it stays correct:
//
//   - Every entry is stamped with the site's page generation, a counter in
//     the database that the schema's triggers advance in the same
//     transaction as every write that changes what readers see (migration
//     0013). Each web node reads it every Poll (250 ms by default) and
//     serves entries only of the generation it read, and only while its
//     last successful read started less than Stale (1 s) ago: a change
//     committed through any node or worker is visible on every node within
//     Stale. A request that finds the last read older than Stale (Run's
//     reads late on a starved node) reads the generation itself, one read
//     shared by all such requests, and is then answered from memory as
//     usual. Only if the database cannot be read does the cache step
//     aside: every request is rendered afresh (Stats.Aside counts them,
//     and each episode is logged).
//   - The one exception keeps readers from queueing behind renderings on a
//     site whose generation moves several times a second (ingest): the
//     copy of an ended generation may answer until Stale after the start
//     of the last read that found that generation current. A change was
//     committed after that read began, so it still shows within Stale.
//     Within that time the page is rendered anew once, not at every move:
//     when the copy's deadline is near (Stale/4 before it, or twice the
//     last rendering's time, at most Stale/2), or sooner if the copy was
//     made longer than Stale less that lead ago. So a page is rendered at
//     most about once per ¾ s however often the generation moves, a change
//     to a page not rendered that recently is rendered at once, and the
//     readers arriving during a rendering get the copy instead of waiting.
//     The reader who finds the copy due gets it too, and the page is
//     rendered in the background, when the copy may still answer as it
//     is: before its deadline and less than Stale after its own rendering
//     began (or, for a page of the current generation, past its MaxAge).
//     A reader who waited for that rendering held its connection for as
//     long as it took, and a closed-loop client (wrk) counts such a stall
//     as all the requests it could not send meanwhile: at ~2 moves a
//     second its p99 was 100× the idle one (docs/benchmarks.md, "Load
//     while working, sixth pass"). So is a busy page's copy rendered
//     longer ago (one kept across moves by its scopes) that a reader got
//     as current within the last Stale/4. A quiet page's copy, rendered
//     longer ago and not read lately, is still rendered for its first
//     reader, so an editor who saves and reloads sees the change.
//   - Stale-while-revalidate, within MaxStale (5 × Stale, 5 s): on a node
//     so loaded that rendering a page takes longer than the lead, the copy
//     reaches its deadline before the new rendering is done. Readers who
//     arrive while that rendering is under way get the copy (up to
//     MaxStale after the changes it lacks) rather than queueing behind it,
//     and a rendering that ends late is kept, not dropped, for the readers
//     of the next one; a reader who finds no rendering under way and a
//     copy past its deadline renders the page, and one with no copy left waits only for a rendering that
//     began within Stale before it came. So the bound is Stale for a
//     reader no rendering of the page is under way for (a quiet page, or
//     a node that renders in time), and MaxStale for the others.
//   - Scoped generations (migration 0032): the writes of articles,
//     translations and stories also record the scopes they touch beside
//     the generation they make ("article:<id>", "section:<slug>",
//     "story:<id>"), read with the generation in one statement
//     (ScopedStore). A page that registers what it shows while rendering
//     (Scope, as the article page does) is stamped with the new generation
//     when the moves a read found touched none of its scopes: it is what a
//     rendering now would make, so it stays current instead of becoming
//     an ended generation's copy. Any other move (sections, sources,
//     settings, a purge, a visible-article count crossing zero), a move
//     whose scopes were pruned or lie further back than this node reads,
//     and a page that registered nothing or called Unscoped (an article
//     page whose related list the site's newest fill): everything, as
//     before. Front, section, story pages, feeds and the API stay
//     unscoped. The bound is unchanged for what a scope names; a scope a
//     page leaves out is a change it shows only after MaxAge, so a page
//     registers every scope of what it read. A database that lost commits
//     (a PostgreSQL crash under asynchronous commit, seen as a new epoch
//     of ScopedStore, or the generation going back) ends every entry.
//   - Entries also expire after MaxAge (60 s; 10 s for errors and
//     redirects), which bounds what no write announces: Trending moving
//     with views, the clock-driven windows of the news sitemap, the sign-up
//     form's issue time, and, on a page kept by its scopes, every input
//     not in the database: an image that failed or whose size became
//     known, the clock (relative dates). Such a page used to be rendered
//     anew at the next move, within about a second while ingesting; kept,
//     it shows them up to MaxAge (60 s) late.
//   - Only what a route opts into is cached (Route), and only a complete
//     200, 301, 308, 404 or 410 answer without Set-Cookie or a no-store or
//     private Cache-Control. Pages with per-reader content (a form with a
//     session's CSRF token, the admin) must not opt in.
//
// How it stays cheap: a hit is answered by Front before the router, the
// security middleware and the handlers run: one map lookup under a mutex,
// headers and both bodies (identity and gzip) prepared when the entry was
// built, the ETag computed once. No template, no database, no hashing, no
// compression per request. Concurrent misses of one key wait for a single
// rendering. Memory is bounded by MaxBytes, least recently used first out.
// Each entry also keeps its answers as raw HTTP/1.1 bytes (status line
// and headers written by net/http's own Header.WriteSubset), so that
// AppendHit can answer a request read without net/http (internal/front)
// with the very bytes Front sends.
//
// Pages that count something per view (the article page's Trending count)
// register a hook with OnHit while rendering; the cache calls it for every
// answer it serves from that entry, with the status sent (200 or 304).
package pagecache
