package weburl

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"https://example.com/a":                    true,
		"http://example.com":                       true,
		"HTTPS://Example.com/a":                    true, // schemes are case-insensitive
		"javascript:alert(1)":                      false,
		"JavaScript:alert(1)":                      false,
		"javascript://example.com/%0Aalert":        false,
		"data:text/html,<script>alert(1)</script>": false,
		"data:image/png;base64,AAAA":               false,
		"vbscript:msgbox":                          false,
		"file:///etc/passwd":                       false,
		"mailto:a@example.com":                     false,
		"//example.com/a":                          false,
		"/a":                                       false,
		"https://":                                 false,
		"https:example.com":                        false,
		" https://example.com/":                    false, // Resolve trims; Valid is exact
		"https://exa mple.com/":                    false,
		"https://example.com/\x00":                 false,
		"":                                         false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	const base = "https://example.com/news/feed.xml"
	for _, c := range []struct{ base, ref, want string }{
		{base, "/a.jpg", "https://example.com/a.jpg"},
		{base, "b.jpg", "https://example.com/news/b.jpg"},
		{base, "//cdn.example.net/c.jpg", "https://cdn.example.net/c.jpg"},
		{base, "  https://example.org/d  ", "https://example.org/d"},
		{base, "javascript:alert(1)", ""},
		{base, "\tjavascript:alert(1)", ""},
		{base, "data:text/html;base64,PHNjcmlwdD4=", ""},
		{base, "", ""},
		{"", "/a.jpg", ""},             // nothing to resolve against
		{"javascript:x", "/a.jpg", ""}, // nor a script base
		{"not a url", "https://example.org/e", "https://example.org/e"},
	} {
		if got := Resolve(c.base, c.ref); got != c.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", c.base, c.ref, got, c.want)
		}
	}
}
