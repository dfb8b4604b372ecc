// Package admin is the newsroom in the browser: sign-in, accounts and
// roles, sources and the audit log, server-rendered and usable without
// JavaScript. It is a front door like the CLI: what an editor does goes
// through internal/ops (the newsletter's exports, erasures, previews and
// sends through internal/newsletter's own operations, as its CLI does);
// this package owns only what is HTTP's — sessions,
// CSRF, sign-in throttling, forms and pages — and reads the store through
// its own small Store interface.
//
// Security, in one place:
//   - Passwords are argon2id (internal/auth); an unknown e-mail costs the
//     same hashing as a wrong password and gets the same answer.
//   - Sessions live in the database (any web node accepts them), as a hash
//     of their token; a new one is made at every sign-in (rotation), and
//     sign-out, idle (2 h) and absolute (12 h) timeouts end them server-side.
//     The cookie is HttpOnly, SameSite=Lax, and Secure (with the __Host-
//     prefix) when the public URL is https.
//   - Every state-changing request is a POST that must come from our own
//     origin (Sec-Fetch-Site, else Origin) and carry the session's
//     synchronizer token (before sign-in: a double-submit cookie).
//   - Failed sign-ins are counted per account and per client address in
//     the database; over the limit the answer is 429, for known and unknown
//     e-mails alike.
//   - Editors are refused (403) the admin-only pages: users, audit log,
//     editions (translation spending).
package admin
