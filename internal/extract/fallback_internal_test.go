package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// fieldsLen must count what go-trafilatura's trim (strings.Fields joined by
// spaces) leaves, plus one a field.
func TestFieldsLen(t *testing.T) {
	for _, s := range []string{"", "  ", "a", " a  b\n\tc ", "Grüße,\u00a0Welt", "x\u3000y"} {
		f := strings.Fields(s)
		want := utf8.RuneCountInString(strings.Join(f, " ")) + 1
		if len(f) == 0 {
			want = 0
		}
		if got := fieldsLen(s); got != want {
			t.Errorf("fieldsLen(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestFallbackTextBound(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(`<html><head><title>T</title><style>p{}</style></head>` +
		`<body><script>var x = 1;</script><div>one two</div><p>three <b>four</b></p></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	// "T" 2, "one two" 8, "three" 6, "four" 5: scripts and styles left out.
	if bound, para := fallbackTextBound(doc); bound != 21 || para != 11 {
		t.Errorf("fallbackTextBound = %d, %d; want 21, 11", bound, para)
	}
}
