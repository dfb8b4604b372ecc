package main

import (
	"errors"
	"fmt"
	"strings"

	"spektrum/internal/fetch"
	"spektrum/internal/ops"
	"spektrum/internal/settings"
)

// privateHint says how to let this process fetch private addresses.
const privateHint = "To fetch loopback and private addresses (tests, an intranet), run with --allow-private-networks or SPEKTRUM_ALLOW_PRIVATE_NETWORKS=true."

// hint turns a typed error into what to do next on the command line: the
// core packages name no flags, so the CLI adds them here.
func hint(err error) string {
	var oe *ops.Error
	if errors.As(err, &oe) {
		switch oe.Code {
		case ops.Unreadable:
			return "To add it anyway (a site that is down today), use --force."
		case ops.Private:
			return privateHint + " To add it without reading it, use --force."
		case ops.NotFound:
			return "See 'spektrum sources list' for the sources there are."
		case ops.Duplicate:
			return fmt.Sprintf("See 'spektrum sources show %d'.", oe.OtherID)
		case ops.NoSection:
			return "See 'spektrum sections list' for the sections there are."
		case ops.SectionExists:
			return fmt.Sprintf("To rename it: spektrum sections rename %s [--lang L] NAME", oe.Value)
		case ops.SectionInUse:
			return fmt.Sprintf("To move them and remove it: spektrum sections remove %s --move-to OTHER-SECTION", oe.Value)
		case ops.NoAd:
			return "See 'spektrum ads list' for the ads there are."
		case ops.Invalid:
			switch oe.Field {
			case ops.FieldPosition:
				return "The scale is set with --viewpoint-scale (SPEKTRUM_VIEWPOINT_SCALE); --position none clears a source's position."
			case "placement":
				return "Placements: " + strings.Join(settings.Placements, ", ") + "."
			case "network":
				return "Networks: " + networkIDs() + "."
			case "edition":
				return "The editions are set with --editions (SPEKTRUM_EDITIONS); --edition all shows an ad in every edition."
			case "kind":
				return "Give the ad's content with --html, --html-file, or --image with --link and --alt."
			}
		}
		return ""
	}
	var fe *fetch.Error
	if errors.As(err, &fe) && fe.Kind == fetch.Blocked {
		return privateHint
	}
	return ""
}
