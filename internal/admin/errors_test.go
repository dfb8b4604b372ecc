package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// getIn is GET path with the browser asking for language l.
func (b *browser) getIn(l, path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept-Language", l)
	return b.do(req)
}

// TestErrorPages: whatever the handler, a thing that is not there (an id
// nobody has, one that is no number) is the 404 page and a server fault
// the 500 page, each in the admin's look and the browser's language,
// naming no cause.
func TestErrorPages(t *testing.T) {
	e := newEnv(t, sqliteStore(t), true)
	b := e.browser()
	b.mustSignIn(adminEmail)
	for _, path := range []string{"/admin/sources/999", "/admin/sources/abc", "/admin/articles/999", "/admin/articles/-1",
		"/admin/newsletter/999", "/admin/sections/nowhere", "/admin/ads/999", "/admin/ads/x"} {
		a := b.getIn("de", path)
		if a.status != http.StatusNotFound || !strings.Contains(a.body, "<h1>Nicht gefunden</h1>") || !strings.Contains(a.body, "Hier gibt es nichts.") ||
			!strings.Contains(a.body, `<html lang="de">`) {
			t.Errorf("GET %s in German = %d:\n%.800s", path, a.status, a.body)
		}
	}
	tok := b.csrf()
	for _, path := range []string{"/admin/sources/999/pause", "/admin/articles/999/hide", "/admin/ads/999/delete", "/admin/ads/0"} {
		if a := b.post(path, url.Values{"csrf": {tok}, "name": {"x"}}); a.status != http.StatusNotFound {
			t.Errorf("POST %s = %d, want 404", path, a.status)
		}
	}

	// A database that stops answering: the 500 page in the browser's
	// language, the cause only in the log.
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	for l, want := range map[string]string{"fr": "Une erreur s'est produite", "pl": "Coś poszło nie tak", "en": "Something went wrong"} {
		a := b.getIn(l, "/admin/sources")
		if a.status != http.StatusInternalServerError || !strings.Contains(htmlUnescape(a.body), "<h1>"+want+"</h1>") || !strings.Contains(a.body, `<html lang="`+l+`">`) ||
			strings.Contains(a.body, "sql") {
			t.Errorf("a fault in %s = %d:\n%.800s", l, a.status, a.body)
		}
	}
}
