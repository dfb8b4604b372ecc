package web

import (
	"fmt"
	"strings"
)

// catalog maps language → message key → text. It is built once in New and
// only read afterwards. English is the complete reference edition; a later
// change moves these into per-language message catalogues (de, fr, es, it, pl).
type catalog map[string]map[string]string

func newCatalog() catalog {
	return catalog{"en": {
		"skip":               "Skip to content",
		"nav.home":           "Home",
		"nav.sections":       "Sections",
		"latest":             "Latest",
		"trending":           "Trending",
		"more.section":       "More from %s",
		"older":              "Older articles",
		"newest":             "Back to the newest",
		"empty":              "Nothing has been published here yet.",
		"published":          "Published",
		"updated":            "Updated",
		"by":                 "By %s",
		"source":             "Source",
		"read.original":      "Read the original at %s",
		"share":              "Share this article",
		"share.email":        "E-mail",
		"share.mastodon":     "Mastodon",
		"share.bluesky":      "Bluesky",
		"share.x":            "X",
		"share.facebook":     "Facebook",
		"share.linkedin":     "LinkedIn",
		"share.whatsapp":     "WhatsApp",
		"share.telegram":     "Telegram",
		"share.link":         "Link to this article",
		"share.copy":         "Copy link",
		"share.copied":       "Copied",
		"related":            "Related articles",
		"feeds":              "Feeds",
		"newsletter":         "Newsletter",
		"feed.rss":           "RSS",
		"feed.atom":          "Atom",
		"feed.json":          "JSON Feed",
		"feed.title.section": "%s — %s",
		"sitemap":            "Sitemap",
		"api":                "API",
		"footer.about":       "Articles are republished from their original sources with a link to each original.",
		"notfound.title":     "Page not found",
		"notfound.text":      "We could not find the page you asked for. It may have moved, or the address may be mistyped.",
		"notfound.home":      "Go to the front page",
		"notfound.latest":    "Latest headlines",
		"badrequest.title":   "This link is not valid",
		"badrequest.text":    "The page link you followed is damaged or out of date.",
		"disclaimer.default": "%[1]s publishes articles from a wide variety of external sources that express a broad spectrum of viewpoints. The positions taken in these articles are not necessarily those of %[1]s.",
		"image.alt":          "Image for: %s",
		"pagination":         "Pagination",
		"date.format":        "2 January 2006",
		"datetime.format":    "2 January 2006, 15:04 MST",
	}}
}

// T returns the text for key in lang, falling back to English and then to the
// key itself (so a missing string is visible, not an empty gap). With args the
// text is a fmt format.
func (c catalog) T(lang, key string, args ...any) string {
	msg, ok := c[baseLang(lang)][key]
	if !ok {
		if msg, ok = c["en"][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// baseLang reduces "de-AT" or "de_AT" to "de".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}
