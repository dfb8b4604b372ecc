package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/app"
	"spektrum/internal/config"
	"spektrum/internal/ops"
	"spektrum/internal/settings"
	"spektrum/internal/store"
)

// openSettings opens the database and the settings operations the admin's
// /admin/settings and /admin/ads call (ops.Settings).
func openSettings(ctx context.Context, cfg *config.Config) (*ops.Settings, func(), error) {
	st, err := app.OpenStore(ctx, cfg.DB, !cfg.NoAutoMigrate)
	if err != nil {
		return nil, nil, err
	}
	return ops.NewSettings(st, cfg.Editions), func() { st.Close() }, nil
}

// cmdSettings runs `spektrum settings show|set|social|origins`: the same
// operations, checks and audit log entries (as cli) as the admin's
// settings page.
func cmdSettings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: settings needs a subcommand: %s (see 'spektrum settings --help')", errUsage, strings.Join(groups["settings"], ", "))
	}
	sub, args := args[0], args[1:]
	c := newCommand("settings "+sub, stderr)
	var (
		asJSON, clear *bool
		lang          *string
	)
	switch sub {
	case "show":
		asJSON = c.fs.Bool("json", false, "print JSON: {all, editions, shown, social, script_origins}")
	case "set":
		lang = c.fs.String("lang", "", "the edition these texts are for, e.g. de (default: every edition without its own)")
	case "social", "origins":
		clear = c.fs.Bool("clear", false, "remove them all")
	default:
		return fmt.Errorf("%w: unknown settings subcommand %q: use %s (see 'spektrum settings --help')", errUsage, sub, strings.Join(groups["settings"], ", "))
	}
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	switch {
	case sub == "show" && len(pos) > 0:
		return fmt.Errorf("%w: settings show takes no arguments, got %q", errUsage, pos)
	case sub == "set" && (len(pos) == 0 || len(pos)%2 != 0):
		return fmt.Errorf("%w: settings set takes FIELD VALUE pairs (name, tagline or disclaimer, each with its text in quotes), got %q", errUsage, pos)
	case clear != nil && *clear && len(pos) > 0:
		return fmt.Errorf("%w: settings %s: give --clear or the new list, not both", errUsage, sub)
	case clear != nil && !*clear && len(pos) == 0:
		return fmt.Errorf("%w: settings %s takes %s (the new list), or --clear", errUsage, sub, docs["settings "+sub].args)
	}
	var te ops.TextEdit
	if sub == "set" {
		for i := 0; i < len(pos); i += 2 {
			v := pos[i+1]
			switch pos[i] {
			case settings.KeyName:
				te.Name = &v
			case settings.KeyTagline:
				te.Tagline = &v
			case settings.KeyDisclaimer:
				te.Disclaimer = &v
			default:
				return fmt.Errorf("%w: settings set: %q is not a text to set: use name, tagline or disclaimer", errUsage, pos[i])
			}
		}
	}
	set, done, err := openSettings(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	def := settings.Text{Name: cfg.SiteName, Tagline: cfg.Tagline, Disclaimer: cfg.Disclaimer}
	switch sub {
	case "show":
		site, err := set.Load(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printSettingsJSON(stdout, site, set.Editions(), def)
		}
		return printSettings(stdout, site, set.Editions(), def)
	case "set":
		t, err := set.EditText(ctx, cliActor, *lang, te)
		if err != nil {
			return err
		}
		who := "every edition"
		if *lang != "" {
			who = "the " + *lang + " edition"
		}
		fmt.Fprintf(stdout, "saved for %s: name %s, tagline %s, disclaimer %s\n", who, orDefault(t.Name), orDefault(t.Tagline), orDefault(t.Disclaimer))
	case "social":
		var links []settings.Social
		for _, p := range pos {
			network, u, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("%w: %q is not NETWORK=URL, like mastodon=https://social.example/@outlet", errUsage, p)
			}
			links = append(links, settings.Social{Network: network, URL: u})
		}
		links, err := set.SaveSocial(ctx, cliActor, links)
		if err != nil {
			return err
		}
		if len(links) == 0 {
			fmt.Fprintln(stdout, "no \"connect with us\" links")
		}
		for _, l := range links {
			fmt.Fprintf(stdout, "link: %s %s\n", settings.NetworkName(l.Network), l.URL)
		}
	case "origins":
		origins, err := set.SaveOrigins(ctx, cliActor, strings.Join(pos, "\n"))
		if err != nil {
			return err
		}
		if len(origins) == 0 {
			fmt.Fprintln(stdout, "no script origins: ads' scripts and frames are removed")
		} else {
			fmt.Fprintf(stdout, "ads may load scripts and frames from: %s\n(a script from there runs with the full rights of the pages that show its ad)\n", strings.Join(origins, ", "))
		}
	}
	return nil
}

