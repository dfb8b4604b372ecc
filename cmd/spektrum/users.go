package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"spektrum/internal/app"
	"spektrum/internal/config"
	"spektrum/internal/ops"
	"spektrum/internal/store"
)

// cliActor is who the audit log names for changes made from the CLI.
const cliActor = "cli"

// cmdUsers runs `spektrum users add|list|remove|reset-password`.
func cmdUsers(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: users needs a subcommand: %s (see 'spektrum users --help')", errUsage, strings.Join(groups["users"], ", "))
	}
	sub, args := args[0], args[1:]
	c := newCommand("users "+sub, stderr)
	email := c.fs.String("email", "", "the account's e-mail address")
	var pwStdin, asJSON *bool
	role := ""
	switch sub {
	case "add":
		// --role here is the account's role; every command's --role setting
		// (what serve runs) means nothing to users, so it is taken out first.
		var err error
		if role, args, err = takeFlag(args, "role"); err != nil {
			return err
		}
		fallthrough
	case "reset-password":
		pwStdin = c.fs.Bool("password-stdin", false, "read the password from standard input (without it, a one-time sign-in link is printed)")
	case "list":
		asJSON = c.fs.Bool("json", false, "print a JSON array of {id, email, role, has_password, created_at}")
	case "remove":
	default:
		return fmt.Errorf("%w: unknown users subcommand %q: use %s (see 'spektrum users --help')", errUsage, sub, strings.Join(groups["users"], ", "))
	}
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if sub != "list" && *email == "" && len(pos) == 1 {
		*email, pos = pos[0], nil
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: users %s takes its values as flags (--email …), got %q", errUsage, sub, pos)
	}
	if sub != "list" && *email == "" {
		return fmt.Errorf("%w: users %s needs --email", errUsage, sub)
	}
	password := ""
	if pwStdin != nil && *pwStdin {
		if password, err = readPassword(stdin); err != nil {
			return err
		}
	}
	st, err := app.OpenStore(ctx, cfg.DB, !cfg.NoAutoMigrate)
	if err != nil {
		return err
	}
	defer st.Close()
	u := ops.NewUsers(st, nil)
	switch sub {
	case "add":
		if role == "" {
			return fmt.Errorf("%w: users add needs --role admin or --role editor", errUsage)
		}
		usr, err := u.AddUser(ctx, cliActor, ops.NewUser{Email: *email, Role: role, Password: password})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s %s (#%d)\n", usr.Role, usr.Email, usr.ID)
		if password == "" {
			return printSignInLink(ctx, u, usr, cfg, stdout)
		}
	case "reset-password":
		usr, err := u.ResetPassword(ctx, cliActor, *email, password)
		if err != nil {
			return err
		}
		if password != "" {
			fmt.Fprintf(stdout, "password of %s changed; its sessions have ended\n", usr.Email)
			return nil
		}
		fmt.Fprintf(stdout, "password of %s removed; its sessions have ended\n", usr.Email)
		return printSignInLink(ctx, u, usr, cfg, stdout)
	case "remove":
		usr, err := u.Remove(ctx, cliActor, *email)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s %s\n", usr.Role, usr.Email)
	case "list":
		us, err := u.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printUsersJSON(stdout, us)
		}
		tw := newTable(stdout, "ID\tEMAIL\tROLE\tPASSWORD\tCREATED")
		for _, x := range us {
			pw := "set"
			if x.PasswordHash == "" {
				pw = "none (sign-in link)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", x.ID, x.Email, x.Role, pw, x.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	}
	return nil
}

type userJSON struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email"`
	Role        string    `json:"role"`
	HasPassword bool      `json:"has_password"`
	CreatedAt   time.Time `json:"created_at"`
}

func printUsersJSON(w io.Writer, us []store.User) error {
	out := make([]userJSON, 0, len(us))
	for _, x := range us {
		out = append(out, userJSON{ID: x.ID, Email: x.Email, Role: x.Role, HasPassword: x.PasswordHash != "", CreatedAt: x.CreatedAt.UTC().Truncate(time.Second)})
	}
	return printJSON(w, out)
}

func printSignInLink(ctx context.Context, u *ops.Users, usr *store.User, cfg *config.Config, w io.Writer) error {
	tok, err := u.SignInToken(ctx, usr)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "one-time sign-in link (valid %d hours; it asks for a new password):\n%s/admin/link/%s\n",
		int(ops.SignInLinkTTL.Hours()), cfg.BaseURL, tok)
	return nil
}

// readPassword reads one password from r: the whole input up to a final
// line break, so `printf %s "$PW" | spektrum users add …` and a file both work.
func readPassword(r io.Reader) (string, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "", fmt.Errorf("%w: --password-stdin reads the password from a pipe or file, not the terminal: printf %%s \"$PASSWORD\" | spektrum users …", errUsage)
		}
	}
	b, err := io.ReadAll(io.LimitReader(bufio.NewReader(r), 4096))
	if err != nil {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		return "", errors.New("--password-stdin: standard input was empty; pipe the password in")
	}
	return pw, nil
}

// takeFlag removes --name V, --name=V (or -name) from args and returns V.
func takeFlag(args []string, name string) (string, []string, error) {
	var v string
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		f := strings.TrimLeft(a, "-")
		switch {
		case a != f && f == name:
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("%w: --%s needs a value", errUsage, name)
			}
			v = args[i+1]
			i++
		case a != f && strings.HasPrefix(f, name+"="):
			v = strings.TrimPrefix(f, name+"=")
		default:
			rest = append(rest, a)
		}
	}
	return v, rest, nil
}
