//go:build !unix

package ingest

import "time"

// cpuTime is 0 where getrusage does not exist (Windows): the benchmark
// then reports wall time only, so that the program still builds there.
func cpuTime() time.Duration { return 0 }
