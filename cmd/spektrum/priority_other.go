//go:build !linux

package main

import "errors"

func niceAtLeast(int) error {
	return errors.New("setting a process's niceness is only supported on Linux here")
}
