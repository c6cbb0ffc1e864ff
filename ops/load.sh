#!/usr/bin/env bash
# The load test of the example server, on loopback, bounded in time: mixed client traffic
# (dashboard, documents, downloads, approvals, uploads; ops/load/mix.lua) for a fixed time,
#
#   a) against one server on SQLite (a fresh data folder), and
#   b) against two replicas on one fresh PostgreSQL database, sharing stored files through a
#      local S3 emulator (moto, installed with pip) and the TOTP and mail-link keys: one wrk per replica
#      at once, each with half the connections.
#
# Reports requests per second, latency p50/p90/p99, errors (socket errors, timeouts, refused or
# wrong answers: all must be zero) and each server's RSS (idle, at the end, peak) as a markdown
# table, printed and written to target/ops/load-<date>.md (raw wrk output and server logs beside
# it, in target/ops/load-<date>/).
#
# Usage: ops/load.sh [seconds per setup, default 60] [--sqlite-only | --postgres-only]
# Settings (environment): LOAD_CONNECTIONS (32), LOAD_THREADS (= LOAD_CONNECTIONS: one
# connection per wrk thread, so every answer is counted under its request's kind), LOAD_TIMEOUT
# (wrk's per-request timeout, 5s), LOAD_MIX (mix.lua's weights), LOAD_UPLOAD_KIB (16,32,48,64),
# LOAD_PG_URL (postgres://postgres@127.0.0.1:5432: the server a fresh database is made on).
# Needs wrk (installed from Debian's packages when missing and this runs as root), curl,
# python3, and psql for PostgreSQL. Exits non-zero on any error under load or a failed step.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"

usage() {
    echo "usage: ops/load.sh [seconds, default 60] [--sqlite-only | --postgres-only]" >&2
    exit 2
}

DURATION=60
RUN_SQLITE=1
RUN_POSTGRES=1
for arg in "$@"; do
    case "$arg" in
    --sqlite-only) RUN_POSTGRES=0 ;;
    --postgres-only) RUN_SQLITE=0 ;;
    -h | --help) usage ;;
    *[!0-9]* | "") echo "ops/load.sh: unknown argument: $arg" >&2 && usage ;;
    *) DURATION="$arg" ;;
    esac
done
if ((RUN_SQLITE == 0 && RUN_POSTGRES == 0)); then
    echo "ops/load.sh: --sqlite-only and --postgres-only exclude each other" >&2
    usage
fi
if ((DURATION < 1 || DURATION > 3600)); then
    echo "ops/load.sh: seconds must be 1 to 3600, not $DURATION" >&2
    exit 2
fi

CONNECTIONS="${LOAD_CONNECTIONS:-32}"
THREADS="${LOAD_THREADS:-$CONNECTIONS}"
TIMEOUT="${LOAD_TIMEOUT:-5s}"
MIX="${LOAD_MIX:-dashboard:40,documents:20,download:10,approvals:10,approval:10,upload:10}"
UPLOAD_KIB="${LOAD_UPLOAD_KIB:-16,32,48,64}"
PG_URL="${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
TENANT=northwind
API="/$TENANT/api/v1"
for n in "$CONNECTIONS" "$THREADS"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "ops/load.sh: LOAD_CONNECTIONS and LOAD_THREADS must be positive numbers" >&2; exit 2; }
done
if ((CONNECTIONS % 2 != 0 || THREADS % 2 != 0 || THREADS > CONNECTIONS)); then
    echo "ops/load.sh: LOAD_CONNECTIONS and LOAD_THREADS must be even (split across two replicas), threads <= connections" >&2
    exit 2
fi

STAMP="$(date -u +%Y%m%d-%H%M%S)"
OUT_DIR="$ROOT/target/ops"
REPORT_FILE="$OUT_DIR/load-$STAMP.md"
LOG_DIR="$OUT_DIR/load-$STAMP"
mkdir -p "$LOG_DIR"
WORK="$(mktemp -d "$ROOT/target/ops/load-work.XXXXXX")"

# --- cleanup: every process this script started, the database it made, its data folders ---

