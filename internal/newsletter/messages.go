package newsletter

import (
	"crypto/sha256"
	"encoding/hex"

	"spektrum/internal/i18n"
)

// messages is the shared catalogue (internal/i18n, locales/newsletter.*.json)
// seen from the newsletter: the form, the pages and the mails. English is
// complete and the fallback; an edition language without a catalogue gets
// English, and the consent record then says "en", because it stores what
// was actually shown.
type messages struct{ *i18n.Catalog }

// consentKey is the message key of the consent text. Its version is derived
// from the text, so a change of wording is a new version without anyone
// having to remember to bump a number.
const consentKey = "consent"

// lang returns l if there are messages for it, else English.
func (m messages) lang(l string) string { return m.Lang(l) }

// consent returns the consent text shown in lang, the language it is
// actually in, and its version (a hash of the text).
func (m messages) consent(lang string) (text, shownLang, version string) {
	shownLang = m.lang(lang)
	text = m.T(shownLang, consentKey)
	sum := sha256.Sum256([]byte(text))
	return text, shownLang, shownLang + "-" + hex.EncodeToString(sum[:6])
}

// frequencyName is the word for a frequency in lang.
func (m messages) frequencyName(lang, freq string) string {
	if freq == "weekly" {
		return m.T(lang, "form.weekly")
	}
	return m.T(lang, "form.daily")
}
