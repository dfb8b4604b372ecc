// Package version reports which build of Spektrum this is, from the module
// and VCS information the Go toolchain stamps into every binary.
package version

import (
	"fmt"
	"runtime/debug"
)

// Version is the release; builds from a checkout add their commit.
const Version = "0.1.0"

// String is "0.1.0 (commit abc1234, go1.26.8)" or as much of it as is known.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev == "" {
		return fmt.Sprintf("%s (%s)", Version, info.GoVersion)
	}
	if dirty {
		rev += "+changes"
	}
	return fmt.Sprintf("%s (commit %s, %s)", Version, rev, info.GoVersion)
}

// UserAgent is the honest User-Agent Spektrum fetches with.
func UserAgent() string {
	return "Spektrum/" + Version + " (self-hosted news aggregator; +https://github.com/spektrum-news/spektrum)"
}
