package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	gjson "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"spektrum/internal/weburl"
)

// parseXMLFeed parses RSS, RDF and Atom with gofeed's format parsers. The
// format is already known from sniff, so gofeed's own detection (which only
// peeks at the first 4 KB) is bypassed.
func parseXMLFeed(text []byte, kind Format, baseURL string) (*Feed, error) {
	var (
		gf  *gofeed.Feed
		err error
	)
	switch kind {
	case FormatAtom:
		var af *atom.Feed
		if af, err = (&atom.Parser{}).Parse(bytes.NewReader(text)); err == nil {
			gf, err = (&gofeed.DefaultAtomTranslator{}).Translate(af)
		}
	default:
		var rf *rss.Feed
		if rf, err = (&rss.Parser{}).Parse(bytes.NewReader(text)); err == nil {
			// The content scan would pick the first <img> of the body,
			// often a tracking pixel or an author avatar; the extract
			// stage chooses a lead image from the article page instead.
			gf, err = (&gofeed.DefaultRSSTranslator{DisableContentImageScan: true}).Translate(rf)
		}
	}
	if err != nil {
		return nil, xmlError(kind, err)
	}
	return fromGofeed(gf, kind, baseURL), nil
}

// xmlError turns a parser error into ErrMalformed, with the line when the
// XML decoder reported one.
func xmlError(kind Format, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		if strings.Contains(syn.Msg, "unexpected EOF") {
			return fmt.Errorf("%w: %s document ends unexpectedly at line %d; the body is probably truncated (retry the fetch)", ErrMalformed, kind, syn.Line)
		}
		return fmt.Errorf("%w: %s: invalid XML at line %d: %s", ErrMalformed, kind, syn.Line, syn.Msg)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s document ends unexpectedly; the body is probably truncated (retry the fetch)", ErrMalformed, kind)
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, kind, err)
}

// jsonFeedProbe reads just enough of a JSON document to tell a JSON Feed
// from other JSON.
type jsonFeedProbe struct {
	Version string `json:"version"`
}

func parseJSONFeed(text []byte, baseURL string) (*Feed, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, jsonError(text, err)
	}
	var probe jsonFeedProbe
	_ = json.Unmarshal(text, &probe) // a non-string version fails the check below
	if !strings.Contains(probe.Version, "jsonfeed.org/version/") {
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 8 {
			keys = append(keys[:8], "…")
		}
		return nil, fmt.Errorf("%w: JSON object without a JSON Feed version (top-level keys: %s); only JSON Feed 1.0/1.1 is supported", ErrUnknownFormat, strings.Join(keys, ", "))
	}
	jf, err := (&gjson.Parser{}).Parse(bytes.NewReader(text))
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		// The JSON Feed spec tells readers to coerce numeric ids to
		// strings, which gofeed's typed structs cannot do; normalise and
		// retry once.
		if fixed, ok := coerceJSONFeedIDs(text); ok {
			jf, err = (&gjson.Parser{}).Parse(bytes.NewReader(fixed))
		}
	}
	if err != nil {
		return nil, jsonError(text, err)
	}
	gf, err := (&gofeed.DefaultJSONTranslator{}).Translate(jf)
	if err != nil {
		return nil, fmt.Errorf("%w: json: %v", ErrMalformed, err)
	}
	return fromGofeed(gf, FormatJSON, baseURL), nil
}

// coerceJSONFeedIDs rewrites numeric item ids as strings.
func coerceJSONFeedIDs(text []byte) ([]byte, bool) {
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return nil, false
	}
	items, ok := doc["items"].([]any)
	if !ok {
		return nil, false
	}
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if n, ok := m["id"].(json.Number); ok {
				m["id"] = n.String()
			}
		}
	}
	out, err := json.Marshal(doc)
	return out, err == nil
}

// fromGofeed maps gofeed's universal feed into our model: resolves URLs,
// picks images, fills GUID, date and language fallbacks, drops duplicates.
func fromGofeed(gf *gofeed.Feed, kind Format, baseURL string) *Feed {
	if kind == FormatRSS && gf.FeedVersion == "1.0" {
		kind = FormatRDF
	}
	// Atom links were already resolved against xml:base by gofeed, and what
	// remains relative is relative to the document. RSS and JSON Feed have
	// no xml:base; their relative links are site-relative, and the feed may
	// be served from elsewhere (a feed proxy, a CDN), so the channel link
	// is the better base when it is absolute.
	base := baseURL
	siteURL := weburl.Resolve(baseURL, gf.Link)
	if kind != FormatAtom && siteURL != "" {
		base = siteURL
	}
	f := &Feed{
		Format:      kind,
		Title:       clean(gf.Title),
		Description: strings.TrimSpace(gf.Description),
		SiteURL:     weburl.Resolve(base, gf.Link),
		Language:    strings.TrimSpace(gf.Language),
		Items:       make([]Item, 0, len(gf.Items)),
	}
	seen := make(map[string]bool, 2*len(gf.Items))
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := fromGofeedItem(gi, base, f.Language)
		if seen["g:"+it.GUID] || (it.URL != "" && seen["u:"+it.URL]) {
			continue // same entry listed twice: keep the first
		}
		seen["g:"+it.GUID] = true
		if it.URL != "" {
			seen["u:"+it.URL] = true
		}
		f.Items = append(f.Items, it)
	}
	return f
}

