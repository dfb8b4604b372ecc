package main

import (
	"runtime/debug"
)

// An ingesting process (a fetch pass, a worker) allocates a parsed tree, its
// clones and text buffers for every page and keeps little of it: with Go's
// default (GOGC=100) the collector ran for about a fifth of its CPU. Twice
// the headroom halves how often it runs; the soft memory limit makes it run
// sooner again before the heap grows past it, so a page of unusual size
// cannot take the process's memory with it (docs/benchmarks.md, "Ingest,
// fourth pass"). GOGC and GOMEMLIMIT in the environment win, as for any Go
// program. Web nodes keep Go's default: they are held to an RSS target.
const (
	ingestGCPercent   = 200
	ingestMemoryLimit = 512 << 20
)

// ingestGC is what tuneIngestGC sets: the GC percent and soft memory limit,
// each -1 where the environment has its own.
func ingestGC(getenv func(string) string) (percent int, limit int64) {
	percent, limit = ingestGCPercent, ingestMemoryLimit
	if getenv("GOGC") != "" {
		percent = -1
	}
	if getenv("GOMEMLIMIT") != "" {
		limit = -1
	}
	return percent, limit
}

// tuneIngestGC applies ingestGC to this process.
func tuneIngestGC(getenv func(string) string) {
	percent, limit := ingestGC(getenv)
	if percent >= 0 {
		debug.SetGCPercent(percent)
	}
	if limit >= 0 {
		debug.SetMemoryLimit(limit)
	}
}
