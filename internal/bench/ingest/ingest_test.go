package ingest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"spektrum/internal/bench/aeb"
	"spektrum/internal/store/postgres/pgtest"
)

// A small farm ingested end to end over loopback: every article the feeds
// link to is stored, each page fetched once, and the second pass finds
// every feed unchanged (304) and stores nothing.
func TestIngestSmallFarm(t *testing.T) {
	farm, err := StartFarm(FarmOptions{Hosts: 3, FeedsPerHost: 2, ItemsPerFeed: 4, FirstIP: 200 << 8})
	if err != nil {
		t.Skip(err)
	}
	defer farm.Close()
	cfg, err := Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PerHostDelay = 0
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard against hanging
	defer cancel()
	first, second, err := Ingest(ctx, *cfg, farm, t.TempDir(), "", true)
	if err != nil {
		t.Fatal(err)
	}
	if first.Articles != farm.Articles() || first.Failed != 0 || first.Polled != 6 {
		t.Errorf("first pass %+v, want %d articles stored from 6 sources, none failed", first, farm.Articles())
	}
	if n := farm.Pages.Load(); n != int64(farm.Articles()) {
		t.Errorf("the farm served %d pages, want each of the %d once", n, farm.Articles())
	}
	if second.Articles != 0 || second.Polled != 6 || farm.NotMod.Load() != 6 {
		t.Errorf("second pass %+v with %d answers 304, want 6 polls all answered 304 and nothing stored", second, farm.NotMod.Load())
	}
	if first.CPU <= 0 || first.Wall <= 0 {
		t.Errorf("first pass measured no time: %+v", first)
	}
}

// BenchmarkIngest runs the farm (20 hosts, 10 feeds each, the AEB pages
// when SPEKTRUM_BENCH_DIR points at them, else generated ones) through one
// fetch pass with no politeness delay, on SQLite and (when the test server
// is named) PostgreSQL. Run it with -benchtime=1x and -cpuprofile to see
// where a page's CPU goes.
func BenchmarkIngest(b *testing.B) {
	var pages [][]byte
	if dir := aeb.DefaultDir(); dir != "" {
		ps, err := aeb.Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			pages = append(pages, p.HTML)
		}
	}
	farm, err := StartFarm(FarmOptions{Hosts: 20, FeedsPerHost: 10, ItemsPerFeed: 5, Pages: pages, FirstIP: 201 << 8})
	if err != nil {
		b.Skip(err)
	}
	defer farm.Close()
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			pg := ""
			if db == "postgres" {
				if os.Getenv(pgtest.Env) == "" {
					b.Skipf("%s is not set", pgtest.Env)
				}
				pg = os.Getenv(pgtest.Env)
			}
			cfg, err := Config()
			if err != nil {
				b.Fatal(err)
			}
			cfg.PerHostDelay = 0
			for b.Loop() {
				r, _, err := Ingest(context.Background(), *cfg, farm, b.TempDir(), pg, false)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.PagesPerSec(), "pages/s")
				b.ReportMetric(float64(r.CPUPerPage().Microseconds())/1000, "cpu-ms/page")
				b.ReportMetric(float64(r.Articles), "articles")
			}
		})
	}
}

// BenchmarkUnchangedPolls polls 1,000 feeds on 1,000 hosts a second time,
// when every one answers 304, with no politeness delay, on SQLite: the
// cost of a poll that finds nothing new.
func BenchmarkUnchangedPolls(b *testing.B) {
	benchUnchangedPolls(b, FarmOptions{Hosts: 1000, FeedsPerHost: 1, ItemsPerFeed: 0, FirstIP: 202 << 8})
}

// BenchmarkUnchangedPollsFivePerHost is BenchmarkUnchangedPolls in the
// issue's shape: 1,000 feeds on 200 hosts, five each, queued host by host,
// so a batch of polls holds several feeds of each of its hosts.
func BenchmarkUnchangedPollsFivePerHost(b *testing.B) {
	benchUnchangedPolls(b, FarmOptions{Hosts: 200, FeedsPerHost: 5, ItemsPerFeed: 0, FirstIP: 204 << 8})
}

// benchUnchangedPolls polls the farm's feeds a second time with no
// politeness delay, on SQLite, and reports polls/s and CPU a poll.
func benchUnchangedPolls(b *testing.B, fo FarmOptions) {
	farm, err := StartFarm(fo)
	if err != nil {
		b.Skip(err)
	}
	defer farm.Close()
	cfg, err := Config()
	if err != nil {
		b.Fatal(err)
	}
	cfg.PerHostDelay = 0
	for b.Loop() {
		_, r, err := Ingest(context.Background(), *cfg, farm, b.TempDir(), "", true)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.Polled)/r.Wall.Seconds(), "polls/s")
		b.ReportMetric(float64(r.CPU.Microseconds())/1000/float64(r.Polled), "cpu-ms/poll")
	}
}

// Miniflux, when installed (`go install miniflux.app/v2@v2.3.5`) and the
// PostgreSQL test server is named, takes every page of a small farm with its
// crawler in the measured pass, none while subscribing.
func TestMinifluxSmallFarm(t *testing.T) {
	bin, err := exec.LookPath("miniflux.app")
	if err != nil {
		t.Skip("miniflux.app is not installed")
	}
	pg := os.Getenv(pgtest.Env)
	if pg == "" {
		t.Skipf("%s is not set", pgtest.Env)
	}
	farm, err := StartFarm(FarmOptions{Hosts: 2, FeedsPerHost: 2, ItemsPerFeed: 3, FirstIP: 203 << 8})
	if err != nil {
		t.Skip(err)
	}
	defer farm.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, farmCPU, err := Miniflux(ctx, bin, farm, pg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Articles != farm.Articles() || r.Failed != 0 || farm.Pages.Load() != int64(farm.Articles()) {
		t.Errorf("miniflux stored %d articles with pages (%d without), the farm served %d pages; want %d, 0, %d",
			r.Articles, r.Failed, farm.Pages.Load(), farm.Articles(), farm.Articles())
	}
	if r.CPU <= 0 || r.Wall <= 0 || farmCPU <= 0 {
		t.Errorf("measured no time: %+v, the farm %v", r, farmCPU)
	}
}
