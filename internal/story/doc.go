// Package story is the "understand" stage's judgement of what belongs
// together: near-duplicate fingerprints (the same wire copy republished with
// a new headline) and online story clustering (a dozen sources' reports of
// one event, in any of the edition languages).
//
// Everything here is pure computation on text: no store, no network. The
// pipeline feeds it articles as they arrive and keeps its results; the
// offline `spektrum cluster` command runs the very same Clusterer with the
// same Options, so figures measured offline hold for the pipeline.
package story
