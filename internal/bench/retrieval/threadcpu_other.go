//go:build !linux

package retrieval

import "time"

// threadCPU is 0 where a thread's CPU time cannot be read (RUSAGE_THREAD
// is Linux's): the benchmark then reports wall time only, so that the
// program still builds for other systems.
func threadCPU() time.Duration { return 0 }
