// Package i18n is the one home of Spektrum's UI text: the message catalogues
// of the site, the newsletter (pages, mails, consent texts) and, next, the
// admin, in go-i18n JSON files (locales/PART.LANG.json), with the number and
// date formats that go with them.
//
// English is the complete reference; a key missing in another language
// falls back to English and then to the key itself, so a gap is visible, not
// empty (TestCatalogues keeps every language complete). Messages take fmt
// verbs (%s) for their arguments; plural messages ("articles.count") use
// go-i18n's CLDR plural rules. Numbers are formatted by x/text/message in the
// language's locale, dates with the catalogue's layout and month names.
//
// It holds text only: which language a page or mail is in is decided by
// its caller (the edition, the subscriber's choice).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"spektrum/internal/lang"
)

//go:embed locales/*.json
var localeFS embed.FS

// Catalog holds one localizer per catalogue language. Build one with New and
// share it; it is safe for concurrent use.
type Catalog struct {
	locs  map[string]*i18n.Localizer
	langs []string                     // languages with a catalogue, English first
	plain map[string]map[string]string // lang → key → text of every non-plural message, English filling gaps
}

// New reads the embedded catalogues.
func New() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list message catalogues: %w", err)
	}
	c := &Catalog{locs: map[string]*i18n.Localizer{}, plain: map[string]map[string]string{}}
	raw := map[string]map[string]any{} // lang → key → message, to list keys
	for _, f := range files {
		data, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", f, err)
		}
		if _, err := b.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("i18n: parse message catalogue %s: %w", f, err)
		}
		var msgs map[string]any
		if err := json.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: parse message catalogue %s: %w", f, err)
		}
		// site.de.json → "de"
		name := strings.TrimSuffix(path.Base(f), ".json")
		l := name[strings.LastIndexByte(name, '.')+1:]
		if raw[l] == nil {
			raw[l] = map[string]any{}
			c.langs = append(c.langs, l)
		}
		for k, v := range msgs {
			if _, dup := raw[l][k]; dup {
				return nil, fmt.Errorf("i18n: key %q of %s is also defined in another %s catalogue; keys are shared by every part, so rename one", k, f, l)
			}
			raw[l][k] = v
		}
	}
	if raw["en"] == nil {
		return nil, fmt.Errorf("i18n: the English message catalogues (locales/*.en.json) are missing")
	}
	slices.Sort(c.langs)
	c.langs = slices.DeleteFunc(c.langs, func(l string) bool { return l == "en" })
	c.langs = append([]string{"en"}, c.langs...)
	for _, l := range c.langs {
		c.locs[l] = i18n.NewLocalizer(b, l, "en")
		p := map[string]string{}
		for _, src := range []string{"en", l} {
			for k, v := range raw[src] {
				if s, ok := v.(string); ok {
					p[k] = s
				}
			}
		}
		c.plain[l] = p
	}
	return c, nil
}

// Langs lists the languages with a catalogue, English first.
func (c *Catalog) Langs() []string { return slices.Clone(c.langs) }

// Lang is the catalogue language used for l: its base code if there is a
// catalogue for it, else English. Callers that record what was shown (the
// newsletter's consent) record this, not what was asked for.
func (c *Catalog) Lang(l string) string {
	if b := lang.Base(l); c.locs[b] != nil {
		return b
	}
	return "en"
}

func (c *Catalog) localizer(l string) *i18n.Localizer { return c.locs[c.Lang(l)] }

// lookup returns the message for key in l (or English), and whether one exists.
func (c *Catalog) lookup(l, key string) (string, bool) {
	if s, ok := c.plain[c.Lang(l)][key]; ok {
		return s, s != ""
	}
	msg, err := c.localizer(l).Localize(&i18n.LocalizeConfig{MessageID: key})
	if err != nil || msg == "" {
		return key, false
	}
	return msg, true
}

// T returns the text for key in l, falling back to English and then to the
// key itself. With args the text is a fmt format.
func (c *Catalog) T(l, key string, args ...any) string {
	msg, _ := c.lookup(l, key)
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether the catalogue of l (or English) has key.
func (c *Catalog) Has(l, key string) bool {
	_, ok := c.lookup(l, key)
	return ok
}

// Strings returns every plain (non-plural) message of l by key, English
// filling gaps, for templates that look labels up themselves. The map is
// shared: read it, never write to it.
func (c *Catalog) Strings(l string) map[string]string { return c.plain[c.Lang(l)] }

// Number formats n with l's digit grouping ("1,234", "1.234", "1 234").
func (c *Catalog) Number(l string, n int) string {
	return message.NewPrinter(language.Make(lang.Base(l))).Sprintf("%d", n)
}

// N returns a plural message for n, e.g. "articles.count": "1 article", "3 Artikel".
func (c *Catalog) N(l, key string, n int) string {
	msg, err := c.localizer(l).Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n,
		TemplateData: map[string]string{"Count": c.Number(l, n)}})
	if err != nil {
		return fmt.Sprintf("%s %s", c.Number(l, n), key)
	}
	return msg
}

// Date formats t with l's date layout and month names.
func (c *Catalog) Date(l string, t time.Time) string {
	return c.format(l, t, "date.format")
}

// DateTime formats t with l's date-and-time layout and month names.
func (c *Catalog) DateTime(l string, t time.Time) string {
	return c.format(l, t, "datetime.format")
}

func (c *Catalog) format(l string, t time.Time, key string) string {
	out := t.Format(c.T(l, key))
	// Go's layouts print English month names; the catalogue has the
	// language's (in the form a date needs, e.g. Polish genitive).
	en := t.Month().String()
	if local, ok := c.lookup(l, fmt.Sprintf("month.%d", int(t.Month()))); ok && local != en {
		out = strings.Replace(out, en, local, 1)
	}
	return out
}
