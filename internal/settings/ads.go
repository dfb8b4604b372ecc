package settings

import (
	"html"
	"html/template"
	"slices"
	"strings"

	nethtml "golang.org/x/net/html"

	"spektrum/internal/extract"
	"spektrum/internal/store"
	"spektrum/internal/weburl"
)

// Placements are where an ad slot can show, in page order.
var Placements = []string{
	PlaceFrontTop, PlaceFrontMiddle, PlaceSidebar, PlaceArticleBelow,
}

// Placements.
const (
	PlaceFrontTop     = "front-top"     // the front page, above the first story
	PlaceFrontMiddle  = "front-middle"  // the front page, between the latest stories and the sections
	PlaceSidebar      = "sidebar"       // beside the front page's stories and under an article's, in the side column
	PlaceArticleBelow = "article-below" // an article page, under the text
)

// Ad kinds.
const (
	KindHTML  = "html"
	KindImage = "image"
)

// Limits of an ad's fields.
const (
	MaxAdName = 100
	MaxAdHTML = 20000
	MaxAdAlt  = 300
)

// CleanAd checks an ad slot and sanitizes its HTML with the allowed
// origins, so what is stored is already what is shown; editions are the
// site's edition languages.
func CleanAd(a *store.AdSlot, origins, editions []string, san *extract.AdSanitizer) error {
	var err error
	if a.Name, err = CleanText("ad-name", a.Name, MaxAdName); err != nil {
		return err
	}
	if a.Name == "" {
		return &FieldError{Field: "ad-name", Err: ErrRequired}
	}
	if !slices.Contains(Placements, a.Placement) {
		return &FieldError{Field: "placement", Value: a.Placement, Err: ErrUnknown}
	}
	if a.Edition != "" && !slices.Contains(editions, a.Edition) {
		return &FieldError{Field: "edition", Value: a.Edition, Err: ErrNoEdition}
	}
	switch a.Kind {
	case KindHTML:
		if len(a.HTML) > MaxAdHTML {
			return &FieldError{Field: "html", Value: "", Err: ErrTooLong, Limit: MaxAdHTML}
		}
		a.HTML = san.Sanitize(a.HTML, origins)
		if strings.TrimSpace(a.HTML) == "" {
			return &FieldError{Field: "html", Err: ErrBadContent}
		}
		a.ImageURL, a.LinkURL, a.Alt = "", "", ""
	case KindImage:
		a.ImageURL, a.LinkURL = strings.TrimSpace(a.ImageURL), strings.TrimSpace(a.LinkURL)
		if !weburl.Valid(a.ImageURL) {
			return &FieldError{Field: "image", Value: a.ImageURL, Err: ErrNotWebURL}
		}
		if !weburl.Valid(a.LinkURL) {
			return &FieldError{Field: "link", Value: a.LinkURL, Err: ErrNotWebURL}
		}
		if a.Alt, err = CleanText("alt", a.Alt, MaxAdAlt); err != nil {
			return err
		}
		if a.Alt == "" {
			return &FieldError{Field: "alt", Err: ErrRequired}
		}
		a.HTML = ""
	default:
		return &FieldError{Field: "kind", Value: a.Kind, Err: ErrUnknown}
	}
	return nil
}

// Removed names what cleaning took out of an ad's HTML: each element
// ("<script>") and attribute ("onclick on <p>") given that the cleaned
// HTML has fewer of, in the order first given. Nothing when cleaning only
// rewrote (quoted attributes, added rel="sponsored noopener"): the front
// doors say "cleaned" only when something was refused.
func Removed(given, cleaned string) []string {
	count := func(s string) ([]string, map[string]int) {
		var order []string
		n := map[string]int{}
		add := func(k string) {
			if n[k] == 0 {
				order = append(order, k)
			}
			n[k]++
		}
		z := nethtml.NewTokenizer(strings.NewReader(s))
		for {
			tt := z.Next()
			if tt == nethtml.ErrorToken {
				return order, n
			}
			if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
				continue
			}
			t := z.Token()
			add("<" + t.Data + ">")
			for _, a := range t.Attr {
				add(a.Key + " on <" + t.Data + ">")
			}
		}
	}
	order, before := count(given)
	_, after := count(cleaned)
	var out []string
	for _, k := range order {
		if before[k] > after[k] {
			out = append(out, k)
		}
	}
	return out
}

// ForPage are the enabled slots of placement shown in edition lang: its
// own and those for every edition, in the store's order.
func ForPage(slots []store.AdSlot, lang, placement string) []store.AdSlot {
	var out []store.AdSlot
	for _, a := range slots {
		if a.Enabled && a.Placement == placement && (a.Edition == "" || a.Edition == lang) {
			out = append(out, a)
		}
	}
	return out
}

// Images is what drawing an ad needs of the media proxy: pictures come
// from our own origin, as the CSP wants (internal/media.Proxy).
type Images interface {
	URL(raw string, width int) string
	HTML(body, sizes string) string
}

// adWidth is the width an image ad is asked for; the slot is at most
// the text column wide.
const adWidth = 960

// Render draws an ad's content (the label is the page's): its HTML
// sanitized again with today's origins (an origin taken off the list
// takes its scripts with it at once), pictures through img; without img
// a picture is not shown, only its link. The result is safe to put in a
// page as it is.
func Render(a store.AdSlot, origins []string, san *extract.AdSanitizer, img Images) template.HTML {
	switch a.Kind {
	case KindHTML:
		body := san.Sanitize(a.HTML, origins)
		if img != nil {
			body = img.HTML(body, "(max-width: 48rem) 100vw, 48rem")
		} else {
			body = stripImages(body)
		}
		return template.HTML(body) // #nosec: sanitized just above
	case KindImage:
		if !weburl.Valid(a.LinkURL) || !weburl.Valid(a.ImageURL) {
			return ""
		}
		link := `<a href="` + html.EscapeString(a.LinkURL) + `" rel="` + extract.AdLinkRel + `">`
		src := ""
		if img != nil && !failed(img, a.ImageURL) {
			src = img.URL(a.ImageURL, adWidth)
		}
		if src == "" {
			return template.HTML(link + html.EscapeString(a.Alt) + `</a>`)
		}
		return template.HTML(link + `<img src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(a.Alt) + `" loading="lazy"></a>`)
	}
	return ""
}

// failed reports a picture the proxy could not serve lately (when it can
// tell): the ad then shows its text alternative as the link, not an empty
// box.
func failed(img Images, raw string) bool {
	f, ok := img.(interface{ Failed(raw string) bool })
	return ok && f.Failed(raw)
}

// stripImages drops <img> tags of sanitized HTML where no proxy can serve
// them (the CSP would block them anyway, leaving a broken box).
func stripImages(body string) string {
	for {
		i := strings.Index(body, "<img ")
		if i < 0 {
			return body
		}
		j := strings.Index(body[i:], ">")
		if j < 0 {
			return body[:i]
		}
		body = body[:i] + body[i+j+1:]
	}
}
