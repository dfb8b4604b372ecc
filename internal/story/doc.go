// Package story is the "understand" stage's judgement of what belongs
// together: near-duplicate fingerprints (the same wire copy republished with
// a new headline) and online story clustering (a dozen sources' reports of
// one event, in any of the edition languages).
//
// Everything here is pure computation on text: no store, no network. The
// pipeline's dedupe stage signs every stored article (TextSignature); the
// clusterer is run by the offline `spektrum cluster` command with
// DefaultOptions, the settings the pipeline's story stage is to use when it
// is built, so figures measured offline will hold there.
package story
