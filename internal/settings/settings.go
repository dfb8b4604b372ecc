package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"spektrum/internal/extract"
	"spektrum/internal/weburl"
)

// Keys of the settings in the store. A text's key for one edition is
// key + "." + the edition's language ("tagline.de"); the plain key is the
// text of every edition without its own.
const (
	KeyName          = "name"
	KeyTagline       = "tagline"
	KeyDisclaimer    = "disclaimer"
	KeySocial        = "social"         // JSON: [{"network","url"}]
	KeyScriptOrigins = "script_origins" // one origin a line
)

// Lengths of the texts, in characters.
const (
	MaxName       = 100
	MaxTagline    = 200
	MaxDisclaimer = 1000
	MaxSocial     = 20
	MaxOrigins    = 20
)

// Text is what an edition says about the outlet; "" means the default.
type Text struct {
	Name, Tagline, Disclaimer string
}

// Social is one "connect with us" link.
type Social struct {
	Network string `json:"network"` // one of Networks' IDs
	URL     string `json:"url"`     // absolute http(s)
}

// Site is every setting as stored; zero values mean the defaults (flags,
// then the catalogue).
type Site struct {
	All      Text            // every edition's, where it has none of its own
	Editions map[string]Text // per edition language
	Social   []Social
	// ScriptOrigins are the origins ("https://host[:port]") an admin
	// allowed ad scripts and frames from; they are added to the CSP of
	// pages that show an ad.
	ScriptOrigins []string
}

// Network is a social network a link may name; Name is its brand, the
// same in every language.
type Network struct{ ID, Name string }

// Networks are the networks offered, in the order the footer lists them.
var Networks = []Network{
	{"mastodon", "Mastodon"}, {"bluesky", "Bluesky"}, {"threads", "Threads"}, {"x", "X (Twitter)"},
	{"facebook", "Facebook"}, {"instagram", "Instagram"}, {"linkedin", "LinkedIn"}, {"youtube", "YouTube"},
	{"tiktok", "TikTok"}, {"telegram", "Telegram"}, {"whatsapp", "WhatsApp"}, {"other", "Website"},
}

// NetworkName is the brand of network id ("" for one not offered).
func NetworkName(id string) string {
	for _, n := range Networks {
		if n.ID == id {
			return n.Name
		}
	}
	return ""
}

// Decode reads the stored key/value pairs. Values it cannot read (a
// social list that is not JSON, an origin no longer valid) are left out
// rather than shown.
func Decode(kv map[string]string) Site {
	s := Site{All: Text{Name: kv[KeyName], Tagline: kv[KeyTagline], Disclaimer: kv[KeyDisclaimer]}, Editions: map[string]Text{}}
	for k, v := range kv {
		key, lang, ok := strings.Cut(k, ".")
		if !ok || lang == "" {
			continue
		}
		t := s.Editions[lang]
		switch key {
		case KeyName:
			t.Name = v
		case KeyTagline:
			t.Tagline = v
		case KeyDisclaimer:
			t.Disclaimer = v
		default:
			continue
		}
		s.Editions[lang] = t
	}
	var social []Social
	if v := kv[KeySocial]; v != "" && json.Unmarshal([]byte(v), &social) == nil {
		for _, l := range social {
			if NetworkName(l.Network) != "" && weburl.Valid(l.URL) {
				s.Social = append(s.Social, l)
			}
		}
	}
	for _, line := range strings.Split(kv[KeyScriptOrigins], "\n") {
		if o, ok := extract.ParseOrigin(line); ok {
			s.ScriptOrigins = append(s.ScriptOrigins, o)
		}
	}
	return s
}

