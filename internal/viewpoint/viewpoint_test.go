package viewpoint

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCountry(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"DE", "DE", true}, {" de ", "DE", true}, {"us", "US", true}, {"UK", "GB", true}, {"EU", "EU", true},
		{"XK", "XK", true}, // Kosovo: user-assigned, but CLDR and the press use it
		{"ZZ", "ZZ", false}, {"QO", "QO", false}, {"AA", "AA", false}, {"SU", "SU", false},
		{"DEU", "DEU", false}, {"276", "276", false}, {"D", "D", false}, {"", "", false}, {"Ä1", "Ä1", false},
	}
	for _, c := range cases {
		got, ok := Country(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Country(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCountryName(t *testing.T) {
	for _, c := range []struct{ code, in, want string }{
		{"DE", "en", "Germany"}, {"DE", "fr", "Allemagne"}, {"PL", "pl", "Polska"}, {"GB", "de", "Vereinigtes Königreich"},
		{"EU", "es", "Unión Europea"}, {"DE", "not a language", "Germany"}, {"??", "en", "??"},
	} {
		if got := CountryName(c.code, c.in); got != c.want {
			t.Errorf("CountryName(%q, %q) = %q, want %q", c.code, c.in, got, c.want)
		}
	}
}

func TestType(t *testing.T) {
	for in, want := range map[string]string{
		"agency": Agency, " Public Broadcaster ": PublicBroadcaster, "state_media": StateMedia, "think tank": NGO, "NGO": NGO,
	} {
		if got, ok := Type(in); !ok || got != want {
			t.Errorf("Type(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "radio", "left", "public--broadcaster"} {
		if got, ok := Type(in); ok {
			t.Errorf("Type(%q) = %q, accepted", in, got)
		}
	}
	if n := len(Types()); n != 12 {
		t.Errorf("%d types, the documented vocabulary has 12", n)
	}
}

func TestParseScale(t *testing.T) {
	sc, err := ParseScale(" Left, centre-left ,centre,centre-right,right", " Left–right ")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"left", "centre-left", "centre", "centre-right", "right"}; !reflect.DeepEqual(sc.Steps, want) || sc.Name != "Left–right" {
		t.Errorf("scale = %+v", sc)
	}
	for _, bad := range []struct{ in, says string }{
		{"", "empty step"}, {"left,,right", "empty step"}, {"left,right,", "empty step"},
		{"left,left", "listed twice"}, {"left,none", "kept for a source with no position"},
		{"left wing,right", "lowercase letters, digits and hyphens"}, {"gauche,droite,über", `"über"`},
	} {
		_, err := ParseScale(bad.in, "")
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("ParseScale(%q) = %v; want an error saying %q", bad.in, err, bad.says)
		}
	}
}

func TestScalePosition(t *testing.T) {
	sc, _ := ParseScale("government,opposition", "")
	if p, err := sc.Position(" Opposition "); err != nil || p != "opposition" {
		t.Errorf("Position = %q, %v", p, err)
	}
	_, err := sc.Position("left")
	if err == nil || !strings.Contains(err.Error(), "use one of government, opposition") {
		t.Errorf("Position(left) = %v; want the steps named", err)
	}
	if _, err := (Scale{}).Position("left"); err == nil || !strings.Contains(err.Error(), "SPEKTRUM_VIEWPOINT_SCALE") {
		t.Errorf("no scale: %v", err)
	}
	if sc.Has("") || sc.Index("") != -1 || sc.Index("opposition") != 1 {
		t.Error("Has/Index")
	}
}

func TestSides(t *testing.T) {
	for steps, want := range map[string]string{
		"a":         "0",
		"a,b":       "-1 1",
		"a,b,c":     "-1 0 1",
		"a,b,c,d":   "-1 -1 1 1",
		"a,b,c,d,e": "-1 -1 0 1 1",
	} {
		sc, _ := ParseScale(steps, "")
		var got []string
		for i := range sc.Steps {
			got = append(got, fmt.Sprint(sc.side(i)))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("sides of %s = %v, want %s", steps, got, want)
		}
	}
}
