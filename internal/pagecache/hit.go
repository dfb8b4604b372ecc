package pagecache

import "net/http"

// Hit is what a page's OnHit hook learns of the request an answer went
// to: as much as counting a view needs, read where the request is (the
// front answers hits without making an *http.Request at all). A Hit is
// valid only during the hook's call.
type Hit interface {
	// Method is GET or HEAD (the cache answers nothing else).
	Method() string
	// RemoteAddr is the client's address, as http.Request.RemoteAddr.
	RemoteAddr() string
	// Header is the first value of a header, as http.Header.Get; Host is
	// not among them, as net/http moves it to http.Request.Host.
	Header(name string) string
	// HeaderValues is every value of a header, as http.Header.Values.
	HeaderValues(name string) []string
}

// RequestHit is r as a Hit.
func RequestHit(r *http.Request) Hit { return requestHit{r} }

type requestHit struct{ r *http.Request }

func (h requestHit) Method() string                    { return h.r.Method }
func (h requestHit) RemoteAddr() string                { return h.r.RemoteAddr }
func (h requestHit) Header(name string) string         { return h.r.Header.Get(name) }
func (h requestHit) HeaderValues(name string) []string { return h.r.Header.Values(name) }
