package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsersCommands runs `spektrum users …` as an operator would: the
// password only ever on standard input.
func TestUsersCommands(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "users.db"))
	withStdin := func(in string, args ...string) (string, string, int) {
		t.Helper()
		cmd := c.command(args...)
		cmd.Stdin = strings.NewReader(in)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if err != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return out.String(), errb.String(), code
	}
	if out, errs, code := withStdin("a long passphrase\n", "users", "add", "--email", "Ada@Example.org", "--role", "admin", "--password-stdin"); code != 0 || !strings.Contains(out, "added admin ada@example.org") {
		t.Fatalf("users add = %d\n%s%s", code, out, errs)
	}
	out := c.ok("users", "add", "--email", "ed@example.org", "--role=editor")
	if !strings.Contains(out, "added editor ed@example.org") || !strings.Contains(out, "/admin/link/") {
		t.Errorf("users add without a password does not print a sign-in link:\n%s", out)
	}
	var list []struct {
		Email       string `json:"email"`
		Role        string `json:"role"`
		HasPassword bool   `json:"has_password"`
	}
	if err := json.Unmarshal([]byte(c.ok("users", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Email != "ada@example.org" || !list[0].HasPassword || list[1].Role != "editor" || list[1].HasPassword {
		t.Errorf("users list --json = %+v", list)
	}
	if out := c.ok("users", "list"); !strings.Contains(out, "ed@example.org") || !strings.Contains(out, "none (sign-in link)") {
		t.Errorf("users list:\n%s", out)
	}
	for _, bad := range [][]string{
		{"users", "add", "--email", "x@example.org"},                  // no role
		{"users", "add", "--email", "x@example.org", "--role", "god"}, // a role that is none
		{"users", "add", "--email", "not-an-address", "--role", "editor"},
		{"users", "remove", "--email", "ada@example.org"}, // the last admin
		{"users", "remove", "--email", "nobody@example.org"},
	} {
		if _, errs, code := c.run(bad...); code == 0 || errs == "" {
			t.Errorf("spektrum %v succeeded; want a refusal", bad)
		}
	}
	if _, errs, code := withStdin("short", "users", "reset-password", "--email", "ed@example.org", "--password-stdin"); code == 0 || !strings.Contains(errs, "at least 10 characters") {
		t.Errorf("a short password was accepted (%d): %s", code, errs)
	}
	if out, _, code := withStdin("another long one", "users", "reset-password", "--email", "ed@example.org", "--password-stdin"); code != 0 || !strings.Contains(out, "password of ed@example.org changed") {
		t.Errorf("reset-password = %d: %s", code, out)
	}
	if out := c.ok("users", "remove", "ed@example.org"); !strings.Contains(out, "removed editor ed@example.org") {
		t.Errorf("users remove:\n%s", out)
	}
}
