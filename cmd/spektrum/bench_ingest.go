package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/bench/ingest"
)

// benchIngest runs the ingest farm (internal/bench/ingest): hosts on
// loopback serving feeds and article pages, ingested with no politeness
// delay and with the default one, on SQLite and, with --postgres, on
// PostgreSQL; then, with --unchanged N, N feeds that all answer 304 polled
// once more.
func benchIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench ingest", stderr)
	hosts := c.fs.Int("hosts", 20, "hosts in the farm, each on its own loopback address")
	feeds := c.fs.Int("feeds", 10, "feeds per host")
	items := c.fs.Int("items", 20, "items per feed (articles: hosts × feeds × items)")
	delays := c.fs.String("delays", "0,1s", "per-host delays to run with, comma-separated (1s is the default politeness)")
	pg := c.fs.String("postgres", "", "a PostgreSQL URL to run on too, in a schema of its own (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	dir := c.fs.String("aeb", "", "the aeb benchmark directory whose pages the farm serves (default $"+aeb.EnvDir+" or ../shared/bench/aeb; generated pages when absent)")
	miniflux := c.fs.String("miniflux", "", "a Miniflux binary (go install miniflux.app/v2@v2.3.5) to run against the same farm on --postgres, with its crawler, after Spektrum; prints the ratios")
	unchanged := c.fs.Int("unchanged", 0, "then poll this many feeds that all answer 304 (on 2,000 hosts), with each delay")
	profile := c.fs.String("profile", "", "write CPU, block and mutex profiles of each article run into this directory (e.g. cpu-postgres-0s.pprof)")
	pos, cfg, err := c.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: bench ingest takes no arguments, got %q", errUsage, pos)
	}
	tuneIngestGC(os.Getenv) // Spektrum's side ingests as a worker would
	var ds []time.Duration
	for _, s := range strings.Split(*delays, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return fmt.Errorf("%w: --delays: %q is not a duration", errUsage, s)
		}
		ds = append(ds, d)
	}
	if *miniflux != "" && *pg == "" {
		return fmt.Errorf("%w: --miniflux runs on PostgreSQL: give --postgres", errUsage)
	}
	if *hosts <= 0 || *feeds <= 0 || *items <= 0 || *unchanged < 0 {
		return fmt.Errorf("%w: --hosts, --feeds and --items must be positive", errUsage)
	}
	if *dir == "" {
		*dir = aeb.DefaultDir()
	}
	var pages [][]byte
	what := "generated pages"
	if *dir != "" {
		ps, err := aeb.Load(*dir)
		if err != nil {
			return err
		}
		for _, p := range ps {
			pages = append(pages, p.HTML)
		}
		what = fmt.Sprintf("the %d AEB pages in turn", len(ps))
	}
	farm, err := ingest.StartFarm(ingest.FarmOptions{Hosts: *hosts, FeedsPerHost: *feeds, ItemsPerFeed: *items, Pages: pages})
	if err != nil {
		return err
	}
	defer farm.Close()
	tmp, err := os.MkdirTemp("", "spektrum-bench-ingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dbs := []struct{ name, pg string }{{"sqlite", ""}}
	if *pg != "" {
		dbs = append(dbs, struct{ name, pg string }{"postgres", *pg})
	}
	fmt.Fprintf(stdout, "ingest farm: %d hosts × %d feeds × %d items = %d articles (%s), %d workers, %d connections a host; CPU is this process's (farm included)\n\n",
		*hosts, *feeds, *items, farm.Articles(), what, cfg.Workers, cfg.PerHostConns)
	// Rows are printed as each run ends (a run takes minutes), so the
	// columns have fixed widths.
	fmt.Fprintf(stdout, "%8s %6s %8s %6s %8s %8s %11s %14s\n", "database", "delay", "articles", "failed", "seconds", "pages/s", "CPU ms/page", "of hosts÷delay")
	var pgNoDelay *ingest.Result // Spektrum on PostgreSQL with no delay, to set against Miniflux
	for _, db := range dbs {
		for _, d := range ds {
			c := *cfg
			c.PerHostDelay = d
			stop, err := startProfiles(*profile, fmt.Sprintf("%s-%s", db.name, d))
			if err != nil {
				return err
			}
			r, _, err := ingest.Ingest(ctx, c, farm, tmp, db.pg, false)
			if perr := stop(); perr != nil && err == nil {
				err = perr
			}
			if err != nil {
				return fmt.Errorf("%s, delay %s: %w", db.name, d, err)
			}
			bound := "-"
			if d > 0 {
				bound = fmt.Sprintf("%.0f%%", 100*r.PagesPerSec()/(float64(*hosts)/d.Seconds()))
			}
			fmt.Fprintf(stdout, "%8s %6s %8d %6d %8.1f %8.1f %11.2f %14s\n", db.name, d, r.Articles, r.Failed, r.Wall.Seconds(), r.PagesPerSec(),
				float64(r.CPUPerPage().Microseconds())/1000, bound)
			if db.pg != "" && d == 0 {
				pgNoDelay = &r
			}
		}
	}
	if *miniflux != "" {
		if err := benchMiniflux(ctx, stdout, *miniflux, farm, *pg, pgNoDelay); err != nil {
			return err
		}
	}
	if *unchanged == 0 {
		return nil
	}
	uhosts := min(*unchanged, 2000)
	per := (*unchanged + uhosts - 1) / uhosts
	uf, err := ingest.StartFarm(ingest.FarmOptions{Hosts: uhosts, FeedsPerHost: per, ItemsPerFeed: 0, FirstIP: 64 << 8})
	if err != nil {
		return err
	}
	defer uf.Close()
	fmt.Fprintf(stdout, "\n%d unchanged feeds on %d hosts (%d each), polled a second time, all answering 304:\n", len(uf.FeedURLs()), uhosts, per)
	fmt.Fprintf(stdout, "%8s %6s %6s %8s %8s %11s\n", "database", "delay", "polls", "seconds", "polls/s", "CPU ms/poll")
	for _, db := range dbs {
		for _, d := range ds {
			c := *cfg
			c.PerHostDelay = d
			_, r, err := ingest.Ingest(ctx, c, uf, tmp, db.pg, true)
			if err != nil {
				return fmt.Errorf("%s, delay %s, unchanged feeds: %w", db.name, d, err)
			}
			fmt.Fprintf(stdout, "%8s %6s %6d %8.2f %8.0f %11.3f\n", db.name, d, r.Polled, r.Wall.Seconds(), float64(r.Polled)/r.Wall.Seconds(),
				float64(r.CPU.Microseconds())/1000/float64(max(r.Polled, 1)))
		}
	}
	return nil
}

