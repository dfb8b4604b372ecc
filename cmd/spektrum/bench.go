package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/extract"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "stories":
			return benchStories(ctx, args[1:], stdout, stderr)
		case "populate":
			return benchPopulate(ctx, args[1:], stdout, stderr)
		case "pages":
			return benchPages(ctx, args[1:], stdout, stderr)
		case "ingest":
			return benchIngest(ctx, args[1:], stdout, stderr)
		case "search":
			return benchSearch(ctx, args[1:], stdout, stderr)
		case "farm":
			return benchFarm(ctx, args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "extract" {
		return fmt.Errorf("%w: bench has six benchmarks and a farm: spektrum bench extract [--dir DIR], spektrum bench stories [--file F], spektrum bench ingest [--postgres URL], spektrum bench farm [--hosts N --feeds N --items N], spektrum bench search [--articles N] [--postgres URL], spektrum bench populate --db DB [--articles N --sources N], spektrum bench pages --db DB", errUsage)
	}
	c := newCommand("bench extract", stderr)
	dir := c.fs.String("dir", "", "the aeb benchmark directory (default $"+aeb.EnvDir+" or ../shared/bench/aeb beside the module)")
	pos, _, err := c.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench extract takes no arguments, got %q", errUsage, pos)
	}
	if *dir == "" {
		*dir = aeb.DefaultDir()
	}
	if *dir == "" {
		fmt.Fprintf(stdout, "bench extract: skipped: no benchmark data (set $%s or --dir to the aeb directory, or put it at ../shared/bench/aeb)\n", aeb.EnvDir)
		return nil
	}
	pages, err := aeb.Load(*dir)
	if err != nil {
		return err
	}
	// One core, as the target is stated: both extractors run on this
	// goroutine and the scheduler (and GC) get no second core to hide in.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	even, odd := aeb.Halves(pages)
	sets := []struct {
		name  string
		pages []aeb.Page
	}{{"all", pages}, {"even (dev)", even}, {"odd (held out)", odd}}
	extractors := []struct {
		name string
		fn   aeb.Extractor
	}{{"spektrum", aeb.Spektrum(extract.New())}, {"go-trafilatura", aeb.GoTrafilatura}}

	fmt.Fprintf(stdout, "article extraction benchmark, %d pages from %s, GOMAXPROCS=1\n\n", len(pages), *dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pages\textractor\tF1\tprecision\trecall\taccuracy\terrors\tpages/s\t")
	for _, s := range sets {
		var speed [2]float64
		for i, e := range extractors {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, d := aeb.Run(s.pages, e.fn)
			speed[i] = float64(len(s.pages)) / d.Seconds()
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.3f\t%d\t%.1f\t\n", s.name, e.name, r.F1, r.Precision, r.Recall, r.Accuracy, r.Errors, speed[i])
		}
		fmt.Fprintf(tw, "%s\tspeed ratio\t\t\t\t\t\t%.2fx\t\n", s.name, speed[0]/speed[1])
	}
	return tw.Flush()
}
