package main

import (
	"runtime/debug"
	"testing"
)

func TestIngestGC(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env     map[string]string
		percent int
		limit   int64
	}{
		{nil, ingestGCPercent, ingestMemoryLimit},
		{map[string]string{"GOGC": "off"}, -1, ingestMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "2GiB"}, ingestGCPercent, -1},
		{map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, -1, -1},
	}
	for _, c := range cases {
		if p, l := ingestGC(env(c.env)); p != c.percent || l != c.limit {
			t.Errorf("ingestGC(%v) = %d, %d; want %d, %d", c.env, p, l, c.percent, c.limit)
		}
	}
	// Applied, the process reports the settings.
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	defer func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}()
	tuneIngestGC(env(nil))
	if p := debug.SetGCPercent(100); p != ingestGCPercent {
		t.Errorf("GC percent after tuneIngestGC: %d, want %d", p, ingestGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != ingestMemoryLimit {
		t.Errorf("memory limit after tuneIngestGC: %d, want %d", l, ingestMemoryLimit)
	}
}
