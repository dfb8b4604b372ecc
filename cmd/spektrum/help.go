package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"spektrum/internal/config"
	"spektrum/internal/settings"
)

// doc is one command's help: its arguments, what it does in a line, and
// the settings worth naming beside its own flags.
type doc struct {
	args     string
	summary  string
	settings []string
	more     string // optional paragraph after the flags
	noDB     bool   // the command opens no database
}

// fetchSettings are what reading sources depends on.
var fetchSettings = []string{"allow-private-networks", "user-agent", "fetch-timeout", "max-bytes", "per-host-delay", "per-host-conns"}

// docs holds every command's help, keyed by its name as newCommand gets it.
var docs = map[string]doc{
	"serve": {"", "run the website and the background workers until stopped (Ctrl-C or SIGTERM)",
		[]string{"addr", "role", "base-url", "site-name", "editions", "workers", "poll-interval", "smtp-url", "log-level"}, "", false},
	"demo": {"", "serve local demo news sites, read them, and open the site on them (offline; database data/demo.db)",
		[]string{"addr", "editions"}, "", false},
	"fetch": {"[--source ID | --all]", "poll the due sources (or one, or all) now and process every new article, then print a summary",
		append([]string{"workers"}, fetchSettings...),
		"Exit status: 0 when every source and article succeeded; 3 when some sources or articles\nfailed (the summary says which); 1 when the pass could not run; 2 for a usage mistake.", false},
	"sources add": {"URL", "add a feed, sitemap or site (its feed is discovered); it is read first and refused, with the reason, if it cannot be",
		append([]string{"viewpoint-scale"}, fetchSettings...), "", false},
	"sources list":   {"", "list the sources with their state, article counts and last error", nil, "", false},
	"sources show":   {"ID", "show one source in detail, its last error in full", nil, "", false},
	"sources edit":   {"ID", "change a source's name, section, language or poll interval, or describe its viewpoint", []string{"viewpoint-scale", "viewpoint-scale-name"}, viewpointHelp, false},
	"sources pause":  {"ID", "stop polling a source; its articles stay", nil, "", false},
	"sources resume": {"ID", "poll a paused source again, starting now", nil, "", false},
	"sources remove": {"ID", "remove a source and its articles", nil, "", false},
	"import":         {"FILE.opml", "add the sources an OPML file lists (they are read at the next fetch)", nil, "", false},
	"export":         {"", "write the sources as OPML to standard output", []string{"site-name"}, "", false},
	"migrate":        {"", "bring the database schema up to date", nil, "", false},
	"cache purge": {"", "make every web node drop its cached pages and render them afresh",
		[]string{"page-cache-mb", "cache-webhook"},
		"Writes through Spektrum renew the cached pages by themselves (within a second on every node);\npurge after changing what the database cannot see, such as templates or settings. Each web\nnode with --cache-webhook set calls it with the new generation, e.g. to purge a CDN.", false},
	"users add": {"--email E --role admin|editor [--password-stdin]", "add an account of the admin (/admin/); without --password-stdin, print a one-time sign-in link",
		[]string{"base-url"}, "--role admin: everything, users and settings included; --role editor: sources, articles and\nthe rest of the newsroom's work, not users or settings.\nThe password is read from standard input only, never from the command line (where\nother users and the shell history see it): printf %s \"$PASSWORD\" | spektrum users add …", false},
	"users list":           {"[--json]", "list the admin's accounts with their role", nil, "", false},
	"users remove":         {"--email E", "remove an account and end its sessions (the last admin stays)", nil, "", false},
	"users reset-password": {"--email E [--password-stdin]", "set an account's password from standard input, or remove it and print a one-time sign-in link; its sessions end", []string{"base-url"}, "", false},
	"translate status": {"", "the editions, each translation provider's use, budget, cache hits and cost this month",
		[]string{"editions", "translate-routes", "translate-budgets"}, "", false},
	"translate queue": {"", "translate every stored article into the editions it lacks (after adding an edition or a provider)",
		[]string{"editions", "translate-routes", "translate-budgets", "translate-apertium-url", "workers"}, "", false},
	"search reindex": {"", "index every stored article for search in every edition (after an upgrade, or to rebuild the index)",
		[]string{"editions"}, "", false},
	"newsletter send":        {"", "send the due digests now", []string{"smtp-url", "base-url", "mail-from", "newsletter-rate"}, "", false},
	"newsletter export":      {"EMAIL", "print everything kept about a subscriber, as JSON", nil, "", false},
	"newsletter erase":       {"EMAIL", "delete everything kept about a subscriber", nil, "", false},
	"newsletter bounce":      {"[FILE...]", "apply bounce mails (DSN, ARF) from files or standard input", nil, "", false},
	"newsletter stats":       {"", "count the subscribers by state", nil, "", false},
	"newsletter webhook-url": {"", "print the bounce webhook's secret URL", []string{"base-url", "secret"}, "", false},
	"extract": {"[--url URL] [--json] FILE|URL...", "print the article and its metadata read out of saved pages or URLs",
		fetchSettings, "", false},
	"bench extract": {args: "[--dir DIR]", summary: "score the extractor on the article-extraction benchmark next to go-trafilatura", noDB: true},
	"bench stories": {args: "[--file F]", summary: "score story clustering (BCubed) on the story benchmark's dev half, and on a mixed English/Spanish set with an apertium-apy", noDB: true},
	"bench ingest": {args: "[--postgres URL] [--hosts N] [--feeds N] [--items N] [--delays 0,1s] [--unchanged N] [--profile DIR]",
		summary: "ingest a farm of news sites on loopback (feeds and the AEB pages) and report pages/s and CPU ms a page, with no delay and with the default politeness",
		noDB:    true},
	"bench farm": {args: "[--hosts N] [--feeds N] [--items N] [--grow-to N] [--control ADDR]",
		summary: "serve the ingest farm's news sites on loopback until stopped, growing on request (GET sources.opml, articles, status; POST grow, stop on the control address)",
		noDB:    true},
	"bench search": {args: "[--dir DIR] [--articles N] [--postgres URL] [--keep-sqlite FILE] [--keep-schema NAME]", summary: "measure search: known-item MRR@10 on the article-extraction benchmark's pages, query latency and CPU over N synthetic articles (SQLite, and PostgreSQL with --postgres; --keep-* keeps the databases for a before/after)", noDB: true},
	"cluster": {args: "--json FILE|-", summary: "group articles (one JSON object per line) into stories with the pipeline's settings",
		noDB: true, more: "Input lines: {\"id\",\"title\",\"url\",\"published_at\" (RFC 3339),\"language\"} and optionally \"text\".\nOutput: one {\"id\",\"story\"} per input line, in input order; a story is named by the id of its\nfirst article. A line that cannot be read gives {\"id\",\"line\",\"error\"}; the exit status is then 1."},
	"version": {summary: "print the version", noDB: true},

	// The sections (ops.Sections; the admin's /admin/sections does the same).
	"sections list":   {"[--json]", "list the sections in menu order with their names per edition and article counts", []string{"editions"}, "", false},
	"sections add":    {"SLUG [--name NAME] [--off-menu]", "add a section (the slug is its address, /section/SLUG: lowercase letters, digits, hyphens)", []string{"editions"}, "", false},
	"sections rename": {"SLUG [--lang L] NAME", "set a section's default name, or its name in the edition L (an empty NAME takes that one away)", []string{"editions"}, "", false},
	"sections menu":   {"SLUG on|off", "show a section in the menu and the front page, or keep it off them (its page and feeds stay)", nil, "", false},
	"sections order":  {"SLUG...", "put these sections first in the menu, in this order; the others follow as they were", nil, "", false},
	"sections remove": {"SLUG [--move-to SLUG]", "remove a section; refused while articles, sources or subscribers use it, unless --move-to moves them first", nil, "", false},

	// The outlet's settings and ad slots (ops.Settings; the admin's
	// /admin/settings and /admin/ads do the same).
	"settings show": {"[--json]", "show the outlet's name, tagline and disclaimer (for every edition and per edition, and what each edition shows), \"connect with us\" links and ad script origins",
		[]string{"editions", "site-name", "tagline", "disclaimer"}, "", false},
	"settings set": {"[--lang L] FIELD VALUE...", "set the outlet's name, tagline or disclaimer (FIELD) for every edition, or for edition L; the value \"\" takes one back to the default",
		[]string{"editions"}, "For example: spektrum settings set --lang de tagline \"Nachrichten aus allen Richtungen\"\nTexts are one line of plain text (HTML in them stays text): the name at most 100 characters,\nthe tagline 200, the disclaimer 1000. An edition without its own text shows every edition's,\nelse the default (--site-name, --tagline, --disclaimer, else the catalogue's in its language).", false},
	"settings social": {"NETWORK=URL... | --clear", "replace the \"connect with us\" links in every page's footer, in this order",
		nil, "Networks: " + networkIDs() + ".\nURLs are absolute http(s); at most 20 links.", false},
	"settings origins": {"ORIGIN... | --clear", "replace the https origins ads may load scripts and frames from (e.g. https://ads.example.net)",
		nil, "A script from an allowed origin runs with the full rights of the pages that show its ad; the\npages showing such an ad add the origin to their Content-Security-Policy. An origin taken off\nthe list takes its scripts off every page at once.", false},

	"ads list": {"[--json]", "list the ad slots: placement, edition, kind, on or off", nil, "", false},
	"ads show": {"ID", "show one ad slot, its HTML as stored (cleaned)", nil, "", false},
	"ads add": {"--name N --placement P (--html H | --image URL …) [--edition L]",
		"add an ad slot; its HTML is cleaned before it is stored, and what was removed is named", []string{"editions"}, adsHelp, false},
	"ads edit":    {"ID [flags of add]", "change an ad slot: only the flags given change (--edition all: every edition)", []string{"editions"}, adsHelp, false},
	"ads remove":  {"ID", "remove an ad slot", nil, "", false},
	"ads enable":  {"ID", "switch an ad slot on: it shows where it is placed", nil, "", false},
	"ads disable": {"ID", "switch an ad slot off (it is kept)", nil, "", false},
}

