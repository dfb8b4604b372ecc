package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"spektrum/internal/extract"
)

// csp allows only our own CSS, script and images (article images come
// through the media proxy, so readers' browsers never call the publishers'
// servers), and frames only for the video hosts the sanitizer lets through.
// No inline code anywhere.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"frame-src https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com https://www.dailymotion.com"

// cspWith is csp with origins an admin allowed ad scripts and frames
// from (settings, checked as https origins there and again here) added to
// script-src and frame-src.
func cspWith(origins []string) string {
	var extra strings.Builder
	for _, o := range origins {
		if o2, ok := extract.ParseOrigin(o); ok && o2 == o {
			extra.WriteString(" " + o)
		}
	}
	if extra.Len() == 0 {
		return csp
	}
	out := strings.Replace(csp, "script-src 'self'", "script-src 'self'"+extra.String(), 1)
	return strings.Replace(out, "frame-src ", "frame-src"+extra.String()+" ", 1)
}

// securityHeaders sets the headers every response carries, errors included.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// etagOf is a weak validator: the same bytes are served gzipped or not, so a
// strong ETag would wrongly claim byte equality across encodings.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// etagMatch implements If-None-Match's weak comparison.
func etagMatch(header, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || strings.TrimPrefix(c, "W/") == want {
			return true
		}
	}
	return false
}

// send writes a complete, already rendered body. Successful responses get an
// ETag and Cache-Control and may be answered with 304; bodies are gzipped
// when the client accepts it. Rendering to a buffer first also means a
// template error never leaves a half-written page behind.
func send(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if status == http.StatusOK {
		etag := etagOf(body)
		h.Set("ETag", etag)
		if cacheControl != "" {
			h.Set("Cache-Control", cacheControl)
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if len(body) >= 512 && acceptsGzip(r) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression) // only fails on a bad level
		_, _ = zw.Write(body)                                       // writes to memory cannot fail
		_ = zw.Close()
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away; nothing left to do
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			// "gzip;q=0" means the client refuses it.
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// publicFor is the Cache-Control of content anyone may cache for d.
func publicFor(d time.Duration) string {
	return fmt.Sprintf("public, max-age=%d", int(d.Seconds()))
}

// pageCacheControl is the Cache-Control of pages, feeds and API answers:
// browsers keep them pageMaxAge, a CDN sharedMaxAge, and a CDN may serve
// a stale copy for staleRevalidate while it fetches the new one (so a
// popular page never waits on the origin).
func pageCacheControl() string {
	return fmt.Sprintf("public, max-age=%d, s-maxage=%d, stale-while-revalidate=%d",
		int(pageMaxAge.Seconds()), int(sharedMaxAge.Seconds()), int(staleRevalidate.Seconds()))
}
