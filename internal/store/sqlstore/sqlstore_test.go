package sqlstore

import (
	"encoding/base64"
	"errors"
	"testing"

	"spektrum/internal/store"
)

func TestRebind(t *testing.T) {
	d := Dialect{DollarPlaceholders: true}
	got := d.rebind(`SELECT a FROM t WHERE x = ? AND y = '?' AND z IN (?, ?)`)
	want := `SELECT a FROM t WHERE x = $1 AND y = '?' AND z IN ($2, $3)`
	if got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
	if q := "SELECT ?"; (Dialect{}).rebind(q) != q {
		t.Errorf("rebind changed a query for a ? dialect")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := encodeCursor(1741953600000, 42)
	sortAt, id, err := decodeCursor(c)
	if err != nil || sortAt != 1741953600000 || id != 42 {
		t.Fatalf("decodeCursor(encodeCursor(1741953600000, 42)) = %d, %d, %v", sortAt, id, err)
	}
	for _, bad := range []string{"", "%%", base64.RawURLEncoding.EncodeToString([]byte("1:2:3"))} {
		if _, _, err := decodeCursor(bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("decodeCursor(%q) err = %v, want ErrBadCursor", bad, err)
		}
	}
}
