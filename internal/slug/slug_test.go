package slug

import (
	"strings"
	"testing"
)

func TestMake(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"Grüße aus Köln", "gruesse-aus-koeln"},
		{"GROSSE STRAẞE", "grosse-strasse"},
		{"Ça va? Él está bien, señor", "ca-va-el-esta-bien-senor"},
		{"Łódź – Gdańsk", "lodz-gdansk"},
		{"Ørsted, Ålesund, Æsir", "orsted-alesund-aesir"},
		{"Москва и Київ", "moskva-i-kiyiv"}, // rough, not per-language,
		{"Ελλάδα", "ellada"},
		{"a\u0308rger", "aerger"}, // decomposed ä
		{"Don't panic", "dont-panic"},
		{"2025: the year", "2025-the-year"},
		{"東京 Tokyo 東京", "tokyo"},
		{"日本語", ""},
		{"", ""},
		{"---", ""},
		// Section names from OPML categories and --section take the same
		// rule as titles; Cyrillic ones used to vanish.
		{"Russland", "russland"},
		{"EU Politik", "eu-politik"},
		{"Wirtschaft & Börse", "wirtschaft-boerse"},
		{"  Łódź / Kraków ", "lodz-krakow"},
		{"Политика", "politika"},
		{"Україна", "ukrayina"},
	} {
		if got := Make(c.in); got != c.want {
			t.Errorf("Make(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := Make(strings.Repeat("abcdefghij ", 20))
	if len(long) > maxSlugLen || strings.HasSuffix(long, "-") || !strings.HasPrefix(long, "abcdefghij-abcdefghij") {
		t.Errorf("long slug = %q (%d chars), want at most %d, cut at a hyphen", long, len(long), maxSlugLen)
	}
	if one := Make(strings.Repeat("x", 200)); len(one) != maxSlugLen {
		t.Errorf("slug of one long word has %d chars, want %d", len(one), maxSlugLen)
	}
}

func FuzzMake(f *testing.F) {
	for _, s := range []string{"Grüße", "Привет", "a--b", " ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Make(in)
		if len(s) > maxSlugLen || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("Make(%q) = %q: want <= %d chars, single inner hyphens", in, s, maxSlugLen)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Make(%q) = %q contains %q", in, s, r)
			}
		}
	})
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"us": "US", "eu-politics": "EU Politics", "uk-news": "UK News", "middle-east": "Middle East",
		"world": "World", "russia": "Russia", "ai": "AI", "": "", "a--b": "A B",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}
