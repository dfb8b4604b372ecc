package auth

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the OWASP minimum parameters", h)
	}
	if !Verify(h, "correct horse battery") {
		t.Error("the right password does not verify")
	}
	if Verify(h, "correct horse batterY") {
		t.Error("a wrong password verifies")
	}
	h2, _ := Hash("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$bcrypt$x", dummyHash} {
		if Verify(bad, "correct horse battery") {
			t.Errorf("Verify(%q) matched", bad)
		}
	}
	if _, err := parse(dummyHash); err != nil {
		t.Fatalf("the dummy hash must parse, or unknown accounts cost less time: %v", err)
	}
}

func TestCheckPassword(t *testing.T) {
	if err := CheckPassword("short"); err != ErrPasswordShort {
		t.Errorf("short = %v", err)
	}
	if err := CheckPassword(strings.Repeat("x", MaxPassword+1)); err != ErrPasswordLong {
		t.Errorf("long = %v", err)
	}
	if err := CheckPassword("ten chars!"); err != nil {
		t.Errorf("ok = %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, _ := Token()
	b, _ := Token()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if h := TokenHash(a); h == a || h != TokenHash(a) || len(h) != 64 {
		t.Error("TokenHash is not a stable SHA-256 hex")
	}
}

func BenchmarkVerify(b *testing.B) {
	h, _ := Hash("correct horse battery")
	for b.Loop() {
		Verify(h, "wrong password here")
	}
}
