package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"spektrum/internal/app"
	"spektrum/internal/pipeline"
)

// cmdTranslate: `spektrum translate status` prints the editions, each
// provider's characters, budget, cache hits and estimated cost this month,
// and how many articles each edition has translated or left in their language.
func cmdTranslate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "queue") {
		return fmt.Errorf("%w: translate takes a subcommand: status, or queue (translate every stored article into every edition it lacks, e.g. after adding an edition or a provider)", errUsage)
	}
	if args[0] == "queue" {
		return cmdTranslateQueue(ctx, args[1:], stdout, stderr)
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
	if err := st.WriteText(stdout); err != nil {
		return err
	}
	jc, err := a.Store.JobCounts(ctx, []string{pipeline.KindTranslate}, time.Now())
	if err != nil {
		return fmt.Errorf("count translation jobs: %w", err)
	}
	fmt.Fprintf(stdout, "\nTranslation jobs: %d to do, %d waiting (retries, or next month's budget), %d running, %d failed for good\n",
		jc.Queued-jc.Waiting, jc.Waiting, jc.Running, jc.Dead)
	// What the admin's editions page shows besides: who serves each
	// edition, and the latest errors.
	fmt.Fprintln(stdout, "\nProviders serving each edition (from the other editions' languages):")
	serving := a.Translator.Serving(ctx, cfg.Editions)
	for _, ed := range cfg.Editions {
		names := strings.Join(serving[ed], ", ")
		if names == "" {
			names = "none: articles in other languages are shown untranslated"
		}
		fmt.Fprintf(stdout, "  %-3s %s\n", ed, names)
	}
	fails, err := a.Store.TranslationFailures(ctx, 5)
	if err != nil {
		return fmt.Errorf("list failed translations: %w", err)
	}
	if len(fails) > 0 {
		fmt.Fprintln(stdout, "\nLatest failed translations:")
		for _, f := range fails {
			fmt.Fprintf(stdout, "  %s  article #%d %s→%s  %s\n", f.CreatedAt.Format("2006-01-02 15:04"), f.ArticleID, f.SourceLanguage, f.Language, f.Error)
		}
	}
	return nil
}

// cmdTranslateQueue: `spektrum translate queue` queues every stored article
// into every edition and works until they are done (as `fetch` does).
func cmdTranslateQueue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("translate queue", stderr)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: translate queue takes no arguments, got %q", errUsage, pos)
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Pipeline.EnqueueAllTranslations(ctx)
	if err != nil {
		return fmt.Errorf("queue translations: %w", err)
	}
	fmt.Fprintf(stdout, "%d articles queued for the editions %v; translating…\n", n, cfg.Editions)
	if err := a.Runner().RunUntilIdle(ctx); err != nil {
		return err
	}
	st, err := a.TranslationStatus(ctx)
	if err != nil {
		return fmt.Errorf("read translation status: %w", err)
	}
	return st.WriteText(stdout)
}