PIDS=()
PG_DATABASE=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # The server gives open connections 30 s; wrk has closed them by now.
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
    if [[ -n "$PG_DATABASE" ]]; then
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DATABASE\" WITH (FORCE)" \
            >/dev/null 2>&1 || echo "warning: could not drop the database $PG_DATABASE" >&2
        PG_DATABASE=""
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
    echo "ops/load.sh: error: $*" >&2
    exit 1
}

# --- tools ---

if ! command -v wrk >/dev/null; then
    if [[ "$(id -u)" == 0 ]]; then
        echo "installing wrk from Debian's packages"
        apt-get install -y wrk >/dev/null 2>&1 ||
            { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } ||
            die "could not install wrk (apt-get install wrk)"
    else
        die "wrk is needed (apt-get install wrk)"
    fi
fi
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (JSON answers, free ports, moto)"
if ((RUN_POSTGRES)); then
    command -v psql >/dev/null || die "psql is needed for the PostgreSQL setup (apt-get install postgresql-client)"
    psql -q "$PG_URL/postgres" -c 'SELECT 1' >/dev/null 2>&1 ||
        die "PostgreSQL does not answer at $PG_URL (LOAD_PG_URL)"
fi

echo "building branded-server (release)"
timeout 3600 cargo build --release -q -p branded-server || die "the release build failed"
SERVER="$ROOT/target/release/branded-server"

# --- helpers ---

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The value of a field of /proc/PID/status, in KiB.
proc_kib() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# wait_ready BASE PID LOG: until GET BASE/healthz answers 200 (at most 120 s).
wait_ready() {
    local base="$1" pid="$2" log="$3"
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "the server on $base exited during start-up (log: $log)"; }
        curl -fs -o /dev/null --max-time 2 "$base/healthz" && return 0
        sleep 0.2
    done
    tail -n 30 "$log" >&2
    die "the server on $base did not answer /healthz within 120 s (log: $log)"
}

# start_server NAME PORT DATA_DIR [flags...]: starts a release server (environment as set by the
# caller), sets STARTED_PID, waits until it is ready.
start_server() {
    local name="$1" port="$2" data="$3"
    shift 3
    local log="$LOG_DIR/$name.log"
    RUST_LOG=warn "$SERVER" --listen "127.0.0.1:$port" --data-dir "$data" \
        --rate-limit 0 --max-upload-mib 16 "$@" >>"$log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    wait_ready "http://127.0.0.1:$port" "$STARTED_PID" "$log"
}

# login BASE: signs the demo client admin in; prints the session cookie (name=value).
login() {
    local cookie
    cookie="$(curl -fs --max-time 30 -D - -o /dev/null "$1$API/auth/login" \
        -H 'content-type: application/json' \
        -d '{"email":"sarah@acme.example","password":"northwind-demo-portal"}' |
        awk -F'[ ;]' 'tolower($1) == "set-cookie:" {print $2; exit}')" || true
    [[ -n "$cookie" ]] || die "login of sarah@acme.example at $1 failed"
    printf '%s' "$cookie"
}

# api_ids BASE COOKIE PATH [downloadable]: the ids of a list answer's items, comma-separated
# (at most 20; with `downloadable`, only documents with a committed version).
api_ids() {
    curl -fs --max-time 30 -H "Cookie: $2" "$1$API$3" | python3 -c '
import json, sys
only_committed = len(sys.argv) > 1
items = json.load(sys.stdin)["items"]
ids = [i["id"] for i in items if not only_committed or i.get("current_version")]
print(",".join(ids[:20]))
' ${4:+downloadable}
}

# check_status BASE COOKIE EXPECTED curl-args...: one request, which must answer EXPECTED.
check_status() {
    local base="$1" cookie="$2" expected="$3" status
    shift 3
    status="$(curl -s --max-time 30 -o "$WORK/check.body" -w '%{http_code}' -H "Cookie: $cookie" "$@")" || true
    if [[ "$status" != "$expected" ]]; then
        echo "  answer: $(head -c 300 "$WORK/check.body" 2>/dev/null)" >&2
        die "pre-flight ${*: -1} answered $status, not $expected"
    fi
}

