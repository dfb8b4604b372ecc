//go:build !unix

package main

func niceAtLeast(int) error { return errNiceUnsupported }
