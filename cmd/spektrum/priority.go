package main

import (
	"errors"
	"log/slog"
)

// A worker process and a web node often share a machine's cores. An
// operator wants readers answered first and ingest to get what they
// leave, as a batch job's Nice= in a systemd unit would give. So a worker
// lowers its own priority by default (--worker-nice); web nodes and
// `serve --role all` keep theirs, as one process cannot give its
// goroutines different priorities. Measured under full reader load, the
// workers then took 6-7 CPU-seconds in 5 minutes; the readers' p99 tail
// there was not theirs, it comes with the page generation's moves
// (docs/benchmarks.md, "Load while working, fifth pass").

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
