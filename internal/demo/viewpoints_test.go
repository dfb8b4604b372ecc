package demo

import (
	"testing"

	"spektrum/internal/viewpoint"
)

// Every demo viewpoint names a good site and passes the checks an editor's
// input gets (default scale), and at least one site is left undescribed.
func TestViewpointsAreValid(t *testing.T) {
	sc, err := viewpoint.ParseScale(viewpoint.DefaultSteps, "")
	if err != nil {
		t.Fatal(err)
	}
	described, undescribed := map[string]bool{}, 0
	for _, s := range Sites("http://127.0.0.1:1") {
		vp := s.Viewpoint
		if vp == (Viewpoint{}) {
			if !s.Broken {
				undescribed++
			}
			continue
		}
		described[s.Name] = true
		if c, ok := viewpoint.Country(vp.Country); !ok || c != vp.Country {
			t.Errorf("%s: country %q", s.Name, vp.Country)
		}
		if ty, ok := viewpoint.Type(vp.Type); !ok || ty != vp.Type {
			t.Errorf("%s: type %q", s.Name, vp.Type)
		}
		if p, err := sc.Position(vp.Position); err != nil || p != vp.Position {
			t.Errorf("%s: position %q: %v", s.Name, vp.Position, err)
		}
	}
	for name := range viewpoints() {
		if !described[name] {
			t.Errorf("viewpoint for %q, which is no good demo site", name)
		}
	}
	if undescribed == 0 {
		t.Error("every good site is described; leave one out to show 'not stated'")
	}
}
