package lang

import "testing"

func TestBase(t *testing.T) {
	for in, want := range map[string]string{"de-AT": "de", "de_AT": "de", " DE ": "de", "pt-br": "pt", "": "", "en": "en", "de, en": "de", "fr;q=1": "fr"} {
		if got := Base(in); got != want {
			t.Errorf("Base(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{"de-DE": "de", "pt_BR": "pt", "EN": "en", "x": "", "": "", "deutsch": "", "d1": ""} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEndonym(t *testing.T) {
	for code, want := range map[string]string{"de": "Deutsch", "fr": "Français", "es": "Español", "pl": "Polski",
		"ru": "Русский", "el": "Ελληνικά", "de-AT": "Deutsch", "xx": "XX"} {
		if got := Endonym(code); got != want {
			t.Errorf("Endonym(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestNameEveryDetectedLanguage: every language the detector can report has
// a name in every UI language, so an untranslated note never shows a code
// or a catalogue key (the Spanish site once said "lang.id").
func TestNameEveryDetectedLanguage(t *testing.T) {
	for _, in := range []string{"en", "de", "fr", "es", "it", "pl"} {
		for _, code := range Codes() {
			if n := Name(code, in); n == "" || n == code || n == "lang."+code {
				t.Errorf("Name(%q, %q) = %q: no name", code, in, n)
			}
		}
	}
	for _, c := range []struct{ code, in, want string }{
		{"id", "es", "indonesio"}, {"de", "en", "German"}, {"de", "fr", "allemand"}, {"uk", "de", "Ukrainisch"},
		{"en", "zz", "English"}, {"", "en", ""}, {"qqq", "en", "QQQ"},
	} {
		if got := Name(c.code, c.in); got != c.want {
			t.Errorf("Name(%q, %q) = %q, want %q", c.code, c.in, got, c.want)
		}
	}
}
