package main

import (
	"flag"
	"fmt"
	"strings"

	"spektrum/internal/viewpoint"
)

// viewpointHelp closes the help of sources edit.
const viewpointHelp = "A source's viewpoint is its --country, --type, --ownership and --position, the last a step of\n" +
	"the outlet's scale (--viewpoint-scale, default " + viewpoint.DefaultSteps + ").\n" +
	"A position stored for a step the scale no longer has is kept and shown as unknown. \"none\" clears a value."

// vpFlags are the flags that describe a source's viewpoint (sources add
// and edit).
type vpFlags struct{ country, typ, ownership, position *string }

func viewpointFlags(fs *flag.FlagSet) vpFlags {
	return vpFlags{
		country:   fs.String("country", "", "the outlet's country, an ISO 3166-1 code such as DE or US (\"none\" clears it)"),
		typ:       fs.String("type", "", "the kind of outlet: "+strings.Join(viewpoint.Types(), ", ")+" (\"none\" clears it)"),
		ownership: fs.String("ownership", "", "who owns the outlet, in a line (\"none\" clears it)"),
		position:  fs.String("position", "", "the outlet's position on the scale set by --viewpoint-scale, e.g. centre-left (\"none\" clears it)"),
	}
}

// cleared reads "none" and "-" as "no value", the way the other flags of
// sources edit clear theirs.
func cleared(v string) string {
	if t := strings.ToLower(strings.TrimSpace(v)); t == "none" || t == "-" {
		return ""
	}
	return v
}

func ptr(v string) *string { return &v }

// position shows a stored position, saying so when the outlet's scale no
// longer has it: the value is kept, and the site shows it as unknown.
func position(sc viewpoint.Scale, p string) string {
	switch {
	case p == "":
		return "-"
	case sc.Has(p):
		return p
	}
	return fmt.Sprintf("%s (not on the scale %s: shown as unknown)", p, strings.Join(sc.Steps, ","))
}
