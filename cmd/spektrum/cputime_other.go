//go:build !unix

package main

import "time"

// processCPU is 0 where getrusage does not exist (Windows): bench search
// then reports wall time only, so that the program still builds there.
func processCPU() time.Duration { return 0 }