# prepare BASE: logs in, resolves the ids the mix needs, checks one request of each kind; sets
# COOKIE, PROJECT, DOCUMENTS, APPROVALS.
prepare() {
    local base="$1"
    COOKIE="$(login "$base")"
    PROJECT="$(api_ids "$base" "$COOKIE" "/projects?limit=1" | cut -d, -f1)"
    DOCUMENTS="$(api_ids "$base" "$COOKIE" "/documents?limit=200" downloadable)"
    APPROVALS="$(api_ids "$base" "$COOKIE" "/approvals?limit=200")"
    [[ -n "$PROJECT" ]] || die "the client admin sees no project"
    [[ -n "$DOCUMENTS" ]] || die "the client admin sees no downloadable document"
    [[ -n "$APPROVALS" ]] || die "the client admin sees no approval"
    check_status "$base" "$COOKIE" 200 "$base$API/dashboard"
    check_status "$base" "$COOKIE" 200 "$base$API/documents/${DOCUMENTS%%,*}/download"
    check_status "$base" "$COOKIE" 200 "$base$API/approvals/${APPROVALS%%,*}"
    printf 'Pre-flight upload of the load test.\n' >"$WORK/preflight.txt"
    check_status "$base" "$COOKIE" 201 -X POST -H 'content-type: application/octet-stream' \
        -H 'sec-fetch-site: same-origin' --data-binary "@$WORK/preflight.txt" \
        "$base$API/projects/$PROJECT/documents?name=preflight.txt"
    echo "  ids: project $PROJECT, $(tr ',' '\n' <<<"$DOCUMENTS" | wc -l) documents, $(tr ',' '\n' <<<"$APPROVALS" | wc -l) approvals"
}

# start_wrk LABEL BASE THREADS CONNECTIONS OUTPUT: the mix against BASE for DURATION seconds, in
# the background (WRK_PID; `timeout` passes a TERM from the cleanup on to wrk).
start_wrk() {
    local label="$1" base="$2" threads="$3" connections="$4" output="$5"
    timeout -k 10 $((DURATION + 60)) wrk -t "$threads" -c "$connections" -d "${DURATION}s" \
        --timeout "$TIMEOUT" -s "$ROOT/ops/load/mix.lua" "$base" -- \
        "label=$label" "api=$API" "cookie=$COOKIE" "project=$PROJECT" \
        "documents=$DOCUMENTS" "approvals=$APPROVALS" "mix=$MIX" "upload_kib=$UPLOAD_KIB" \
        "connections_per_thread=$((connections / threads))" >"$output" 2>&1 &
    WRK_PID=$!
    PIDS+=("$WRK_PID")
}

# finish_wrk PID OUTPUT WHAT: waits for a wrk run; fails when wrk did.
finish_wrk() {
    local status=0
    wait "$1" || status=$?
    if ((status != 0)); then
        cat "$2" >&2
        die "wrk against $3 failed (exit status $status)"
    fi
}

# field NAME LINE: the value of NAME=... in a LOAD line.
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2; exit}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }

# total_line OUTPUT: the `LOAD total` line of a wrk run (fails when wrk printed none).
total_line() {
    local line
    line="$(grep -m1 '^LOAD total' "$1")" || { cat "$1" >&2; die "wrk printed no results ($1)"; }
    printf '%s' "$line"
}

# Markdown rows and notes, filled by the setups.
RESULT_ROWS=()
RSS_ROWS=()
KIND_ROWS=()
NOTES=()
FAILED=0

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU time used so far, in clock ticks: by the processes given (user + system), and by the whole
# machine (every core's busy time).
proc_ticks() {
    local pid sum=0 ticks
    for pid in "$@"; do
        ticks="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')" || ticks=0
        sum=$((sum + ${ticks:-0}))
    done
    echo "$sum"
}
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
TICKS_PER_SECOND="$(getconf CLK_TCK)"
seconds_of() { awk -v t="$1" -v hz="$TICKS_PER_SECOND" 'BEGIN {printf "%.1f", t / hz}'; }

