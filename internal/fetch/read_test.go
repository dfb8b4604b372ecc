package fetch

import (
	"bytes"
	"errors"
	"io"
	"math"
	"runtime"
	"testing"
	"testing/iotest"
)

// readLimited returns the whole body up to the limit, whatever the
// announced size says and however the reader splits it, and refuses one
// byte more.
func TestReadLimited(t *testing.T) {
	const limit = 3*maxChunk + 100
	lengths := []int{0, 1, firstChunk - 1, firstChunk, firstChunk + 1, 3 * firstChunk, maxChunk - 1, maxChunk, maxChunk + 1,
		2*maxChunk + 7, limit - 1, limit, limit + 1, limit + maxChunk}
	for _, n := range lengths {
		body := make([]byte, n)
		for i := range body {
			body[i] = byte(i * 7)
		}
		for _, size := range []int64{-1, int64(n), int64(n / 2), int64(n) + 10} {
			for name, r := range map[string]io.Reader{
				"whole":     bytes.NewReader(body),
				"one byte":  iotest.OneByteReader(bytes.NewReader(body)),
				"half read": iotest.HalfReader(bytes.NewReader(body)),
			} {
				if name == "one byte" && n > 3*firstChunk {
					continue // slow, and nothing new
				}
				got, err := readLimited(r, limit, size)
				if n > limit {
					if !errors.Is(err, errOverLimit) {
						t.Errorf("%d bytes (announced %d, %s): %d bytes, %v; want errOverLimit", n, size, name, len(got), err)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("%d bytes (announced %d, %s): %d bytes, %v; want the body", n, size, name, len(got), err)
				}
			}
		}
	}
	boom := errors.New("connection reset")
	if _, err := readLimited(io.MultiReader(bytes.NewReader(make([]byte, firstChunk+5)), iotest.ErrReader(boom)), limit, -1); !errors.Is(err, boom) {
		t.Errorf("a read error = %v, want it returned", err)
	}
}

// What reading a body allocates: a body of announced length up to
// maxChunk once, a larger one once to read and once to join, and one over
// the limit only what was read (io.ReadAll of a LimitReader joined that
// too: twice the limit for a body thrown away, TestSoak's hostile ones).
func TestReadLimitedAllocates(t *testing.T) {
	const limit = 24 << 20
	body := make([]byte, limit)
	small := body[:maxChunk/2]
	for _, tc := range []struct {
		name  string
		r     func() io.Reader
		size  int64
		read  int     // bytes read
		bound float64 // allocated bytes per byte read, at most
	}{
		{"announced, small", func() io.Reader { return bytes.NewReader(small) }, int64(len(small)), len(small), 1.1},
		{"announced, large", func() io.Reader { return bytes.NewReader(body) }, limit, limit, 2.1},
		{"unknown length", func() io.Reader { return bytes.NewReader(body) }, -1, limit, 2.1},
		{"over the limit", func() io.Reader { return io.MultiReader(bytes.NewReader(body), bytes.NewReader(body)) }, -1, limit, 1.1},
	} {
		// TotalAlloc counts every goroutine's allocations, the test
		// runtime's and other tests' too: the fewest bytes of several
		// reads are this read's own (others only add): an allocation
		// elsewhere fails the test only by falling in every one of them.
		least := uint64(math.MaxUint64)
		for range 5 {
			var before, after runtime.MemStats
			r := tc.r()
			runtime.ReadMemStats(&before)
			_, _ = readLimited(r, limit, tc.size)
			runtime.ReadMemStats(&after)
			least = min(least, after.TotalAlloc-before.TotalAlloc)
		}
		if per := float64(least) / float64(tc.read); per > tc.bound {
			t.Errorf("%s: allocated %.2f bytes per byte of a %d-byte body, want at most %.1f", tc.name, per, tc.read, tc.bound)
		}
	}
}
