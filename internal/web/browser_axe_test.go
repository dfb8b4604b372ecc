package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// axe-core (testdata/axe.min.js, MPL-2.0, licence in testdata/axe.LICENSE,
// version 4.10.3 from the npm registry) is vendored so the accessibility
// check runs offline. axeRunJS runs it after the page loaded and writes its
// violations as JSON into the DOM, where --dump-dom shows them.
const axeRunJS = `addEventListener("load", function () {
  axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
    var out = r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) {
        return n.target.join(" ") + (n.failureSummary ? " (" + n.failureSummary.replace(/\s+/g, " ") + ")" : "");
      })};
    });
    document.body.setAttribute("data-axe", JSON.stringify(out));
  }, function (e) {
    document.body.setAttribute("data-axe", JSON.stringify([{id: "axe-error", help: String(e)}]));
  });
});`

// withAxe serves the site with axe-core and axeRunJS added to every HTML
// page, both same-origin so the site's own CSP applies to them.
func withAxe(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	axeJS, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string][]byte{"/axe.min.js": axeJS, "/axe-run.js": []byte(axeRunJS)}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if js, ok := scripts[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(js)
			return
		}
		r = r.Clone(r.Context())
		r.Header.Del("Accept-Encoding")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			body = []byte(strings.Replace(string(body), "</body>",
				`<script src="/axe.min.js"></script><script src="/axe-run.js"></script></body>`, 1))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// axeViolations loads url in Chromium at the given window size and returns
// what axe-core found wrong.
func axeViolations(t *testing.T, url, size string) []axeViolation {
	t.Helper()
	dom := string(chromium(t, "--dump-dom", "--window-size="+size, "--virtual-time-budget=5000", url))
	m := regexp.MustCompile(`data-axe="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("axe did not run on %s (blocked by the CSP?):\n%.1500s", url, dom)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &vs); err != nil {
		t.Fatalf("axe result on %s: %v: %s", url, err, m[1])
	}
	return vs
}

// TestBrowserAxe runs axe-core in real Chromium on the front, section,
// article, story, search and error pages in two editions, at desktop and
// phone width, and fails on any violation.
func TestBrowserAxe(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("headless browser test skipped: %s not found (install it with: apt-get install chromium)", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	s := newSiteEditions(t, imageServer(t).URL, []string{"en", "de"})
	storyID, _ := storyFixture(t, s)
	s.index(t)
	a := s.byTitle(t, unicodeTitle)
	srv := httptest.NewServer(withAxe(t, s.srv.Config.Handler))
	t.Cleanup(srv.Close)

	// The check itself works: a page with a known violation is caught.
	bad := httptest.NewServer(withAxe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>x</title><body><main><img src="/x.png"></main></body></html>`)
	})))
	t.Cleanup(bad.Close)
	if vs := axeViolations(t, bad.URL+"/", "1366,900"); len(vs) == 0 {
		t.Fatal("axe finds nothing on a page with an image without alt text: the check does not work")
	}

	// One edition at desktop width, the other at phone width: the layout
	// (and so contrast and overlap) differs, the markup does not.
	for _, ed := range []struct{ lang, size string }{{"en", "1366,1200"}, {"de", "390,844"}} {
		for _, p := range []string{"/", "/section/economy", a.Path(), fmt.Sprintf("/story/%d", storyID),
			"/search?q=story", "/section/no-such-section"} {
			path := "/" + ed.lang + p
			want := http.StatusOK
			if strings.Contains(p, "no-such") {
				want = http.StatusNotFound
			}
			s.mustGet(t, path, want)
			for _, v := range axeViolations(t, srv.URL+path, ed.size) {
				t.Errorf("%s at %s: axe %s (%s): %s\n\t%s", path, ed.size, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
			}
		}
	}
}
