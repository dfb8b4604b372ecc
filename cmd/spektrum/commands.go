package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"spektrum/internal/app"
	"spektrum/internal/config"
	"spektrum/internal/demo"
	"spektrum/internal/ops"
	"spektrum/internal/ops/view"
	"spektrum/internal/pipeline"
	"spektrum/internal/store"
	"spektrum/internal/version"
)

func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		c := newCommand("version", io.Discard)
		return &helpRequest{commandHelp("version", c.fs, c.global)}
	}
	if len(args) > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	fmt.Fprintln(stdout, "spektrum", version.String())
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("migrate", stderr)
	if _, cfg, err := c.parse(args); err != nil {
		return err
	} else {
		st, err := app.OpenStore(ctx, cfg.DB, true)
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Fprintf(stdout, "database %s is up to date\n", cfg.DB)
	}
	return nil
}

// cmdCache runs `spektrum cache purge`.
func cmdCache(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "purge" {
		return fmt.Errorf("%w: cache takes one subcommand: purge", errUsage)
	}
	c := newCommand("cache purge", stderr)
	pos, cfg, err := c.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: cache purge takes no arguments, got %q", errUsage, pos)
	}
	st, err := app.OpenStore(ctx, cfg.DB, !cfg.NoAutoMigrate)
	if err != nil {
		return err
	}
	defer st.Close()
	gen, err := ops.PurgePages(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cached pages purged: generation %d; every web node renders afresh within a second\n", gen)
	return nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("serve", stderr)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, pos)
	}
	log := newLogger(cfg, stderr)
	if cfg.Role == "worker" {
		tuneIngestGC(os.Getenv)
		lowerWorkerPriority(cfg.WorkerNice, log)
	}
	a, err := app.New(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, func(url string) {
		if url != "" {
			fmt.Fprintf(stdout, "Spektrum %s is running: open %s\n", version.Version, url)
		} else {
			fmt.Fprintf(stdout, "Spektrum %s worker is running\n", version.Version)
		}
		fmt.Fprintf(stdout, "database: %s, role: %s; press Ctrl-C to stop\n", cfg.DB, cfg.Role)
	})
}

func cmdFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("fetch", stderr)
	source := c.fs.Int64("source", 0, "poll only this source (by ID), due or not")
	all := c.fs.Bool("all", false, "poll every enabled source now, due or not")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: fetch takes no arguments (use --source ID), got %q", errUsage, pos)
	}
	if *all && *source != 0 {
		return fmt.Errorf("%w: give --all or --source, not both", errUsage)
	}
	if *all {
		*source = app.AllSources
	}
	tuneIngestGC(os.Getenv)
	lowerWorkerPriority(cfg.WorkerNice, newLogger(cfg, stderr))
	return fetchPass(ctx, cfg, *source, stdout, stderr)
}

