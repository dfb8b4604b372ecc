package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"os"
	"time"

	"spektrum/internal/front"
)

// Metrics include spending and queue sizes, so they are never served on a
// guess about who is asking. A peer address proves nothing: behind a
// reverse proxy that adds no forwarding headers (nginx's proxy_pass adds
// none by default) every request arrives from loopback. So there are two
// ways in, both chosen by the operator:
//
//   - on the site's address, /metrics answers only requests that carry
//     Authorization: Bearer $SPEKTRUM_METRICS_TOKEN (404 while no token is
//     set, so the site doesn't even advertise it);
//   - --metrics-addr (e.g. 127.0.0.1:9090) opens a separate listener that
//     serves /metrics to whoever can reach that address, which the
//     operator keeps off the public network.

// metricsTokenEnv names the environment variable holding the bearer token;
// like the translation keys it is never a flag, so it stays out of ps.
const metricsTokenEnv = "SPEKTRUM_METRICS_TOKEN"

// siteMetrics is /metrics on the public site: token only.
func (a *App) siteMetrics() http.Handler {
	token := os.Getenv(metricsTokenEnv)
	h := a.metricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if token == "" {
			// A plain 404: the public site does not advertise what it does
			// not serve (the README says how to turn it on).
			http.NotFound(w, r)
			return
		}
		if !metricsAllowed(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "401 unauthorized: /metrics needs the header Authorization: Bearer $"+metricsTokenEnv, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// metricsAllowed reports whether r carries the metrics token. Nothing
// about the peer counts.
func metricsAllowed(r *http.Request, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) == 1
}

// metricsMux is what --metrics-addr serves: /metrics and nothing else.
func (a *App) metricsMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler())
	return mux
}

// serveHTTP serves h on ln until ctx ends, then shuts down gracefully.
// With hits, the page cache's hits are answered by the front's own loop
// (internal/front) and everything else by h through net/http.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, hits front.Hits) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	type server interface {
		Serve(net.Listener) error
		Shutdown(context.Context) error
	}
	var s server = srv
	if hits != nil {
		s = &front.Server{HTTP: srv, Hits: hits}
	}
	go func() {
		<-ctx.Done()
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = s.Shutdown(sctx)
	}()
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
