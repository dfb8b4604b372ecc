package ops

import (
	"context"
	"testing"

	"spektrum/internal/auth"
	"spektrum/internal/store"
)

func TestUsers(t *testing.T) {
	ctx := context.Background()
	st := testStore(t)
	u := NewUsers(st, nil)

	wantCode(t, func() error {
		_, err := u.AddUser(ctx, "cli", NewUser{Email: "not an address", Role: "admin"})
		return err
	}(), Invalid)
	wantCode(t, func() error {
		_, err := u.AddUser(ctx, "cli", NewUser{Email: "a@example.org", Role: "owner"})
		return err
	}(), Invalid)
	e := wantCode(t, func() error {
		_, err := u.AddUser(ctx, "cli", NewUser{Email: "a@example.org", Role: "admin", Password: "short"})
		return err
	}(), Invalid)
	if e.Field != FieldPassword {
		t.Errorf("short password refused on field %q", e.Field)
	}

	ada, err := u.AddUser(ctx, "cli", NewUser{Email: " Ada@Example.org ", Role: store.RoleAdmin, Password: "a long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	if ada.Email != "ada@example.org" || !auth.Verify(ada.PasswordHash, "a long passphrase") {
		t.Fatalf("added %+v", ada)
	}
	wantCode(t, func() error {
		_, err := u.AddUser(ctx, "cli", NewUser{Email: "ada@example.org", Role: "editor"})
		return err
	}(), UserExists)

	// The last admin can be neither removed nor demoted.
	wantCode(t, func() error { _, err := u.Remove(ctx, "cli", "ada@example.org"); return err }(), LastAdmin)
	wantCode(t, func() error { _, err := u.SetRole(ctx, "cli", "ada@example.org", "editor"); return err }(), LastAdmin)

	ed, err := u.AddUser(ctx, "ada@example.org", NewUser{Email: "ed@example.org", Role: store.RoleEditor})
	if err != nil || ed.PasswordHash != "" {
		t.Fatalf("editor without password = %+v, %v", ed, err)
	}
	tok, err := u.SignInToken(ctx, ed)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.UseUserToken(ctx, auth.TokenHash(tok), SignInPurpose, ada.CreatedAt); err != nil || got.UserID != ed.ID {
		t.Fatalf("sign-in token = %+v, %v", got, err)
	}

	if err := st.CreateSession(ctx, &store.Session{TokenHash: "s", UserID: ed.ID, CSRF: "c", CreatedAt: ada.CreatedAt, LastSeenAt: ada.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	if _, err := u.ResetPassword(ctx, "cli", "ed@example.org", "another passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Session(ctx, "s"); err == nil {
		t.Error("a session survived its password's reset")
	}
	got, _ := u.Get(ctx, "ed@example.org")
	if !auth.Verify(got.PasswordHash, "another passphrase") {
		t.Error("the new password does not verify")
	}
	if _, err := u.Remove(ctx, "cli", "ed@example.org"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := u.Remove(ctx, "cli", "ed@example.org"); return err }(), NoUser)

	log, err := st.Audit(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, l := range log {
		acts = append(acts, l.Actor+" "+l.Action+" "+l.Target)
	}
	want := []string{"cli user.remove ed@example.org", "cli user.reset-password ed@example.org",
		"ada@example.org user.add ed@example.org", "cli user.add ada@example.org"}
	if len(acts) != len(want) {
		t.Fatalf("audit log = %q, want %q", acts, want)
	}
	for i := range want {
		if acts[i] != want[i] {
			t.Errorf("audit[%d] = %q, want %q", i, acts[i], want[i])
		}
	}
}
