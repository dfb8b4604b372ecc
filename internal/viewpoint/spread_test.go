package viewpoint

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var leftRight, _ = ParseScale(DefaultSteps, "Left–right")

// str prints shares compactly: "left:2:40 :1:20" (key:count:percent).
func str(ss []Share) string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s:%d:%d", s.Key, s.Count, s.Percent))
	}
	return strings.Join(out, " ")
}

func TestComputeCountsAndShares(t *testing.T) {
	sp := Compute([]Outlet{
		{ID: 1, Country: "DE", Type: Agency, Language: "de", Position: "centre"},
		{ID: 2, Country: "DE", Type: PublicBroadcaster, Language: "de", Position: "centre-left"},
		{ID: 3, Country: "FR", Type: Newspaper, Language: "fr", Position: "left"},
		{ID: 1, Country: "DE", Type: Agency, Language: "de", Position: "centre"}, // the same source again
		{ID: 4, Country: "GB", Type: Tabloid, Language: "en", Position: "right"},
		{ID: 5, Country: "", Type: "", Language: "en", Position: "far-out"}, // not on the scale: unknown
		{ID: 6, Country: "DE", Type: Newspaper, Language: "de", Position: "centre-right"},
	}, leftRight)
	if sp.Total != 6 {
		t.Fatalf("Total = %d, want 6 distinct sources", sp.Total)
	}
	// 1/6 = 16.67 each: five shares get 16 and the two largest remainders
	// (all equal, so the first two) get a point each.
	checks := map[string][2]string{
		"positions": {str(sp.Positions), "left:1:17 centre-left:1:17 centre:1:16 centre-right:1:16 right:1:17 :1:17"},
		"countries": {str(sp.Countries), "DE:3:50 FR:1:17 GB:1:17 :1:16"},
		"types":     {str(sp.Types), "newspaper:2:33 agency:1:17 public-broadcaster:1:17 tabloid:1:17 :1:16"},
		"languages": {str(sp.Languages), "de:3:50 en:2:33 fr:1:17"},
	}
	for name, c := range checks {
		got, want := c[0], c[1]
		if !percentsAdd(t, got) {
			t.Errorf("%s: percentages %s do not add up to 100", name, got)
		}
		if name != "positions" && got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	// Positions: scale order, unknown last; each 1/6.
	var keys []string
	for _, s := range sp.Positions {
		keys = append(keys, s.Key)
		if s.Count != 1 || s.Percent < 16 || s.Percent > 17 {
			t.Errorf("position %q: %d, %d%%", s.Key, s.Count, s.Percent)
		}
	}
	if strings.Join(keys, ",") != "left,centre-left,centre,centre-right,right," {
		t.Errorf("positions in order %v", keys)
	}
	if len(sp.Only) != 0 {
		t.Errorf("Only = %+v for coverage from every side", sp.Only)
	}
}

func percentsAdd(t *testing.T, s string) bool {
	t.Helper()
	sum := 0
	for _, f := range strings.Fields(s) {
		var p int
		fmt.Sscanf(f[strings.LastIndexByte(f, ':')+1:], "%d", &p)
		sum += p
	}
	return sum == 100
}

func TestComputeOnlyOneSide(t *testing.T) {
	cases := []struct {
		name    string
		outlets []Outlet
		want    []Only
	}{
		{"left and centre-left only, one country, one type", []Outlet{
			{ID: 1, Country: "DE", Type: Newspaper, Position: "left"},
			{ID: 2, Country: "DE", Type: Newspaper, Position: "centre-left"},
			{ID: 3, Country: "DE", Type: Newspaper, Position: "left"},
		}, []Only{{ByPosition, []string{"left", "centre-left"}}, {ByCountry, []string{"DE"}}, {ByType, []string{"newspaper"}}}},
		{"right and the centre", []Outlet{
			{ID: 1, Country: "DE", Position: "centre"}, {ID: 2, Country: "FR", Position: "right"},
		}, []Only{{ByPosition, []string{"centre", "right"}}}},
		{"left and right: both sides", []Outlet{
			{ID: 1, Position: "centre-left"}, {ID: 2, Position: "centre-right"},
		}, nil},
		{"one source is no finding", []Outlet{{ID: 1, Country: "DE", Position: "left"}}, nil},
		{"unknown as many as known: no claim", []Outlet{
			{ID: 1, Country: "DE", Position: "left"}, {ID: 2, Country: "DE", Position: "left"},
			{ID: 3}, {ID: 4},
		}, nil},
		{"unknown fewer than known: a claim about the known", []Outlet{
			{ID: 1, Country: "AT", Position: "right"}, {ID: 2, Country: "AT", Position: "right"},
			{ID: 3, Position: "retired-step"},
		}, []Only{{ByPosition, []string{"right"}}, {ByCountry, []string{"AT"}}}},
		{"one language is no finding", []Outlet{{ID: 1, Language: "pl"}, {ID: 2, Language: "pl"}}, nil},
	}
	for _, c := range cases {
		sp := Compute(c.outlets, leftRight)
		if !reflect.DeepEqual(sp.Only, c.want) {
			t.Errorf("%s: Only = %+v, want %+v", c.name, sp.Only, c.want)
		}
	}
}

func TestComputeOnlyOnATwoStepScale(t *testing.T) {
	sc, _ := ParseScale("government,opposition", "")
	sp := Compute([]Outlet{{ID: 1, Position: "government"}, {ID: 2, Position: "government"}}, sc)
	if o, ok := sp.OnlyIn(ByPosition); !ok || !reflect.DeepEqual(o.Keys, []string{"government"}) {
		t.Errorf("OnlyIn(position) = %+v, %v", o, ok)
	}
	sp = Compute([]Outlet{{ID: 1, Position: "government"}, {ID: 2, Position: "opposition"}}, sc)
	if _, ok := sp.OnlyIn(ByPosition); ok {
		t.Error("government and opposition called one-sided")
	}
	// The scale changed: positions of the old one are unknown, not lost.
	sp = Compute([]Outlet{{ID: 1, Position: "left"}, {ID: 2, Position: "right"}}, sc)
	if str(sp.Positions) != ":2:100" {
		t.Errorf("old positions on a new scale = %s, want all unknown", str(sp.Positions))
	}
}

func TestComputeEmptyAndAnonymous(t *testing.T) {
	if sp := Compute(nil, leftRight); sp.Total != 0 || sp.Positions != nil || sp.Only != nil {
		t.Errorf("Compute(nil) = %+v", sp)
	}
	// Outlets without an ID (not stored) each count.
	sp := Compute([]Outlet{{Name: "a", Position: "left"}, {Name: "b", Position: "left"}, {Name: "c", Position: "left"}}, leftRight)
	if sp.Total != 3 || str(sp.Positions) != "left:3:100" {
		t.Errorf("anonymous outlets: %d, %s", sp.Total, str(sp.Positions))
	}
}

func TestSharesAlwaysAddUp(t *testing.T) {
	for total := 1; total <= 40; total++ {
		for kinds := 1; kinds <= min(total, 9); kinds++ {
			vals := make([]string, total)
			for i := range vals {
				if i%kinds != 0 {
					vals[i] = fmt.Sprint("k", i%kinds)
				}
			}
			ss := shares(vals, total, byCount)
			sum, n := 0, 0
			for _, s := range ss {
				sum += s.Percent
				n += s.Count
				if s.Count == 0 {
					t.Fatalf("zero share %+v", s)
				}
			}
			if sum != 100 || n != total {
				t.Fatalf("total %d, %d kinds: percent %d, count %d (%s)", total, kinds, sum, n, str(ss))
			}
		}
	}
}

func TestSpreadJSON(t *testing.T) {
	sp := Compute([]Outlet{{ID: 1, Country: "DE", Position: "left"}, {ID: 2, Country: "DE"}, {ID: 3, Country: "DE", Position: "centre-left"}}, leftRight)
	b, err := json.Marshal(sp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total":3,"positions":[{"key":"left","count":1,"percent":34},{"key":"centre-left","count":1,"percent":33},{"key":"","count":1,"percent":33}],` +
		`"countries":[{"key":"DE","count":3,"percent":100}],"types":[{"key":"","count":3,"percent":100}],"languages":[{"key":"","count":3,"percent":100}],` +
		`"only":[{"dimension":"position","keys":["left","centre-left"]},{"dimension":"country","keys":["DE"]}]}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", b, want)
	}
}

// BenchmarkCompute: the spread of a big story's 60 sources, as a story
// page or a front page ranking stories computes it per story.
func BenchmarkCompute(b *testing.B) {
	countries := []string{"DE", "FR", "GB", "US", "PL", "IT", ""}
	var os []Outlet
	for i := range 60 {
		os = append(os, Outlet{ID: int64(i + 1), Country: countries[i%len(countries)], Type: Types()[i%len(Types())],
			Language: []string{"en", "de", "fr"}[i%3], Position: leftRight.Steps[i%len(leftRight.Steps)]})
	}
	b.ReportAllocs()
	for b.Loop() {
		Compute(os, leftRight)
	}
}
