package web

import (
	"net/url"
	"strings"
)

// shareLink is one plain share link: no script, no button widget, no request
// to the network until the reader clicks.
// Name is the network ("email", "x"), which names the link's class
// (share-email) and its label's catalogue key (share.email).
type shareLink struct{ Name, Href string }

// Key is the catalogue key of the link's label.
func (l shareLink) Key() string { return "share." + l.Name }

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
		{"email", "mailto:?subject=" + q(title) + "&body=" + q(link)},
		{"mastodon", mastodonShare + both},
		{"bluesky", "https://bsky.app/intent/compose?text=" + both},
		{"x", "https://twitter.com/intent/tweet?url=" + q(link) + "&text=" + q(title)},
		{"facebook", "https://www.facebook.com/sharer/sharer.php?u=" + q(link)},
		{"linkedin", "https://www.linkedin.com/sharing/share-offsite/?url=" + q(link)},
		{"whatsapp", "https://wa.me/?text=" + both},
		{"telegram", "https://t.me/share/url?url=" + q(link) + "&text=" + q(title)},
	}
}
