//go:build unix && !linux

package main

import (
	"fmt"
	"syscall"
)

// niceAtLeast raises this process's niceness to at least nice (never
// lowers it: an operator who started the worker nicer keeps that). On
// macOS and the BSDs a niceness belongs to the process, so one call covers
// every thread, those made later too; their getpriority answers the
// niceness itself (-20..20), not Linux's 20 - niceness.
func niceAtLeast(nice int) error {
	cur, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return fmt.Errorf("reading this process's niceness: %w", err)
	}
	if cur >= nice {
		return nil
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, nice); err != nil {
		return fmt.Errorf("setting this process to niceness %d: %w", nice, err)
	}
	return nil
}