# The PostgreSQL backends serving the load test's database (the replicas' pooled connections).
postgres_backends() {
    psql -At "$PG_URL/postgres" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$PG_DATABASE'"
}

# cpu_note SETUP [NAME BEFORE AFTER]...: notes the CPU seconds each NAME used during a run,
# from its clock ticks before and after.
cpu_note() {
    local setup="$1" text="" name before after
    shift
    while (($# >= 3)); do
        name="$1" before="$2" after="$3"
        shift 3
        text+="$name $(seconds_of $((after - before))) s, "
    done
    NOTES+=("$setup: CPU used during the run (of $(nproc) cores x ${DURATION} s): ${text%, }.")
}

# Documents without a version: none may be left, not even by the uploads wrk cuts off when it
# stops (a document and its first version are recorded in one transaction).
empty_documents_sqlite() {
    python3 -c '
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM portal_document WHERE current_version_id IS NULL").fetchone()[0])
' "$1"
}
empty_documents_postgres() {
    psql -At "$DATABASE_URL_LOAD" -c 'SELECT count(*) FROM portal_document WHERE current_version_id IS NULL'
}

# note_empty SETUP BEFORE AFTER UPLOADS_CUT: a note on documents left without a version, which
# fails the run when there are any.
note_empty() {
    NOTES+=("$1: $(($3 - $2)) documents left without a version; $4 uploads were in flight when wrk stopped.")
    if (($3 > $2)); then FAILED=1; fi
}

# in_flight OUTPUT...: requests of a kind sent but not answered when wrk stopped.
in_flight() {
    local kind="$1"
    shift
    cat "$@" | awk -v k="$kind" '$1 == "LOAD" && $2 == "kind" {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        if (f["name"] == k) { n += f["sent"] - f["ok"] - f["bad"] }
    } END {print n + 0}'
}

# result_row SETUP TARGET OUTPUT: one row of the results table from a wrk run; counts errors
# and notes the refused answers by kind and status.
result_row() {
    local setup="$1" target="$2" line sock bad refused
    line="$(total_line "$3")"
    while read -r refused; do
        NOTES+=("$setup, $target: $refused")
    done < <(grep '^  refused: ' "$3" | sed 's/^  //')
    sock=$(($(field connect "$line") + $(field read "$line") + $(field write "$line")))
    bad="$(field bad "$line")"
    RESULT_ROWS+=("| $setup | $target | $(field rps "$line") | $(ms "$(field p50_us "$line")") | $(ms "$(field p90_us "$line")") | $(ms "$(field p99_us "$line")") | $(ms "$(field max_us "$line")") | $(field requests "$line") | $sock | $(field timeout "$line") | $bad |")
    if ((sock + $(field timeout "$line") + bad > 0)); then FAILED=1; fi
}

# kind_rows SETUP OUTPUT...: per kind, requests sent and errors summed over the runs given, and
# the latency percentiles of the worse run (-1, printed "-", when a run timed no kinds).
kind_rows() {
    local setup="$1" kind
    shift
    for kind in dashboard documents download approvals approval upload; do
        KIND_ROWS+=("$(cat "$@" | awk -v k="$kind" -v setup="$setup" '
            function ms(us) { return us < 0 ? "-" : sprintf("%.2f", us / 1000) }
            $1 == "LOAD" && $2 == "kind" {
                delete f
                for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
                if (f["name"] != k) next
                sent += f["sent"]; bad += f["bad"]
                for (q in wanted) if (!(q in worst) || f[q] + 0 > worst[q]) worst[q] = f[q] + 0
            }
            BEGIN { wanted["p50_us"]; wanted["p90_us"]; wanted["p99_us"] }
            END {
                printf "| %s | %s | %d | %d | %s | %s | %s |", setup, k, sent, bad,
                    ms(worst["p50_us"]), ms(worst["p90_us"]), ms(worst["p99_us"])
            }')")
    done
}

# rss_row SETUP PROCESS PID IDLE_KIB: RSS now (the end of the run) and the peak.
rss_row() {
    RSS_ROWS+=("| $1 | $2 | $(mib "$4") | $(mib "$(proc_kib "$3" VmRSS)") | $(mib "$(proc_kib "$3" VmHWM)") |")
}

# --- a) SQLite: one server, a fresh data folder ---

if ((RUN_SQLITE)); then
    echo "== SQLite: one server, ${DURATION} s, wrk -t$THREADS -c$CONNECTIONS"
    PORT="$(free_port)"
    BASE="http://127.0.0.1:$PORT"
    start_server sqlite "$PORT" "$WORK/sqlite"
    SQLITE_PID="$STARTED_PID"
    prepare "$BASE"
    sleep 1
    SQLITE_IDLE="$(proc_kib "$SQLITE_PID" VmRSS)"
    EMPTY_BEFORE="$(empty_documents_sqlite "$WORK/sqlite/portal.db")"
    NOTES+=("SQLite: load average before the run $(loadavg).")
    CPU_SERVER_0="$(proc_ticks "$SQLITE_PID")"
    CPU_MACHINE_0="$(machine_ticks)"
    start_wrk sqlite "$BASE" "$THREADS" "$CONNECTIONS" "$LOG_DIR/wrk-sqlite.txt"
    finish_wrk "$WRK_PID" "$LOG_DIR/wrk-sqlite.txt" SQLite
    kill -0 "$SQLITE_PID" 2>/dev/null || die "the SQLite server died under load (log: $LOG_DIR/sqlite.log)"
    cpu_note SQLite server "$CPU_SERVER_0" "$(proc_ticks "$SQLITE_PID")" \
        "the whole machine" "$CPU_MACHINE_0" "$(machine_ticks)"
    rss_row SQLite server "$SQLITE_PID" "$SQLITE_IDLE"
    NOTES+=("SQLite: load average after the run $(loadavg).")
    sleep 1
    note_empty SQLite "$EMPTY_BEFORE" "$(empty_documents_sqlite "$WORK/sqlite/portal.db")" \
        "$(in_flight upload "$LOG_DIR/wrk-sqlite.txt")"
    result_row SQLite server "$LOG_DIR/wrk-sqlite.txt"
    kind_rows SQLite "$LOG_DIR/wrk-sqlite.txt"
    sed -n '/^sqlite:/,/^LOAD/p' "$LOG_DIR/wrk-sqlite.txt" | grep -v '^LOAD'
    cleanup
    WORK="$(mktemp -d "$ROOT/target/ops/load-work.XXXXXX")"
fi

# --- b) PostgreSQL: two replicas, one database, one bucket ---

if ((RUN_POSTGRES)); then
    echo "== PostgreSQL: two replicas, ${DURATION} s, two wrk -t$((THREADS / 2)) -c$((CONNECTIONS / 2)) at once"
    # The S3 emulator, installed as the tests install it (.ci/s3.sh).
    VENV="$ROOT/target/ci-venv"
    if [[ ! -x "$VENV/bin/moto_server" ]]; then
        echo "installing moto[server] with pip into $VENV"
        python3 -m venv "$VENV" || die "could not create $VENV (is python3-venv installed?)"
        timeout 600 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' ||
            die "could not install moto[server] into $VENV"
    fi
    S3_PORT="$(free_port)"
    S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$LOG_DIR/moto.log" 2>&1 &
    MOTO_PID=$!
    PIDS+=("$MOTO_PID")
    for _ in $(seq 1 120); do
        kill -0 "$MOTO_PID" 2>/dev/null || break
        curl -s -o /dev/null --max-time 2 "$S3_ENDPOINT/" && break
        sleep 0.5
    done
    curl -s -o /dev/null --max-time 2 "$S3_ENDPOINT/" ||
        { cat "$LOG_DIR/moto.log" >&2; die "the S3 emulator did not start on $S3_ENDPOINT"; }
    BUCKET="portal-load"
    curl -fs -o /dev/null --max-time 10 -X PUT "$S3_ENDPOINT/$BUCKET" || die "could not create the bucket $BUCKET"

    PG_DATABASE="portal_load_$(date +%s)_$$"
    psql -q "$PG_URL/postgres" -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DATABASE\"" >/dev/null ||
        die "could not create the database $PG_DATABASE"
    DATABASE_URL_LOAD="$PG_URL/$PG_DATABASE"
    export DATABASE_URL="$DATABASE_URL_LOAD"
    export AWS_ACCESS_KEY_ID=load-test AWS_SECRET_ACCESS_KEY=load-test
    S3_FLAGS=(--s3-bucket "$BUCKET" --s3-endpoint "$S3_ENDPOINT")

    PORT1="$(free_port)"
    PORT2="$(free_port)"
    BASE1="http://127.0.0.1:$PORT1"
    BASE2="http://127.0.0.1:$PORT2"
    # Replica 1 first: it migrates, seeds and writes the keys; replica 2 gets the same keys.
    start_server replica-1 "$PORT1" "$WORK/replica-1" "${S3_FLAGS[@]}"
    PID1="$STARTED_PID"
    PORTAL_TOTP_KEY="$(cat "$WORK/replica-1/totp.key")" \
        PORTAL_MAIL_LINK_KEY="$(cat "$WORK/replica-1/mail-link.key")" \
        start_server replica-2 "$PORT2" "$WORK/replica-2" "${S3_FLAGS[@]}"
    PID2="$STARTED_PID"
    unset DATABASE_URL

    # One session, made on replica 1 and used on both: sessions live in the shared database.
    prepare "$BASE1"
    check_status "$BASE2" "$COOKIE" 200 "$BASE2$API/dashboard"
    check_status "$BASE2" "$COOKIE" 200 "$BASE2$API/documents/${DOCUMENTS%%,*}/download"
    sleep 1
    IDLE1="$(proc_kib "$PID1" VmRSS)"
    IDLE2="$(proc_kib "$PID2" VmRSS)"
    EMPTY_BEFORE="$(empty_documents_postgres)"
    NOTES+=("PostgreSQL: load average before the run $(loadavg).")
    mapfile -t BACKENDS < <(postgres_backends)
    CPU_R1_0="$(proc_ticks "$PID1")"
    CPU_R2_0="$(proc_ticks "$PID2")"
    CPU_PG_0="$(proc_ticks "${BACKENDS[@]}")"
    CPU_MOTO_0="$(proc_ticks "$MOTO_PID")"
    CPU_MACHINE_0="$(machine_ticks)"
    start_wrk replica-1 "$BASE1" $((THREADS / 2)) $((CONNECTIONS / 2)) "$LOG_DIR/wrk-replica-1.txt"
    WRK1="$WRK_PID"
    start_wrk replica-2 "$BASE2" $((THREADS / 2)) $((CONNECTIONS / 2)) "$LOG_DIR/wrk-replica-2.txt"
    WRK2="$WRK_PID"
    finish_wrk "$WRK1" "$LOG_DIR/wrk-replica-1.txt" "replica 1"
    finish_wrk "$WRK2" "$LOG_DIR/wrk-replica-2.txt" "replica 2"
    kill -0 "$PID1" 2>/dev/null || die "replica 1 died under load (log: $LOG_DIR/replica-1.log)"
    kill -0 "$PID2" 2>/dev/null || die "replica 2 died under load (log: $LOG_DIR/replica-2.log)"
    # Backends that started during the run count from zero; ones that ended are missed.
    mapfile -t BACKENDS_AFTER < <(postgres_backends)
    mapfile -t NEW_BACKENDS < <(comm -13 <(printf '%s\n' "${BACKENDS[@]}" | sort) <(printf '%s\n' "${BACKENDS_AFTER[@]}" | sort))
    cpu_note PostgreSQL "replica 1" "$CPU_R1_0" "$(proc_ticks "$PID1")" \
        "replica 2" "$CPU_R2_0" "$(proc_ticks "$PID2")" \
        "PostgreSQL backends of the database" "$CPU_PG_0" "$(($(proc_ticks "${BACKENDS[@]}") + $(proc_ticks "${NEW_BACKENDS[@]}")))" \
        "S3 emulator" "$CPU_MOTO_0" "$(proc_ticks "$MOTO_PID")" \
        "the whole machine" "$CPU_MACHINE_0" "$(machine_ticks)"
    rss_row PostgreSQL "replica 1" "$PID1" "$IDLE1"
    rss_row PostgreSQL "replica 2" "$PID2" "$IDLE2"
    NOTES+=("PostgreSQL: load average after the run $(loadavg).")
    sleep 1
    note_empty PostgreSQL "$EMPTY_BEFORE" "$(empty_documents_postgres)" \
        "$(in_flight upload "$LOG_DIR/wrk-replica-1.txt" "$LOG_DIR/wrk-replica-2.txt")"
    result_row PostgreSQL "replica 1" "$LOG_DIR/wrk-replica-1.txt"
    result_row PostgreSQL "replica 2" "$LOG_DIR/wrk-replica-2.txt"
    # Both at once: requests per second summed, latencies the worse replica's.
    L1="$(total_line "$LOG_DIR/wrk-replica-1.txt")"
    L2="$(total_line "$LOG_DIR/wrk-replica-2.txt")"
    worse() { awk -v a="$(field "$1" "$L1")" -v b="$(field "$1" "$L2")" 'BEGIN {printf "%.2f", (a > b ? a : b) / 1000}'; }
    sum() { awk -v a="$(field "$1" "$L1")" -v b="$(field "$1" "$L2")" -v f="${2:-%d}" 'BEGIN {printf f, a + b}'; }
    RESULT_ROWS+=("| PostgreSQL | **both** (sum; worse latency) | **$(sum rps %.1f)** | $(worse p50_us) | $(worse p90_us) | $(worse p99_us) | $(worse max_us) | $(sum requests) | $(($(sum connect) + $(sum read) + $(sum write))) | $(sum timeout) | $(sum bad) |")
    kind_rows PostgreSQL "$LOG_DIR/wrk-replica-1.txt" "$LOG_DIR/wrk-replica-2.txt"
    for label in replica-1 replica-2; do
        sed -n "/^$label:/,/^LOAD/p" "$LOG_DIR/wrk-$label.txt" | grep -v '^LOAD'
    done
    cleanup
fi

# --- the report ---

REPORT="$(
    echo "## Load test $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "branded-server (release) on loopback, $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)); $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')."
    echo "${DURATION} s per setup, $CONNECTIONS connections in all (PostgreSQL: half per replica, two wrk at once), $THREADS wrk threads, timeout $TIMEOUT."
    echo "Mix (weights): $MIX; uploads are new text documents of $UPLOAD_KIB KiB, as the client admin (one session)."
    if ((THREADS == CONNECTIONS)); then
        echo "Latencies: each answer timed by ops/load/mix.lua on the monotonic clock (from the request's write to the whole answer), in 2 % buckets."
    else
        echo "Latencies: wrk's own statistics (several connections per thread: answers are not timed per kind)."
    fi
    echo
    echo "| setup | target | req/s | p50 ms | p90 ms | p99 ms | max ms | answers | socket errors | timeouts | refused/wrong |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${RESULT_ROWS[@]}"
    echo
    echo "| setup | process | RSS idle MiB | RSS end MiB | RSS peak MiB |"
    echo "| --- | --- | ---: | ---: | ---: |"
    printf '%s\n' "${RSS_ROWS[@]}"
    echo
    echo "Per kind (latencies of the slower replica for PostgreSQL):"
    echo
    echo "| setup | kind | sent | errors | p50 ms | p90 ms | p99 ms |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${KIND_ROWS[@]}"
    echo
    printf -- '- %s\n' "${NOTES[@]}"
    echo
    if ((FAILED)); then
        echo "**FAILED: errors under load** (raw output: target/ops/load-$STAMP/)."
    else
        echo "No errors: no socket errors, no timeouts, every answer as expected."
    fi
)"
echo
echo "$REPORT"
echo "$REPORT" >"$REPORT_FILE"
echo
echo "written to $REPORT_FILE (wrk output and server logs in $LOG_DIR)"
((FAILED == 0)) || { echo "ops/load.sh: errors under load" >&2; exit 1; }