// adsHelp says what an ad may hold, for `ads add` and `ads edit`.
const adsHelp = "Placements: front-top (the front page, above the first story), front-middle (between the latest\nstories and the sections), sidebar (the side column), article-below (an article page, under the text).\nHTML keeps links, pictures and basic formatting; scripts, styles, event handlers, forms and frames\nare removed, except <script src> and <iframe src> from an origin 'spektrum settings origins' allows.\nEvery ad shows under the label \"Advertisement\" in the edition's language; its links get\nrel=\"sponsored noopener\" and its pictures come through the media proxy."

// networkIDs lists the networks a "connect with us" link may name.
func networkIDs() string {
	ids := make([]string, 0, len(settings.Networks))
	for _, n := range settings.Networks {
		ids = append(ids, n.ID)
	}
	return strings.Join(ids, ", ")
}

// groups are the commands with subcommands, in the order help lists them.
var groups = map[string][]string{
	"sources":    {"add", "list", "show", "edit", "pause", "resume", "remove"},
	"translate":  {"status", "queue"},
	"search":     {"reindex"},
	"users":      {"add", "list", "remove", "reset-password"},
	"sections":   {"list", "add", "rename", "menu", "order", "remove"},
	"settings":   {"show", "set", "social", "origins"},
	"ads":        {"list", "show", "add", "edit", "remove", "enable", "disable"},
	"newsletter": {"send", "export", "erase", "bounce", "stats", "webhook-url"},
	"bench":      {"extract", "stories", "ingest", "farm", "search", "populate", "pages"},
	"cache":      {"purge"},
}

