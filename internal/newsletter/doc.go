// Package newsletter owns Spektrum's newsletter: sign-up with double opt-in
// and a recorded consent, the confirmation, preference, unsubscribe, export
// and erase links, the digests per edition, section and frequency, their
// delivery over SMTP with a per-recipient send log, and bounce handling.
//
// Everything a reader can do goes through signed links (HMAC-SHA256 with the
// outlet's secret), so there are no sessions and no passwords. Nothing but
// the confirmation mail is ever sent to an address before it is confirmed.
//
// It reads articles and writes its own tables through only the store
// methods its Store interface names, renders its own pages and mails, and
// is mounted on the site by internal/app. It must not import internal/web
// or the pipeline.
package newsletter