// fetchPass runs one pass with progress on stderr and the summary on
// stdout. When some sources or articles failed it returns an
// *incompleteError (exit status 3) after the summary.
func fetchPass(ctx context.Context, cfg *config.Config, source int64, stdout, stderr io.Writer) error {
	sum := &app.Summary{}
	prog := newProgress(stderr)
	a, err := app.New(ctx, cfg, newLogger(cfg, io.Discard), func(e pipeline.Event) {
		sum.Observe(e)
		prog.event(e)
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if source > 0 {
		if _, err := a.Ops.Source(ctx, source); err != nil {
			return err
		}
	}
	err = a.FetchPass(ctx, source)
	prog.finish()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, sum.String())
	for _, e := range sum.SourceErrors() {
		fmt.Fprintln(stdout, "  failed:", e)
	}
	if what := incomplete(sum); len(what) > 0 {
		return &incompleteError{what}
	}
	return nil
}

// incomplete lists what kept a pass from succeeding in full; each entry
// makes `fetch` exit with exitIncomplete. Later stages add theirs here.
func incomplete(sum *app.Summary) []string {
	var what []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			what = append(what, "1 "+one)
		case n > 1:
			what = append(what, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(sum.SourcesFailed, "source failed", "sources failed")
	add(sum.ArticlesFailed, "article failed", "articles failed")
	add(sum.TranslationsFailed, "translation failed", "translations failed")
	return what
}

// progress shows a bar on a terminal and plain lines otherwise.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
	mu  chan struct{}
	max int
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, mu: make(chan struct{}, 1)}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(0, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("fetching"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	}
	return p
}

func (p *progress) event(e pipeline.Event) {
	p.mu <- struct{}{}
	defer func() { <-p.mu }()
	if p.bar == nil {
		switch e.Kind {
		case pipeline.SourcePolled:
			fmt.Fprintf(p.w, "source #%d %s: ok, %d new items\n", e.SourceID, e.Source, e.Queued)
		case pipeline.SourceFailed:
			fmt.Fprintf(p.w, "source #%d %s: FAILED: %v\n", e.SourceID, e.Source, e.Err)
		case pipeline.ArticleDone:
			if e.Note != "" {
				fmt.Fprintf(p.w, "article %s: %s (%s)\n", e.Result, e.URL, e.Note)
			} else {
				fmt.Fprintf(p.w, "article %s: %s\n", e.Result, e.URL)
			}
		case pipeline.ArticleFailed:
			retry := ", will retry"
			if e.Final {
				retry = ""
			}
			fmt.Fprintf(p.w, "article FAILED%s: %s: %v\n", retry, e.URL, e.Err)
		}
		return
	}
	switch e.Kind {
	case pipeline.SourcePolled:
		p.max += 1 + e.Queued
	case pipeline.SourceFailed:
		p.max++
	}
	p.bar.ChangeMax(max(p.max, 1))
	_ = p.bar.Add(1)
	if e.Kind == pipeline.SourceFailed || e.Kind == pipeline.ArticleFailed {
		_ = p.bar.Clear()
		fmt.Fprintf(p.w, "failed: %s: %v\n", firstOf(e.URL, e.Source), e.Err)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmdSources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: sources needs a subcommand: %s (see 'spektrum sources --help')", errUsage, strings.Join(groups["sources"], ", "))
	}
	sub, args := args[0], args[1:]
	c := newCommand("sources "+sub, stderr)
	switch sub {
	case "add":
		return sourcesAdd(ctx, c, args, stdout)
	case "list":
		return sourcesList(ctx, c, args, stdout)
	case "show":
		return sourcesShow(ctx, c, args, stdout)
	case "edit":
		return sourcesEdit(ctx, c, args, stdout)
	case "pause", "resume", "remove":
		return sourcesChange(ctx, c, sub, args, stdout)
	}
	return fmt.Errorf("%w: unknown sources subcommand %q: use %s (see 'spektrum sources --help')", errUsage, sub, strings.Join(groups["sources"], ", "))
}

func sourcesAdd(ctx context.Context, c *command, args []string, stdout io.Writer) error {
	name := c.fs.String("name", "", "display name (default: the feed's title)")
	section := c.fs.String("section", "", "section slug its articles are filed under, e.g. russia")
	lang := c.fs.String("lang", "", "language code of the source, e.g. de (default: from the feed)")
	force := c.fs.Bool("force", false, "add it even if it cannot be read now")
	vp := viewpointFlags(c.fs)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: sources add takes one URL, like https://www.example.org/feed.xml", errUsage)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		s, err := a.Ops.AddSource(ctx, ops.AddRequest{URL: pos[0], Name: *name, Section: *section, Language: *lang, Force: *force,
			Country: cleared(*vp.country), Type: cleared(*vp.typ), Ownership: cleared(*vp.ownership), Position: cleared(*vp.position)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added source #%d %q (%s) %s\n", s.ID, s.Name, s.Kind, s.URL)
		if s.LastError != "" {
			fmt.Fprintf(stdout, "warning: it cannot be read now: %s\n", s.LastError)
		}
		return nil
	})
}

func sourcesList(ctx context.Context, c *command, args []string, stdout io.Writer) error {
	asJSON := c.fs.Bool("json", false, "print a JSON array: each source as /api/v1/sources shows it, plus last_error")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: sources list takes no arguments", errUsage)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		ss, err := a.Ops.Sources(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]view.Source, 0, len(ss))
			for i := range ss {
				out = append(out, view.Of(&ss[i]))
			}
			return printJSON(stdout, out)
		}
		tw := newTable(stdout, "ID\tNAME\tKIND\tSECTION\tARTICLES\tLAST POLL\tSTATUS\tURL")
		for _, s := range ss {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.ID, s.Name, s.Kind, dash(s.Section), s.ArticleCount, ago(s.LastPolledAt), status(&s), s.URL)
		}
		return tw.Flush()
	})
}