// orDefault quotes a stored text, or says the default applies.
func orDefault(v string) string {
	if v == "" {
		return "(default)"
	}
	return strconv.Quote(v)
}

// shown is what an edition shows, "" where the catalogue's default does.
func shown(v string) string {
	if v == "" {
		return "(the catalogue's, in the edition's language)"
	}
	return strconv.Quote(v)
}

func printSettings(w io.Writer, site settings.Site, editions []string, def settings.Text) error {
	tw := newTable(w, "EDITION\tNAME\tTAGLINE\tDISCLAIMER")
	fmt.Fprintf(tw, "all\t%s\t%s\t%s\n", orDefault(site.All.Name), orDefault(site.All.Tagline), orDefault(site.All.Disclaimer))
	for _, l := range editions {
		t := site.Editions[l]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l, orDefault(t.Name), orDefault(t.Tagline), orDefault(t.Disclaimer))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nWhat each edition shows (its own text, else every edition's, else the default):")
	for _, l := range editions {
		t := site.For(l, def)
		fmt.Fprintf(w, "  %s: name %s, tagline %s\n      disclaimer %s\n", l, shown(t.Name), shown(t.Tagline), shown(t.Disclaimer))
	}
	fmt.Fprintln(w, "\n\"Connect with us\" links:")
	if len(site.Social) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, l := range site.Social {
		fmt.Fprintf(w, "  %s %s\n", settings.NetworkName(l.Network), l.URL)
	}
	fmt.Fprintln(w, "\nOrigins ads may load scripts and frames from:")
	if len(site.ScriptOrigins) == 0 {
		fmt.Fprintln(w, "  none (ads' scripts and frames are removed)")
	}
	for _, o := range site.ScriptOrigins {
		fmt.Fprintf(w, "  %s\n", o)
	}
	return nil
}

type textJSON struct {
	Name       string `json:"name"`
	Tagline    string `json:"tagline"`
	Disclaimer string `json:"disclaimer"`
}

type settingsJSON struct {
	All           textJSON            `json:"all"`
	Editions      map[string]textJSON `json:"editions"`
	Shown         map[string]textJSON `json:"shown"`
	Social        []settings.Social   `json:"social"`
	ScriptOrigins []string            `json:"script_origins"`
}

func printSettingsJSON(w io.Writer, site settings.Site, editions []string, def settings.Text) error {
	out := settingsJSON{All: textJSON(site.All), Editions: map[string]textJSON{}, Shown: map[string]textJSON{},
		Social: site.Social, ScriptOrigins: site.ScriptOrigins}
	for _, l := range editions {
		out.Editions[l] = textJSON(site.Editions[l])
		out.Shown[l] = textJSON(site.For(l, def))
	}
	if out.Social == nil {
		out.Social = []settings.Social{}
	}
	if out.ScriptOrigins == nil {
		out.ScriptOrigins = []string{}
	}
	return printJSON(w, out)
}

// adFlags are the flags of `ads add` and `ads edit`.
type adFlags struct {
	name, placement, edition, html, htmlFile, image, link, alt *string
	off                                                        *bool
}

func newAdFlags(fs *flag.FlagSet, add bool) adFlags {
	f := adFlags{
		name:      fs.String("name", "", "a name for the newsroom (readers never see it)"),
		placement: fs.String("placement", "", "where it shows: "+strings.Join(settings.Placements, ", ")),
		edition:   fs.String("edition", "", "the edition it shows in, e.g. de, or all (default: all)"),
		html:      fs.String("html", "", "its HTML: links, pictures, basic formatting (cleaned; scripts and frames only from the allowed origins)"),
		htmlFile:  fs.String("html-file", "", "read its HTML from this file (- for standard input)"),
		image:     fs.String("image", "", "a picture's address (absolute http(s)), with --link and --alt"),
		link:      fs.String("link", "", "where the picture leads (absolute http(s))"),
		alt:       fs.String("alt", "", "the picture's text alternative"),
	}
	if add {
		f.off = fs.Bool("off", false, "add it switched off ('spektrum ads enable ID' shows it)")
	}
	return f
}

// apply puts the flags given into a, switching its kind when content of
// the other kind is given.
func (f adFlags) apply(fs *flag.FlagSet, a *store.AdSlot, stdin io.Reader) error {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	picture := given["image"] || given["link"] || given["alt"]
	if given["html"] && given["html-file"] || (given["html"] || given["html-file"]) && picture {
		return fmt.Errorf("%w: give the ad's content once: --html, --html-file, or --image with --link and --alt", errUsage)
	}
	if given["name"] {
		a.Name = *f.name
	}
	if given["placement"] {
		a.Placement = *f.placement
	}
	if given["edition"] {
		a.Edition = *f.edition
		if a.Edition == "all" {
			a.Edition = ""
		}
	}
	switch {
	case given["html"]:
		a.Kind, a.HTML = settings.KindHTML, *f.html
	case given["html-file"]:
		var b []byte
		var err error
		if *f.htmlFile == "-" {
			b, err = io.ReadAll(io.LimitReader(stdin, 4*settings.MaxAdHTML))
		} else {
			b, err = os.ReadFile(*f.htmlFile)
		}
		if err != nil {
			return fmt.Errorf("read the ad's HTML: %w", err)
		}
		a.Kind, a.HTML = settings.KindHTML, string(b)
	case picture:
		a.Kind = settings.KindImage
		if given["image"] {
			a.ImageURL = *f.image
		}
		if given["link"] {
			a.LinkURL = *f.link
		}
		if given["alt"] {
			a.Alt = *f.alt
		}
	}
	return nil
}

// cmdAds runs `spektrum ads list|show|add|edit|remove|enable|disable`: the
// admin's /admin/ads operations (ops.Settings), their checks, sanitizer
// and audit log entries (as cli).
func cmdAds(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: ads needs a subcommand: %s (see 'spektrum ads --help')", errUsage, strings.Join(groups["ads"], ", "))
	}
	sub, args := args[0], args[1:]
	c := newCommand("ads "+sub, stderr)
	var asJSON *bool
	var af adFlags
	want := 1
	switch sub {
	case "list":
		asJSON = c.fs.Bool("json", false, "print a JSON array: {id, name, placement, edition, kind, html, image_url, link_url, alt, enabled, updated_at}")
		want = 0
	case "add":
		af = newAdFlags(c.fs, true)
		want = 0
	case "edit":
		af = newAdFlags(c.fs, false)
	case "show", "remove", "enable", "disable":
	default:
		return fmt.Errorf("%w: unknown ads subcommand %q: use %s (see 'spektrum ads --help')", errUsage, sub, strings.Join(groups["ads"], ", "))
	}
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != want {
		return fmt.Errorf("%w: ads %s takes %s, got %q", errUsage, sub, docs["ads "+sub].args, pos)
	}
	var id int64
	if want == 1 {
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("%w: %q is not an ad's ID (a number, see 'spektrum ads list')", errUsage, pos[0])
		}
	}
	var ad store.AdSlot
	if sub == "add" {
		ad = store.AdSlot{Kind: settings.KindHTML, Enabled: !*af.off}
		if err := af.apply(c.fs, &ad, stdin); err != nil {
			return err
		}
	}
	set, done, err := openSettings(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "list":
		ads, err := set.Ads(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printAdsJSON(stdout, ads)
		}
		tw := newTable(stdout, "ID\tNAME\tPLACEMENT\tEDITION\tKIND\tSTATE")
		for _, a := range ads {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Placement, editionOf(a), a.Kind, onOff(a.Enabled))
		}
		if len(ads) == 0 {
			fmt.Fprintln(tw, "(no ads yet: 'spektrum ads add --name N --placement P --html HTML')")
		}
		return tw.Flush()
	case "show":
		a, err := set.Ad(ctx, id)
		if err != nil {
			return err
		}
		tw := newTable(stdout, "")
		row := func(k string, v any) { fieldRow(tw, k, v) }
		row("ID", a.ID)
		row("Name", a.Name)
		row("Placement", a.Placement)
		row("Edition", editionOf(*a))
		row("State", onOff(a.Enabled))
		row("Kind", a.Kind)
		if a.Kind == settings.KindImage {
			row("Picture", a.ImageURL)
			row("Link", a.LinkURL)
			row("Text alternative", a.Alt)
		}
		row("Changed", a.UpdatedAt.UTC().Format(time.RFC3339))
		if err := tw.Flush(); err != nil {
			return err
		}
		if a.Kind == settings.KindHTML {
			fmt.Fprintf(stdout, "HTML (as stored, cleaned):\n%s\n", a.HTML)
		}
	case "add", "edit":
		if sub == "edit" {
			old, err := set.Ad(ctx, id)
			if err != nil {
				return err
			}
			ad = *old
			if err := af.apply(c.fs, &ad, stdin); err != nil {
				return err
			}
		}
		removed, err := set.SaveAd(ctx, cliActor, &ad)
		if err != nil {
			return err
		}
		verb := map[string]string{"add": "added", "edit": "saved"}[sub]
		fmt.Fprintf(stdout, "%s ad #%d %q: %s, %s, %s, %s\n", verb, ad.ID, ad.Name, ad.Placement, editionOf(ad), ad.Kind, onOff(ad.Enabled))
		if len(removed) > 0 {
			fmt.Fprintf(stdout, "cleaned: removed %s (ads hold links, pictures and basic formatting; scripts and frames only from the origins 'spektrum settings origins' allows)\n", strings.Join(removed, ", "))
		}
	case "enable", "disable":
		a, err := set.SetAdEnabled(ctx, cliActor, id, sub == "enable")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ad #%d %q is %s\n", a.ID, a.Name, onOff(a.Enabled))
	case "remove":
		a, err := set.DeleteAd(ctx, cliActor, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed ad #%d %q\n", a.ID, a.Name)
	}
	return nil
}

func editionOf(a store.AdSlot) string {
	if a.Edition == "" {
		return "all editions"
	}
	return a.Edition
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

type adJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Placement string    `json:"placement"`
	Edition   string    `json:"edition"`
	Kind      string    `json:"kind"`
	HTML      string    `json:"html"`
	ImageURL  string    `json:"image_url"`
	LinkURL   string    `json:"link_url"`
	Alt       string    `json:"alt"`
	Enabled   bool      `json:"enabled"`
	UpdatedAt time.Time `json:"updated_at"`
}

func printAdsJSON(w io.Writer, ads []store.AdSlot) error {
	out := make([]adJSON, 0, len(ads))
	for _, a := range ads {
		out = append(out, adJSON(a))
	}
	return printJSON(w, out)
}