func fromGofeedItem(gi *gofeed.Item, base, feedLang string) Item {
	it := Item{
		Title:      clean(gi.Title),
		Summary:    strings.TrimSpace(gi.Description),
		Content:    strings.TrimSpace(gi.Content),
		Published:  utc(gi.PublishedParsed),
		Updated:    utc(gi.UpdatedParsed),
		Author:     authors(gi),
		Categories: categories(gi.Categories),
		Image:      itemImage(gi, base),
		Language:   feedLang,
	}
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	if dc := gi.DublinCoreExt; dc != nil && len(dc.Language) > 0 && strings.TrimSpace(dc.Language[0]) != "" {
		it.Language = strings.TrimSpace(dc.Language[0])
	}

	link := strings.TrimSpace(gi.Link)
	if link == "" {
		for _, l := range gi.Links {
			if l = strings.TrimSpace(l); l != "" {
				link = l
				break
			}
		}
	}
	// Every URL that leaves this package passes weburl's http(s)-only rule:
	// a javascript:, data: or mailto: link is dropped, never stored.
	guid := strings.TrimSpace(gi.GUID)
	it.URL = weburl.Resolve(base, link)
	if it.URL == "" && weburl.Valid(guid) {
		it.URL = guid // RSS guid isPermaLink, or a JSON Feed id that is the URL
	}
	switch {
	case guid != "":
		it.GUID = guid
	case it.URL != "":
		it.GUID = it.URL
	default:
		it.GUID = hashGUID(it)
	}
	return it
}

// hashGUID identifies an entry that has neither GUID nor link. Title and
// date are what a publisher keeps stable; the body is added so that
// distinct untitled, undated entries do not collapse into one.
func hashGUID(it Item) string {
	h := sha256.New()
	h.Write([]byte(it.Title))
	h.Write([]byte{0})
	if !it.Published.IsZero() {
		h.Write([]byte(it.Published.Format(time.RFC3339)))
	}
	h.Write([]byte{0})
	if it.Title == "" {
		h.Write([]byte(it.Summary))
		h.Write([]byte(it.Content))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func authors(gi *gofeed.Item) string {
	var names []string
	add := func(n string) {
		n = strings.TrimSpace(n)
		if n == "" {
			return
		}
		for _, have := range names {
			if strings.EqualFold(have, n) {
				return
			}
		}
		names = append(names, n)
	}
	for _, p := range gi.Authors {
		if p == nil {
			continue
		}
		if p.Name != "" {
			add(p.Name)
		} else {
			add(p.Email)
		}
	}
	// gofeed keeps only the first dc:creator; newspapers list each
	// co-author in its own element.
	if dc := gi.DublinCoreExt; dc != nil {
		for _, c := range dc.Creator {
			add(c)
		}
	}
	return strings.Join(names, ", ")
}

func categories(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, c := range in {
		c = clean(c)
		if c == "" || seen[strings.ToLower(c)] {
			continue
		}
		seen[strings.ToLower(c)] = true
		out = append(out, c)
	}
	return out
}

// itemImage picks the entry's picture, resolved against base: an explicit
// media:content image (the largest when several sizes are offered),
// media:thumbnail, an image enclosure, itunes:image, then whatever gofeed
// found (JSON Feed image, or banner_image when there is none). Candidates
// that are not http(s) are passed over, so a javascript: or data: URL never
// becomes an article's image.
func itemImage(gi *gofeed.Item, base string) string {
	if media, ok := gi.Extensions["media"]; ok {
		contents := append([]ext.Extension(nil), media["content"]...)
		var thumbs []ext.Extension
		thumbs = append(thumbs, media["thumbnail"]...)
		for _, g := range media["group"] {
			contents = append(contents, g.Children["content"]...)
			thumbs = append(thumbs, g.Children["thumbnail"]...)
		}
		for _, c := range contents {
			thumbs = append(thumbs, c.Children["thumbnail"]...)
		}
		if u := largest(contents, base, isImageMedia); u != "" {
			return u
		}
		if u := largest(thumbs, base, func(ext.Extension) bool { return true }); u != "" {
			return u
		}
	}
	for _, e := range gi.Enclosures {
		if e != nil && strings.HasPrefix(strings.ToLower(e.Type), "image/") {
			if u := weburl.Resolve(base, e.URL); u != "" {
				return u
			}
		}
	}
	if gi.ITunesExt != nil {
		if u := weburl.Resolve(base, gi.ITunesExt.Image); u != "" {
			return u
		}
	}
	if gi.Image != nil {
		return weburl.Resolve(base, gi.Image.URL)
	}
	return ""
}

func isImageMedia(e ext.Extension) bool {
	typ, medium := strings.ToLower(e.Attrs["type"]), strings.ToLower(e.Attrs["medium"])
	if medium == "image" || strings.HasPrefix(typ, "image/") {
		return true
	}
	if medium != "" || typ != "" {
		return false
	}
	// Many publishers omit both type and medium; trust the file name.
	u := strings.ToLower(e.Attrs["url"])
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	switch path.Ext(u) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}

// largest returns the resolved http(s) URL of the widest matching
// extension element, the first one when none states a width.
func largest(exts []ext.Extension, base string, ok func(ext.Extension) bool) string {
	best, bestW := "", -1
	for _, e := range exts {
		u := weburl.Resolve(base, e.Attrs["url"])
		if u == "" || !ok(e) {
			continue
		}
		w, err := strconv.Atoi(e.Attrs["width"])
		if err != nil {
			w = 0
		}
		if w > bestW {
			best, bestW = u, w
		}
	}
	return best
}

func utc(t *time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// clean collapses the whitespace runs that pretty-printed feeds leave in
// titles and category names.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
