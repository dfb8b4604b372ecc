// Package settings owns the outlet's settings an admin edits in the admin:
// what each setting's key in the store is, what a valid value is, how the
// stored values, the flags' defaults and the catalogue's texts combine into
// what an edition shows (its name, tagline, disclaimer, social links), and
// how an ad slot is cleaned and drawn.
//
// It is pure: it reads and writes nothing itself (ops saves, web and the
// admin read through their stores), and it never decides who may change a
// setting.
package settings
