// Command spektrum is a self-hosted news outlet: it reads sources, extracts
// their articles and publishes them as a website, feeds and a JSON API.
// This file only parses flags and calls into internal/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"spektrum/internal/config"
)

const usage = `Spektrum — a self-hosted news outlet.

Usage: spektrum COMMAND [flags] [args]

Commands:
  serve                 run the website and the background workers
  demo                  serve local demo news sites and a Spektrum reading them (offline)
  fetch [--source ID|--all]  poll due sources (or one, or all) now and process every new article
  sources add URL       add a feed, sitemap or site (--name, --section, --lang, --force)
  sources list [--json] list sources with their state
  sources show ID       one source in detail
  sources remove ID     remove a source and its articles
  import FILE.opml      add the sources listed in an OPML file
  export                write the sources as OPML to stdout
  migrate               bring the database schema up to date
  translate status      editions, translation providers' use, budgets, cache hits and cost this month
  translate queue       translate every stored article into the editions it lacks (after adding one, or a provider)
  newsletter send [--frequency daily|weekly] [--dry-run]   send the due digests now
  newsletter export|erase EMAIL   a subscriber's data as JSON, or delete it all
  newsletter stats|webhook-url    subscriber counts; the bounce webhook's URL
  newsletter bounce [FILE...]     apply bounce mails (DSN, ARF) from files or standard input
  extract [--url URL] [--json] FILE|URL...  print the article (and metadata) read out of pages
  bench extract [--dir DIR]  score the extractor on the article-extraction benchmark next to go-trafilatura
  bench stories [--file F]   score story clustering on the story benchmark (BCubed)
  cluster --json FILE|-  group articles (JSON lines) into stories, as the pipeline does
  version               print the version

Every command takes --db PATH|postgres://… (env SPEKTRUM_DB) and the other
settings listed by 'spektrum COMMAND --help'.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a mistake in how the command was called (exit status 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, rest, stdout, stderr)
	case "fetch":
		err = cmdFetch(ctx, rest, stdout, stderr)
	case "sources":
		err = cmdSources(ctx, rest, stdout, stderr)
	case "import":
		err = cmdImport(ctx, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, rest, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr)
	case "translate":
		err = cmdTranslate(ctx, rest, stdout, stderr)
	case "newsletter":
		err = cmdNewsletter(ctx, rest, stdout, stderr)
	case "version":
		err = cmdVersion(rest, stdout)
	case "extract":
		err = cmdExtract(ctx, rest, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, rest, stdout, stderr)
	case "cluster":
		err = cmdCluster(ctx, rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "spektrum: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "spektrum %s: %v\n", cmd, err)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// command is a subcommand's flag set with every configuration setting.
type command struct {
	fs *flag.FlagSet
}

func newCommand(name string, stderr io.Writer) *command {
	fs := flag.NewFlagSet("spektrum "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config.Register(fs, os.Getenv)
	return &command{fs: fs}
}

// parse parses flags anywhere among the arguments ("sources add URL --name
// N" as well as "sources add --name N URL") and returns the positional ones.
func (c *command) parse(args []string) ([]string, *config.Config, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = c.fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	cfg, err := config.Load(c.fs)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return pos, cfg, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	switch strings.ToLower(cfg.LogLevel) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}
