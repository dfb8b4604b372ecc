package newsletter

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Link purposes. Each signed link is good for one purpose only: the
// List-Unsubscribe token handed to mailbox providers can unsubscribe but
// cannot read or erase a subscriber's data.
const (
	purposeConfirm = "confirm" // bound to Subscriber.ConfirmNonce, expires
	purposeUnsub   = "unsub"   // bound to Subscriber.LinkNonce
	purposeManage  = "manage"  // preferences, export, erase; bound to LinkNonce
	purposeForm    = "form"    // sign-up form token; expires
	purposeHook    = "bounces" // the bounce webhook's path key
)

// errBadLink covers every way a link can fail: forged, expired, used,
// revoked. Readers get one message, so a link reveals nothing.
var errBadLink = errors.New("this link is not valid any more: it may have expired or been used already")

// errLinkExpired is a confirmation link that is authentic and still bound
// to a pending sign-up, but too old: its owner may ask for a fresh one.
var errLinkExpired = errors.New("this confirmation link has expired")

// errChoicesChanged means the pending choices changed since the
// confirmation page showed them; the page is shown again.
var errChoicesChanged = errors.New("the choices changed since the page was shown")

// signer makes and checks the HMAC-signed tokens of links and forms.
type signer struct{ key []byte }

func newSigner(secret string) signer {
	// Derive a key of our own so the configured secret can serve other
	// parts of Spektrum without the newsletter's MACs being reusable there.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("spektrum newsletter v1"))
	return signer{key: m.Sum(nil)}
}

func (s signer) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// token signs (purpose, id, expiry, nonce): "id.expiry.mac". The nonce is
// not in the token; it is read from the subscriber when checking, so
// changing it revokes the token. expires zero means never.
func (s signer) token(purpose string, id int64, expires time.Time, nonce string) string {
	exp := int64(0)
	if !expires.IsZero() {
		exp = expires.Unix()
	}
	ids, exps := strconv.FormatInt(id, 36), strconv.FormatInt(exp, 36)
	return ids + "." + exps + "." + s.mac(purpose, ids, exps, nonce)
}

// parse returns the id of a token and a check that verifies it against the
// nonce of the subscriber with that id at now.
func (s signer) parse(tok string) (id int64, check func(purpose, nonce string, now time.Time) bool, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return 0, nil, false
	}
	id, err1 := strconv.ParseInt(parts[0], 36, 64)
	exp, err2 := strconv.ParseInt(parts[1], 36, 64)
	if err1 != nil || err2 != nil || id <= 0 || exp < 0 {
		return 0, nil, false
	}
	return id, func(purpose, nonce string, now time.Time) bool {
		if exp != 0 && now.Unix() > exp {
			return false
		}
		want := s.mac(purpose, parts[0], parts[1], nonce)
		return hmac.Equal([]byte(want), []byte(parts[2]))
	}, true
}

// expiry returns the expiry a token claims (zero: none), unverified: use
// it only to check the token's MAC as of that moment with parse's check.
func expiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	exp, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil || exp < 0 {
		return time.Time{}, false
	}
	if exp == 0 {
		return time.Time{}, true
	}
	return time.Unix(exp, 0), true
}

// formToken is the sign-up form's hidden token: it carries its issue time
// and proves the form came from one of our pages (bots posting blind lack
// it). Cross-site posting is stopped separately by http.CrossOriginProtection.
func (s signer) formToken(issued time.Time) string {
	ts := strconv.FormatInt(issued.Unix(), 36)
	return ts + "." + s.mac(purposeForm, ts)
}

func (s signer) checkForm(tok string, now time.Time, maxAge time.Duration) bool {
	ts, mac, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	t, err := strconv.ParseInt(ts, 36, 64)
	if err != nil {
		return false
	}
	issued := time.Unix(t, 0)
	if now.Sub(issued) > maxAge || issued.Sub(now) > time.Minute {
		return false
	}
	return hmac.Equal([]byte(s.mac(purposeForm, ts)), []byte(mac))
}

// randomToken returns n random bytes, URL-safe encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
