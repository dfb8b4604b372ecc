package main

import "log/slog"

// A worker process and a web node often share a machine's cores. Under
// full reader load, a worker extracting and translating at the same
// priority took half of them and the readers' p99 rose 50-fold (docs/
// benchmarks.md, "Load while working"); an operator wants readers answered
// first and ingest to get what they leave, as a batch job's Nice= in a
// systemd unit would give. So a worker lowers its own priority by default
// (--worker-nice); web nodes and `serve --role all` keep theirs, as one
// process cannot give its goroutines different priorities.

// lowerWorkerPriority makes this process at least nice and logs why it
// could not when the system refuses; the work goes on either way.
func lowerWorkerPriority(nice int, log *slog.Logger) {
	if nice <= 0 {
		return
	}
	if err := niceAtLeast(nice); err != nil {
		log.Warn("worker priority not lowered; it competes with web nodes on this machine at their priority",
			"worker_nice", nice, "err", err)
	}
}