const settingsNote = "Every command also takes every setting (--db, --allow-private-networks, …), each also read\nfrom its SPEKTRUM_* environment variable: see 'spektrum help settings'.\n"

// helpRequest carries a command's help from parse up to run, which prints
// it on stdout and exits 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return "help requested" }

// Is lets callers treat it as flag.ErrHelp.
func (h *helpRequest) Is(target error) bool { return target == flag.ErrHelp }

// commandHelp renders name's help from fs: the line, then the command's own
// flags, then the settings it names.
func commandHelp(name string, fs *flag.FlagSet, global map[string]bool) string {
	d := docs[name]
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: spektrum %s", name)
	if d.args != "" {
		fmt.Fprintf(&b, " %s", d.args)
	}
	b.WriteString(" [flags]\n\n")
	if d.summary != "" {
		fmt.Fprintf(&b, "%s%s.\n", strings.ToUpper(d.summary[:1]), d.summary[1:])
	}
	own := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.VisitAll(func(f *flag.Flag) {
		if !global[f.Name] {
			own.Var(f.Value, f.Name, f.Usage)
		}
	})
	printFlags(&b, "\nFlags:\n", own)
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	names := d.settings
	if !d.noDB {
		names = append([]string{"db"}, names...)
	}
	for _, s := range names {
		if f := fs.Lookup(s); f != nil && set.Lookup(s) == nil {
			set.Var(f.Value, f.Name, f.Usage)
		}
	}
	printFlags(&b, "\nSettings it uses:\n", set)
	if d.more != "" {
		fmt.Fprintf(&b, "\n%s\n", d.more)
	}
	b.WriteString("\n" + settingsNote)
	return b.String()
}

