package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"spektrum/internal/app"
	"spektrum/internal/config"
	"spektrum/internal/newsletter"
	"spektrum/internal/store"
)

// cmdNewsletter runs `spektrum newsletter send|export|erase|bounce|stats|webhook-url`.
func cmdNewsletter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: newsletter needs a subcommand: send, export, erase, bounce, stats or webhook-url", errUsage)
	}
	sub, args := args[0], args[1:]
	c := newCommand("newsletter "+sub, stderr)
	switch sub {
	case "send":
		freq := c.fs.String("frequency", store.Daily, "which digests: daily or weekly")
		dry := c.fs.Bool("dry-run", false, "render the digests and count them; send and record nothing")
		edition := c.fs.String("edition", "", "send only to the subscribers of this edition (language), e.g. de; default: all")
		pos, cfg, err := c.parse(args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return fmt.Errorf("%w: newsletter send takes no arguments, got %q", errUsage, pos)
		}
		if *freq != store.Daily && *freq != store.Weekly {
			return fmt.Errorf("%w: --frequency %q must be daily or weekly", errUsage, *freq)
		}
		if cfg.SMTPURL == "" && !*dry {
			return errors.New("no SMTP server is configured: set SPEKTRUM_SMTP_URL (e.g. smtp://user:pass@mail.example.org:587), or use --dry-run")
		}
		return withNewsletter(ctx, cfg, stderr, func(a *app.App, n *newsletter.Newsletter) error {
			rep, err := n.SendDigests(ctx, newsletter.SendOptions{Frequency: *freq, Language: *edition, DryRun: *dry})
			if err != nil {
				return fmt.Errorf("%s: %w", rep.String(), err)
			}
			fmt.Fprintln(stdout, rep.String())
			if rep.SampleSubject != "" {
				fmt.Fprintf(stdout, "first subject: %s\n", rep.SampleSubject)
			}
			if rep.Counts.Failed > 0 {
				return fmt.Errorf("%d digests of run %s failed for good; see the log for why", rep.Counts.Failed, rep.RunKey)
			}
			return nil
		})
	case "export", "erase":
		pos, cfg, err := c.parse(args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: newsletter %s takes one e-mail address", errUsage, sub)
		}
		return withNewsletter(ctx, cfg, stderr, func(a *app.App, n *newsletter.Newsletter) error {
			if sub == "erase" {
				if err := n.EraseByEmail(ctx, pos[0]); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "erased %s: the subscriber, its consent record and send log are deleted\n", pos[0])
				return nil
			}
			e, err := n.ExportByEmail(ctx, pos[0])
			if err != nil {
				return err
			}
			return printJSON(stdout, e)
		})
	case "bounce":
		pos, cfg, err := c.parse(args)
		if err != nil {
			return err
		}
		return withNewsletter(ctx, cfg, stderr, func(a *app.App, n *newsletter.Newsletter) error {
			total := 0
			apply := func(name string, r io.Reader) error {
				k, err := n.BounceMail(ctx, r)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				total += k
				return nil
			}
			if len(pos) == 0 {
				// An MTA alias pipes each bounce mail in: "| spektrum newsletter bounce".
				if err := apply("standard input", os.Stdin); err != nil {
					return err
				}
			}
			for _, p := range pos {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				err = apply(p, f)
				f.Close()
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(stdout, "%d recipients reported on\n", total)
			return nil
		})
	case "stats":
		pos, cfg, err := c.parse(args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return fmt.Errorf("%w: newsletter stats takes no arguments", errUsage)
		}
		return withApp(ctx, cfg, func(a *app.App) error {
			counts, err := a.Store.CountSubscribers(ctx)
			if err != nil {
				return err
			}
			states := make([]string, 0, len(counts))
			for s := range counts {
				states = append(states, s)
			}
			sort.Strings(states)
			if len(states) == 0 {
				fmt.Fprintln(stdout, "no subscribers yet")
			}
			for _, s := range states {
				fmt.Fprintf(stdout, "%-13s %d\n", s, counts[s])
			}
			return nil
		})
	case "webhook-url":
		pos, cfg, err := c.parse(args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return fmt.Errorf("%w: newsletter webhook-url takes no arguments", errUsage)
		}
		return withNewsletter(ctx, cfg, stderr, func(a *app.App, n *newsletter.Newsletter) error {
			fmt.Fprintln(stdout, n.BounceWebhookURL())
			return nil
		})
	default:
		return fmt.Errorf("%w: unknown newsletter subcommand %q; use send, export, erase, bounce, stats or webhook-url", errUsage, sub)
	}
}

func withNewsletter(ctx context.Context, cfg *config.Config, stderr io.Writer, f func(*app.App, *newsletter.Newsletter) error) error {
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.NewsletterOffline(ctx)
	if err != nil {
		return err
	}
	return f(a, n)
}
