package main

import (
	"context"
	"fmt"
	"io"

	"spektrum/internal/app"
)

// cmdSearch: `spektrum search reindex` (re)builds the full-text index of
// every stored article in every edition, in this process; the pipeline
// keeps it current from then on.
func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reindex" {
		return fmt.Errorf("%w: search takes a subcommand: reindex (index every stored article for search, e.g. after an upgrade)", errUsage)
	}
	c := newCommand("search reindex", stderr)
	pos, cfg, err := c.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: search reindex takes no arguments, got %q", errUsage, pos)
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Pipeline.IndexAll(ctx, func(n int) { fmt.Fprintf(stderr, "\rindexed %d articles", n) })
	fmt.Fprintln(stderr)
	if err != nil {
		return fmt.Errorf("index articles for search (%d done): %w", n, err)
	}
	// The tier of the newest documents, where the index could not copy it
	// (SQLite after its upgrade to migration 0033).
	filled, err := a.Pipeline.FillSearchTier(ctx)
	if err != nil {
		return err
	}
	if filled > 0 {
		if _, err := fmt.Fprintf(stdout, "%d of the newest documents added to the search index's tier\n", filled); err != nil {
			return err
		}
	}
	// Every article was written anew: the index is in as many pieces as
	// after an import.
	opt, err := a.Store.OptimizeSearch(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%d articles indexed for search in the editions %v\n", n, cfg.Editions); err != nil {
		return err
	}
	if opt.Partial {
		_, err = fmt.Fprintf(stdout, "index merged in %d steps; the segments written meanwhile are left to the index's own merging\n", opt.Steps)
	}
	return err
}
