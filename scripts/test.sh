#!/usr/bin/env bash
# Runs Spektrum's whole test suite on a fresh machine: installs and starts
# what the tests talk to (PostgreSQL, Chromium, Mailpit) where it is missing, then
# runs go vet and the tests with the race detector.
# Usage: scripts/test.sh [go test flags/packages]   (default: ./...)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL: use SPEKTRUM_TEST_POSTGRES_DSN if given, else a local server on
# 127.0.0.1:5432 with trust auth and a database "test", started or installed
# here if needed.
if [ -z "${SPEKTRUM_TEST_POSTGRES_DSN:-}" ]; then
  export SPEKTRUM_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "== installing PostgreSQL"
    apt_install postgresql
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "== starting PostgreSQL"
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    conf=/etc/postgresql/$ver/main
    # Trust local TCP connections: this is a throwaway test server.
    if ! grep -q "spektrum-test" "$conf/pg_hba.conf"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust # spektrum-test\nhost all all ::1/128 trust # spektrum-test\nlocal all all trust # spektrum-test' "$conf/pg_hba.conf"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || as_root pg_ctlcluster "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
  fi
fi

# Apertium (apertium-apy with the eng-spa, eng-cat and fr-es pairs): the
# translation engine the tests run for real. Use SPEKTRUM_TRANSLATE_APERTIUM_URL
# if given, else a server on 127.0.0.1:2737, started or installed here.
if [ -z "${SPEKTRUM_TRANSLATE_APERTIUM_URL:-}" ]; then
  export SPEKTRUM_TRANSLATE_APERTIUM_URL="http://127.0.0.1:2737"
  if ! curl -fsS -m 5 "$SPEKTRUM_TRANSLATE_APERTIUM_URL/listPairs" >/dev/null 2>&1; then
    if ! command -v apertium-apy >/dev/null || [ ! -e /usr/share/apertium/modes/eng-spa.mode ] || [ ! -e /usr/share/apertium/modes/fr-es.mode ]; then
      echo "== installing Apertium (apertium-apy and language pairs)"
      apt_install curl apertium-apy apertium-eng-spa apertium-eng-cat apertium-fr-es
    fi
    echo "== starting apertium-apy on 127.0.0.1:2737"
    logdir="${TMPDIR:-/tmp}/spektrum-apertium"
    mkdir -p "$logdir"
    (cd "$logdir" && nohup apertium-apy -p 2737 /usr/share/apertium/modes >"$logdir/apy.log" 2>&1 &)
    for _ in $(seq 1 60); do
      curl -fsS -m 2 "$SPEKTRUM_TRANSLATE_APERTIUM_URL/listPairs" >/dev/null 2>&1 && break
      sleep 1
    done
    if ! curl -fsS -m 5 "$SPEKTRUM_TRANSLATE_APERTIUM_URL/listPairs" >/dev/null 2>&1; then
      echo "apertium-apy did not start; see $logdir/apy.log" >&2
      exit 1
    fi
  fi
fi

# Chromium for the browser tests of the site.
if ! command -v chromium >/dev/null; then
  echo "== installing Chromium"
  apt_install chromium
fi

# Mailpit: the real SMTP server the newsletter tests deliver to and read
# back through its HTTP API. Installed through the Go module proxy, started
# on free loopback ports for this run only, stopped when the script ends.
if [ -z "${SPEKTRUM_TEST_SMTP_URL:-}" ] || [ -z "${SPEKTRUM_TEST_MAILPIT_API:-}" ]; then
  if ! command -v mailpit >/dev/null; then
    echo "== installing Mailpit"
    go install github.com/axllent/mailpit@v1.33.1
  fi
  port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  smtp_port=11025
  while ! port_free "$smtp_port" || ! port_free $((smtp_port + 1)); do smtp_port=$((smtp_port + 10)); done
  api_port=$((smtp_port + 1))
  mailpit_dir=$(mktemp -d)
  echo "== starting Mailpit (SMTP 127.0.0.1:$smtp_port, API 127.0.0.1:$api_port)"
  mailpit --smtp "127.0.0.1:$smtp_port" --listen "127.0.0.1:$api_port" --database "$mailpit_dir/mailpit.db" \
    --max 100000 --quiet --disable-version-check >"$mailpit_dir/log" 2>&1 &
  mailpit_pid=$!
  trap 'kill "$mailpit_pid" 2>/dev/null; rm -rf "$mailpit_dir"' EXIT
  for _ in $(seq 1 50); do port_free "$api_port" || break; sleep 0.2; done
  if port_free "$api_port"; then echo "Mailpit did not start:"; cat "$mailpit_dir/log"; exit 1; fi
  export SPEKTRUM_TEST_SMTP_URL="smtp://127.0.0.1:$smtp_port"
  export SPEKTRUM_TEST_MAILPIT_API="http://127.0.0.1:$api_port"
fi

echo "== go vet"
go vet ./...
echo "== go test"
if [ $# -eq 0 ]; then set -- ./...; fi
go test -race -count=1 -timeout 20m "$@"
# The forks in third_party are modules of their own, which ./... leaves
# out: their tests hold each change to the released code (FORK.md).
if [ "$*" = "./..." ]; then
  for fork in third_party/*/; do
    echo "== go test $fork"
    (cd "$fork" && go vet ./... && go test -count=1 ./...)
  done
fi
