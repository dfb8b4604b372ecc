package extract

import (
	"context"
	"strings"
	"testing"
)

func TestSanitizeHostile(t *testing.T) {
	out := NewSanitizer().Sanitize(string(readFixture(t, "hostile.html")), "https://news.example.org/politics/story.html")
	lower := strings.ToLower(out)
	for _, bad := range []string{
		"<script", "alert(", "javascript:", "vbscript:", "data:", "onerror", "onclick", "onmouseover",
		"style=", "<style", "<form", "<input", "<button", "<svg", "<math", "<object", "<embed",
		"<meta", "refresh", "<base", "evil.example", "phish.example", "srcdoc", "<h1",
	} {
		if strings.Contains(lower, bad) {
			t.Errorf("sanitized output contains %q:\n%s", bad, out)
		}
	}
	for _, good := range []string{
		`<a href="https://news.example.org/relative/path?x=1#frag" rel="nofollow noopener noreferrer">a relative one</a>`,
		`<a href="mailto:desk@news.example" rel="nofollow noopener noreferrer">Mail the desk</a>`,
		`<a href="https://cdn.example.net/file.pdf" rel="nofollow noopener noreferrer">protocol-relative</a>`,
		`<img src="https://news.example.org/politics/x.png" alt="broken"`,
		`<h2>Demoted heading</h2>`,
		`<td colspan="2">Cell</td>`,
		`<p>Styled paragraph.</p>`,
		`<p>Closing paragraph.</p>`,
		"a script link", "a data link",
	} {
		if !strings.Contains(out, good) {
			t.Errorf("sanitized output lacks %q:\n%s", good, out)
		}
	}
	// Exactly one iframe survives: the YouTube embed, sandboxed.
	if n := strings.Count(out, "<iframe"); n != 1 {
		t.Errorf("got %d iframes, want only the YouTube one:\n%s", n, out)
	}
	if !strings.Contains(out, `src="https://www.youtube.com/embed/dQw4w9WgXcQ"`) || !strings.Contains(out, `sandbox="`) {
		t.Errorf("YouTube iframe missing or not sandboxed:\n%s", out)
	}
}

func TestSanitizeIframeAllowlist(t *testing.T) {
	s := NewSanitizer()
	for src, keep := range map[string]bool{
		"https://www.youtube.com/embed/abc":                    true,
		"https://www.youtube-nocookie.com/embed/abc":           true,
		"https://player.vimeo.com/video/123":                   true,
		"https://www.dailymotion.com/embed/video/x8":           true,
		"http://www.youtube.com/embed/abc":                     false, // no mixed content
		"https://www.youtube.com.evil.example/embed/":          false,
		"https://evil.example/?https://www.youtube.com/embed/": false,
		"https://www.google.com/maps/embed?pb=1":               false,
	} {
		out := s.Sanitize(`<p>Video below.</p><iframe src="`+src+`"></iframe>`, "https://a.example/")
		if got := strings.Contains(out, "<iframe"); got != keep {
			t.Errorf("iframe %s kept=%v, want %v: %s", src, got, keep, out)
		}
	}
}