// For is what edition lang shows: its own text, else every edition's,
// else the defaults given (the flags'; "" where the caller's catalogue
// has its own default).
func (s Site) For(lang string, def Text) Text {
	own := s.Editions[lang]
	return Text{
		Name:       first(own.Name, s.All.Name, def.Name),
		Tagline:    first(own.Tagline, s.All.Tagline, def.Tagline),
		Disclaimer: first(own.Disclaimer, s.All.Disclaimer, def.Disclaimer),
	}
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// FieldError is a value refused, with the field it was given for.
type FieldError struct {
	Field string // "name", "tagline", "disclaimer", "social", "origin", "placement", …
	Value string
	Err   error
	// Limit is the most allowed, for ErrTooLong (characters) and
	// ErrTooMany (entries); 0 where unknown.
	Limit int
}

// fieldNames say a field in words, for Error.
var fieldNames = map[string]string{
	KeyName: "the name", KeyTagline: "the tagline", KeyDisclaimer: "the disclaimer", "network": "the link's network",
	"social": "the link", "origin": "the script origin", "ad-name": "the ad's name", "placement": "the placement",
	"edition": "the edition", "kind": "the ad's kind", "html": "the ad's HTML", "image": "the picture's address",
	"link": "the ad's link", "alt": "the picture's text alternative",
}

// Error reads as one sentence that stands alone (the CLI prints it; the
// admin says the same in the UI's language from Field and Value).
func (e *FieldError) Error() string {
	what := fieldNames[e.Field]
	if what == "" {
		what = e.Field
	}
	switch {
	case errors.Is(e.Err, ErrTooLong) && e.Limit > 0 && e.Value == "":
		return fmt.Sprintf("%s is too long: at most %d characters", what, e.Limit)
	case errors.Is(e.Err, ErrTooLong) && e.Limit > 0:
		return fmt.Sprintf("%s is too long: %d characters, at most %d", what, utf8.RuneCountInString(e.Value), e.Limit)
	case errors.Is(e.Err, ErrTooMany) && e.Limit > 0:
		return fmt.Sprintf("too many entries for %s: %s, at most %d", what, e.Value, e.Limit)
	case errors.Is(e.Err, ErrRequired):
		return what + " is required"
	case errors.Is(e.Err, ErrNotWebURL):
		return fmt.Sprintf("%s %q is not an http(s) address: it must start with https:// or http://", what, e.Value)
	case errors.Is(e.Err, ErrNotOrigin):
		return fmt.Sprintf("%s %q is not an https origin such as https://ads.example.net (no path, no wildcard, no http)", what, e.Value)
	case errors.Is(e.Err, ErrBadContent):
		return what + " is empty once cleaned: nothing of it may be shown"
	}
	return fmt.Sprintf("%s %q %v", what, e.Value, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Reasons a value is refused.
var (
	ErrTooLong    = errors.New("is too long")
	ErrNotWebURL  = errors.New("is not an http(s) address")
	ErrNotOrigin  = errors.New("is not an https origin (https://host, no path)")
	ErrUnknown    = errors.New("is not one of the values offered")
	ErrTooMany    = errors.New("too many")
	ErrRequired   = errors.New("is required")
	ErrNoEdition  = errors.New("is not an edition of this site")
	ErrBadContent = errors.New("is empty once cleaned")
)

// CleanText makes a text one line of plain text (control characters and
// runs of white space become one space) and checks its length. HTML in it
// stays text: pages escape it.
func CleanText(field, v string, limit int) (string, error) {
	v = strings.Join(strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(v) > limit {
		return "", &FieldError{Field: field, Value: v, Err: ErrTooLong, Limit: limit}
	}
	return v, nil
}

// CleanTexts cleans a Text for the store.
func CleanTexts(t Text) (Text, error) {
	var err error
	if t.Name, err = CleanText(KeyName, t.Name, MaxName); err != nil {
		return t, err
	}
	if t.Tagline, err = CleanText(KeyTagline, t.Tagline, MaxTagline); err != nil {
		return t, err
	}
	t.Disclaimer, err = CleanText(KeyDisclaimer, t.Disclaimer, MaxDisclaimer)
	return t, err
}

// Values are t's store keys for edition lang ("" for every edition),
// ready for SaveSettings ("" deletes a key: the default applies again).
func (t Text) Values(lang string) map[string]string {
	suffix := ""
	if lang != "" {
		suffix = "." + lang
	}
	return map[string]string{KeyName + suffix: t.Name, KeyTagline + suffix: t.Tagline, KeyDisclaimer + suffix: t.Disclaimer}
}

// CleanSocial checks links: a network offered and an absolute http(s)
// URL each; rows with neither are dropped (an empty form row).
func CleanSocial(links []Social) ([]Social, error) {
	var out []Social
	for _, l := range links {
		l.Network, l.URL = strings.TrimSpace(l.Network), strings.TrimSpace(l.URL)
		if l.Network == "" && l.URL == "" {
			continue
		}
		if NetworkName(l.Network) == "" {
			return nil, &FieldError{Field: "network", Value: l.Network, Err: ErrUnknown}
		}
		if !weburl.Valid(l.URL) || len(l.URL) > 2000 {
			return nil, &FieldError{Field: "social", Value: l.URL, Err: ErrNotWebURL}
		}
		out = append(out, l)
	}
	if len(out) > MaxSocial {
		return nil, &FieldError{Field: "social", Value: fmt.Sprint(len(out)), Err: ErrTooMany, Limit: MaxSocial}
	}
	return out, nil
}

// SocialValue is links as stored ("" for none).
func SocialValue(links []Social) string {
	if len(links) == 0 {
		return ""
	}
	b, _ := json.Marshal(links) // plain strings cannot fail
	return string(b)
}

// ParseOrigins reads the allowed script origins, one a line (or separated
// by spaces or commas); each must be an https origin.
func ParseOrigins(text string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		o, ok := extract.ParseOrigin(f)
		if !ok {
			return nil, &FieldError{Field: "origin", Value: f, Err: ErrNotOrigin}
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) > MaxOrigins {
		return nil, &FieldError{Field: "origin", Value: fmt.Sprint(len(out)), Err: ErrTooMany, Limit: MaxOrigins}
	}
	return out, nil
}

// OriginsValue is origins as stored.
func OriginsValue(origins []string) string { return strings.Join(origins, "\n") }
