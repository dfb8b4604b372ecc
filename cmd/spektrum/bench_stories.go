package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"spektrum/internal/bench/stories"
	"spektrum/internal/story"
)

// benchStories scores the clusterer on the story benchmark's dev half:
// BCubed figures and items per second on one core, in English and, with
// an apertium-apy at $SPEKTRUM_TRANSLATE_APERTIUM_URL, with every third
// headline in Spanish.
func benchStories(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench stories", stderr)
	file := c.fs.String("file", filepath.Join(stories.DefaultDir(), "dev.tsv"), "the labelled headlines (TSV)")
	pos, _, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench stories takes no arguments, got %q", errUsage, pos)
	}
	if _, err := os.Stat(*file); err != nil {
		fmt.Fprintf(stdout, "bench stories: skipped: no benchmark data at %s (set --file or $SPEKTRUM_BENCH_DIR)\n", *file)
		return nil
	}
	items, err := stories.Load(*file)
	if err != nil {
		return fmt.Errorf("load %s: %w", *file, err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	opts := story.DefaultOptions()
	fmt.Fprintf(stdout, "story clustering benchmark, %d headlines from %s, GOMAXPROCS=1\n", len(items), *file)
	report := func(name string, set []stories.Labelled) {
		start := time.Now()
		s := stories.Run(set, opts)
		el := time.Since(start)
		fmt.Fprintf(stdout, "  %-26s %v  %.0f items/s\n", name, s, float64(len(set))/el.Seconds())
	}
	report("english", items)
	if base := os.Getenv("SPEKTRUM_TRANSLATE_APERTIUM_URL"); base != "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		mixed, err := stories.Mixed(ctx, items, base, filepath.Join(cache, "spektrum"))
		if err != nil {
			return fmt.Errorf("make the mixed set: %w", err)
		}
		report("every third in spanish", mixed)
	} else {
		fmt.Fprintln(stdout, "  (set SPEKTRUM_TRANSLATE_APERTIUM_URL to an apertium-apy for the mixed English/Spanish set)")
	}
	return nil
}
