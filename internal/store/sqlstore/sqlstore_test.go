package sqlstore

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"spektrum/internal/store"
)

func TestSlugify(t *testing.T) {
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
		{"日本語", "article"},
		{"", "article"},
		{"---", "article"},
	} {
		if got := Slugify(c.in); got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := Slugify(strings.Repeat("abcdefghij ", 20))
	if len(long) > maxSlugLen || strings.HasSuffix(long, "-") || !strings.HasPrefix(long, "abcdefghij-abcdefghij") {
		t.Errorf("long slug = %q (%d chars), want at most %d, cut at a hyphen", long, len(long), maxSlugLen)
	}
	if one := Slugify(strings.Repeat("x", 200)); len(one) != maxSlugLen {
		t.Errorf("slug of one long word has %d chars, want %d", len(one), maxSlugLen)
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Grüße", "Привет", "a--b", " ", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Slugify(in)
		if s == "" || len(s) > maxSlugLen || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("Slugify(%q) = %q: want non-empty, <= %d chars, single inner hyphens", in, s, maxSlugLen)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("Slugify(%q) = %q contains %q", in, s, r)
			}
		}
	})
}

func TestRebind(t *testing.T) {
	d := Dialect{DollarPlaceholders: true}
	got := d.rebind(`SELECT a FROM t WHERE x = ? AND y = '?' AND z IN (?, ?)`)
	want := `SELECT a FROM t WHERE x = $1 AND y = '?' AND z IN ($2, $3)`
	if got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
	if q := "SELECT ?"; (Dialect{}).rebind(q) != q {
		t.Errorf("rebind changed a query for a ? dialect")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := encodeCursor(1741953600000, 42)
	sortAt, id, err := decodeCursor(c)
	if err != nil || sortAt != 1741953600000 || id != 42 {
		t.Fatalf("decodeCursor(encodeCursor(1741953600000, 42)) = %d, %d, %v", sortAt, id, err)
	}
	for _, bad := range []string{"", "%%", base64.RawURLEncoding.EncodeToString([]byte("1:2:3"))} {
		if _, _, err := decodeCursor(bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("decodeCursor(%q) err = %v, want ErrBadCursor", bad, err)
		}
	}
}
