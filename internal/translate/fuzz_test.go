package translate

import (
	"strings"
	"testing"
)

// FuzzSegments: any HTML an article may hold is cut into segments and put
// back together without panics, and putting the segments back unchanged
// keeps every link and image.
func FuzzSegments(f *testing.F) {
	for _, s := range []string{article, "", "plain text", "<p>a<p>b", `<div><p>x <a href="/y">y</a></p>loose</div>`,
		"<table><tr><td>1</td><td><b>2</b></td></tr></table>", "<p><img src=x></p><!-- c --><script>s</script>", "&amp;&lt;<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := parseFragment(in)
		if err != nil {
			return
		}
		segs := d.segments()
		out, err := d.replace(segs)
		if err != nil {
			t.Fatalf("identity replace: %v", err)
		}
		// Links and images survive (their count; attribute order may be normalised).
		for _, tag := range []string{"<a ", "<img "} {
			d2, _ := parseFragment(in)
			want := strings.Count(innerHTML(d2.root), tag)
			if got := strings.Count(out, tag); got != want {
				t.Fatalf("%s: %d after a round trip, %d before\nin:  %q\nout: %q", tag, got, want, in, out)
			}
		}
		_ = TextOf(out)
	})
}

// FuzzParseArray: whatever a chat model answers, reading it never panics.
func FuzzParseArray(f *testing.F) {
	for _, s := range []string{`["a","b"]`, "```json\n[\"x\"]\n```", "no array", "[", `[1,2]`, `["unterminated]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := parseArray(s)
		if err == nil && out == nil && !strings.Contains(s, "null") {
			t.Fatalf("parseArray(%q) = nil without an error", s)
		}
	})
}

// FuzzTextFallback: any segment taken apart for translation as text and
// put back with its own texts as the "translation" comes out well formed,
// with no link or image it did not have, and every link whose anchor holds
// a word kept.
func FuzzTextFallback(f *testing.F) {
	for _, s := range []string{`The <a href="/a">city’s</a> <a href="/b">plan</a> <img src="/i.jpg">.`, "", "plain &amp; text",
		`<a href="/x"><img src="/i"></a> lead`, `a <a href="/1">b</a><a href="/2">b</a> <em>c</em><br>d`, `<a href="/o">open`, `</a>stray`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seg string) {
		ts := splitText(seg)
		out, dropped := ts.join(ts.requests())
		shape, ok := linkShape(out)
		if !ok {
			t.Fatalf("join(%q) = %q: not well formed", seg, out)
		}
		in, _ := linkShape(seg)
		for _, p := range strings.Fields(shape) {
			if !strings.Contains(in, strings.TrimSuffix(p, "+text")) {
				t.Fatalf("join(%q) = %q has %s, which the segment did not", seg, out, p)
			}
		}
		if dropped < 0 || dropped > len(ts.links) {
			t.Fatalf("join(%q): %d links dropped of %d", seg, dropped, len(ts.links))
		}
	})
}
