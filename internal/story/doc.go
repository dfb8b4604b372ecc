// Package story is the "understand" stage's judgement of what belongs
// together: near-duplicate fingerprints (the same wire copy republished with
// a new headline) and online story clustering (a dozen sources' reports of
// one event, in any of the edition languages).
//
// Everything here is pure computation on text: no store, no network. The
// pipeline's dedupe stage signs every stored article (TextSignature). The
// online clustering step (Assign) runs against a State: Clusterer keeps it
// in memory for the offline `spektrum cluster` command, the pipeline's
// story stage keeps it in the database. Both use DefaultOptions, so figures
// measured offline hold in the pipeline.
package story