func printFlags(w io.Writer, title string, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	_, _ = io.WriteString(w, title)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// groupHelp lists a command group's subcommands.
func groupHelp(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: spektrum %s SUBCOMMAND [flags] [args]\n\nSubcommands:\n", group)
	for _, sub := range groups[group] {
		d := docs[group+" "+sub]
		line := sub
		if d.args != "" {
			line += " " + d.args
		}
		fmt.Fprintf(&b, "  %-24s %s\n", line, d.summary)
	}
	fmt.Fprintf(&b, "\n'spektrum %s SUBCOMMAND --help' shows a subcommand's flags.\n", group)
	return b.String()
}

// settingsHelp lists every setting with its environment variable and default.
func settingsHelp() string {
	var b strings.Builder
	b.WriteString("Settings: every command takes each as a flag; the environment variable is read when the flag\nis not given, and the default when neither is.\n\n")
	for _, s := range config.Settings {
		def := s.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "  --%s\n      %s\n      env %s, default %s\n", s.Name, s.Usage, s.Env, def)
	}
	b.WriteString("\nTranslation provider keys are read from the environment only (SPEKTRUM_TRANSLATE_*_KEY).\n")
	b.WriteString("The outlet's name, tagline and disclaimer set in the database (by an admin, or 'spektrum settings\nset') win over --site-name, --tagline and --disclaimer: 'spektrum settings --help'.\n")
	return b.String()
}

// help answers `spektrum help [settings | GROUP]`; `help COMMAND
// [SUBCOMMAND]` is run as `COMMAND [SUBCOMMAND] --help` by run.
func help(args []string, stdout, stderr io.Writer) (int, bool) {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return 0, true
	case args[0] == "settings" && len(args) == 1:
		// The flags and environment; `help settings SUB` is the
		// settings command's.
		fmt.Fprint(stdout, settingsHelp())
		return 0, true
	}
	if _, ok := groups[args[0]]; ok && len(args) == 1 {
		fmt.Fprint(stdout, groupHelp(args[0]))
		return 0, true
	}
	if _, ok := docs[strings.Join(args, " ")]; !ok {
		fmt.Fprintf(stderr, "spektrum help: no command %q; 'spektrum help' lists them\n", strings.Join(args, " "))
		return 2, true
	}
	return 0, false
}
