package settings

import (
	"errors"
	"strings"
	"testing"

	"spektrum/internal/extract"
	"spektrum/internal/store"
)

func TestDecodeAndFor(t *testing.T) {
	s := Decode(map[string]string{
		KeyName: "Outlet", KeyTagline: "For all", "tagline.de": "Für alle", "disclaimer.de": "Hinweis", "name.fr": "Le Média",
		"unknown.de":     "ignored",
		KeySocial:        `[{"network":"mastodon","url":"https://m.example/@o"},{"network":"x","url":"javascript:alert(1)"},{"network":"myspace","url":"https://ms.example/"}]`,
		KeyScriptOrigins: "https://ads.example.net\nhttp://bad.example\nhttps://Two.Example.org",
	})
	def := Text{Name: "Flag name", Tagline: "", Disclaimer: "Flag disclaimer"}
	for lang, want := range map[string]Text{
		"en": {Name: "Outlet", Tagline: "For all", Disclaimer: "Flag disclaimer"},
		"de": {Name: "Outlet", Tagline: "Für alle", Disclaimer: "Hinweis"},
		"fr": {Name: "Le Média", Tagline: "For all", Disclaimer: "Flag disclaimer"},
	} {
		if got := s.For(lang, def); got != want {
			t.Errorf("For(%s) = %+v, want %+v", lang, got, want)
		}
	}
	if got := (Site{}).For("en", def); got != def {
		t.Errorf("nothing stored: For = %+v, want the defaults", got)
	}
	if len(s.Social) != 1 || s.Social[0].URL != "https://m.example/@o" {
		t.Errorf("Social = %+v; want only the valid link", s.Social)
	}
	if strings.Join(s.ScriptOrigins, " ") != "https://ads.example.net https://two.example.org" {
		t.Errorf("ScriptOrigins = %v", s.ScriptOrigins)
	}
}

func TestCleaning(t *testing.T) {
	if v, err := CleanText(KeyTagline, "  News\n\tand\u0000 more  ", MaxTagline); err != nil || v != "News and more" {
		t.Errorf("CleanText = %q, %v", v, err)
	}
	if _, err := CleanText(KeyName, strings.Repeat("é", MaxName+1), MaxName); !errors.Is(err, ErrTooLong) {
		t.Errorf("a long name: %v", err)
	}
	links, err := CleanSocial([]Social{{"mastodon", " https://m.example/@o "}, {"", ""}, {"bluesky", "https://b.example/"}})
	if err != nil || len(links) != 2 || links[0].URL != "https://m.example/@o" {
		t.Errorf("CleanSocial = %+v, %v", links, err)
	}
	for _, bad := range [][]Social{{{"mastodon", "javascript:alert(1)"}}, {{"mastodon", "//x.example"}}, {{"myspace", "https://x.example"}}, {{"", "https://x.example"}}} {
		if _, err := CleanSocial(bad); err == nil {
			t.Errorf("CleanSocial(%+v) accepted", bad)
		}
	}
	if o, err := ParseOrigins("https://a.example.net, https://A.example.net/\nhttps://b.example.org"); err != nil || len(o) != 2 {
		t.Errorf("ParseOrigins = %v, %v", o, err)
	}
	var fe *FieldError
	if _, err := ParseOrigins("https://a.example.net *"); !errors.As(err, &fe) || fe.Field != "origin" || fe.Value != "*" {
		t.Errorf("ParseOrigins with a wildcard: %v", err)
	}
}

type fakeImages struct{}

func (fakeImages) URL(raw string, width int) string { return "/media/sig/" + raw }
func (fakeImages) HTML(body, sizes string) string {
	return strings.ReplaceAll(body, `<img src="https://`, `<img src="/media/sig/https://`)
}

