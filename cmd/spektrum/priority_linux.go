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
// to change, which catches a thread created from one not yet set. A
// thread the system refuses does not stop the walk: the others are still
// set, and every refusal is reported.
func niceAtLeast(nice int) error {
	return niceThreads("/proc/self/task", nice, threadPriority{
		get: func(tid int) (int, error) {
			// The raw getpriority system call answers 20 - niceness
			// (1..40), so that no answer is negative.
			raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			return 20 - raw, err
		},
		set: func(tid, nice int) error { return syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice) },
	})
}

// threadPriority reads and sets a thread's niceness; a test gives its own
// to make the system refuse (a root test process is never refused, and
// one run at niceness 19 has nothing to raise).
type threadPriority struct {
	get func(tid int) (int, error)
	set func(tid, nice int) error
}

// nicePasses bounds the walks: threads are created at start-up, and a
// walk still changing one after that many is reported, not looped on.
const nicePasses = 10

// niceThreads is niceAtLeast for the threads listed in dir.
// A pass that was refused a thread but changed others is followed by
// another, as one of those may have created a thread meanwhile.
func niceThreads(dir string, nice int, p threadPriority) error {
	var err error
	for pass := 0; pass < nicePasses; pass++ {
		var changed bool
		changed, err = nicePass(dir, nice, p)
		if !changed {
			return err
		}
	}
	return errors.Join(err, fmt.Errorf("threads still changing niceness after %d passes", nicePasses))
}

func nicePass(dir string, nice int, p threadPriority) (changed bool, err error) {
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("listing this process's threads: %w", err)
	}
	var errs []error
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		cur, err := p.get(tid)
		if errors.Is(err, syscall.ESRCH) {
			continue // the thread ended
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("reading the niceness of thread %d: %w", tid, err))
			continue
		}
		if cur >= nice {
			continue
		}
		err = p.set(tid, nice)
		if errors.Is(err, syscall.ESRCH) {
			continue // the thread ended
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("setting thread %d to niceness %d: %w", tid, nice, err))
			continue
		}
		changed = true
	}
	return changed, errors.Join(errs...)
}
