package auth

import (
	"strings"
	"testing"
	"time"
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

// RFC 6238 appendix B's SHA-1 test vectors (8 digits there; the last 6
// are ours).
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"} {
		if got := TOTPCode(secret, unix/30); got != want {
			t.Errorf("TOTP at %d = %s, want %s", unix, got, want)
		}
	}
	now := time.Unix(1234567890, 0)
	if step, ok := VerifyTOTP(secret, "005924", now); !ok || step != 1234567890/30 {
		t.Error("the current code does not verify")
	}
	if _, ok := VerifyTOTP(secret, TOTPCode(secret, TOTPStep(now)+1), now); !ok {
		t.Error("one step of skew is refused")
	}
	if _, ok := VerifyTOTP(secret, TOTPCode(secret, TOTPStep(now)+3), now); ok {
		t.Error("a code three steps ahead verifies")
	}
	if _, ok := VerifyTOTP(secret, "", now); ok {
		t.Error("an empty code verifies")
	}
	s1, _ := NewTOTPSecret()
	s2, _ := NewTOTPSecret()
	if s1 == s2 || len(s1) != 32 {
		t.Errorf("secrets %q %q", s1, s2)
	}
}
