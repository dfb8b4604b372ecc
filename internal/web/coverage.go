package web

import (
	"context"
	"fmt"
	"strings"

	langname "spektrum/internal/lang"
	"spektrum/internal/slug"
	"spektrum/internal/store"
	"spektrum/internal/viewpoint"
)

// Coverage is what the "coverage" template (parts_coverage.html) shows: the
// spread of a story's (or an article's copies') sources across the outlet's
// scale, countries and types of outlet, as bars with a legend that says
// everything the colours say, and the one-sided findings in words. Every
// text is in the page's language already; the template only lays it out.
type Coverage struct {
	Lang    string
	Title   string // "Coverage"
	Sources string // "4 sources"
	Bars    []CoverageBar
	Only    []string // "Only covered by sources from Germany", …
}

// CoverageBar is one dimension: its heading and its segments in order.
type CoverageBar struct {
	Dimension string // viewpoint.ByPosition, ByCountry, ByType
	Heading   string
	Segments  []CoverageSegment
}

// CoverageSegment is one value of a dimension. X and Width are the
// segment's place in the bar in percent (an SVG rect: the site's CSP
// allows no inline style); Class picks its colour in style.css.
type CoverageSegment struct {
	Label    string
	Count    string // "2 sources"
	Percent  int
	X, Width int
	Class    string
}

// coverageColours is how many categorical colours style.css defines
// (vp-c0 …) and positionColours how many steps along the scale (vp-s0 …).
const (
	coverageColours = 6
	positionColours = 7
)

// outlets turns sources into what viewpoint.Compute reads.
func outlets(srcs []*store.Source) []viewpoint.Outlet {
	out := make([]viewpoint.Outlet, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, viewpoint.Outlet{ID: s.ID, Name: s.Name, Country: s.Country, Type: s.Type,
			Language: s.Language, Position: s.Position})
	}
	return out
}

// coverage computes the spread of srcs and words it in lang.
func (s *server) coverage(lang string, srcs []*store.Source) *Coverage {
	sp := viewpoint.Compute(outlets(srcs), s.cfg.Scale)
	if sp.Total == 0 {
		return nil
	}
	c := &Coverage{Lang: lang, Title: s.msg.T(lang, "coverage.title"), Sources: s.msg.N(lang, "coverage.sources", sp.Total)}
	scaleName := s.cfg.Scale.Name
	if scaleName == "" {
		scaleName = s.msg.T(lang, "coverage.position")
	}
	n := len(s.cfg.Scale.Steps)
	c.Bars = append(c.Bars,
		s.bar(lang, viewpoint.ByPosition, scaleName, sp.Positions, func(i int, sh viewpoint.Share) (string, string) {
			k := 0
			if n > 1 {
				k = (s.cfg.Scale.Index(sh.Key)*(positionColours-1) + (n-1)/2) / (n - 1)
			} else {
				k = positionColours / 2
			}
			return s.positionLabel(lang, sh.Key), fmt.Sprintf("vp-s%d", k)
		}),
		s.bar(lang, viewpoint.ByCountry, s.msg.T(lang, "coverage.country"), sp.Countries, func(i int, sh viewpoint.Share) (string, string) {
			return viewpoint.CountryName(sh.Key, lang), fmt.Sprintf("vp-c%d", i%coverageColours)
		}),
		s.bar(lang, viewpoint.ByType, s.msg.T(lang, "coverage.type"), sp.Types, func(i int, sh viewpoint.Share) (string, string) {
			return s.msg.T(lang, "viewpoint.type."+sh.Key), fmt.Sprintf("vp-c%d", i%coverageColours)
		}),
	)
	for _, o := range sp.Only {
		labels := make([]string, len(o.Keys))
		for i, k := range o.Keys {
			switch o.Dimension {
			case viewpoint.ByPosition:
				labels[i] = s.positionLabel(lang, k)
			case viewpoint.ByCountry:
				labels[i] = viewpoint.CountryName(k, lang)
			case viewpoint.ByType:
				labels[i] = s.msg.T(lang, "viewpoint.type."+k)
			case viewpoint.ByLanguage:
				labels[i] = langname.Name(k, lang)
			}
		}
		c.Only = append(c.Only, s.msg.T(lang, "coverage.only."+o.Dimension, strings.Join(labels, ", ")))
	}
	return c
}

// bar lays out one dimension's shares; label gives each its text and
// colour class. Unknown gets its own label and the hatched class.
func (s *server) bar(lang, dim, heading string, shares []viewpoint.Share, label func(int, viewpoint.Share) (string, string)) CoverageBar {
	b := CoverageBar{Dimension: dim, Heading: heading}
	x := 0
	for i, sh := range shares {
		seg := CoverageSegment{Count: s.msg.N(lang, "coverage.sources", sh.Count), Percent: sh.Percent, X: x, Width: sh.Percent}
		if sh.Key == "" {
			seg.Label, seg.Class = s.msg.T(lang, "coverage.unknown"), "vp-unknown"
		} else {
			seg.Label, seg.Class = label(i, sh)
		}
		x += sh.Percent
		b.Segments = append(b.Segments, seg)
	}
	return b
}

// positionLabel names a step of the scale in lang: the catalogue's word for
// the usual steps, else the key made readable ("pro-eu" → "Pro EU").
func (s *server) positionLabel(lang, key string) string {
	if k := "viewpoint.position." + key; s.msg.Has(lang, k) {
		return s.msg.T(lang, k)
	}
	return slug.Name(key)
}

// sourcesOf returns the sources of articles, each once, in the order first
// seen; an article whose source is gone (removed) is left out.
func (s *server) sourcesOf(ctx context.Context, articles ...*store.Article) ([]*store.Source, error) {
	all, err := s.st.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("load sources: %w", err)
	}
	byID := make(map[int64]*store.Source, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	var out []*store.Source
	seen := map[int64]bool{}
	for _, a := range articles {
		if src := byID[a.SourceID]; src != nil && !seen[a.SourceID] {
			seen[a.SourceID] = true
			out = append(out, src)
		}
	}
	return out, nil
}
