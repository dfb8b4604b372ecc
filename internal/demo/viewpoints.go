package demo

import "spektrum/internal/viewpoint"

// Viewpoint is how an editor could describe a demo site (package
// viewpoint): invented, like the sites, but plausible for their kind, so
// the demo's coverage bars have something to show. One site is left
// undescribed on purpose: "not stated" is part of every real spread.
type Viewpoint struct {
	Country, Type, Ownership, Position string
}

// viewpoints maps a good site's name to its description.
func viewpoints() map[string]Viewpoint {
	return map[string]Viewpoint{
		"harbor-gazette":    {"GB", viewpoint.Newspaper, "Harbor Media Trust (family-owned)", "centre-left"},
		"prairie-courier":   {"US", viewpoint.Newspaper, "Courier Publishing Co., a regional chain", "centre-right"},
		"lakeside-sentinel": {"US", viewpoint.Tabloid, "Sentinel Media Group (listed)", "right"},
		"eurovoix":          {"EU", viewpoint.Online, "Independent, reader-funded", "centre"},
		"rheinblick":        {"DE", viewpoint.PublicBroadcaster, "Public, funded by the broadcasting licence fee", "centre-left"},
		// circuit-review: not described.
	}
}
