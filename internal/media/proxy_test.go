package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"spektrum/internal/fetch"
)

// photo is a JPEG of w×h with a gradient, so resizing has work to do.
func photo(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombPNG is a valid PNG header declaring w×h pixels: a few bytes that
// would decode to gigabytes.
func bombPNG(t testing.TB, w, h uint32) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	// IHDR's data starts at 16 (8 signature, 4 length, 4 type).
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

type env struct {
	origin, site *httptest.Server
	sign         *Signer
	proxy        *Proxy
	dir          string
	hits         atomic.Int64 // requests the origin answered
	hugeSent     atomic.Int64
	hugeDone     chan struct{}
}

const maxBytes = 4 << 20

func newEnv(t testing.TB) *env {
	e := &env{hugeDone: make(chan struct{}, 1)}
	pic := photo(t, 2000, 1000)
	mux := http.NewServeMux()
	mux.HandleFunc("/photo.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(pic)
	})
	mux.HandleFunc("/small.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(photo(t, 200, 100)) })
	mux.HandleFunc("/huge.jpg", func(w http.ResponseWriter, r *http.Request) {
		// 1 GB, streamed without a Content-Length, as a hostile or broken
		// server would.
		defer func() { e.hugeDone <- struct{}{} }()
		w.Header().Set("Content-Type", "image/jpeg")
		chunk := make([]byte, 64<<10)
		copy(chunk, pic)
		for sent := int64(0); sent < 1<<30; sent += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			e.hugeSent.Add(int64(len(chunk)))
		}
	})
	mux.HandleFunc("/evil.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		io.WriteString(w, `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>`)
	})
	mux.HandleFunc("/page.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg") // it says so, but it is a page
		io.WriteString(w, "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	})
	mux.HandleFunc("/bomb.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(bombPNG(t, 50000, 50000))
	})
	mux.HandleFunc("/to-private.jpg", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/x.jpg", http.StatusFound)
	})
	e.origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(e.origin.Close)

	var err error
	if e.sign, err = NewSigner([]byte("0123456789abcdef-test-secret")); err != nil {
		t.Fatal(err)
	}
	// The origin lives on loopback: it alone is let through, as an
	// operator's intranet image host would be; every other private
	// address stays refused.
	fc := fetch.New(fetch.Options{MaxBytes: maxBytes, PerHostDelay: -1, PerHostConcurrency: 8, Timeout: 20 * time.Second,
		AllowAddrs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	e.dir = t.TempDir()
	if e.proxy, err = New(e.sign, fc, Options{CacheDir: e.dir, MaxPixels: 30_000_000}); err != nil {
		t.Fatal(err)
	}
	site := http.NewServeMux()
	site.Handle(Pattern, e.proxy)
	e.site = httptest.NewServer(site)
	t.Cleanup(e.site.Close)
	return e
}

func (e *env) get(t testing.TB, path string, hdr ...string) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodGet, e.site.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestResizedVariantCachedAndRevalidated(t *testing.T) {
	e := newEnv(t)
	raw := e.origin.URL + "/photo.jpg"
	path := e.sign.URL(raw, 640)
	resp, body := e.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control %q: a content-addressed URL is cacheable for good", cc)
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the variant does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 320 {
		t.Errorf("variant is %v, want 640×320 (the original's 2:1 kept)", b.Size())
	}
	if e.hits.Load() != 1 {
		t.Fatalf("origin hit %d times for one image", e.hits.Load())
	}

	// Another width comes from the cached original; the same one from its
	// cached variant, even in a new process on the same directory.
	if resp, _ := e.get(t, e.sign.URL(raw, 320)); resp.StatusCode != http.StatusOK {
		t.Fatalf("320: status %d", resp.StatusCode)
	}
	fc := fetch.New(fetch.Options{PerHostDelay: -1}) // would refuse the loopback origin
	fresh, err := New(e.sign, fc, Options{CacheDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	fresh.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), body) {
		t.Errorf("from the disk cache: status %d, same bytes %v", rec.Code, bytes.Equal(rec.Body.Bytes(), body))
	}
	if e.hits.Load() != 1 {
		t.Errorf("origin hit %d times; variants and repeats should come from the cache", e.hits.Load())
	}
	files, _ := filepath.Glob(filepath.Join(e.dir, "*", "*"))
	if len(files) != 3 {
		t.Errorf("cache holds %d files, want the original and two variants", len(files))
	}

	etag := resp.Header.Get("ETag")
	resp, body = e.get(t, path, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match %s: status %d with %d bytes, want 304", etag, resp.StatusCode, len(body))
	}

	// Never enlarged: a small original is served as it is.
	small := e.origin.URL + "/small.jpg"
	resp, body = e.get(t, e.sign.URL(small, 1280))
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); resp.StatusCode != http.StatusOK || err != nil || cfg.Width != 200 {
		t.Errorf("small original at 1280: status %d, %v, width %d", resp.StatusCode, err, cfg.Width)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	signed := func(p string) string { return e.sign.URL(e.origin.URL+p, 640) }
	good := signed("/photo.jpg")
	sig, rest, _ := strings.Cut(strings.TrimPrefix(good, Prefix), "/")
	tampered := []byte(sig)
	tampered[3] ^= 1
	if tampered[3] == '-' || tampered[3] == '_' {
		tampered[3] = 'A'
	}
	otherURL := e.sign.URL(e.origin.URL+"/evil.svg", 0)
	_, otherEnc, _ := strings.Cut(strings.TrimPrefix(otherURL, Prefix), "/")

	for _, c := range []struct {
		name, path string
		status     int
		says       string
	}{
		{"tampered signature", Prefix + string(tampered) + "/" + rest, http.StatusForbidden, "signature"},
		{"signature of another URL", Prefix + sig + "/" + otherEnc, http.StatusForbidden, "signature"},
		{"width not offered", strings.Replace(good, "w=640", "w=641", 1), http.StatusBadRequest, "width"},
		{"SVG with script", signed("/evil.svg"), http.StatusUnsupportedMediaType, "SVG"},
		{"a page named .jpg", signed("/page.jpg"), http.StatusUnsupportedMediaType, "not a JPEG, PNG, GIF or WebP"},
		{"over the pixel limit", signed("/bomb.png"), http.StatusBadGateway, "50000×50000 pixels"},
		{"redirect to a private address", signed("/to-private.jpg"), http.StatusForbidden, "private network"},
		{"1 GB image", signed("/huge.jpg"), http.StatusBadGateway, "larger than the size limit"},
		{"origin 404", signed("/missing.jpg"), http.StatusNotFound, "no such image"},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			resp, body := e.get(t, c.path)
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.says) {
				t.Errorf("status %d %q, want %d saying %q", resp.StatusCode, body, c.status, c.says)
			}
			if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
				t.Errorf("a refusal is served as %s", ct)
			}
			if time.Since(start) > 15*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
	select {
	case <-e.hugeDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the 1 GB origin is still sending: the proxy did not hang up at the size limit")
	}
	// What the origin got into the socket before the proxy hung up: the
	// limit plus kernel buffers, nowhere near the gigabyte.
	if sent := e.hugeSent.Load(); sent > 64<<20 {
		t.Errorf("the origin sent %d bytes before the proxy gave up; the limit is %d", sent, maxBytes)
	}
	files, _ := filepath.Glob(filepath.Join(e.dir, "*", "*"))
	if len(files) != 0 {
		t.Errorf("refused images were cached: %v", files)
	}
	for _, p := range []string{"/evil.svg", "/bomb.png", "/huge.jpg"} {
		if !e.proxy.Failed(e.origin.URL + p) {
			t.Errorf("%s is not remembered as failed", p)
		}
	}
	if e.proxy.Failed(e.origin.URL + "/photo.jpg") {
		t.Error("an image never asked for is remembered as failed")
	}
}

