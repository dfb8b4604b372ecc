package media

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"spektrum/internal/fetch"
)

func testProxy(t testing.TB) *Proxy {
	sign, err := NewSigner([]byte("rewrite test secret"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(sign, fetch.New(fetch.Options{}), Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTMLRewritesOnlyPictures(t *testing.T) {
	p := testProxy(t)
	const sizes = "100vw"
	in := `<p>Text &amp; <a href="https://x.example/?a=1&amp;b=2">link</a></p>` +
		`<figure><img src="https://img.example/a.jpg?x=1&amp;y=2" srcset="https://img.example/a-2x.jpg 2x" alt="A &quot;chart&quot;" width="800" height="400"><figcaption>Chart</figcaption></figure>` +
		`<p><img src="javascript:alert(1)" alt="x"><img alt="no source"><img src="/relative.png"></p>`
	out := p.HTML(in, sizes)
	if !strings.HasPrefix(out, `<p>Text &amp; <a href="https://x.example/?a=1&amp;b=2">link</a></p><figure>`) ||
		!strings.HasSuffix(out, `<figcaption>Chart</figcaption></figure><p></p>`) {
		t.Errorf("markup around the pictures changed:\n%s", out)
	}
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var imgs []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "img" {
			imgs = append(imgs, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(imgs) != 1 {
		t.Fatalf("%d pictures kept, want the one with an absolute http(s) source:\n%s", len(imgs), out)
	}
	got := map[string]string{}
	for _, a := range imgs[0].Attr {
		got[a.Key] = a.Val
	}
	raw := "https://img.example/a.jpg?x=1&y=2"
	want := map[string]string{"src": p.URL(raw, bodyWidth), "srcset": p.SrcSet(raw), "sizes": sizes, "loading": "lazy",
		"decoding": "async", "alt": `A "chart"`, "width": "800", "height": "400"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("attributes %v, want exactly %v", got, want)
	}
	if plain := "<p>No pictures.</p>"; p.HTML(plain, sizes) != plain {
		t.Error("a body without pictures changed")
	}
}

// FuzzHTML: whatever the stored body, every picture that comes out is the
// proxy's, and no markup is invented.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		`<p><img src="https://a.example/x.png" alt="x"></p>`,
		`<img src=https://a.example/x.png onerror=alert(1)>`,
		`<img src="https://a.example/x.png"/><script>alert(1)</script>`,
		`<img`, `<img src="`, `<<img src=x>>`, `<svg><img src="https://a.example/"></svg>`,
	} {
		f.Add(s)
	}
	p := testProxy(f)
	f.Fuzz(func(t *testing.T, body string) {
		out := p.HTML(body, "100vw")
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			tok := z.Token()
			if (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && tok.Data == "img" && strings.Contains(body, "<img") {
				for _, a := range tok.Attr {
					if a.Key == "src" && !strings.HasPrefix(a.Val, Prefix) {
						t.Fatalf("picture source %q is not the proxy's\nin:  %q\nout: %q", a.Val, body, out)
					}
				}
			}
		}
		if strings.Count(strings.ToLower(out), "<script") > strings.Count(strings.ToLower(body), "<script") {
			t.Fatalf("script tags appeared:\nin:  %q\nout: %q", body, out)
		}
	})
}

// FuzzCheck: whatever bytes an origin sends, check neither panics nor lets
// through anything but a known format within the pixel limit.
func FuzzCheck(f *testing.F) {
	f.Add(photo(f, 8, 4))
	f.Add(bombPNG(f, 50000, 50000))
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	p := testProxy(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, cfg, err := p.check(b)
		if err != nil {
			return
		}
		if got, ok := sniff(b); !ok || got != fm {
			t.Fatalf("accepted as %q bytes sniffed as %q", fm, got)
		}
		if int64(cfg.Width)*int64(cfg.Height) > p.maxPixels || cfg.Width <= 0 || cfg.Height <= 0 {
			t.Fatalf("accepted %d×%d", cfg.Width, cfg.Height)
		}
	})
}
