// Package auth holds the admin's secrets rules: how a password is hashed
// and checked (argon2id), and how random tokens (sessions, sign-in links,
// CSRF) are made and stored (as SHA-256 hashes). It knows nothing of HTTP
// or the store, so the admin and the CLI (through ops) use one rule.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's Password Storage Cheat Sheet recommends at
// least m=19 MiB, t=2, p=1. A hash records its own parameters, so raising
// them later still verifies old hashes.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits. The upper bound keeps one sign-in attempt from
// costing more than hashing ~1 KB.
const (
	MinPassword = 10
	MaxPassword = 1024
)

// ErrPasswordShort and ErrPasswordLong say why CheckPassword refused one.
var (
	ErrPasswordShort = fmt.Errorf("a password needs at least %d characters", MinPassword)
	ErrPasswordLong  = fmt.Errorf("a password may have at most %d characters", MaxPassword)
)

// CheckPassword says whether pw is acceptable as a new password.
func CheckPassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPassword:
		return ErrPasswordShort
	case len(pw) > MaxPassword:
		return ErrPasswordLong
	}
	return nil
}

// Hash returns the PHC string of pw: $argon2id$v=19$m=…,t=…,p=…$salt$key.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// dummyHash is verified against when there is no account (or no password),
// so an unknown e-mail costs the same time as a wrong password and timing
// tells nobody which accounts exist.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c3Bla3RydW0tZHVtbXk$2PcJjJwHZhB9o3yPqE9rIYlnn8uQVm6kSk7mxMDc4eA"

// Verify reports whether pw matches the PHC string hash. An empty or
// unreadable hash never matches, after the same work as a real check.
func Verify(hash, pw string) bool {
	if len(pw) > MaxPassword {
		pw = pw[:MaxPassword]
	}
	p, err := parse(hash)
	ok := err == nil
	if !ok {
		p, _ = parse(dummyHash)
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1 && ok
}

type params struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parse(hash string) (params, error) {
	var p params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, errors.New("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, fmt.Errorf("argon2 parameters: %w", err)
	}
	// Bounds keep a tampered row from making a check take forever.
	if p.memory < 8*1024 || p.memory > 1<<20 || p.time < 1 || p.time > 16 || p.threads < 1 {
		return p, errors.New("argon2 parameters out of range")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, fmt.Errorf("argon2 salt: %w", err)
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return p, errors.New("argon2 key unreadable")
	}
	return p, nil
}

// Token returns a fresh random token (256 bits, URL-safe).
func Token() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is what the store keeps of a token.
func TokenHash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
