package viewpoint

import (
	"cmp"
	"slices"
)

// Outlet is what Compute needs to know of one source that covered
// something: its attributes as the editor described them ("" = not said).
type Outlet struct {
	ID       int64 // sources with the same non-zero ID count once
	Name     string
	Country  string
	Type     string
	Language string
	Position string // a step key; one not on the scale counts as unknown
}

// Share is how many of the outlets have one value of an attribute. Key ""
// is "unknown": the editor said nothing, or said a position the scale no
// longer has.
type Share struct {
	Key     string `json:"key"`
	Count   int    `json:"count"`
	Percent int    `json:"percent"` // of Spread.Total; a dimension's Percents add up to 100
}

// Dimensions a Spread is broken down by, as Only.Dimension.
const (
	ByPosition = "position"
	ByCountry  = "country"
	ByType     = "type"
	ByLanguage = "language"
)

// Only says that one dimension's coverage is one-sided: every outlet whose
// value is known has one of Keys (one country, one type, or positions on
// one side of the scale).
type Only struct {
	Dimension string   `json:"dimension"`
	Keys      []string `json:"keys"` // in the dimension's order (scale order for positions)
}

// Spread is the coverage of something across the outlets that covered it.
// Each dimension lists the values present (never a zero count): positions
// in scale order, the others most frequent first; unknown comes last. The
// JSON field names are the shape an API answer gives it: add, never rename.
type Spread struct {
	Total     int     `json:"total"`
	Positions []Share `json:"positions"`
	Countries []Share `json:"countries"`
	Types     []Share `json:"types"`
	Languages []Share `json:"languages"`
	// Only lists the one-sided dimensions, in the order position,
	// country, type (see Compute for when one is). Language is never
	// one: most outlets publish in one language, so every story would be.
	Only []Only `json:"only"`
}

// MinKnown is how many outlets with a known value a dimension needs before
// its coverage is called one-sided: one source alone is no finding.
const MinKnown = 2

// Compute is the spread of coverage across outlets on the scale sc.
//
// A dimension is one-sided (Spread.Only) when at least MinKnown outlets
// have a known value, the outlets whose value is unknown are fewer than
// those whose value is known (so a claim is never made from a minority),
// and the known values are all one: one country, one type;
// for positions, no two on opposite sides of the scale's middle (only
// left and centre-left, say, or only the centre).
func Compute(outlets []Outlet, sc Scale) Spread {
	seen := make(map[int64]bool, len(outlets))
	var os []Outlet
	for _, o := range outlets {
		if o.ID != 0 {
			if seen[o.ID] {
				continue
			}
			seen[o.ID] = true
		}
		os = append(os, o)
	}
	sp := Spread{Total: len(os)}
	if sp.Total == 0 {
		return sp
	}
	pos := make([]string, len(os))
	for i, o := range os {
		if sc.Has(o.Position) {
			pos[i] = o.Position
		}
	}
	sp.Positions = shares(pos, sp.Total, func(a, b Share) int { return cmp.Compare(sc.Index(a.Key), sc.Index(b.Key)) })
	field := func(f func(Outlet) string) []Share {
		vals := make([]string, len(os))
		for i, o := range os {
			vals[i] = f(o)
		}
		return shares(vals, sp.Total, byCount)
	}
	sp.Countries = field(func(o Outlet) string { return o.Country })
	sp.Types = field(func(o Outlet) string { return o.Type })
	sp.Languages = field(func(o Outlet) string { return o.Language })

	if keys := known(sp.Positions); oneSided(sp.Positions) {
		sides := map[int]bool{}
		for _, k := range keys {
			sides[sc.side(sc.Index(k))] = true
		}
		if !(sides[-1] && sides[1]) {
			sp.Only = append(sp.Only, Only{Dimension: ByPosition, Keys: keys})
		}
	}
	for _, d := range []struct {
		name string
		ss   []Share
	}{{ByCountry, sp.Countries}, {ByType, sp.Types}} {
		if keys := known(d.ss); oneSided(d.ss) && len(keys) == 1 {
			sp.Only = append(sp.Only, Only{Dimension: d.name, Keys: keys})
		}
	}
	return sp
}

// OnlyIn returns the one-sided finding for dimension, if there is one.
func (sp Spread) OnlyIn(dimension string) (Only, bool) {
	for _, o := range sp.Only {
		if o.Dimension == dimension {
			return o, true
		}
	}
	return Only{}, false
}

func byCount(a, b Share) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return cmp.Compare(a.Key, b.Key)
}

// shares counts vals, orders the known values with order and puts unknown
// last, with percentages of total that add up to 100 (largest remainder,
// so a bar of them fills its width exactly).
func shares(vals []string, total int, order func(a, b Share) int) []Share {
	counts := map[string]int{}
	for _, v := range vals {
		counts[v]++
	}
	var out []Share
	for k, n := range counts {
		if k != "" {
			out = append(out, Share{Key: k, Count: n})
		}
	}
	slices.SortFunc(out, order)
	if n := counts[""]; n > 0 {
		out = append(out, Share{Key: "", Count: n})
	}
	rest, sum := make([]int, len(out)), 0
	for i := range out {
		out[i].Percent = out[i].Count * 100 / total
		rest[i] = out[i].Count * 100 % total
		sum += out[i].Percent
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	// Stable: among equal remainders the earlier share gets the point.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rest[b], rest[a]) })
	for i := 0; sum < 100 && i < len(idx); i++ {
		out[idx[i]].Percent++
		sum++
	}
	return out
}

// known returns the known keys of ss in order.
func known(ss []Share) []string {
	var keys []string
	for _, s := range ss {
		if s.Key != "" {
			keys = append(keys, s.Key)
		}
	}
	return keys
}

// oneSided holds the counts a one-sided claim needs (see Compute).
func oneSided(ss []Share) bool {
	k, u := 0, 0
	for _, s := range ss {
		if s.Key == "" {
			u += s.Count
		} else {
			k += s.Count
		}
	}
	return k >= MinKnown && u < k
}