func sourcesShow(ctx context.Context, c *command, args []string, stdout io.Writer) error {
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "sources show")
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		s, err := a.Ops.Source(ctx, id)
		if err != nil {
			return err
		}
		tw := newTable(stdout, "")
		row := func(k string, v any) { fieldRow(tw, k, v) }
		row("ID", s.ID)
		row("Name", s.Name)
		row("URL", s.URL)
		row("Site", dash(s.SiteURL))
		row("Kind", s.Kind)
		row("Section", dash(s.Section))
		row("Language", dash(s.Language))
		row("Country", dash(s.Country))
		row("Type", dash(s.Type))
		row("Ownership", dash(s.Ownership))
		row("Position", position(a.Ops.Scale(), s.Position))
		row("Enabled", s.Enabled)
		row("Poll interval", s.PollInterval)
		row("Articles", s.ArticleCount)
		row("Failed articles", s.FailedJobs)
		row("Last poll", ago(s.LastPolledAt))
		row("Last success", ago(s.LastSuccess))
		row("Next poll", when(s.NextPollAt))
		row("Errors in a row", s.ErrorCount)
		row("State", status(s))
		row("Last error", dash(s.LastError))
		if err := tw.Flush(); err != nil {
			return err
		}
		if view.ProblemOf(s.LastError) == view.AddressNotAllowed {
			fmt.Fprintln(stdout, privateHint)
		}
		return nil
	})
}

func sourcesEdit(ctx context.Context, c *command, args []string, stdout io.Writer) error {
	name := c.fs.String("name", "", "new display name")
	section := c.fs.String("section", "", "section slug its articles are filed under (\"-\" for none)")
	lang := c.fs.String("lang", "", "language code of the source (\"-\" to detect it per article)")
	interval := c.fs.Duration("interval", 0, "time between polls, e.g. 1h (at least 1m)")
	vp := viewpointFlags(c.fs)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "sources edit")
	if err != nil {
		return err
	}
	var e ops.Edit
	c.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			e.Name = name
		case "section":
			e.Section = noneIfDash(*section)
		case "lang":
			e.Language = noneIfDash(*lang)
		case "interval":
			e.PollInterval = interval
		case "country":
			e.Country = ptr(cleared(*vp.country))
		case "type":
			e.Type = ptr(cleared(*vp.typ))
		case "ownership":
			e.Ownership = ptr(cleared(*vp.ownership))
		case "position":
			e.Position = ptr(cleared(*vp.position))
		}
	})
	if e == (ops.Edit{}) {
		return fmt.Errorf("%w: sources edit: say what to change with --name, --section, --lang, --interval, --country, --type, --ownership or --position", errUsage)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		s, err := a.Ops.EditSource(ctx, id, e)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "source #%d %q: section %s, language %s, polled every %s\n", s.ID, s.Name, dash(s.Section), dash(s.Language), s.PollInterval)
		if e.Country != nil || e.Type != nil || e.Ownership != nil || e.Position != nil {
			fmt.Fprintf(stdout, "  country %s, type %s, position %s, ownership %s\n", dash(s.Country), dash(s.Type), position(a.Ops.Scale(), s.Position), dash(s.Ownership))
		}
		return nil
	})
}

func noneIfDash(v string) *string {
	if v == "-" {
		v = ""
	}
	return &v
}

func sourcesChange(ctx context.Context, c *command, sub string, args []string, stdout io.Writer) error {
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "sources "+sub)
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		switch sub {
		case "pause":
			s, err := a.Ops.PauseSource(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "paused source #%d %q; 'spektrum sources resume %d' polls it again\n", s.ID, s.Name, s.ID)
		case "resume":
			s, err := a.Ops.ResumeSource(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "resumed source #%d %q; it is polled at the next fetch\n", s.ID, s.Name)
		default:
			s, err := a.Ops.RemoveSource(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed source #%d %q and its %d articles\n", s.ID, s.Name, s.ArticleCount)
		}
		return nil
	})
}

func status(s *store.Source) string {
	switch {
	case !s.Enabled:
		return "disabled"
	case s.LastError != "":
		msg := s.LastError
		if len(msg) > 60 {
			msg = msg[:57] + "..."
		}
		return "error: " + msg
	case s.LastPolledAt.IsZero():
		return "new"
	}
	return "ok"
}

func oneID(pos []string, cmd string) (int64, error) {
	if len(pos) != 1 {
		return 0, fmt.Errorf("%w: %s takes one source ID", errUsage, cmd)
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %q is not a source ID (a number, see 'spektrum sources list')", errUsage, pos[0])
	}
	return id, nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return time.Since(t).Round(time.Second).String() + " ago"
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Until(t).Round(time.Second)
	if d <= 0 {
		return "due now"
	}
	return "in " + d.String()
}

