package media

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// format is an image type the proxy passes on.
type format string

const (
	fmtJPEG format = "image/jpeg"
	fmtPNG  format = "image/png"
	fmtGIF  format = "image/gif"
	fmtWebP format = "image/webp"
)

// sniff tells the format from the first bytes, whatever the server's
// Content-Type or the URL's extension claim: a page named .jpg may be HTML,
// and only these four formats are passed on. SVG in particular is not, as
// it can carry script.
func sniff(b []byte) (format, bool) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return fmtJPEG, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return fmtPNG, true
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return fmtGIF, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return fmtWebP, true
	}
	return "", false
}

// looksSVG is for the error message only: SVG is refused like any non-image.
func looksSVG(b []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(b[:min(len(b), 1024)]))
	return bytes.Contains(head, []byte("<svg"))
}

func decodeConfig(f format, b []byte) (image.Config, error) {
	r := bytes.NewReader(b)
	switch f {
	case fmtJPEG:
		return jpeg.DecodeConfig(r)
	case fmtPNG:
		return png.DecodeConfig(r)
	case fmtGIF:
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decode(f format, b []byte) (image.Image, error) {
	r := bytes.NewReader(b)
	switch f {
	case fmtJPEG:
		return jpeg.Decode(r)
	case fmtPNG:
		return png.Decode(r)
	case fmtGIF:
		return gif.Decode(r) // the first frame: a still is what a card shows
	default:
		return webp.Decode(r)
	}
}

// jpegQuality is where JPEG artefacts stop showing on photos at card size.
const jpegQuality = 82

// resize scales src to width (keeping its aspect ratio) with Catmull-Rom,
// and encodes it as JPEG, or as PNG when it has transparency that JPEG
// would lose. WebP output would be smaller, but no pure-Go WebP encoder is
// maintained (golang.org/x/image/webp decodes only); see docs/benchmarks.md.
func resize(src image.Image, width int) ([]byte, format, error) {
	b := src.Bounds()
	height := max(1, (b.Dy()*width+b.Dx()/2)/b.Dx())
	if b.Dx() > 2*width {
		// Catmull-Rom's cost grows with the reduction (its kernel spans
		// more source pixels): a quick bilinear step to twice the width
		// first cuts a 2000→640 resize several times over, and the final
		// Catmull-Rom step still averages away its aliasing
		// (docs/benchmarks.md).
		mid := image.NewRGBA(image.Rect(0, 0, 2*width, 2*height))
		xdraw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, b, draw.Src, nil)
		src, b = mid, mid.Bounds()
	}
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	var out bytes.Buffer
	if dst.Opaque() {
		if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, "", fmt.Errorf("encode JPEG: %w", err)
		}
		return out.Bytes(), fmtJPEG, nil
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, dst); err != nil {
		return nil, "", fmt.Errorf("encode PNG: %w", err)
	}
	return out.Bytes(), fmtPNG, nil
}
