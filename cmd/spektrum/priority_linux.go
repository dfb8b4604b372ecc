package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// niceAtLeast raises the niceness of every thread of this process to at
// least nice (never lowers it: an operator who started the worker nicer
// keeps that). On Linux a niceness belongs to a thread, not a process, and
// a new thread inherits its creator's: so every thread the Go runtime has
// made so far is set, and the walk is repeated until a pass finds nothing
// to change, which catches a thread created from one not yet set.
func niceAtLeast(nice int) error {
	for pass := 0; pass < 10; pass++ {
		changed, err := nicePass(nice)
		if err != nil || !changed {
			return err
		}
	}
	return nil
}

func nicePass(nice int) (changed bool, err error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return false, fmt.Errorf("listing this process's threads: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// The raw getpriority system call answers 20 - niceness (1..40),
		// so that no answer is negative.
		raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		if errors.Is(err, syscall.ESRCH) {
			continue // the thread ended
		}
		if err != nil {
			return changed, fmt.Errorf("reading the niceness of thread %d: %w", tid, err)
		}
		if 20-raw >= nice {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil && !errors.Is(err, syscall.ESRCH) {
			return changed, fmt.Errorf("setting thread %d to niceness %d: %w", tid, nice, err)
		}
		changed = true
	}
	return changed, nil
}
