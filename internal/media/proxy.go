package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"spektrum/internal/fetch"
)

// Fetcher is the part of fetch.Client the proxy uses.
type Fetcher interface {
	Get(ctx context.Context, r fetch.Request) (*fetch.Response, error)
}

// Defaults for zero Options fields.
const (
	DefaultCacheBytes = 1 << 30
	DefaultMaxPixels  = 40_000_000
)

// Options configures a Proxy.
type Options struct {
	// CacheDir holds originals and variants; required.
	CacheDir string
	// CacheBytes bounds the cache directory; the oldest files go first.
	CacheBytes int64
	// MaxPixels bounds width×height of an image, read from its header
	// before anything is decoded: a small file can declare a huge image
	// (a decompression bomb).
	MaxPixels int64
	Logger    *slog.Logger
}

// Proxy serves signed image URLs. Mount it with Pattern.
type Proxy struct {
	sign      *Signer
	fetch     Fetcher
	cache     *diskCache
	maxPixels int64
	log       *slog.Logger

	flight singleflight.Group
	// work bounds decodes and resizes in flight: each holds a whole
	// decoded image in memory.
	work chan struct{}

	// failed remembers originals that could not be served, so pages can
	// leave them out instead of showing an empty box (Failed).
	// known keeps the size of originals that were served, so pages can set
	// width and height and nothing shifts while images load (Size).
	mu     sync.Mutex
	failed map[string]time.Time
	known  map[string]imageConfig
}

// Failures are remembered this long, and at most this many.
const (
	failureTTL  = time.Hour
	maxFailures = 10000 // also bounds the sizes kept
	// errorMaxAge lets browsers and CDNs hold a failure briefly, so a page
	// full of broken images does not refetch them on every view.
	errorMaxAge = 10 * time.Minute
	// accept asks for what we pass on; servers that negotiate then do not
	// answer with AVIF or SVG.
	accept = "image/webp,image/jpeg,image/png,image/gif;q=0.9,*/*;q=0.1"
)

// New returns a Proxy that verifies with sign and fetches with f (a
// fetch.Client whose limits suit images).
func New(sign *Signer, f Fetcher, opts Options) (*Proxy, error) {
	if sign == nil || f == nil {
		return nil, errors.New("media: a signer and a fetcher are required")
	}
	if opts.CacheDir == "" {
		return nil, errors.New("media: Options.CacheDir is required")
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := openCache(filepath.Clean(opts.CacheDir), opts.CacheBytes)
	if err != nil {
		return nil, err
	}
	return &Proxy{sign: sign, fetch: f, cache: c, maxPixels: opts.MaxPixels, log: opts.Logger.With("component", "media"),
		work: make(chan struct{}, 2), failed: map[string]time.Time{}, known: map[string]imageConfig{}}, nil
}

// Error is a refusal with the status the proxy answers.
type Error struct {
	Status int
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(status int, msg string, err error) *Error {
	return &Error{Status: status, Msg: msg, Err: err}
}

// Failed reports whether the image at raw recently could not be served, so
// a page should not show it at all.
func (p *Proxy) Failed(raw string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.failed[raw]
	return ok && time.Since(t) < failureTTL
}

// Size returns the width and height of the original at raw, if it was
// served since this process started.
func (p *Proxy) Size(raw string) (w, h int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.known[raw]
	return c.Width, c.Height, ok
}

func (p *Proxy) learn(raw string, c imageConfig) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.known) >= maxFailures {
		clear(p.known)
	}
	p.known[raw] = c
}

func (p *Proxy) remember(raw string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		delete(p.failed, raw)
		return
	}
	if len(p.failed) >= maxFailures {
		clear(p.failed) // crude but bounded; entries come back on the next failure
	}
	p.failed[raw] = time.Now()
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A stricter policy than the site's: an image response is never a
	// document that could run anything.
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")

	sig, enc, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	if !ok || sig == "" || enc == "" || strings.Contains(enc, "/") {
		p.fail(w, r, refuse(http.StatusBadRequest, "400 bad request: not a media URL (/media/{signature}/{url})", nil))
		return
	}
	width := 0
	if v := r.URL.Query().Get("w"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !allowedWidth(n) {
			p.fail(w, r, refuse(http.StatusBadRequest, fmt.Sprintf("400 bad request: width %q is not one of %v", v, Widths), nil))
			return
		}
		width = n
	}
	raw, ok := p.sign.verify(sig, enc)
	if !ok {
		p.fail(w, r, refuse(http.StatusForbidden, "403 forbidden: the signature does not match the URL", nil))
		return
	}
	key := cacheKey(raw, width)
	etag := `"` + key[:32] + `"`
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, f, err := p.variant(r.Context(), raw, width)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	// The URL names its content (the signature pins the source URL, w the
	// width), so caches may keep it for good.
	h.Set("Content-Type", string(f))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (p *Proxy) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = refuse(http.StatusInternalServerError, "500 internal error", err)
	}
	h := w.Header()
	switch e.Status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusInternalServerError:
		h.Set("Cache-Control", "no-store")
	default:
		h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(errorMaxAge.Seconds())))
	}
	if e.Status >= 500 || e.Err != nil {
		p.log.WarnContext(r.Context(), "image not served", "status", e.Status, "err", err)
	}
	// The detail (addresses, the origin's answer) goes to the log only.
	http.Error(w, e.Msg, e.Status)
}

