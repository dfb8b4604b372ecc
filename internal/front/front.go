package front

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpguts"

	"spektrum/internal/pagecache"
)

// Hits is what the front needs of the page cache.
type Hits interface {
	AppendHit(dst []byte, rq *pagecache.Raw) (head, body []byte, ok bool)
}

const (
	// readSize bounds a request head on the fast path; a longer one (big
	// cookies) is net/http's, whose MaxHeaderBytes applies.
	readSize = 8 << 10
)

// Server answers page-cache hits itself and hands everything else to
// HTTP. Set both fields, then call Serve; stop it with Shutdown.
type Server struct {
	HTTP *http.Server // the site; its timeouts apply to the fast path too
	Hits Hits

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*conn]bool // true while waiting for a request
	closing bool
	handoff *handoff
	served  chan struct{} // closed when HTTP.Serve has returned
	wg      sync.WaitGroup
}

// Serve accepts connections on ln until Shutdown, and returns
// http.ErrServerClosed then, like http.Server.Serve.
func (s *Server) Serve(ln net.Listener) error {
	if s.HTTP == nil || s.Hits == nil {
		return errors.New("front: Server.HTTP and Server.Hits are required")
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.ln, s.conns = ln, map[*conn]bool{}
	s.handoff = &handoff{addr: ln.Addr(), ch: make(chan net.Conn), done: make(chan struct{})}
	s.served = make(chan struct{})
	s.mu.Unlock()
	httpErr := make(chan error, 1)
	go func() {
		defer close(s.served)
		httpErr <- s.HTTP.Serve(s.handoff)
	}()

	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return http.ErrServerClosed
			}
			if temporary(err) {
				// Out of file descriptors and the like: wait as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			s.handoff.close()
			<-s.served
			return err
		}
		backoff = 0
		cn := &conn{s: s, c: c, br: bufio.NewReaderSize(c, readSize)}
		if !s.track(cn) {
			_ = c.Close()
			return http.ErrServerClosed
		}
		go cn.serve()
	}
}

