#!/usr/bin/env bash
# The HTTP benchmark of the branded example server, on loopback, bounded in time:
#
#   1. idle RSS after start-up and seeding (target ≤ 40 MiB);
#   2. the authenticated dashboard GET of a client admin on the demo data, 64 connections,
#      against a fixed JSON handler in the same process (target: ≥ 25 % of its requests per
#      second, p99 ≤ 15 ms) — as configured by default (answers reused while nothing changed),
#      and again with every answer built afresh (a second server with --read-cache-mib 0);
#   3. one 1 GiB upload: how much the peak RSS grows (target ≤ 64 MiB).
#
# Usage: bash bench/http.sh [seconds per load run, default 15]; exits non-zero when a target is
# missed (or a run was refused, which would measure something else).
# Needs wrk (installed from Debian's packages when missing and this runs as root).
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-15}"
PORT="${PORTAL_BENCH_PORT:-18080}"
BASE="http://127.0.0.1:${PORT}"
DATA="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
    if [[ "$(id -u)" == 0 ]]; then
        apt-get install -y wrk >/dev/null
    else
        echo "bench/http.sh needs wrk (apt-get install wrk)" >&2
        exit 1
    fi
fi

cargo build --release -q -p branded-server

# Starts the server on $DATA with extra flags; waits until it answers.
start_server() {
    RUST_LOG=warn ./target/release/branded-server \
        --listen "127.0.0.1:${PORT}" --data-dir "$DATA" \
        --rate-limit 0 --max-upload-mib 2048 --bench-baseline "$@" >>"$DATA/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fs -o /dev/null "$BASE/__bench/fixed" && break
        sleep 0.2
    done
    curl -fs -o /dev/null "$BASE/__bench/fixed"
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# Signs the client admin in; prints the session cookie.
login() {
    curl -fs -D - -o /dev/null "$BASE/northwind/api/v1/auth/login" \
        -H 'content-type: application/json' \
        -d '{"email":"sarah@acme.example","password":"northwind-demo-portal"}' |
        awk -F'[ ;]' 'tolower($1) == "set-cookie:" {print $2}'
}

start_server
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }

COOKIE="$(login)"
[[ -n "$COOKIE" ]] || { echo "login failed" >&2; exit 1; }
curl -fs -o /dev/null -H "Cookie: $COOKIE" "$BASE/northwind/api/v1/dashboard"
sleep 1
IDLE_RSS=$(rss_kib)

# wrk prints "Requests/sec: N" and, with --latency, "99% X" in us, ms or s.
run() {
    wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency "$@" 2>&1
}
rps() { awk '/^Requests\/sec/ {print $2}'; }
p99_ms() {
    awk '$1 == "99%" {
        v = $2
        if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v) }
        else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
        print v
    }'
}
errors() { awk '/Non-2xx|Socket errors/ {print}'; }

BASELINE_OUT="$(run "$BASE/__bench/fixed")"
DASHBOARD_OUT="$(run -H "Cookie: $COOKIE" "$BASE/northwind/api/v1/dashboard")"

# A 1 GiB text upload (text passes the content check), streamed by curl from a pipe.
PROJECT="$(curl -fs -H "Cookie: $COOKIE" "$BASE/northwind/api/v1/projects?limit=1" |
    sed -E 's/.*"id":"([0-9a-f-]{36})".*/\1/;q')"
HWM_BEFORE=$(hwm_kib)
UPLOAD_STATUS="$( (yes 'The quick brown fox jumps over the lazy dog, again and again.' || true) |
    head -c $((1024 * 1024 * 1024)) |
    curl -s -o /dev/null -w '%{http_code}' -X POST \
        -H "Cookie: $COOKIE" -H 'content-type: application/octet-stream' \
        -H 'sec-fetch-site: same-origin' -T - \
        "$BASE/northwind/api/v1/projects/${PROJECT}/documents?name=large.txt")"
HWM_AFTER=$(hwm_kib)
stop_server

# The same dashboard with every answer built from the database (no reuse of answers or
# session checks): what one request costs when the data changes all the time.
start_server --read-cache-mib 0
COOKIE="$(login)"
UNCACHED_OUT="$(run -H "Cookie: $COOKIE" "$BASE/northwind/api/v1/dashboard")"

BASE_RPS=$(echo "$BASELINE_OUT" | rps)
DASH_RPS=$(echo "$DASHBOARD_OUT" | rps)
BASE_P99=$(echo "$BASELINE_OUT" | p99_ms)
DASH_P99=$(echo "$DASHBOARD_OUT" | p99_ms)
UNCACHED_RPS=$(echo "$UNCACHED_OUT" | rps)
UNCACHED_P99=$(echo "$UNCACHED_OUT" | p99_ms)

# A run with refused answers (a 401 is quick) or a failed upload measured something else: its
# targets count as missed, whatever the numbers say.
verdict() { if awk "BEGIN {exit !($1)}"; then echo "met"; else echo "MISSED"; fi; }
answered() { if [[ "$1" == *Non-2xx* ]]; then echo 0; else echo 1; fi; }
DASH_OK=$(answered "$BASELINE_OUT$DASHBOARD_OUT")
UPLOAD_OK=$([[ "$UPLOAD_STATUS" == 2?? ]] && echo 1 || echo 0)
REPORT="$(
echo
echo "HTTP benchmark: branded-server (release, SQLite), loopback, wrk -t2 -c64 -d${SECONDS_PER_RUN}s, $(nproc) CPUs"
printf '  %-34s %10.0f req/s   p99 %8.2f ms\n' "fixed JSON handler (baseline)" "$BASE_RPS" "$BASE_P99"
printf '  %-34s %10.0f req/s   p99 %8.2f ms\n' "dashboard (client admin, demo data)" "$DASH_RPS" "$DASH_P99"
printf '  %-34s %10.0f req/s   p99 %8.2f ms\n' "dashboard, built every time" "$UNCACHED_RPS" "$UNCACHED_P99"
echo "$BASELINE_OUT$DASHBOARD_OUT$UNCACHED_OUT" | errors | sed 's/^/  wrk: /'
printf '  dashboard / baseline: %.1f %% (target >= 25 %%: %s); p99 %.2f ms (target <= 15 ms: %s)\n' \
    "$(awk "BEGIN {print 100 * $DASH_RPS / $BASE_RPS}")" \
    "$(verdict "$DASH_OK && $DASH_RPS >= 0.25 * $BASE_RPS")" "$DASH_P99" \
    "$(verdict "$DASH_OK && $DASH_P99 <= 15")"
printf '  idle RSS: %.1f MiB (target <= 40 MiB: %s)\n' \
    "$(awk "BEGIN {print $IDLE_RSS / 1024}")" "$(verdict "$IDLE_RSS <= 40 * 1024")"
printf '  1 GiB upload: HTTP %s, peak RSS %.1f -> %.1f MiB, growth %.1f MiB (target <= 64 MiB: %s)\n' \
    "$UPLOAD_STATUS" "$(awk "BEGIN {print $HWM_BEFORE / 1024}")" \
    "$(awk "BEGIN {print $HWM_AFTER / 1024}")" \
    "$(awk "BEGIN {print ($HWM_AFTER - $HWM_BEFORE) / 1024}")" \
    "$(verdict "$UPLOAD_OK && $HWM_AFTER - $HWM_BEFORE <= 64 * 1024")"
)"
echo "$REPORT"
# The exit status says whether every target was met.
[[ "$REPORT" != *MISSED* ]]
