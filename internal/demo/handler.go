package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// handler serves all demo sites. It holds no state that changes while serving
// except the counters the tests of /bad/huge read.
type handler struct {
	base   string // fixed base URL, or "" to use each request's Host
	sites  []*site
	byName map[string]*site
	mux    *http.ServeMux
	// done is closed by Server.Close so the slow endpoints stop at once; nil
	// (never closed) for a bare Handler.
	done <-chan struct{}

	hugeActive atomic.Int32 // /bad/huge handlers still running
	hugeSent   atomic.Int64 // bytes /bad/huge wrote in total

	picMu sync.Mutex
	pics  map[string][]byte // pictures drawn so far, by site and path
}

func newHandler(base string, done <-chan struct{}) (*handler, error) {
	sites, err := loadSites()
	if err != nil {
		return nil, err
	}
	h := &handler{base: base, sites: sites, byName: map[string]*site{}, mux: http.NewServeMux(), done: done,
		pics: map[string][]byte{}}
	for _, s := range sites {
		h.byName[s.m.Name] = s
	}
	h.mux.HandleFunc("GET /{$}", h.index)
	h.mux.HandleFunc("GET /robots.txt", h.robots)
	h.mux.HandleFunc("GET /site/{name}/{rest...}", h.site)
	h.mux.HandleFunc("GET /", h.otherPicture)
	h.routeBad()
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// baseURL is the scheme and host absolute URLs are built from.
func (h *handler) baseURL(r *http.Request) string {
	if h.base != "" {
		return h.base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Spektrum demo sites</title></head><body>\n<h1>Spektrum demo sites</h1>\n<p>Add any of these as a source.</p>\n<ul>\n")
	for _, d := range describe(h.sites, h.baseURL(r)) {
		state := d.Format
		if d.Broken {
			state += ", broken on purpose"
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a> (%s): source <code>%s</code></li>\n", html.EscapeString(d.Home), html.EscapeString(d.Title), state, html.EscapeString(d.SourceURL))
	}
	b.WriteString("</ul>\n</body></html>\n")
	writeBody(w, "text/html; charset=utf-8", []byte(b.String()))
}

// robots allows everything except each site's private/ folder. The rules are
// spelled out per site rather than with a wildcard because wildcards are an
// extension not every robots.txt parser supports.
func (h *handler) robots(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, s := range h.sites {
		fmt.Fprintf(&b, "Disallow: /site/%s/private/\n", s.m.Name)
	}
	b.WriteString("Allow: /\n\n")
	for _, s := range h.sites {
		if s.m.Format == "newssitemap" {
			fmt.Fprintf(&b, "Sitemap: %s/site/%s/%s\n", h.baseURL(r), s.m.Name, s.m.Feed)
		}
	}
	writeBody(w, "text/plain; charset=utf-8", []byte(b.String()))
}

func (h *handler) site(w http.ResponseWriter, r *http.Request) {
	s := h.byName[r.PathValue("name")]
	if s == nil {
		http.NotFound(w, r)
		return
	}
	rest := r.PathValue("rest")
	root := h.baseURL(r) + "/site/" + s.m.Name + "/"
	switch {
	case strings.HasPrefix(rest, "private/"):
		// Only a client that ignores robots.txt ever sees this.
		writeBody(w, "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><title>Internal draft</title></head><body><h1>Internal draft – do not publish</h1><p>This page is disallowed by robots.txt.</p></body></html>\n"))
	case s.broken != nil:
		h.brokenSite(w, r, s, rest, root)
	case rest == "":
		h.home(w, s, root)
	case rest == s.m.Feed:
		h.feed(w, r, s, root)
	case isPicture(rest):
		h.picture(w, r, s.m.Name, s.m.Title, rest)
	default:
		for _, a := range s.articles {
			if a.ma.Path == rest {
				h.article(w, r, s, a)
				return
			}
		}
		http.NotFound(w, r)
	}
}

// article serves a page as it is. Benchmark pages are stored gzipped and sent
// that way to clients that accept it, which also exercises the fetcher's
// decompression; hand-written pages get the base URL filled in and, for the
// windows-1252 site, are encoded on the way out so the source files stay
// editable as UTF-8.
func (h *handler) article(w http.ResponseWriter, r *http.Request, s *site, a *article) {
	if a.gz {
		w.Header().Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			writeBody(w, "text/html; charset=utf-8", a.page)
			return
		}
		page, err := gunzip(a.page)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeBody(w, "text/html; charset=utf-8", page)
		return
	}
	page := bytes.ReplaceAll(a.page, []byte("{{base}}"), []byte(h.baseURL(r)))
	h.writeEncoded(w, s, "text/html", page)
}

// writeEncoded sends a UTF-8 body in the site's charset. For windows-1252 the
// Content-Type deliberately carries no charset: the document declares it
// itself (<meta charset> or the XML declaration), as many old sites do.
func (h *handler) writeEncoded(w http.ResponseWriter, s *site, ctype string, body []byte) {
	if s.m.Encoding == "windows-1252" {
		enc, err := encode1252(string(body))
		if err != nil {
			http.Error(w, "demo: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeBody(w, ctype, enc)
		return
	}
	writeBody(w, ctype+"; charset=utf-8", body)
}

// encode1252 fails rather than substitutes when a character has no
// windows-1252 byte, so a typo in a hand-written page shows up in the tests.
func encode1252(s string) ([]byte, error) {
	return charmap.Windows1252.NewEncoder().Bytes([]byte(s))
}

func writeBody(w http.ResponseWriter, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

// writeConditional sends a feed with validators and answers 304 when the
// client already has it, so polite polling can be tested.
func writeConditional(w http.ResponseWriter, r *http.Request, ctype string, body []byte, lastMod time.Time) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if !lastMod.IsZero() {
		w.Header().Set("Last-Modified", lastMod.UTC().Format(http.TimeFormat))
	}
	w.Header().Set("Cache-Control", "max-age=300")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagMatch(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !lastMod.IsZero() && !lastMod.Truncate(time.Second).After(ims) {
		// If-Modified-Since only counts when If-None-Match is absent (RFC 9110 13.1.3).
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeBody(w, ctype, body)
}

// etagMatch is the weak comparison RFC 9110 prescribes for If-None-Match.
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func (s *site) lastModified() time.Time {
	var t time.Time
	for _, a := range s.articles {
		if a.published.After(t) {
			t = a.published
		}
	}
	return t
}

// home is a plain front page listing the articles. The discovery site's home
// advertises its feed the way blogs and newspapers do, with a relative href
// so the pipeline has to resolve it.
func (h *handler) home(w http.ResponseWriter, s *site, root string) {
	var b strings.Builder
	charset := "utf-8"
	if s.m.Encoding == "windows-1252" {
		charset = "windows-1252"
	}
	lang := s.m.Lang
	if lang == "" {
		lang = "fr"
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"%s\">\n<title>%s</title>\n<meta name=\"description\" content=\"%s\">\n",
		lang, charset, html.EscapeString(s.m.Title), html.EscapeString(s.m.Description))
	fmt.Fprintf(&b, "<link rel=\"canonical\" href=\"%s\">\n", root)
	if s.m.Format == "discover" {
		fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"%s » Flux\" href=\"/site/%s/%s\">\n", html.EscapeString(s.m.Title), s.m.Name, s.m.Feed)
	}
	fmt.Fprintf(&b, "</head>\n<body>\n<header><h1><a href=\"%s\">%s</a></h1><p>%s</p></header>\n<main>\n", root, html.EscapeString(s.m.Title), html.EscapeString(s.m.Description))
	for _, a := range s.articles {
		fmt.Fprintf(&b, "<article class=\"teaser\"><h2><a href=\"%s%s\">%s</a></h2><p><time datetime=\"%s\">%s</time> · %s</p><p>%s</p></article>\n",
			root, a.ma.Path, html.EscapeString(a.ma.Title), a.published.Format(time.RFC3339), a.published.Format("2006-01-02"),
			html.EscapeString(a.ma.Author), html.EscapeString(summary(a)))
	}
	b.WriteString("</main>\n<footer><p>A Spektrum demo site.</p></footer>\n</body>\n</html>\n")
	h.writeEncoded(w, s, "text/html", []byte(b.String()))
}

// summary is the short teaser feeds carry instead of the full text, so the
// pipeline has to fetch the page for the article itself.
func summary(a *article) string {
	if a.ma.Summary != "" {
		return a.ma.Summary
	}
	first, _, _ := strings.Cut(a.text, "\n\n")
	return truncateWords(first, 160)
}

func truncateWords(s string, max int) string {
	if len([]rune(s)) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := strings.LastIndex(string(r), " ")
	if cut <= 0 {
		return string(r) + "…"
	}
	return string(r)[:cut] + " …"
}