func TestSanitizeLazyImagesAndBase(t *testing.T) {
	in := `<base href="https://static.example.com/assets/">
<figure><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" data-src="photos/a.jpg" data-srcset="photos/a-480.jpg 480w, photos/a-960.jpg 960w, javascript:alert(1) 2x" alt="A" width="960" height="540" loading="lazy"><figcaption>Caption A</figcaption></figure>
<img data-lazy-src="/img/b.jpg" alt="B">
<img src="/img/c-small.jpg" data-original="https://cdn.example.com/c.jpg" alt="C">
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" alt="placeholder only">
<p>Read <a href="../about/">about us</a>.</p>`
	out := NewSanitizer().Sanitize(in, "https://www.example.com/news/2024/story")
	for _, want := range []string{
		`src="https://static.example.com/assets/photos/a.jpg"`,
		`srcset="https://static.example.com/assets/photos/a-480.jpg 480w, https://static.example.com/assets/photos/a-960.jpg 960w"`,
		`loading="lazy"`, `width="960"`, `<figcaption>Caption A</figcaption>`,
		`src="https://static.example.com/img/b.jpg"`,
		`src="https://cdn.example.com/c.jpg"`,
		`href="https://static.example.com/about/"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "placeholder only") || strings.Contains(out, "data:") || strings.Contains(out, "javascript") {
		t.Errorf("placeholder image or unsafe srcset candidate survived:\n%s", out)
	}
}

func TestSanitizeDropsLeadingTitle(t *testing.T) {
	s := NewSanitizer()
	out := s.SanitizeWithTitle(`<h1>Putin and Biden agree to talk — again</h1><p>Body.</p><h2>Putin and Biden agree to talk — again</h2>`, "", "Putin and Biden agree to talk - again")
	if strings.Count(out, "Putin and Biden") != 1 || !strings.HasPrefix(out, "<p>Body.</p>") {
		t.Errorf("want only the later heading kept, got %s", out)
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"paragraphs", "<p>One  two\nthree.</p><p>Four.</p>", "One two three.\n\nFour."},
		{"inline", "<p>A <b>bold</b> <a href=x>link</a>.</p>", "A bold link."},
		{"br", "<p>Line one<br>line two</p>", "Line one\nline two"},
		{"lists and headings", "<h2>Head</h2><ul><li>a</li><li>b</li></ul>", "Head\n\na\n\nb"},
		{"entities", "<p>Caf&eacute; &amp; &quot;Bar&quot;&nbsp;!</p>", `Café & "Bar" !`},
		{"invisible", "<p>Shown</p><script>hidden()</script><style>p{}</style>", "Shown"},
		{"pre", "<pre>a\n  b</pre>", "a\nb"},
		{"bare text", "just text", "just text"},
		{"divs", "<div>x<div>y</div>z</div>", "x\n\ny\n\nz"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("%s: Text(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add(`<p>x</p>`, "https://a.example/")
	f.Add(`<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>`, "")
	f.Add(`<svg><script>alert(1)</script></svg><iframe src="https://www.youtube.com/embed/x">`, "https://a.example/b/")
	f.Add(strings.Repeat("<div>", 2000)+"deep", "https://a.example/")
	f.Add(`<img data-srcset="a.jpg 1x, javascript:x 2x"><base href="/x/">`, "https://a.example/")
	s := NewSanitizer()
	f.Fuzz(func(t *testing.T, in, base string) {
		out := s.Sanitize(in, base)
		lower := strings.ToLower(out)
		for _, bad := range []string{"<script", "javascript:", " onerror=", " onclick=", "<style", "<svg", "<form", "<object"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("Sanitize(%q) = %q contains %q", in, out, bad)
			}
		}
		// Sanitizing is idempotent on its own output.
		if again := s.Sanitize(out, base); Text(again) != Text(out) {
			t.Fatalf("second pass changed text: %q -> %q", out, again)
		}
	})
}

func TestInlineSpacesKept(t *testing.T) {
	page := `<html><head><title>Spaces</title></head><body><article><h1>Spaces</h1>
<p>The council met on Monday evening to discuss the budget for the coming year in a long session.</p>
<blockquote><strong>Summary</strong> Studies show that <em>small</em> steps help, and <a href="/x">the report</a> agrees with that conclusion.</blockquote>
<p>Another long paragraph follows here so that the page reads as an article with several sentences in it.</p>
</article></body></html>`
	a, err := New().Extract(context.Background(), []byte(page), "https://spaces.example/a")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Summary Studies", "that small steps", "and the report agrees"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("text lacks %q (words glued at inline elements?):\n%s", want, a.Text)
		}
	}
	if strings.Contains(a.Text+a.HTML+a.Title, spaceMark) {
		t.Error("the space mark leaked into the output")
	}
}
