package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"spektrum/internal/app"
	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// cmdSections runs `spektrum sections list|add|rename|menu|order|remove`:
// the same operations as the admin's sections page (ops.Sections), logged
// in the audit log as cli.
func cmdSections(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: sections needs a subcommand: %s (see 'spektrum sections --help')", errUsage, strings.Join(groups["sections"], ", "))
	}
	sub, args := args[0], args[1:]
	c := newCommand("sections "+sub, stderr)
	var name, lang, moveTo *string
	var asJSON, offMenu *bool
	want := 1 // positional arguments
	switch sub {
	case "list":
		asJSON = c.fs.Bool("json", false, "print a JSON array of {slug, name, names, position, in_menu, articles}")
		want = 0
	case "add":
		name = c.fs.String("name", "", "the default name, in the site's language (default: made from the slug)")
		offMenu = c.fs.Bool("off-menu", false, "keep it out of the menu and the front page (its page and feeds stay)")
	case "rename":
		lang = c.fs.String("lang", "", "the edition language the name is for (default: the default name); an empty NAME then takes that edition's name away")
		want = 2
	case "menu":
		want = 2
	case "order":
		want = -1
	case "remove":
		moveTo = c.fs.String("move-to", "", "move its articles, sources and subscribers' choices to this section first (needed while any use it)")
	default:
		return fmt.Errorf("%w: unknown sections subcommand %q: use %s (see 'spektrum sections --help')", errUsage, sub, strings.Join(groups["sections"], ", "))
	}
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if want >= 0 && len(pos) != want || want < 0 && len(pos) == 0 {
		return fmt.Errorf("%w: sections %s takes %s, got %q", errUsage, sub, docs["sections "+sub].args, pos)
	}
	st, err := app.OpenStore(ctx, cfg.DB, !cfg.NoAutoMigrate)
	if err != nil {
		return err
	}
	defer st.Close()
	s := ops.NewSections(st, cfg.Editions)
	switch sub {
	case "list":
		secs, err := s.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printSectionsJSON(stdout, secs)
		}
		return printSections(stdout, secs, s.Editions())
	case "add":
		sec, err := s.Add(ctx, cliActor, ops.NewSection{Slug: pos[0], Name: *name, OffMenu: *offMenu})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added section %s %q; name it per edition with 'spektrum sections rename %s --lang L NAME'\n", sec.Slug, sec.Name, sec.Slug)
	case "rename":
		sec, err := s.Rename(ctx, cliActor, pos[0], *lang, pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "section %s: %s\n", sec.Slug, namesLine(sec, s.Editions()))
	case "menu":
		var off bool
		switch pos[1] {
		case "on":
		case "off":
			off = true
		default:
			return fmt.Errorf("%w: sections menu SLUG takes on or off, got %q", errUsage, pos[1])
		}
		sec, err := s.Edit(ctx, cliActor, pos[0], ops.SectionEdit{OffMenu: &off})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "section %s is %s the menu\n", sec.Slug, map[bool]string{true: "off", false: "on"}[sec.OffMenu])
	case "order":
		secs, err := s.Order(ctx, cliActor, pos)
		if err != nil {
			return err
		}
		return printSections(stdout, secs, s.Editions())
	case "remove":
		u, err := s.Remove(ctx, cliActor, pos[0], *moveTo)
		if err != nil {
			return err
		}
		if *moveTo != "" {
			fmt.Fprintf(stdout, "removed section %s; moved to %s: %d articles, %d sources, %d subscribers' choices\n", pos[0], *moveTo, u.Articles, u.Sources, u.Subscribers)
		} else {
			fmt.Fprintf(stdout, "removed section %s\n", pos[0])
		}
	}
	return nil
}

// namesLine is a section's default name and its names per edition.
func namesLine(sec *store.Section, editions []string) string {
	parts := []string{fmt.Sprintf("%q", sec.Name)}
	for _, l := range editions {
		if n := sec.Names[l]; n != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", l, n))
		}
	}
	return strings.Join(parts, " ")
}

func printSections(w io.Writer, secs []store.Section, editions []string) error {
	tw := newTable(w, "#\tSLUG\tNAMES\tMENU\tARTICLES")
	for i := range secs {
		menu := "on"
		if secs[i].OffMenu {
			menu = "off"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", i+1, secs[i].Slug, namesLine(&secs[i], editions), menu, secs[i].ArticleCount)
	}
	if len(secs) == 0 {
		fmt.Fprintln(tw, "(no sections yet: 'spektrum sections add SLUG --name NAME')")
	}
	return tw.Flush()
}

type sectionJSON struct {
	Slug     string            `json:"slug"`
	Name     string            `json:"name"`
	Names    map[string]string `json:"names"`
	Position int               `json:"position"`
	InMenu   bool              `json:"in_menu"`
	Articles int               `json:"articles"`
}

func printSectionsJSON(w io.Writer, secs []store.Section) error {
	out := make([]sectionJSON, 0, len(secs))
	for i, s := range secs {
		names := s.Names
		if names == nil {
			names = map[string]string{}
		}
		out = append(out, sectionJSON{Slug: s.Slug, Name: s.Name, Names: names, Position: i + 1, InMenu: !s.OffMenu, Articles: s.ArticleCount})
	}
	return printJSON(w, out)
}
