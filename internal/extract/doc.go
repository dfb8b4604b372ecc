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
//
// The body is found in stages, each a rule that holds across sites and
// languages rather than a rule for one site:
//
//  1. metadata is read from the untouched tree (metadata.go, dates.go);
//  2. the tree is cleared of what is never the story: containers named as
//     chrome, runs of linked headlines (teaser lists), captions and the
//     text of figures (boilerplate.go); the spaces next to inline elements
//     are marked so trafilatura's trimming cannot glue words (space.go);
//  3. go-trafilatura extracts, with its go-readability and go-domdistiller
//     fallbacks (extract.go);
//  4. the result is cleaned block by block: chrome phrases in the major
//     European languages, datelines, "follow us", newsletter calls, the
//     headline and kicker, trailing labels (boilerplate.go); schema.org
//     articleBody votes out blocks it disowns (votes.go); a SiteProfile,
//     when the caller has one, removes blocks the site repeats on every
//     page (site.go); the pictures that sit between the story's
//     paragraphs and the links and emphasis of its paragraphs are put back
//     in place (restore.go).
//
// docs/benchmarks.md records what each stage is worth on the article
// extraction benchmark and on the labelled corpus in testdata/corpus.
package extract