// benchMiniflux runs Miniflux with its crawler against the farm on
// PostgreSQL and sets it against Spektrum's run there with no delay
// (Miniflux has no per-host delay): pages/s and CPU ms a page, each
// Spektrum's ÷ Miniflux's.
func benchMiniflux(ctx context.Context, stdout io.Writer, bin string, farm *ingest.Farm, pg string, sp *ingest.Result) error {
	m, farmCPU, err := ingest.Miniflux(ctx, bin, farm, pg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%8s %6s %8d %6d %8.1f %8.1f %11.2f %14s   (Miniflux with its crawler, 16 workers; its process's CPU; failed: entries without their page's article)\n",
		"miniflux", "0s", m.Articles, m.Failed, m.Wall.Seconds(), m.PagesPerSec(), float64(m.CPUPerPage().Microseconds())/1000, "-")
	if sp == nil || sp.Articles == 0 || m.Articles == 0 {
		return nil
	}
	// Spektrum's figure includes the farm, which runs in its process;
	// take off what the farm used per page while Miniflux fetched.
	farmPage := farmCPU / time.Duration(m.Articles+m.Failed)
	fmt.Fprintf(stdout, "the farm's serving: %.2f CPU ms a page (in Spektrum's figures)\n", float64(farmPage.Microseconds())/1000)
	fmt.Fprintf(stdout, "Spektrum ÷ Miniflux on PostgreSQL, no delay: pages/s %.2f×, CPU ms/page %.2f× (%.2f× without the farm; above 1 is Spektrum using more)\n",
		sp.PagesPerSec()/m.PagesPerSec(), float64(sp.CPUPerPage())/float64(m.CPUPerPage()),
		float64(sp.CPUPerPage()-farmPage)/float64(m.CPUPerPage()))
	return nil
}

// startProfiles starts a CPU profile and block and mutex sampling for one
// run, when dir is set; stop writes the three profiles as
// {cpu,block,mutex}-name.pprof. The block and mutex profiles say what the
// workers wait on (a lock, a pool, the database's replies), which CPU
// profiles cannot.
func startProfiles(dir, name string) (stop func() error, err error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu-"+name+".pprof"))
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return nil, fmt.Errorf("--profile: %w", err)
	}
	// Sample every blocking event of 10 µs or more, and every contended
	// mutex: a run is a minute, so the cost is small beside the database.
	runtime.SetBlockProfileRate(10_000)
	runtime.SetMutexProfileFraction(1)
	return func() error {
		pprof.StopCPUProfile()
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
		err := cpu.Close()
		for _, p := range []string{"block", "mutex"} {
			f, ferr := os.Create(filepath.Join(dir, p+"-"+name+".pprof"))
			if ferr == nil {
				ferr = pprof.Lookup(p).WriteTo(f, 0)
				if cerr := f.Close(); ferr == nil {
					ferr = cerr
				}
			}
			if ferr != nil && err == nil {
				err = fmt.Errorf("--profile: %w", ferr)
			}
		}
		return err
	}, nil
}
