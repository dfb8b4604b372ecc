package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/bench/ingest"
)

// benchFarm serves the ingest farm (internal/bench/ingest) until it is
// stopped, with its controls on --control, for benchmarks that run
// Spektrum's own processes against it (scripts/bench-load.sh).
func benchFarm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench farm", stderr)
	hosts := c.fs.Int("hosts", 10, "hosts in the farm, each on its own loopback address")
	feeds := c.fs.Int("feeds", 4, "feeds per host")
	items := c.fs.Int("items", 5, "items each feed lists at the start")
	maxItems := c.fs.Int("grow-to", 100, "items a feed can grow to (POST /grow on the control address)")
	sections := c.fs.String("sections", "World,Politics,Business,Culture", "sections the sources list puts the hosts' feeds in, comma-separated, host by host in turn")
	control := c.fs.String("control", "127.0.0.1:0", "address of the farm's controls (sources.opml, articles, status, grow, stop)")
	dir := c.fs.String("aeb", "", "serve the pages of this aeb benchmark directory in turn (default: generated English pages, each different)")
	pos, _, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench farm takes no arguments, got %q", errUsage, pos)
	}
	if *hosts <= 0 || *feeds <= 0 || *items < 0 || *maxItems < *items {
		return fmt.Errorf("%w: --hosts and --feeds must be positive, --grow-to at least --items", errUsage)
	}
	var pages [][]byte
	if *dir != "" {
		ps, err := aeb.Load(*dir)
		if err != nil {
			return err
		}
		for _, p := range ps {
			pages = append(pages, p.HTML)
		}
	}
	farm, err := ingest.StartFarm(ingest.FarmOptions{Hosts: *hosts, FeedsPerHost: *feeds, ItemsPerFeed: *items, MaxItemsPerFeed: *maxItems, Pages: pages})
	if err != nil {
		return err
	}
	defer farm.Close()
	var secs []string
	for _, s := range strings.Split(*sections, ",") {
		if s = strings.TrimSpace(s); s != "" {
			secs = append(secs, s)
		}
	}
	ctl := &ingest.Control{Farm: farm, Sections: secs}
	defer ctl.Close()
	ln, err := net.Listen("tcp", *control)
	if err != nil {
		return fmt.Errorf("listen for the farm's controls on %s: %w", *control, err)
	}
	srv := &http.Server{Handler: ctl, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintf(stdout, "ingest farm: %d hosts × %d feeds, %d articles; controls at http://%s/\n", *hosts, *feeds, farm.Articles(), ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
