#!/usr/bin/env bash
# bench-pages.sh: reader pages served by Spektrum against nginx serving the
# very same bytes as pre-compressed static files, in one run (issue 10,
# item 1). It builds spektrum, runs the demo (local news sites fetched into
# a fresh SQLite file, then served), captures the front page of the
# English edition and its newest article, gzips them (gzip -k), serves them
# with nginx's gzip_static on another loopback port, and runs wrk against
# both, gzip accepted. Prints requests/s and p99 for each and the ratios
# (target: Spektrum ≥ 0.5× nginx's requests/s, p99 ≤ 4× nginx's).
# Spektrum answers cache hits with its front (internal/front); a second
# `serve --role web` on the same database with --net-http-hits, the way
# hits went before, is measured beside it (NETHTTP=0 leaves it out).
#
# Needs nginx and wrk (Debian: apt-get install nginx-light wrk).
# Environment: DURATION (8s), CONNECTIONS (64), THREADS (2), KEEP=1 to keep
# the temporary directory, SPEKTRUM_PAGE_CACHE_MB (64; 0 measures the
# uncached site).
set -euo pipefail

DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
cd "$(dirname "$0")/.."

for tool in nginx wrk curl gzip go; do
	command -v "$tool" >/dev/null || { echo "bench-pages: $tool is missing (Debian: apt-get install nginx-light wrk curl)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/bench-pages.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [[ "${KEEP:-}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

free_port() { # a loopback port nobody listens on
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

echo "building spektrum…"
go build -o "$tmp/spektrum" ./cmd/spektrum

sport=$(free_port)
echo "running the demo on 127.0.0.1:$sport (fetching the demo sites first)…"
SPEKTRUM_DB="$tmp/demo.db" SPEKTRUM_LOG_LEVEL=warn "$tmp/spektrum" demo --addr "127.0.0.1:$sport" >"$tmp/demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do
	grep -q "demo is running" "$tmp/demo.log" && break
	kill -0 "${pids[0]}" 2>/dev/null || { cat "$tmp/demo.log" >&2; exit 1; }
	sleep 0.2
done
grep -q "demo is running" "$tmp/demo.log" || { echo "bench-pages: the demo did not start" >&2; cat "$tmp/demo.log" >&2; exit 1; }

site="http://127.0.0.1:$sport"
front=/en/
# (sed reads to the end: head would close the pipe early, and pipefail
# would end the script on grep's SIGPIPE.)
article=$(curl -fsS "$site$front" | grep -o 'href="/en/[0-9]\{4\}/[0-9]\{2\}/[0-9]\{2\}/[^"]*"' | sed -n '1{s/^href="//; s/"$//; p}')
[[ -n "$article" ]] || { echo "bench-pages: no article link on $front" >&2; exit 1; }

# nginx serves the same bytes Spektrum sends, from files.
mkdir -p "$tmp/www" "$tmp/nginx"
curl -fsS "$site$front" -o "$tmp/www/front.html"
curl -fsS "$site$article" -o "$tmp/www/article.html"
gzip -k "$tmp/www/front.html" "$tmp/www/article.html"
chmod -R a+rX "$tmp"
nport=$(free_port)
user_line=""
[[ $(id -u) == 0 ]] && user_line="user root;"
cat >"$tmp/nginx/nginx.conf" <<EOF
$user_line
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nport;
		root $tmp/www;
		gzip_static on;
	}
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$nport/front.html" 2>/dev/null && break; sleep 0.1; done

# The same site with every request through net/http, for comparison.
hport=""
if [[ "${NETHTTP:-1}" == 1 ]]; then
	hport=$(free_port)
	SPEKTRUM_NET_HTTP_HITS=true SPEKTRUM_LOG_LEVEL=warn "$tmp/spektrum" serve --db "$tmp/demo.db" --role web \
		--addr "127.0.0.1:$hport" --base-url "$site" --editions en,de,fr,es --smtp-url "file:$tmp/demo-mail" >"$tmp/nethttp.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$hport$front" 2>/dev/null && break; sleep 0.2; done
	# (Its pages are rendered apart, so the newsletter form's issue time may
	# differ from the demo's by a few bytes.)
fi

# Both answer the same request the same way.
for pair in "front.html $front" "article.html $article"; do
	set -- $pair
	a=$(curl -fsS -H 'Accept-Encoding: gzip' "http://127.0.0.1:$nport/$1" | gunzip | sha256sum)
	b=$(curl -fsS -H 'Accept-Encoding: gzip' "$site$2" | gunzip | sha256sum)
	[[ "$a" == "$b" ]] || echo "bench-pages: warning: $2 changed since it was captured (a new generation); the comparison stands, sizes may differ" >&2
done

# run URL → "requests/s p99_ms"
run() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H 'Accept-Encoding: gzip' "$1")
	echo "$out" >>"$tmp/wrk.log"
	local rps p99
	rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}')
	local errs
	errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}')
	[[ -z "$errs" ]] || echo "bench-pages: $1: $errs" >&2
	echo "$rps $p99"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, Accept-Encoding: gzip; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-10s %12s %10s %9s %9s\n' page server requests/s p99_ms rps_ratio p99_ratio
status=0
for pair in "front $front front.html" "article $article article.html"; do
	set -- $pair
	curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' "$site$2" # warm
	read -r nr np < <(run "http://127.0.0.1:$nport/$3")
	read -r sr sp < <(run "$site$2")
	rr=$(awk -v a="$sr" -v b="$nr" 'BEGIN {printf "%.2f", a/b}')
	pr=$(awk -v a="$sp" -v b="$np" 'BEGIN {printf "%.2f", a/b}')
	printf '%-9s %-10s %12.0f %10.2f\n' "$1" nginx "$nr" "$np"
	printf '%-9s %-10s %12.0f %10.2f %9s %9s\n' "$1" spektrum "$sr" "$sp" "$rr" "$pr"
	if [[ -n "$hport" ]]; then
		curl -fsS -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$hport$2" # warm
		read -r hr hp < <(run "http://127.0.0.1:$hport$2")
		printf '%-9s %-10s %12.0f %10.2f %9s %9s\n' "$1" net/http "$hr" "$hp" \
			"$(awk -v a="$hr" -v b="$nr" 'BEGIN {printf "%.2f", a/b}')" "$(awk -v a="$hp" -v b="$np" 'BEGIN {printf "%.2f", a/b}')"
	fi
	awk -v r="$rr" -v p="$pr" 'BEGIN {exit !(r >= 0.5 && p <= 4)}' || status=1
done
echo "page sizes (identity / gzip): front $(wc -c <"$tmp/www/front.html") / $(wc -c <"$tmp/www/front.html.gz"), article $(wc -c <"$tmp/www/article.html") / $(wc -c <"$tmp/www/article.html.gz") bytes"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $status == 0 ]]; then echo "target met (≥ 0.5× requests/s, p99 ≤ 4×)"; else echo "target NOT met (≥ 0.5× requests/s, p99 ≤ 4×)"; fi
exit $status
