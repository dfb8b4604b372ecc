package main

import (
	"errors"
	"log/slog"
)

// A worker process and a web node often share a machine's cores. Under
// full reader load, a worker extracting and translating at the same
// priority took half of them and the readers' p99 rose 50-fold (docs/
// benchmarks.md, "Load while working"); an operator wants readers answered
// first and ingest to get what they leave, as a batch job's Nice= in a
// systemd unit would give. So a worker lowers its own priority by default
// (--worker-nice); web nodes and `serve --role all` keep theirs, as one
// process cannot give its goroutines different priorities.

// errNiceUnsupported tells that this system has no niceness to set here
// (Windows and the like): lowerWorkerPriority logs it at Debug only, as it
// is how the system is, not something an operator can fix.
var errNiceUnsupported = errors.New("setting a process's niceness is not supported on this system")

// lowerWorkerPriority makes this process at least nice and logs why it
// could not when the system refuses; the work goes on either way.
func lowerWorkerPriority(nice int, log *slog.Logger) {
	if nice <= 0 {
		return
	}
	err := niceAtLeast(nice)
	if errors.Is(err, errNiceUnsupported) {
		log.Debug("worker priority not lowered: not supported on this system", "worker_nice", nice)
		return
	}
	if err != nil {
		log.Warn("worker priority not lowered; it competes with web nodes on this machine at their priority",
			"worker_nice", nice, "err", err)
	}
}
