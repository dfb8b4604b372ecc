package extract

import (
	"net/url"
	"strings"
	"testing"

	nethtml "golang.org/x/net/html"
)

// TestAdSanitize: an ad keeps links, images and formatting; scripts,
// handlers, style, frames and javascript: URLs go, unless an origin is
// allowed, and then only that origin's external scripts and frames stay.
func TestAdSanitize(t *testing.T) {
	s := NewAdSanitizer()
	allowed := []string{"https://ads.example.net"}
	tests := []struct {
		name, in      string
		origins       []string
		want, notWant []string
	}{
		{name: "plain ad", in: `<p><a href="https://shop.example/x" rel="nofollow" target="_blank">Buy <b>now</b></a><img src="https://cdn.example/a.png" alt="Shoes"></p>`,
			want: []string{`<a href="https://shop.example/x" rel="sponsored noopener">Buy <b>now</b></a>`, `<img src="https://cdn.example/a.png" alt="Shoes"`}},
		{name: "inline script", in: `<p>Hi</p><script>alert(1)</script>`, origins: allowed, want: []string{"<p>Hi</p>"}, notWant: []string{"script", "alert"}},
		{name: "script not allowed", in: `<script src="https://evil.example/x.js"></script><p>Hi</p>`, origins: allowed, notWant: []string{"script", "evil"}},
		{name: "script with no list", in: `<script src="https://ads.example.net/x.js"></script>`, notWant: []string{"script"}},
		{name: "script allowed", in: `<div data-slot="7"><script src="https://ads.example.net/tag.js?id=1&amp;b=2"></script></div>`, origins: allowed,
			want: []string{`<div data-slot="7"></div>`, `<script src="https://ads.example.net/tag.js?id=1&amp;b=2" async></script>`}},
		{name: "allowed host over http", in: `<script src="http://ads.example.net/x.js"></script>`, origins: allowed, notWant: []string{"script"}},
		{name: "lookalike host", in: `<script src="https://ads.example.net.evil.example/x.js"></script><script src="https://ads.example.net@evil.example/x.js"></script>`, origins: allowed, notWant: []string{"script"}},
		{name: "handlers and style", in: `<img src="https://cdn.example/a.png" onerror="alert(1)" style="position:fixed"><p style="color:red" onclick="x()">T</p><style>body{}</style>`,
			notWant: []string{"onerror", "onclick", "style", "alert", "body{}"}},
		{name: "javascript url", in: `<a href="javascript:alert(1)">click</a><a href="JaVaScRiPt:alert(1)">two</a><img src="javascript:alert(1)">`, want: []string{"click", "two"}, notWant: []string{"javascript", "href", "<img"}},
		{name: "relative and data urls", in: `<a href="/admin/">in</a><img src="data:image/png;base64,AAAA">`, notWant: []string{"href", "data:"}},
		{name: "iframe", in: `<iframe src="https://evil.example/f"></iframe><iframe src="https://ads.example.net/f" srcdoc="<script>x</script>"></iframe>`, origins: allowed,
			want: []string{`<iframe src="https://ads.example.net/f" sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>`}, notWant: []string{"evil", "srcdoc"}},
		{name: "iframe without list", in: `<iframe src="https://ads.example.net/f"></iframe>`, notWant: []string{"iframe"}},
		{name: "script inside a bad link", in: `<a href="javascript:x"><script src="https://evil.example/x.js"></script>t</a>`, origins: allowed, want: []string{"t"}, notWant: []string{"script", "evil"}},
		{name: "forms and svg", in: `<form action="https://x.example"><input name="q"></form><svg onload="alert(1)"><script>alert(2)</script></svg><object data="x"></object>`, notWant: []string{"form", "input", "svg", "alert", "object"}},
		{name: "class hijack", in: `<p class="skip visually-hidden" id="main">T</p>`, notWant: []string{"class", "id="}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Sanitize(tc.in, tc.origins)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Sanitize(%q) = %q; want it to contain %q", tc.in, got, w)
				}
			}
			for _, nw := range tc.notWant {
				if strings.Contains(strings.ToLower(got), strings.ToLower(nw)) {
					t.Errorf("Sanitize(%q) = %q; want no %q", tc.in, got, nw)
				}
			}
		})
	}
}

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Ads.Example.net":      "https://ads.example.net",
		"https://ads.example.net/":     "https://ads.example.net",
		"https://ads.example.net:8443": "https://ads.example.net:8443",
		"http://ads.example.net":       "",
		"https://ads.example.net/x.js": "",
		"https://*.example.net":        "",
		"https://ads.example.net;":     "",
		"https://'unsafe-inline'":      "",
		"https://user@ads.example.net": "",
		"https://localhost":            "",
		"https://127.0.0.1":            "",
		"ads.example.net":              "",
		"https://ads.example.net?x":    "",
	} {
		got, ok := ParseOrigin(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzAdSanitize(f *testing.F) {
	f.Add(`<script src="https://ads.example.net/x.js"></script><a href="https://x.example">x</a>`)
	f.Add(`<img src=x onerror=alert(1)><iframe src="https://ads.example.net/"></iframe>`)
	s := NewAdSanitizer()
	f.Fuzz(func(t *testing.T, in string) {
		out := s.Sanitize(in, []string{"https://ads.example.net"})
		z := nethtml.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == nethtml.ErrorToken {
				return
			}
			if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			switch tok.Data {
			case "style", "form", "svg", "object", "embed", "base", "meta", "link":
				t.Fatalf("Sanitize(%q) = %q keeps <%s>", in, out, tok.Data)
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"), a.Key == "style", a.Key == "srcdoc":
					t.Fatalf("Sanitize(%q) = %q keeps %s=", in, out, a.Key)
				case a.Key == "href" || a.Key == "src":
					if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
						t.Fatalf("Sanitize(%q) = %q keeps %s=%q", in, out, a.Key, a.Val)
					}
					if u, err := url.Parse(v); (tok.Data == "script" || tok.Data == "iframe") && (err != nil || u.Scheme != "https" || u.Host != "ads.example.net") {
						t.Fatalf("Sanitize(%q) = %q keeps a %s from elsewhere", in, out, tok.Data)
					}
				}
			}
		}
	})
}
