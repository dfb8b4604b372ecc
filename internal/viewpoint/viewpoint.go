// Package viewpoint owns what an editor says about a source's point of view
// and what the reader is shown of it: the country (ISO 3166-1 alpha-2), the
// type of outlet (a fixed vocabulary), and the position on a scale the
// outlet defines (SPEKTRUM_VIEWPOINT_SCALE), and the spread of coverage
// those give when several sources report the same thing (Compute).
//
// It is the one home of these rules: ops validates an editor's input with
// it, the site and the API show its spread. It holds no data and depends on
// no other Spektrum package, so any stage may use it.
package viewpoint

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Outlet types, the fixed vocabulary of Source.Type. The keys are stored
// and shown in the API; every UI shows them through the catalogue
// ("viewpoint.type.KEY"). Add keys, never rename one.
const (
	PublicBroadcaster = "public-broadcaster" // licence- or tax-funded, independent of the government by statute
	StateMedia        = "state-media"        // run or controlled by a government
	Agency            = "agency"             // news agency / wire service
	Newspaper         = "newspaper"          // daily or weekly paper (and its site)
	Tabloid           = "tabloid"
	Magazine          = "magazine"
	Broadcaster       = "broadcaster" // private television or radio
	Online            = "online"      // online-only newsroom
	Blog              = "blog"
	NGO               = "ngo"        // NGO, think tank, foundation
	Government        = "government" // a government's or institution's own publications
	Other             = "other"
)

// Types lists the outlet types in the order menus and spreads show them.
func Types() []string {
	return []string{PublicBroadcaster, StateMedia, Agency, Newspaper, Tabloid, Magazine, Broadcaster, Online, Blog,
		NGO, Government, Other}
}

// Type normalises an editor's type ("Public broadcaster", "public_broadcaster"
// → "public-broadcaster") and reports whether it is one of Types.
func Type(t string) (string, bool) {
	t = strings.ToLower(strings.TrimSpace(t))
	t = strings.NewReplacer("_", "-", " ", "-").Replace(t)
	if t == "think-tank" {
		t = NGO
	}
	return t, slices.Contains(Types(), t)
}

// Country normalises an ISO 3166-1 alpha-2 code ("de" → "DE", the reserved
// "UK" → "GB") and reports whether it names a country. "EU" is accepted
// too (ISO reserves it for the European Union): many outlets Spektrum
// republishes cover the Union, not one member.
func Country(code string) (string, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 2 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return code, false
	}
	if code == "EU" {
		return code, true
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code, false
	}
	r = r.Canonicalize()
	if !r.IsCountry() || display.English.Regions().Name(r) == "" {
		return code, false
	}
	return r.String(), true
}

// CountryName names a country code in the language in ("DE" in "fr" →
// "Allemagne"), from CLDR; an unknown code is given back as it is.
func CountryName(code, in string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	t, err := language.Parse(in)
	if err != nil {
		t = language.English
	}
	n := display.Regions(t).Name(r)
	if n == "" {
		n = display.English.Regions().Name(r)
	}
	if n == "" {
		return code
	}
	return n
}

// DefaultSteps is the scale used while the outlet defines none.
const DefaultSteps = "left,centre-left,centre,centre-right,right"

// Scale is the outlet's scale of positions: ordered steps from one end to
// the other (left to right, government to opposition) and an optional
// name for headings. A source's Position is one step's key. Steps are
// configuration, not data: when the outlet changes its scale, positions
// stored for steps it no longer has stay stored and count as unknown
// (Has), so going back to the old scale brings them back.
type Scale struct {
	Name  string
	Steps []string
}

var stepRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ParseScale reads a comma-separated list of step keys, from one end of the
// scale to the other, e.g. "left,centre-left,centre,centre-right,right" or
// "government,opposition".
func ParseScale(steps, name string) (Scale, error) {
	sc := Scale{Name: strings.TrimSpace(name)}
	var errs []error
	for _, st := range strings.Split(steps, ",") {
		st = strings.ToLower(strings.TrimSpace(st))
		switch {
		case st == "":
			errs = append(errs, errors.New("an empty step (two commas in a row, or a comma at an end)"))
		case !stepRE.MatchString(st):
			errs = append(errs, fmt.Errorf("step %q: use lowercase letters, digits and hyphens, like centre-left", st))
		case st == "none" || st == "unknown" || st == "-":
			errs = append(errs, fmt.Errorf("step %q: the word is kept for a source with no position", st))
		case slices.Contains(sc.Steps, st):
			errs = append(errs, fmt.Errorf("step %q is listed twice", st))
		default:
			sc.Steps = append(sc.Steps, st)
		}
	}
	if len(errs) > 0 {
		return Scale{}, fmt.Errorf("viewpoint scale %q: %w", steps, errors.Join(errs...))
	}
	return sc, nil
}

// Has reports whether step is on the scale.
func (s Scale) Has(step string) bool { return s.Index(step) >= 0 }

// Index is step's place on the scale from 0, or -1 when it is not on it.
func (s Scale) Index(step string) int {
	if step == "" {
		return -1
	}
	return slices.Index(s.Steps, step)
}

// Position normalises an editor's position ("Centre-Left" → "centre-left")
// and checks it against the scale; the error says which steps there are.
func (s Scale) Position(p string) (string, error) {
	p = strings.ToLower(strings.TrimSpace(p))
	if s.Has(p) {
		return p, nil
	}
	if len(s.Steps) == 0 {
		return p, errors.New("the outlet has defined no viewpoint scale (SPEKTRUM_VIEWPOINT_SCALE)")
	}
	return p, fmt.Errorf("position %q is not on the outlet's scale; use one of %s", p, strings.Join(s.Steps, ", "))
}

// side is -1 for a step in the first half of the scale, +1 for the second
// half and 0 for the middle step of an odd scale.
func (s Scale) side(i int) int {
	n := len(s.Steps)
	switch {
	case 2*i+1 < n:
		return -1
	case 2*i+1 > n:
		return 1
	}
	return 0
}
