package main

import (
	"context"
	"fmt"
	"io"

	"spektrum/internal/app"
)

// cmdTranslate: `spektrum translate status` prints the editions, each
// provider's characters, budget, cache hits and estimated cost this month,
// and how many articles each edition has translated or left in their language.
func cmdTranslate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "status" {
		return fmt.Errorf("%w: translate takes a subcommand: status", errUsage)
	}
	c := newCommand("translate status", stderr)
	pos, cfg, err := c.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: translate status takes no arguments, got %q", errUsage, pos)
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.TranslationStatus(ctx)
	if err != nil {
		return fmt.Errorf("read translation status: %w", err)
	}
	return st.WriteText(stdout)
}