func withApp(ctx context.Context, cfg *config.Config, f func(*app.App) error) error {
	a, err := app.New(ctx, cfg, newLogger(cfg, io.Discard), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return f(a)
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("import", stderr)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: import takes one OPML file", errUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	return withApp(ctx, cfg, func(a *app.App) error {
		results, err := a.Ops.ImportOPML(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		added, skipped, failed := 0, 0, 0
		for _, r := range results {
			switch {
			case ops.CodeOf(r.Err) == ops.Duplicate:
				skipped++
			case r.Err != nil:
				failed++
				fmt.Fprintf(stderr, "skipped %s: %v\n", r.URL, r.Err)
			default:
				added++
				fmt.Fprintf(stdout, "added source #%d %q %s\n", r.Source.ID, r.Source.Name, r.Source.URL)
			}
		}
		fmt.Fprintf(stdout, "%d added, %d already present, %d failed; run 'spektrum fetch' to read them\n", added, skipped, failed)
		return nil
	})
}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("export", stderr)
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: export takes no arguments; it writes OPML to stdout", errUsage)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		return a.Ops.ExportOPML(ctx, stdout, cfg.SiteName+" sources")
	})
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("demo", stderr)
	c.fs.Lookup("db").DefValue = "data/demo.db"
	_ = c.fs.Set("db", envOr("SPEKTRUM_DB", "data/demo.db"))
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: demo takes no arguments", errUsage)
	}
	if c.fs.Lookup("editions").Value.String() == "" {
		// Show the editions off: every page in en, de, fr and es
		// (translated where SPEKTRUM_TRANSLATE_* names a provider).
		cfg.Editions = []string{"en", "de", "fr", "es"}
	}
	// The newsletter works without an SMTP server: its mails go to a
	// folder beside the database, and the log names each file and its links.
	mailDir := ""
	if cfg.SMTPURL == "" {
		mailDir = "data/demo-mail"
		if !strings.Contains(cfg.DB, "://") {
			mailDir = filepath.Join(filepath.Dir(cfg.DB), "demo-mail")
		}
		cfg.SMTPURL = "file:" + mailDir
	}
	// Dated as today's news, so the site (and its news sitemap) looks live.
	srv, err := demo.StartFresh(time.Now())
	if err != nil {
		return fmt.Errorf("start demo sites: %w", err)
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "demo news sites are served at %s\n", srv.URL)
	// The demo sites live on loopback, which the fetcher refuses by default.
	cfg.AllowPrivateNetworks = true
	cfg.PerHostDelay = 0
	err = withApp(ctx, cfg, func(a *app.App) error {
		existing, err := a.Ops.Sources(ctx)
		if err != nil {
			return err
		}
		for _, s := range existing {
			if strings.HasPrefix(s.URL, "http://127.0.0.1:") && !strings.HasPrefix(s.URL, srv.URL) {
				// A previous demo's sites ran on another port.
				_, _ = a.Ops.RemoveSource(ctx, s.ID)
			}
		}
		for _, site := range srv.Sites {
			vp := site.Viewpoint
			s, err := a.Ops.AddSource(ctx, ops.AddRequest{URL: site.SourceURL, Name: site.Title, Section: site.Section, Language: site.Lang, Force: site.Broken,
				Country: vp.Country, Type: vp.Type, Ownership: vp.Ownership, Position: vp.Position})
			if ops.CodeOf(err) == ops.Duplicate {
				continue
			}
			if err != nil {
				return fmt.Errorf("add demo site %s: %w", site.Name, err)
			}
			fmt.Fprintf(stdout, "added source #%d %q\n", s.ID, s.Name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Three demo sites are broken on purpose: an incomplete pass is the
	// demo working.
	var ie *incompleteError
	if err := fetchPass(ctx, cfg, 0, stdout, stderr); err != nil && !errors.As(err, &ie) {
		return err
	}
	if cfg.Role == "worker" {
		tuneIngestGC(os.Getenv)
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, func(url string) {
		if len(a.Translator.Providers()) == 0 {
			fmt.Fprintf(stdout, "translation is off: articles are shown in their own language in the other editions; to translate them,\n"+
				"  run apertium-apy (apt install apertium-apy apertium-eng-spa apertium-fr-es; apertium-apy -p 2737 /usr/share/apertium/modes)\n"+
				"  and start the demo with SPEKTRUM_TRANSLATE_APERTIUM_URL=http://127.0.0.1:2737 (other providers: spektrum help settings)\n")
		} else {
			fmt.Fprintf(stdout, "translation is on (%s): the editions fill as articles are translated\n", strings.Join(a.Translator.Providers(), ", "))
		}
		if mailDir != "" {
			fmt.Fprintf(stdout, "newsletter: no SMTP server is set (SPEKTRUM_SMTP_URL), so its mails are written to %s and logged;\n"+
				"  sign up at %s%s/newsletter and follow the confirmation link from the log\n", mailDir, url, cfg.Editions[0])
		}
		fmt.Fprintf(stdout, "Spektrum %s demo is running: open %s (Ctrl-C to stop)\n", version.Version, url)
	})
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
