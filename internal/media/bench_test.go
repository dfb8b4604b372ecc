package media

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"
)

// BenchmarkResize scales a decoded 2000×1000 photo to card width with the
// scalers x/image/draw offers in one step, then runs resize (bilinear to
// twice the width, then Catmull-Rom; JPEG encoding included) per width.
func BenchmarkResize(b *testing.B) {
	src, err := jpeg.Decode(bytes.NewReader(photo(b, 2000, 1000)))
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		k    xdraw.Scaler
	}{{"CatmullRom", xdraw.CatmullRom}, {"ApproxBiLinear", xdraw.ApproxBiLinear}, {"BiLinear", xdraw.BiLinear}} {
		b.Run(s.name+"/640", func(b *testing.B) {
			defer cpuPerOp(b)()
			dst := image.NewRGBA(image.Rect(0, 0, 640, 320))
			for b.Loop() {
				s.k.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
			}
		})
	}
	for _, w := range []int{320, 640, 1280} {
		b.Run(fmt.Sprintf("resize+JPEG/%d", w), func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, _, err := resize(src, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("decode-2000x1000-JPEG", func(b *testing.B) {
		pic := photo(b, 2000, 1000)
		defer cpuPerOp(b)()
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(pic)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkProxy is a reader's request over loopback: a hit is served from
// the disk cache; a miss fetches a 2000×1000 JPEG from a loopback origin,
// checks, decodes, resizes to 640 and stores it.
func BenchmarkProxy(b *testing.B) {
	e := newEnv(b)
	get := func(b *testing.B, path string) {
		resp, err := http.Get(e.site.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := bytes.NewBuffer(nil).ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n == 0 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.Run("hit", func(b *testing.B) {
		path := e.sign.URL(e.origin.URL+"/photo.jpg", 640)
		get(b, path)
		defer cpuPerOp(b)()
		for b.Loop() {
			get(b, path)
		}
	})
	b.Run("revalidate-304", func(b *testing.B) {
		path := e.sign.URL(e.origin.URL+"/photo.jpg", 640)
		rec := httptest.NewRecorder()
		e.proxy.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		etag := rec.Header().Get("ETag")
		defer cpuPerOp(b)()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodGet, e.site.URL+path, nil)
			req.Header.Set("If-None-Match", etag)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusNotModified {
				b.Fatalf("%v %v", err, resp)
			}
			resp.Body.Close()
		}
	})
	b.Run("miss", func(b *testing.B) {
		i := 0
		defer cpuPerOp(b)()
		for b.Loop() {
			i++
			get(b, e.sign.URL(fmt.Sprintf("%s/photo.jpg?n=%d", e.origin.URL, i), 640))
		}
	})
}

// cpuPerOp reports the process's CPU time per iteration (user and system)
// beside the wall time, which on a shared machine mostly measures waiting.
// Call it first in a benchmark and defer what it returns.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start)/time.Microsecond)/1000/float64(b.N), "cpu-ms/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