func cacheKey(raw string, width int) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(width) + "\x00" + raw))
	return hex.EncodeToString(sum[:])
}

// variant returns raw at width (0: the original), from the cache or made
// once however many requests ask for it at the same time.
func (p *Proxy) variant(ctx context.Context, raw string, width int) ([]byte, format, error) {
	key := cacheKey(raw, width)
	if b := p.cache.get(key); b != nil {
		if f, ok := sniff(b); ok {
			return b, f, nil
		}
	}
	// The work outlives a reader who goes away: others may wait for it,
	// and the fetch client bounds its time.
	v, err, _ := p.flight.Do(key, func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		orig, f, cfg, err := p.original(ctx, raw)
		if err != nil {
			return nil, err
		}
		if width == 0 || cfg.Width <= width {
			// Never enlarged: the original serves every wider request.
			return orig, nil
		}
		p.work <- struct{}{}
		defer func() { <-p.work }()
		img, err := decode(f, orig)
		if err != nil {
			return nil, refuse(http.StatusUnsupportedMediaType, "415 unsupported media type: the image cannot be decoded", err)
		}
		out, _, err := resize(img, width)
		if err != nil {
			return nil, err
		}
		if err := p.cache.put(key, out); err != nil {
			p.log.WarnContext(ctx, "image variant not cached", "err", err)
		}
		return out, nil
	})
	p.remember(raw, err)
	if err != nil {
		return nil, "", err
	}
	b := v.([]byte)
	f, _ := sniff(b)
	return b, f, nil
}

// original returns the checked bytes of the image at raw.
func (p *Proxy) original(ctx context.Context, raw string) ([]byte, format, imageConfig, error) {
	key := cacheKey(raw, 0)
	b := p.cache.get(key)
	if b == nil {
		v, err, _ := p.flight.Do(key, func() (any, error) {
			resp, err := p.fetch.Get(ctx, fetch.Request{URL: raw, Accept: accept})
			if err != nil {
				return nil, fetchRefusal(err)
			}
			return resp.Body, nil
		})
		if err != nil {
			return nil, "", imageConfig{}, err
		}
		b = v.([]byte)
		if _, _, err := p.check(b); err != nil {
			return nil, "", imageConfig{}, err
		}
		if err := p.cache.put(key, b); err != nil {
			p.log.WarnContext(ctx, "image not cached", "err", err)
		}
	}
	f, cfg, err := p.check(b)
	if err == nil {
		p.learn(raw, cfg)
	}
	return b, f, cfg, err
}

type imageConfig struct{ Width, Height int }

// check makes sure b is an image of a kind we pass on and within the pixel
// limit, reading only its header.
func (p *Proxy) check(b []byte) (format, imageConfig, error) {
	f, ok := sniff(b)
	if !ok {
		if looksSVG(b) {
			return "", imageConfig{}, refuse(http.StatusUnsupportedMediaType, "415 unsupported media type: SVG images are not proxied, they can carry script", nil)
		}
		return "", imageConfig{}, refuse(http.StatusUnsupportedMediaType, "415 unsupported media type: not a JPEG, PNG, GIF or WebP image", nil)
	}
	cfg, err := decodeConfig(f, b)
	if err != nil {
		return "", imageConfig{}, refuse(http.StatusUnsupportedMediaType, "415 unsupported media type: the image header cannot be read", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > p.maxPixels {
		return "", imageConfig{}, refuse(http.StatusBadGateway, fmt.Sprintf("502 bad gateway: the image is %d×%d pixels, more than the limit of %d", cfg.Width, cfg.Height, p.maxPixels), nil)
	}
	return f, imageConfig{cfg.Width, cfg.Height}, nil
}

// fetchRefusal says why the original could not be fetched, with the status
// the proxy answers.
func fetchRefusal(err error) error {
	var fe *fetch.Error
	if !errors.As(err, &fe) {
		return refuse(http.StatusBadGateway, "502 bad gateway: the image could not be fetched", err)
	}
	switch fe.Kind {
	case fetch.Blocked:
		return refuse(http.StatusForbidden, "403 forbidden: the image is on a private network address", err)
	case fetch.BadURL:
		return refuse(http.StatusBadRequest, "400 bad request: the image URL cannot be fetched", err)
	case fetch.TooLarge:
		return refuse(http.StatusBadGateway, "502 bad gateway: the image is larger than the size limit", err)
	case fetch.Timeout:
		return refuse(http.StatusGatewayTimeout, "504 gateway timeout: the image server did not answer in time", err)
	case fetch.Status:
		if fe.Status == http.StatusNotFound || fe.Status == http.StatusGone {
			return refuse(http.StatusNotFound, "404 not found: the image server has no such image", err)
		}
	}
	return refuse(http.StatusBadGateway, "502 bad gateway: the image could not be fetched", err)
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
