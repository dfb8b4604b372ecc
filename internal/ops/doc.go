// Package ops owns what an editor does: add a source (probing and
// discovering its feed first), import and export source lists, edit, pause,
// resume and remove sources, queue a fetch now; correct, move, hide and pin
// articles; add accounts; add, rename (per edition), order and remove
// sections. The CLI and the admin are its front doors; neither touches the
// store for these, and the operations on accounts and sections write the
// audit log themselves.
//
// Every refusal is an *Error with a stable Code and the facts (URL, source
// id, the underlying error) as fields, never a sentence written for one
// front door: the CLI turns a code into a hint ("use --force"), the admin
// into a form message in the edition's language. Nothing here names a CLI
// flag or a setting.
//
// Package ops/view holds the one JSON shape of a source, for `sources list
// --json` and /api/v1/sources alike, and the short category of a failure
// that public answers carry instead of the raw error text; Classify derives
// that category from a typed error.
package ops