// temporary reports an accept error that passes (EMFILE, ENFILE,
// ECONNABORTED), as net/http tells them.
func temporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// Shutdown stops accepting, closes idle connections, waits for answers
// being written, then shuts HTTP down (graceful too). It returns ctx's
// error if ctx ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	ln, hand := s.ln, s.handoff
	for cn, idle := range s.conns {
		if idle {
			_ = cn.c.SetReadDeadline(time.Unix(1, 0)) // wakes its read; it closes
		}
	}
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if herr := s.HTTP.Shutdown(ctx); err == nil {
		err = herr
	}
	if hand != nil {
		hand.close() // HTTP.Serve may not have started on it yet
	}
	return err
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) track(cn *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[cn] = false
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(cn *conn) {
	s.mu.Lock()
	delete(s.conns, cn)
	s.mu.Unlock()
	s.wg.Done()
}

// setIdle marks cn as waiting for a request (or not); false while
// shutting down, when an idle connection is to close instead.
func (s *Server) setIdle(cn *conn, idle bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idle && s.closing {
		return false
	}
	s.conns[cn] = idle
	return true
}

// conn is one client connection on the fast path.
type conn struct {
	s      *Server
	c      net.Conn
	br     *bufio.Reader
	out    []byte // the answer's head, reused
	arr    [2][]byte
	bufs   net.Buffers // on arr: no allocation per answer
	raw    pagecache.Raw
	head   string // the current request's head
	remote string
	sec    int64 // the second date was made for
	date   []byte
	// pipe is this connection's own connection into net/http, for the
	// requests the cache does not answer; nil until the first.
	pipe   net.Conn
	pipeBR *bufio.Reader // reads pipe through tee
	tee    tee
}

func (cn *conn) serve() {
	handed := false
	defer func() {
		if cn.pipe != nil {
			_ = cn.pipe.Close() // net/http closes its end
		}
		if !handed {
			_ = cn.c.Close()
		}
		cn.s.untrack(cn)
	}()
	srv := cn.s.HTTP
	headerTimeout := srv.ReadHeaderTimeout
	if headerTimeout <= 0 {
		headerTimeout = srv.ReadTimeout
	}
	idleTimeout := srv.IdleTimeout
	if idleTimeout <= 0 {
		idleTimeout = srv.ReadTimeout
	}
	cn.raw.Hit = (*hit)(cn)
	for first := true; ; first = false {
		wait := idleTimeout
		if first {
			wait = headerTimeout
		}
		if wait > 0 {
			_ = cn.c.SetReadDeadline(time.Now().Add(wait))
		}
		if !cn.s.setIdle(cn, true) {
			return // shutting down
		}
		_, err := cn.br.Peek(1)
		if !cn.s.setIdle(cn, false) || err != nil {
			return // closed, timed out or shutting down: as net/http, no answer
		}
		if headerTimeout > 0 && !first {
			_ = cn.c.SetReadDeadline(time.Now().Add(headerTimeout))
		}
		n, err := cn.readHead()
		if err != nil {
			return
		}
		if n == 0 || !cn.parse() {
			handed = cn.handOff()
			return
		}
		now := time.Now()
		if sec := now.Unix(); sec != cn.sec || cn.date == nil {
			cn.sec, cn.date = sec, now.UTC().AppendFormat(cn.date[:0], http.TimeFormat)
		}
		cn.raw.Date = cn.date
		cn.raw.Close = cn.s.isClosing()
		out, body, ok := cn.s.Hits.AppendHit(cn.out[:0], &cn.raw)
		_, _ = cn.br.Discard(n) // buffered: cannot fail
		if srv.WriteTimeout > 0 {
			_ = cn.c.SetWriteDeadline(now.Add(srv.WriteTimeout))
		}
		if !ok {
			// A miss: net/http answers this one request, and the
			// connection stays here for the hits that follow.
			if !cn.viaHTTP() {
				return
			}
			continue
		}
		// One writev: the head, and the body straight from the cache.
		cn.out = out
		cn.bufs = append(cn.arr[:0], out, body)
		if _, err := cn.bufs.WriteTo(cn.c); err != nil || cn.raw.Close {
			return
		}
	}
}

// readHead waits for a whole request head in the buffer and returns its
// length with cn.head set; 0 when it does not fit (net/http's to read).
func (cn *conn) readHead() (int, error) {
	for {
		buf, _ := cn.br.Peek(cn.br.Buffered()) // what is buffered: never fails
		if n := headEnd(buf); n > 0 {
			cn.head = string(buf[:n])
			return n, nil
		}
		if len(buf) == cn.br.Size() {
			return 0, nil
		}
		if _, err := cn.br.Peek(len(buf) + 1); err != nil {
			return 0, err
		}
	}
}

// headEnd is the length of the head at the start of buf, through its
// empty line; 0 while there is none. A bare LF ends it too, so that such
// a request goes to net/http at once instead of waiting for a CRLF.
func headEnd(buf []byte) int {
	n := 0
	if i := bytes.Index(buf, []byte("\n\r\n")); i >= 0 {
		n = i + 3
	}
	if i := bytes.Index(buf, []byte("\n\n")); i >= 0 && (n == 0 || i+2 < n) {
		n = i + 2
	}
	return n
}

// parse reads cn.head into cn.raw; false when the request is not one the
// fast path answers (see doc.go), whatever net/http will make of it.
func (cn *conn) parse() bool {
	line, rest, _ := strings.Cut(cn.head, "\r\n")
	method, line, _ := strings.Cut(line, " ")
	target, proto, _ := strings.Cut(line, " ")
	switch {
	case method != http.MethodGet && method != http.MethodHead, proto != "HTTP/1.1",
		target == "" || target[0] != '/':
		return false
	}
	for i := 0; i < len(target); i++ {
		if b := target[i]; b <= ' ' || b >= 0x7f || b == '#' {
			return false
		}
	}
	path, query, _ := strings.Cut(target, "?")
	if strings.IndexByte(path, '%') >= 0 {
		return false // net/http unescapes it; the cache keys on the result
	}
	r := &cn.raw
	r.Head, r.Path, r.Query = method == http.MethodHead, path, query
	r.AcceptEncoding, r.IfNoneMatch = r.AcceptEncoding[:0], r.IfNoneMatch[:0]
	hosts := 0
	for {
		line, rest, _ = strings.Cut(rest, "\r\n")
		if line == "" {
			return rest == "" && hosts == 1
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !httpguts.ValidHeaderFieldName(name) || strings.ContainsAny(line, "\r\n") {
			return false // also a folded line: it starts with a space
		}
		value = strings.Trim(value, " \t")
		if !httpguts.ValidHeaderFieldValue(value) {
			return false
		}
		switch {
		case strings.EqualFold(name, "Host"):
			if hosts++; !httpguts.ValidHostHeader(value) {
				return false
			}
		case strings.EqualFold(name, "Accept-Encoding"):
			r.AcceptEncoding = append(r.AcceptEncoding, value)
		case strings.EqualFold(name, "If-None-Match"):
			r.IfNoneMatch = append(r.IfNoneMatch, value)
		case strings.EqualFold(name, "Connection"):
			for tok := range strings.SplitSeq(value, ",") {
				if !strings.EqualFold(strings.Trim(tok, " \t"), "keep-alive") {
					return false
				}
			}
		case strings.EqualFold(name, "Content-Length"), strings.EqualFold(name, "Transfer-Encoding"),
			strings.EqualFold(name, "Expect"), strings.EqualFold(name, "Upgrade"):
			return false
		}
	}
}

// hit is a connection's current request as a page's OnHit hook sees it
// (the article page counts a view with it), read from the request's head
// where it is, without making an *http.Request: headers are looked up as
// net/http's Request.Header would have them (values trimmed of spaces and
// tabs; Host not among them).
type hit conn

func (h *hit) Method() string {
	if h.raw.Head {
		return http.MethodHead
	}
	return http.MethodGet
}

func (h *hit) RemoteAddr() string {
	if h.remote == "" {
		h.remote = h.c.RemoteAddr().String()
	}
	return h.remote
}

func (h *hit) Header(name string) string {
	var first string
	h.eachValue(name, func(v string) bool { first = v; return false })
	return first
}

func (h *hit) HeaderValues(name string) []string {
	var all []string
	h.eachValue(name, func(v string) bool { all = append(all, v); return true })
	return all
}

// eachValue calls fn with every value of the header name, in order, until
// fn returns false. parse has checked every name is a token, and for
// those, equal canonical keys (net/http's lookup) are equal but for case.
func (h *hit) eachValue(name string, fn func(string) bool) {
	if strings.EqualFold(name, "Host") {
		return
	}
	_, rest, _ := strings.Cut(h.head, "\r\n")
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\r\n")
		if line == "" {
			return
		}
		k, v, _ := strings.Cut(line, ":")
		if strings.EqualFold(k, name) && !fn(strings.Trim(v, " \t")) {
			return
		}
	}
}

// viaHTTP has net/http answer the current request, a fast-path one the
// cache did not answer, over an in-memory connection of this client's,
// and copies the answer to the client byte for byte as it comes (the
// request's bytes are the client's too). It reports whether the client
// connection may carry on.
func (cn *conn) viaHTTP() bool {
	for try := 0; ; try++ {
		if cn.pipe == nil {
			front, back := net.Pipe()
			if !cn.s.handoff.give(&borrowed{Conn: back, local: cn.c.LocalAddr(), remote: cn.c.RemoteAddr()}) {
				_ = front.Close()
				return false // shutting down
			}
			cn.pipe = front
			cn.tee = tee{r: front, w: cn.c}
			cn.pipeBR = bufio.NewReader(&cn.tee)
		}
		if _, err := io.WriteString(cn.pipe, cn.head); err != nil {
			// net/http closed it while idle: once more on a new one.
			_ = cn.pipe.Close()
			cn.pipe = nil
			if try == 0 {
				continue
			}
			return false
		}
		break
	}
	method := http.MethodGet
	if cn.raw.Head {
		method = http.MethodHead
	}
	// Parsing the answer only to find its end: every byte read goes to
	// the client as read (tee), and net/http writes nothing past it.
	resp, err := http.ReadResponse(cn.pipeBR, &http.Request{Method: method})
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	if err != nil || cn.tee.err != nil || resp.Close || cn.pipeBR.Buffered() > 0 {
		return false
	}
	return true
}

// tee reads r and writes what it read to w.
type tee struct {
	r   io.Reader
	w   io.Writer
	err error // the client's write error, sticky
}

func (t *tee) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.err = werr
			return n, werr
		}
	}
	return n, err
}

