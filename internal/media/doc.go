// Package media is Spektrum's image proxy, in the manner of Miniflux's
// mediaproxy: pages never point readers' browsers at third-party servers.
// An image URL on a page becomes a signed same-origin URL
// (/media/{signature}/{base64url(url)}?w=640); the Proxy checks the
// signature, fetches the original through the guarded fetch client (size
// and time limits, no private networks, redirects re-checked), makes sure
// it really is a JPEG, PNG, GIF or WebP (SVG is refused: it can carry
// script), refuses images over a pixel limit before decoding them, resizes
// to the few widths pages ask for, and keeps originals and variants in a
// bounded cache directory per node, rebuildable at any time.
//
// It must not store anything in the database (the signing secret is the
// caller's) and must not follow what the images are used for: which image
// a page shows, and at which widths, is the web package's choice.
package media
