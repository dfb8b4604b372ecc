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
                        (exit status 3 when some sources or articles failed)
  sources add URL       add a feed, sitemap or site (--name, --section, --lang, --force)
  sources list [--json] list sources with their state
  sources show ID       one source in detail
  sources edit ID       change its --name, --section, --lang or --interval
  sources pause|resume ID   stop polling a source, or start again
  sources remove ID     remove a source and its articles
  sections list|add|rename|menu|order|remove   the sections: names per edition, menu order
  settings show|set|social|origins   the outlet's name, tagline, disclaimer (per edition), links, ad script origins
  ads list|show|add|edit|remove|enable|disable   the ad slots (HTML, cleaned, or a picture with a link)
  import FILE.opml      add the sources listed in an OPML file
  export                write the sources as OPML to stdout
  migrate               bring the database schema up to date
  cache purge           make every web node render its pages afresh (and call the cache webhook)
  users add --email E --role admin|editor [--password-stdin]   add an admin account (no password: a sign-in link)
  users list [--json]   list the admin accounts
  users remove|reset-password --email E   remove an account, or set its password (stdin) or send a link
  translate status      editions, translation providers' use, budgets, cache hits and cost this month
  translate queue       translate every stored article into the editions it lacks (after adding one, or a provider)
  search reindex        index every stored article for search (after an upgrade, or to rebuild)
  newsletter send [--frequency daily|weekly] [--edition L] [--dry-run]   send the due digests now
  newsletter export|erase EMAIL   a subscriber's data as JSON, or delete it all
  newsletter stats|webhook-url    subscriber counts; the bounce webhook's URL
  newsletter bounce [FILE...]     apply bounce mails (DSN, ARF) from files or standard input
  extract [--url URL] [--json] FILE|URL...  print the article (and metadata) read out of pages
  bench extract [--dir DIR]  score the extractor on the article-extraction benchmark next to go-trafilatura
  bench stories [--file F]   score story clustering on the story benchmark (BCubed)
  bench search [--articles N] [--postgres URL]  search quality (known-item MRR@10) and query latency
  bench farm [--hosts N] [--control ADDR]  serve loopback news sites that grow on request, until stopped
  cluster --json FILE|-  group articles (JSON lines) into stories, as the pipeline does
  version               print the version

'spektrum COMMAND --help' (or 'spektrum help COMMAND') says what a command does and lists its flags.
Every command also takes every setting, such as --db PATH|postgres://… (env SPEKTRUM_DB):
'spektrum help settings' lists them all.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a mistake in how the command was called (exit status 2).
var errUsage = errors.New("usage")

// exitIncomplete is the exit status of a fetch pass that ran but in which
// some sources or articles failed (README, 'spektrum fetch --help').
const exitIncomplete = 3

// incompleteError is a command that ran to the end with some failures,
// already reported; run exits with exitIncomplete.
type incompleteError struct{ what []string }

func (e *incompleteError) Error() string {
	return "not everything succeeded: " + strings.Join(e.what, ", ") + " (see above)"
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if args[0] == "help" {
		if code, done := help(args[1:], stdout, stderr); done {
			return code
		}
		args = append(args[1:], "--help")
	}
	cmd, rest := args[0], args[1:]
	if _, ok := groups[cmd]; ok && len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help") {
		fmt.Fprint(stdout, groupHelp(cmd))
		return 0
	}
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
	case "cache":
		err = cmdCache(ctx, rest, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr)
	case "translate":
		err = cmdTranslate(ctx, rest, stdout, stderr)
	case "search":
		err = cmdSearch(ctx, rest, stdout, stderr)
	case "newsletter":
		err = cmdNewsletter(ctx, rest, stdout, stderr)
	case "users":
		err = cmdUsers(ctx, rest, os.Stdin, stdout, stderr)
	case "sections":
		err = cmdSections(ctx, rest, stdout, stderr)
	case "settings":
		err = cmdSettings(ctx, rest, stdout, stderr)
	case "ads":
		err = cmdAds(ctx, rest, os.Stdin, stdout, stderr)
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
	var hr *helpRequest
	if errors.As(err, &hr) {
		fmt.Fprint(stdout, hr.text)
		return 0
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	name := cmd
	if _, ok := groups[cmd]; ok && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name += " " + rest[0]
	}
	fmt.Fprintf(stderr, "spektrum %s: %v\n", name, err)
	if h := hint(err); h != "" {
		fmt.Fprintln(stderr, h)
	}
	var ie *incompleteError
	switch {
	case errors.As(err, &ie):
		return exitIncomplete
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// command is a subcommand's flag set: its own flags and every setting.
type command struct {
	name   string
	fs     *flag.FlagSet
	global map[string]bool // the settings' flag names
}

func newCommand(name string, stderr io.Writer) *command {
	fs := flag.NewFlagSet("spektrum "+name, flag.ContinueOnError)
	// parse reports mistakes itself, and help goes to stdout.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	config.Register(fs, os.Getenv)
	global := make(map[string]bool, len(config.Settings))
	fs.VisitAll(func(f *flag.Flag) { global[f.Name] = true })
	return &command{name: name, fs: fs, global: global}
}

// parse parses flags anywhere among the arguments ("sources add URL --name
// N" as well as "sources add --name N URL") and returns the positional ones.
func (c *command) parse(args []string) ([]string, *config.Config, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, &helpRequest{commandHelp(c.name, c.fs, c.global)}
			}
			return nil, nil, fmt.Errorf("%w: %v; see 'spektrum %s --help'", errUsage, err, c.name)
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
