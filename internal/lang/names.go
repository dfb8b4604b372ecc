package lang

import "strings"

// endonyms are languages' names in themselves, for choosing an edition.
var endonyms = map[string]string{
	"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
	"pl": "Polski", "pt": "Português", "nl": "Nederlands", "ca": "Català", "ru": "Русский",
	"uk": "Українська", "cs": "Čeština", "sv": "Svenska", "da": "Dansk", "fi": "Suomi",
	"el": "Ελληνικά", "hu": "Magyar", "ro": "Română",
}

// Endonym names a language in itself ("de" → "Deutsch"), or gives the code
// in capitals when it is not known.
func Endonym(code string) string {
	if n, ok := endonyms[code]; ok {
		return n
	}
	return strings.ToUpper(code)
}
