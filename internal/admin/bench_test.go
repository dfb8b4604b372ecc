package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"spektrum/internal/store"
)

// BenchmarkSourcesPage renders /admin/sources with 200 sources for a
// signed-in editor, over loopback (session lookup, sources with counts,
// template).
func BenchmarkSourcesPage(b *testing.B) {
	e := newEnv(b, sqliteStore(b), true)
	for i := range 200 {
		if err := e.st.CreateSource(context.Background(), &store.Source{URL: fmt.Sprintf("https://s%d.example/feed", i), Name: fmt.Sprintf("Source %d", i), Enabled: true}); err != nil {
			b.Fatal(err)
		}
	}
	br := e.browser()
	br.mustSignIn(editorEmail)
	b.ResetTimer()
	for b.Loop() {
		if a := br.get("/admin/sources"); a.status != http.StatusOK {
			b.Fatalf("GET /admin/sources = %d", a.status)
		}
	}
}

// BenchmarkSignIn is one sign-in through the form: the argon2id check
// dominates, by design.
func BenchmarkSignIn(b *testing.B) {
	e := newEnv(b, sqliteStore(b), true)
	for b.Loop() {
		e.browser().mustSignIn(adminEmail)
	}
}
