package web

import (
	"net/url"
	"strings"
)

// shareLink is one plain share link: no script, no button widget, no request
// to the network until the reader clicks.
type shareLink struct{ Key, Href string }

// mastodonShare is Share₂Fedi (https://github.com/kytta/share2fedi): Mastodon
// has no central share URL because every reader lives on their own instance,
// and Share₂Fedi asks for the instance in a plain HTML form that works with
// JavaScript disabled, then forwards to that instance's /share?text= page.
const mastodonShare = "https://s2f.kytta.dev/?text="

// shareLinks builds every share link for an article. Values are percent-
// encoded with %20 for spaces: "+" means a space only in form encoding, and
// mailto: (RFC 6068) and several share endpoints would show a literal "+".
func shareLinks(title, link string) []shareLink {
	q := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	both := q(title + " " + link)
	return []shareLink{
		{"share.email", "mailto:?subject=" + q(title) + "&body=" + q(link)},
		{"share.mastodon", mastodonShare + both},
		{"share.bluesky", "https://bsky.app/intent/compose?text=" + both},
		{"share.x", "https://twitter.com/intent/tweet?url=" + q(link) + "&text=" + q(title)},
		{"share.facebook", "https://www.facebook.com/sharer/sharer.php?u=" + q(link)},
		{"share.linkedin", "https://www.linkedin.com/sharing/share-offsite/?url=" + q(link)},
		{"share.whatsapp", "https://wa.me/?text=" + both},
		{"share.telegram", "https://t.me/share/url?url=" + q(link) + "&text=" + q(title)},
	}
}
