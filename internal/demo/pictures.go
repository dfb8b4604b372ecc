package demo

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The hand-written demo pages show pictures (a WordPress-style upload, a
// newspaper's /bilder/ folder, a logo). Photos would make the repository
// heavy and need licences, so each picture is drawn from its path: a sky,
// a sun and hills in colours of its own, the same every time, at the size
// its name states ("-1024x576") or 1200×675.

var sizeInName = regexp.MustCompile(`-(\d{2,4})x(\d{2,4})\.[a-z]+$`)

// isPicture reports whether rest names a picture the demo draws.
func isPicture(rest string) bool {
	switch strings.ToLower(path.Ext(rest)) {
	case ".jpg", ".jpeg", ".png", ".svg":
		return true
	}
	return false
}

// otherPicture draws pictures the benchmark pages name by root-relative
// paths (/archive/3834a.jpg), which resolve outside /site/{name}/.
func (h *handler) otherPicture(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/")
	if !isPicture(rest) {
		http.NotFound(w, r)
		return
	}
	h.picture(w, r, "_", "Spektrum", rest)
}

// picture answers a picture request of the site called name, caching what
// it drew.
func (h *handler) picture(w http.ResponseWriter, r *http.Request, name, title, rest string) {
	if strings.HasSuffix(strings.ToLower(rest), ".svg") {
		// A logo: the site's initial. The proxy refuses SVG, so Spektrum
		// never shows it; it is here so the page is whole.
		initial := strings.ToUpper(title[:1])
		writeBody(w, "image/svg+xml", []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40"><rect width="160" height="40" fill="#1f3b57"/><text x="12" y="29" font-family="Georgia,serif" font-size="24" fill="#fff">%s</text></svg>`, initial)))
		return
	}
	key := name + "/" + rest
	h.picMu.Lock()
	b, ok := h.pics[key]
	h.picMu.Unlock()
	if !ok {
		var err error
		if b, err = drawPicture(key); err != nil {
			http.Error(w, "demo: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.picMu.Lock()
		h.pics[key] = b
		h.picMu.Unlock()
	}
	ctype := "image/jpeg"
	if strings.HasSuffix(strings.ToLower(rest), ".png") {
		ctype = "image/png"
	}
	w.Header().Set("Cache-Control", "max-age=86400")
	writeBody(w, ctype, b)
}

// drawPicture draws the picture for key as JPEG (or PNG for a .png name).
func drawPicture(key string) ([]byte, error) {
	wd, ht := 1200, 675
	if m := sizeInName.FindStringSubmatch(key); m != nil {
		wd, _ = strconv.Atoi(m[1])
		ht, _ = strconv.Atoi(m[2])
	}
	sum := sha256.Sum256([]byte(key))
	hue := func(i int) color.RGBA { return color.RGBA{sum[i], sum[i+1], sum[i+2], 255} }
	skyTop, skyLow, hill, far := hue(0), hue(3), hue(6), hue(9)
	skyTop = mix(skyTop, color.RGBA{40, 90, 170, 255}, 0.6)
	skyLow = mix(skyLow, color.RGBA{250, 200, 150, 255}, 0.6)
	hill = mix(hill, color.RGBA{40, 90, 50, 255}, 0.6)
	far = mix(far, color.RGBA{90, 110, 140, 255}, 0.6)
	sunX, sunY, sunR := wd*(20+int(sum[12])%60)/100, ht*(15+int(sum[13])%25)/100, ht/10+int(sum[14])%(ht/12+1)
	img := image.NewRGBA(image.Rect(0, 0, wd, ht))
	for y := 0; y < ht; y++ {
		sky := mix(skyTop, skyLow, float64(y)/float64(ht))
		farY := ht * 55 / 100
		for x := 0; x < wd; x++ {
			c := sky
			dx, dy := x-sunX, y-sunY
			if dx*dx+dy*dy < sunR*sunR {
				c = color.RGBA{255, 236, 180, 255}
			}
			fx := float64(x) / float64(wd)
			if y > farY+int(float64(ht)*0.08*wave(fx*6, float64(sum[15]))) {
				c = far
			}
			if y > ht*70/100+int(float64(ht)*0.1*wave(fx*4, float64(sum[16]))) {
				c = mix(hill, color.RGBA{20, 40, 25, 255}, float64(y)/float64(ht)-0.5)
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	var err error
	if strings.HasSuffix(strings.ToLower(key), ".png") {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		return nil, fmt.Errorf("draw picture %s: %w", key, err)
	}
	return b.Bytes(), nil
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	t = min(max(t, 0), 1)
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

// wave is a smooth value in [-1, 1] for the hills' outline.
func wave(x, phase float64) float64 {
	// A cheap sum of two triangle waves, smooth enough at picture scale.
	tri := func(v float64) float64 {
		v -= float64(int(v))
		return 4*abs(v-0.5) - 1
	}
	return 0.6*tri(x*0.5+phase/256) + 0.4*tri(x*1.3+phase/97)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
