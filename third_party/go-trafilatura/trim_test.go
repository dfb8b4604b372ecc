package trafilatura

import (
	"math/rand"
	"strings"
	"testing"
)

// TestTrimIsReleased (spektrum): the one-pass trim returns what the released
// one (strings.Fields joined by spaces) returns: on cases at every branch,
// on random strings of white space (every kind strings.Fields knows, ASCII
// and not), letters in several scripts and invalid UTF-8, and on the
// prefixes of each of them.
func TestTrimIsReleased(t *testing.T) {
	cases := []string{"", " ", "  ", "a", " a", "a ", " a ", "a  b", "a b", "a\tb", "a \tb", "\u00a0a", "a\u00a0",
		"a\u00a0b", "a \u00a0 b", "\xffa \xfe", "\xff", " \xff ", "é", "é ", " é", "é\u2003é", "a\u0085b", "a b c d  "}
	pieces := []string{" ", "  ", "\t", "\n", "\r", "\v", "\f", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2003", "\u200a",
		"\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "a", "bc", "é", "ß", "ł", "日本", "\u0301", "\xff", "\xe2\x80",
		"x", "Zz", "-", ".", "\x00"}
	rng := rand.New(rand.NewSource(1))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := rng.Intn(12); k >= 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	compared := 0
	for _, c := range cases {
		for i := 0; i <= len(c); i++ {
			s := c[:i]
			if got, want := trim(s), trimReference(s); got != want {
				t.Fatalf("trim(%q) = %q, released %q", s, got, want)
			}
			compared++
		}
	}
	t.Logf("%d strings compared", compared)
}

func BenchmarkTrim(b *testing.B) {
	text := strings.Repeat("Die Bundesregierung hat am Mittwoch  beschlossen, dass\n\t die Förderung „weiterläuft“. ", 200)
	for _, f := range []struct {
		name string
		trim func(string) string
	}{{"one-pass", trim}, {"released", trimReference}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				f.trim(text)
			}
		})
	}
}
