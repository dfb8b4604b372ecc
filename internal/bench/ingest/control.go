package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"spektrum/internal/feed/opml"
)

// Control lets a script drive a running farm (`spektrum bench farm`) over
// HTTP on an address of its own, away from the hosts the fetcher reads:
//
//	GET  /sources.opml  every feed as OPML, host i's feeds in section Sections[i mod len]
//	GET  /articles      every article URL the feeds list now, one a line
//	GET  /status        {"items_per_feed","articles","pages_served","feeds_served","not_modified","growing"}
//	POST /grow          from now on add ?n= items (default 1) to every feed each ?every= (default 30s)
//	POST /stop          stop adding items (what is listed stays listed)
//
// A benchmark grows the farm while it measures, so ingest keeps working,
// then stops it and compares /articles with what was stored.
type Control struct {
	Farm     *Farm
	Sections []string // section names for the OPML, by host; none: no sections

	mu   sync.Mutex
	stop context.CancelFunc // of the running growth, nil when none
}

// Close stops the growth, if any.
func (c *Control) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

func (c *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/sources.opml":
		w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
		if err := opml.Write(w, "Ingest farm", c.outlines()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	case r.Method == http.MethodGet && r.URL.Path == "/articles":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = fmt.Fprint(w, strings.Join(c.Farm.ArticleURLs(), "\n")+"\n")
	case r.Method == http.MethodGet && r.URL.Path == "/status":
		c.mu.Lock()
		growing := c.stop != nil
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"items_per_feed": c.Farm.items(), "articles": c.Farm.Articles(), "pages_served": c.Farm.Pages.Load(),
			"feeds_served": c.Farm.Feeds.Load(), "not_modified": c.Farm.NotMod.Load(), "growing": growing,
		})
	case r.Method == http.MethodPost && r.URL.Path == "/grow":
		n, every, err := growParams(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.grow(n, every)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/stop":
		c.Close()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func growParams(r *http.Request) (int, time.Duration, error) {
	n, every := 1, 30*time.Second
	if s := r.URL.Query().Get("n"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			return 0, 0, fmt.Errorf("n=%q is not a positive number", s)
		}
		n = v
	}
	if s := r.URL.Query().Get("every"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return 0, 0, fmt.Errorf("every=%q is not a positive duration", s)
		}
		every = d
	}
	return n, every, nil
}

// grow replaces any running growth with one adding n items each interval.
func (c *Control) grow(n int, every time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
	}
	ctx, stop := context.WithCancel(context.Background())
	c.stop = stop
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				c.Farm.AddItems(n)
			}
		}
	}()
}

func (c *Control) outlines() []opml.Outline {
	per := max(c.Farm.opts.FeedsPerHost, 1)
	var out []opml.Outline
	for i, u := range c.Farm.FeedURLs() {
		h := i / per
		o := opml.Outline{Title: fmt.Sprintf("Farm host %d feed %d", h, i%per), XMLURL: u, Language: "en"}
		if len(c.Sections) > 0 {
			o.Category = c.Sections[h%len(c.Sections)]
		}
		out = append(out, o)
	}
	return out
}
