#!/usr/bin/env bash
# The ingest farm of issue 10 (items 3 and 4): 200 feeds on 20 loopback hosts,
# 4,000 article pages (the AEB pages in turn when ../shared/bench/aeb or
# $SPEKTRUM_BENCH_DIR holds them, generated ones otherwise), ingested with no
# politeness delay and with the default 1 s, on SQLite and PostgreSQL; then
# 10,000 feeds that all answer 304 polled again. Prints pages/s, CPU ms a
# page (getrusage of the spektrum process, farm included) and the share of
# hosts÷delay reached. Then Miniflux 2.3.5 (installed with `go install
# miniflux.app/v2@v2.3.5` into a temporary directory unless $MINIFLUX or
# PATH has miniflux.app; MINIFLUX=none skips it) with its crawler against the
# same farm on PostgreSQL, and the ratios to Spektrum's PostgreSQL run with
# no delay. The machine is shared: CPU ms a page is the robust
# figure, wall-clock ones move with the neighbours' load.
# Usage: scripts/bench-ingest.sh [spektrum bench ingest flags]
#   e.g. scripts/bench-ingest.sh --feeds 2 --items 5   (a short run)
# PostgreSQL: $SPEKTRUM_TEST_POSTGRES_DSN, else the local test server; the run
# uses a schema of its own and drops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
pg="${SPEKTRUM_TEST_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
bin="$(mktemp -d)/spektrum"
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/spektrum
mf="${MINIFLUX:-$(command -v miniflux.app || true)}"
if [ -z "$mf" ]; then
  GOBIN="$(dirname "$bin")" go install miniflux.app/v2@v2.3.5
  mf="$(dirname "$bin")/miniflux.app"
fi
mfargs=(--miniflux "$mf")
[ "$mf" = none ] && mfargs=()
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
"$bin" bench ingest --hosts 20 --feeds 10 --items 20 --delays 0,1s --unchanged 10000 --postgres "$pg" "${mfargs[@]}" "$@"
