package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The UI strings live in message catalogues, one JSON file per language
// (locales/active.LANG.json), read by go-i18n: English is the complete
// reference; a key missing in another language falls back to English and
// then to the key itself, so a gap is visible, not empty. Messages take fmt
// verbs (%s) for their arguments; plural messages ("articles.count") use
// go-i18n's CLDR plural rules. Numbers are formatted by x/text/message in the
// edition's locale, dates with the catalogue's format and month names.
//
//go:embed locales/*.json
var localeFS embed.FS

// catalog holds one localizer per catalogue language; built once in New.
type catalog struct {
	bundle *i18n.Bundle
	locs   map[string]*i18n.Localizer
	langs  []string // languages with a catalogue
}

func newCatalog() (*catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/active.*.json")
	if err != nil {
		return nil, fmt.Errorf("web: list message catalogues: %w", err)
	}
	c := &catalog{bundle: b, locs: map[string]*i18n.Localizer{}}
	for _, f := range files {
		data, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("web: read %s: %w", f, err)
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("web: parse message catalogue %s: %w", f, err)
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(f, "locales/active."), ".json")
		c.langs = append(c.langs, lang)
		c.locs[lang] = i18n.NewLocalizer(b, lang, "en")
	}
	if c.locs["en"] == nil {
		return nil, fmt.Errorf("web: the English message catalogue (locales/active.en.json) is missing")
	}
	return c, nil
}

func (c *catalog) localizer(lang string) *i18n.Localizer {
	if l, ok := c.locs[baseLang(lang)]; ok {
		return l
	}
	return c.locs["en"]
}

// lookup returns the message for key in lang (or English), and whether one exists.
func (c *catalog) lookup(lang, key string) (string, bool) {
	msg, err := c.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: key})
	if err != nil || msg == "" {
		return key, false
	}
	return msg, true
}

// T returns the text for key in lang, falling back to English and then to
// the key itself. With args the text is a fmt format.
func (c *catalog) T(lang, key string, args ...any) string {
	msg, _ := c.lookup(lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Number formats n with lang's digit grouping ("1,234", "1.234", "1 234").
func (c *catalog) Number(lang string, n int) string {
	return message.NewPrinter(language.Make(baseLang(lang))).Sprintf("%d", n)
}

// N returns a plural message for n, e.g. "articles.count": "1 article", "3 Artikel".
func (c *catalog) N(lang, key string, n int) string {
	msg, err := c.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n,
		TemplateData: map[string]string{"Count": c.Number(lang, n)}})
	if err != nil {
		return fmt.Sprintf("%s %s", c.Number(lang, n), key)
	}
	return msg
}

// Date formats t with lang's date layout and month names.
func (c *catalog) Date(lang string, t time.Time) string {
	return c.format(lang, t, "date.format")
}

// DateTime formats t with lang's date-and-time layout and month names.
func (c *catalog) DateTime(lang string, t time.Time) string {
	return c.format(lang, t, "datetime.format")
}

func (c *catalog) format(lang string, t time.Time, key string) string {
	out := t.Format(c.T(lang, key))
	// Go's layouts print English month names; the catalogue has the
	// edition's (in the form a date needs, e.g. Polish genitive).
	en := t.Month().String()
	if local, ok := c.lookup(lang, fmt.Sprintf("month.%d", int(t.Month()))); ok && local != en {
		out = strings.Replace(out, en, local, 1)
	}
	return out
}

// Has reports whether the catalogue (or English) has key.
func (c *catalog) Has(lang, key string) bool {
	_, ok := c.lookup(lang, key)
	return ok
}

// baseLang reduces "de-AT" or "de_AT" to "de".
func baseLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	return lang
}
