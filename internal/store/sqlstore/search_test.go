package sqlstore

import (
	"errors"
	"testing"
	"time"

	"spektrum/internal/store"
)

// TestSearchOrd: the key orders documents newest first by second, then by
// article id, keeps an article's editions apart, and clamps dates outside
// 1970–2242 instead of overflowing into another's range.
func TestSearchOrd(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC).UnixMilli()
	less := []struct {
		name string
		a, b int64 // a < b
	}{
		{"a second later", searchOrd(t0, 900, 3), searchOrd(t0+1000, 5, 0)},
		{"same second, higher id", searchOrd(t0+10, 41, 9), searchOrd(t0+990, 42, 0)},
		{"same article, next slot", searchOrd(t0, 42, 0), searchOrd(t0, 42, 1)},
		{"before 1970 clamps to 1970", searchOrd(-5000, 7, 0), searchOrd(1000, 1, 0)},
		{"far future clamps below the top", searchOrd(t0, 7, 0), searchOrd(1<<62, 1, 0)},
	}
	for _, tc := range less {
		if tc.a >= tc.b {
			t.Errorf("%s: %d >= %d", tc.name, tc.a, tc.b)
		}
	}
	if k := searchOrd(1<<62, 1<<40-1, 15); k <= 0 {
		t.Errorf("largest key %d overflows", k)
	}
	// The migrations compute the same key in SQL (0021_search_order.sql).
	sec := t0 / 1000
	if got, want := searchOrd(t0, 123456789, 0), sec<<30|(123456789&67108863)<<4; got != want {
		t.Errorf("searchOrd = %d, want the migrations' %d", got, want)
	}
}

func TestSearchCursor(t *testing.T) {
	c := encodeSearchCursor("n:", 12345)
	if n, err := decodeSearchCursor("n:", c); err != nil || n != 12345 {
		t.Errorf("decode(encode(12345)) = %d, %v", n, err)
	}
	for _, bad := range []string{c + "!", encodeSearchCursor("r:", 5), encodeSearchCursor("n:", 0), ""} {
		if _, err := decodeSearchCursor("n:", bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("decode(%q) = %v, want ErrBadCursor", bad, err)
		}
	}
}