func TestAdsCleanPlaceRender(t *testing.T) {
	san := extract.NewAdSanitizer()
	eds := []string{"en", "de"}
	a := &store.AdSlot{Name: " Top ", Placement: PlaceFrontTop, Kind: KindHTML, HTML: `<p onclick="x()">Hi <img src="https://cdn.example/a.png" alt="A"></p><script src="https://ads.example.net/t.js"></script>`}
	if err := CleanAd(a, nil, eds, san); err != nil || a.Name != "Top" || strings.Contains(a.HTML, "script") || strings.Contains(a.HTML, "onclick") {
		t.Fatalf("CleanAd = %v, %+v", err, a)
	}
	for _, bad := range []store.AdSlot{
		{Name: "x", Placement: "popup", Kind: KindHTML, HTML: "<p>x</p>"},
		{Name: "x", Placement: PlaceSidebar, Edition: "fr", Kind: KindHTML, HTML: "<p>x</p>"},
		{Name: "", Placement: PlaceSidebar, Kind: KindHTML, HTML: "<p>x</p>"},
		{Name: "x", Placement: PlaceSidebar, Kind: "flash"},
		{Name: "x", Placement: PlaceSidebar, Kind: KindImage, ImageURL: "data:image/png;base64,AA", LinkURL: "https://x.example/", Alt: "a"},
	} {
		if err := CleanAd(&bad, nil, eds, san); err == nil {
			t.Errorf("CleanAd(%+v) accepted", bad)
		}
	}
	slots := []store.AdSlot{
		{ID: 1, Placement: PlaceFrontTop, Enabled: true},
		{ID: 2, Placement: PlaceFrontTop, Enabled: false},
		{ID: 3, Placement: PlaceFrontTop, Edition: "de", Enabled: true},
		{ID: 4, Placement: PlaceSidebar, Enabled: true},
	}
	if got := ForPage(slots, "en", PlaceFrontTop); len(got) != 1 || got[0].ID != 1 {
		t.Errorf("ForPage(en) = %+v", got)
	}
	if got := ForPage(slots, "de", PlaceFrontTop); len(got) != 2 || got[1].ID != 3 {
		t.Errorf("ForPage(de) = %+v", got)
	}
	// Rendering sanitizes again with today's origins and draws pictures
	// through the proxy; without one it leaves them out.
	a.HTML += `<script src="https://ads.example.net/t.js"></script>`
	if got := string(Render(*a, []string{"https://ads.example.net"}, san, fakeImages{})); !strings.Contains(got, `src="/media/sig/https://cdn.example/a.png"`) || !strings.Contains(got, `<script src="https://ads.example.net/t.js" async>`) {
		t.Errorf("Render with the proxy = %s", got)
	}
	if got := string(Render(*a, nil, san, nil)); strings.Contains(got, "<img") || strings.Contains(got, "script") {
		t.Errorf("Render without proxy or origins = %s", got)
	}
	img := store.AdSlot{Kind: KindImage, ImageURL: "https://cdn.example/b.png", LinkURL: `https://shop.example/?a="x"`, Alt: `Shoes "cheap"`}
	if got := string(Render(img, nil, san, fakeImages{})); got != `<a href="https://shop.example/?a=&#34;x&#34;" rel="sponsored noopener"><img src="/media/sig/https://cdn.example/b.png" alt="Shoes &#34;cheap&#34;" loading="lazy"></a>` {
		t.Errorf("Render(image) = %s", got)
	}
	if got := string(Render(img, nil, san, nil)); got != `<a href="https://shop.example/?a=&#34;x&#34;" rel="sponsored noopener">Shoes &#34;cheap&#34;</a>` {
		t.Errorf("Render(image) without the proxy = %s", got)
	}
}

type failingImages struct{ fakeImages }

func (failingImages) Failed(string) bool { return true }

// A picture the proxy could not serve lately leaves its text alternative
// as the link, not an empty box.
func TestImageAdFailedPicture(t *testing.T) {
	img := store.AdSlot{Kind: KindImage, ImageURL: "https://cdn.example/b.png", LinkURL: "https://shop.example/", Alt: "Shoes"}
	if got := string(Render(img, nil, extract.NewAdSanitizer(), failingImages{})); got != `<a href="https://shop.example/" rel="sponsored noopener">Shoes</a>` {
		t.Errorf("Render with a failed picture = %s", got)
	}
}

// Removed names what cleaning refused, not what it only rewrote.
func TestRemoved(t *testing.T) {
	san := extract.NewAdSanitizer()
	for _, c := range []struct {
		in, want string
		origins  []string
	}{
		{`<p>Plain <b>bold</b> <a href=https://shop.example/>shop</a></p>`, "", nil},
		{`<p onclick="x()" style="color:red">Hi</p><script>alert(1)</script><form><input></form>`, "onclick on <p>|style on <p>|<script>|<form>|<input>", nil},
		{`<a href="javascript:alert(1)">x</a><img src="/local.png" alt="">`, "<a>|href on <a>|<img>|src on <img>|alt on <img>", nil},
		{`<script src="https://ads.example.net/t.js"></script><iframe src="https://ads.example.net/f"></iframe>`, "", []string{"https://ads.example.net"}},
		{`<script src="https://ads.example.net/t.js"></script>`, "<script>|src on <script>", nil},
	} {
		if got := strings.Join(Removed(c.in, san.Sanitize(c.in, c.origins)), "|"); got != c.want {
			t.Errorf("Removed(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A refusal reads as a sentence with the limit or the form wanted.
func TestFieldErrorWords(t *testing.T) {
	_, err := CleanText(KeyTagline, strings.Repeat("x", MaxTagline+5), MaxTagline)
	_, serr := CleanSocial([]Social{{"mastodon", "ftp://m.example/"}})
	_, oerr := ParseOrigins("http://ads.example.net")
	for _, c := range []struct {
		err  error
		want string
	}{
		{err, "the tagline is too long: 205 characters, at most 200"},
		{serr, `the link "ftp://m.example/" is not an http(s) address`},
		{oerr, `the script origin "http://ads.example.net" is not an https origin`},
		{CleanAd(&store.AdSlot{Name: "x", Placement: PlaceSidebar, Kind: KindHTML, HTML: strings.Repeat("x", MaxAdHTML+1)}, nil, nil, extract.NewAdSanitizer()), "the ad's HTML is too long: at most 20000 characters"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v; want it to say %q", c.err, c.want)
		}
	}
}
