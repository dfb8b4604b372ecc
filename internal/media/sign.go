package media

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Widths are the widths variants are made at: the srcset steps of cards and
// lead images. The proxy refuses others, so a signed URL cannot be turned
// into an unbounded number of resize jobs.
var Widths = [...]int{320, 640, 960, 1280}

// Prefix is the path the proxy's URLs start with, and Pattern the
// http.ServeMux pattern to mount it with (three segments, so it does not
// collide with a site's /{yyyy}/{mm}/{dd}/{slug}).
const (
	Prefix  = "/media/"
	Pattern = "GET /media/{sig}/{url}"
)

// sigBytes of the HMAC-SHA256 are kept: 128 bits cannot be guessed, and the
// URLs stay short.
const sigBytes = 16

// Signer turns image URLs into signed proxy paths. It is safe for
// concurrent use.
type Signer struct{ key []byte }

// NewSigner returns a Signer keyed with secret, which must be at least 16
// bytes long.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 16 {
		return nil, errors.New("media: the signing secret must be at least 16 bytes long")
	}
	return &Signer{key: append([]byte(nil), secret...)}, nil
}

func (s *Signer) sign(raw string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(raw))
	return m.Sum(nil)[:sigBytes]
}

// URL is the proxy path of the image at raw, resized to width (one of
// Widths; 0 for the original). It is "" for anything but an absolute
// http(s) URL, which a page then must not show.
func (s *Signer) URL(raw string, width int) string {
	if !proxiable(raw) {
		return ""
	}
	p := Prefix + base64.RawURLEncoding.EncodeToString(s.sign(raw)) + "/" + base64.RawURLEncoding.EncodeToString([]byte(raw))
	if width > 0 {
		p += "?w=" + strconv.Itoa(width)
	}
	return p
}

// SrcSet is the srcset attribute value offering raw at every width.
func (s *Signer) SrcSet(raw string) string {
	if !proxiable(raw) {
		return ""
	}
	var b strings.Builder
	for i, w := range Widths {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.URL(raw, w))
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(w))
		b.WriteString("w")
	}
	return b.String()
}

// verify returns the URL a proxy path names if its signature is right.
func (s *Signer) verify(sig, enc string) (string, bool) {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	if !hmac.Equal(got, s.sign(string(raw))) {
		return "", false
	}
	return string(raw), true
}

func proxiable(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func allowedWidth(w int) bool {
	if w == 0 {
		return true
	}
	for _, a := range Widths {
		if a == w {
			return true
		}
	}
	return false
}