// borrowed is net/http's end of a client connection's pipe: it names the
// client's addresses, so RemoteAddr (view counting, logs) is the client.
type borrowed struct {
	net.Conn
	local, remote net.Addr
}

func (b *borrowed) LocalAddr() net.Addr  { return b.local }
func (b *borrowed) RemoteAddr() net.Addr { return b.remote }

// handOff gives the connection, with everything read and not answered,
// to net/http; false when it is shutting down and the connection is to
// be closed.
func (cn *conn) handOff() bool {
	_ = cn.c.SetDeadline(time.Time{}) // net/http sets its own
	return cn.s.handoff.give(&handed{Conn: cn.c, r: cn.br})
}

// handoff is the listener net/http serves: the connections the front
// hands over.
type handoff struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.ch:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error   { h.close(); return nil }
func (h *handoff) close()         { h.once.Do(func() { close(h.done) }) }
func (h *handoff) Addr() net.Addr { return h.addr }

func (h *handoff) give(c net.Conn) bool {
	select {
	case h.ch <- c:
		return true
	case <-h.done:
		return false
	}
}

// handed is a connection net/http reads from where the front stopped:
// first what the front buffered, then the socket.
type handed struct {
	net.Conn
	r *bufio.Reader // nil once drained
}

func (c *handed) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			return c.r.Read(p)
		}
		c.r = nil // net/http reads from one goroutine at a time
	}
	return c.Conn.Read(p)
}

// CloseWrite and ReadFrom keep what net/http finds on a *net.TCPConn: a
// half-close before closing, and sendfile for static files.
func (c *handed) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *handed) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