func TestSignerURLs(t *testing.T) {
	s, err := NewSigner([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("a short secret is accepted")
	}
	for _, bad := range []string{"", "javascript:alert(1)", "data:image/png;base64,AAAA", "/relative.jpg", "http://user:pw@host/x.jpg"} {
		if u := s.URL(bad, 640); u != "" {
			t.Errorf("URL(%q) = %q, want nothing", bad, u)
		}
	}
	u := s.URL("https://example.org/a.jpg", 640)
	if !strings.HasPrefix(u, Prefix) || !strings.HasSuffix(u, "?w=640") {
		t.Errorf("URL = %q", u)
	}
	set := s.SrcSet("https://example.org/a.jpg")
	if n := strings.Count(set, "w,") + 1; n != len(Widths) || !strings.HasSuffix(set, fmt.Sprintf(" %dw", Widths[len(Widths)-1])) {
		t.Errorf("SrcSet = %q", set)
	}
	other, _ := NewSigner([]byte("another secret of 16+"))
	if other.URL("https://example.org/a.jpg", 0) == s.URL("https://example.org/a.jpg", 0) {
		t.Error("two secrets sign alike")
	}
}

func TestCacheEvictsOldest(t *testing.T) {
	dir := t.TempDir()
	c, err := openCache(dir, 1000)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{cacheKey("a", 0), cacheKey("b", 0), cacheKey("c", 0)}
	for i, k := range keys {
		if err := c.put(k, bytes.Repeat([]byte{'x'}, 400)); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(time.Duration(i-10) * time.Minute)
		os.Chtimes(c.path(k), old, old)
	}
	if c.get(keys[0]) != nil {
		t.Error("the oldest file survived going over the bound")
	}
	if c.get(keys[1]) == nil || c.get(keys[2]) == nil {
		t.Error("newer files were evicted")
	}
	reopened, err := openCache(dir, 1000)
	if err != nil || reopened.size != 800 {
		t.Errorf("reopened cache counts %d bytes (%v), want 800", reopened.size, err)
	}
}
