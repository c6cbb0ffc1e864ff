#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against the OpenAPI document the server serves, once per
# role, each with a real sign-in: anonymous, every staff role (owner, admin, manager, member),
# every client role of one client (client admin, approver, finance, viewer) and an integration's
# API key. Every answer is checked: no 5xx, status code, content type and body as documented,
# and no data the role must never see (another tenant's, another client's, or for contacts an
# internal object's).
#
# How: builds the example server (debug, as the browser tests do), seeds a template data folder
# with two tenants (the demo tenant `northwind`, and `southwind` from a copy of the bundled
# branding file with another slug, whose names are then replaced with canary strings), reads
# what each role must not see (ops/api_fuzz/prepare.py), then for each role starts a server on
# a fresh copy of that folder and runs schemathesis with the hooks in ops/api_fuzz/hooks.py.
#
# Usage: ops/api-fuzz.sh [--quick] [--max-examples N] [--seconds S] [--roles a,b,...] [--seed N]
#                        [--jobs N]
#   --quick           few examples per operation (CI): --max-examples 5, no time budget
#   --max-examples N  examples per operation and phase (default 100; 5 with --quick)
#   --seconds S       each role's time budget: schemathesis keeps generating until S seconds are
#                     spent (default: none, the run ends when every operation had its examples;
#                     a role still running after 300 s + 6 s per example is stopped as failed)
#   --roles LIST      only these of the roles anonymous, owner, admin, manager, member,
#                     client-admin, approver, finance, viewer, api-key (default: all)
#   --seed N          schemathesis's random seed, to repeat a run
#   --jobs N          roles fuzzed side by side, each with its own server (default 2)
# Needs python3 (3.10+) with venv; installs the pinned schemathesis with pip into
# target/ops-venv. Reports go to target/api-fuzz/<time>/<role>/. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/ops-venv"
REQUIREMENTS="$ROOT/ops/api_fuzz/requirements.txt"
PORT="${PORTAL_API_FUZZ_PORT:-18091}"
ROLES="anonymous,owner,admin,manager,member,client-admin,approver,finance,viewer,api-key"
# The hooks are imported from the source tree: no bytecode caches there.
export PYTHONDONTWRITEBYTECODE=1

QUICK=0
MAX_EXAMPLES=""
BUDGET=""
SEED=""
JOBS=2
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --max-examples) MAX_EXAMPLES="${2:?--max-examples needs a number}"; shift ;;
        --seconds) BUDGET="${2:?--seconds needs a number}"; shift ;;
        --roles) ROLES="${2:?--roles needs a list}"; shift ;;
        --seed) SEED="${2:?--seed needs a number}"; shift ;;
        --jobs) JOBS="${2:?--jobs needs a number}"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "api-fuzz: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for value in "$MAX_EXAMPLES" "$BUDGET" "$SEED" "$JOBS"; do
    if [[ -n "$value" && ! "$value" =~ ^[0-9]+$ ]]; then
        echo "api-fuzz: $value is not a whole number" >&2
        exit 2
    fi
done
KNOWN=",anonymous,owner,admin,manager,member,client-admin,approver,finance,viewer,api-key,"
IFS=',' read -r -a ROLE_LIST <<<"$ROLES"
for role in "${ROLE_LIST[@]}"; do
    if [[ "$KNOWN" != *",$role,"* ]]; then
        echo "api-fuzz: unknown role $role (known: ${KNOWN:1:-1})" >&2
        exit 2
    fi
done
if [[ "$JOBS" -lt 1 ]]; then
    echo "api-fuzz: --jobs needs at least 1" >&2
    exit 2
fi
if [[ -z "$MAX_EXAMPLES" ]]; then
    MAX_EXAMPLES=$((QUICK ? 5 : 100))
fi
# A role's run that takes this long has hung: it is stopped and counts as failed. Without a
# budget, about 3 s per example and operation is usual on two cores; twice that is allowed.
if [[ -n "$BUDGET" ]]; then
    ROLE_TIMEOUT=$((BUDGET + 300))
else
    ROLE_TIMEOUT=$((300 + 6 * MAX_EXAMPLES))
fi

RUN="$TARGET/api-fuzz/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # Graceful shutdown closes the database; a server that does not stop is killed.
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

# 1. The tools.
step "schemathesis (pinned in ops/api_fuzz/requirements.txt) in $VENV"
if ! command -v python3 >/dev/null; then
    echo "api-fuzz: python3 is needed" >&2
    exit 1
fi
STAMP="$VENV/.requirements"
if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$REQUIREMENTS" "$STAMP"; then
    if ! python3 -m venv "$VENV"; then
        # Debian's python3 leaves venv (ensurepip) to a package of its own.
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            apt-get install -y -q python3-venv >/dev/null
            rm -rf "$VENV"
            python3 -m venv "$VENV"
        else
            echo "api-fuzz: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
    timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$STAMP"
fi
"$VENV/bin/schemathesis" --version

step "building the example server"
cargo build -q -p branded-server
SERVER="$TARGET/debug/branded-server"

# Starts the server on port $1 with data folder $2 (more flags after it) and waits until tenant
# $TENANT answers; its log goes to $2.log.
start_server() {
    local port="$1" data="$2"
    shift 2
    if curl -fs -o /dev/null "http://127.0.0.1:${port}/" 2>/dev/null; then
        echo "api-fuzz: something already answers on port $port (set PORTAL_API_FUZZ_PORT)" >&2
        exit 1
    fi
    RUST_LOG="${RUST_LOG:-warn}" "$SERVER" --listen "127.0.0.1:${port}" --data-dir "$data" \
        --rate-limit 0 --allow-local-webhooks "$@" >>"$data.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if curl -fs -o /dev/null "http://127.0.0.1:${port}/$TENANT/api/v1/openapi.json"; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "api-fuzz: the server stopped while starting; its log:" >&2
            tail -n 20 "$data.log" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "api-fuzz: the server did not answer within 60 s; log: $data.log" >&2
    exit 1
}

# 2. The template data: the other tenant first (the bundled branding with another slug), then
#    the demo tenant, then the markers and the API key.
step "seeding two tenants into $RUN/template"
TEMPLATE="$RUN/template"
sed -e 's/^slug = "northwind"$/slug = "southwind"/' -e 's/Northwind Studio/Southwind Works/g' \
    examples/branded-server/portal.toml >"$RUN/southwind.toml"
grep -q '^slug = "southwind"$' "$RUN/southwind.toml" || {
    echo "api-fuzz: examples/branded-server/portal.toml no longer has slug = \"northwind\"" >&2
    exit 1
}
TENANT=southwind start_server "$PORT" "$TEMPLATE" --branding "$RUN/southwind.toml"
stop_server
TENANT=northwind start_server "$PORT" "$TEMPLATE"
"$VENV/bin/python" ops/api_fuzz/prepare.py "http://127.0.0.1:${PORT}" "$RUN/roles.json"
stop_server

# 3. One run per role, each on its own copy of the template: what one role changes or breaks
#    (it may archive clients, change roles, revoke keys) never reaches the next.
# The checks: the tool's own, and no_foreign_data from the hooks (a custom check runs only when
# it is named here).
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance"
CHECKS+=",response_schema_conformance,no_foreign_data"

# Fuzzes one role against a server of its own on port $1.
fuzz_role() {
    local port="$1" role="$2"
    local folder="$RUN/$role" origin="http://127.0.0.1:$1"
    mkdir -p "$folder"
    echo "$role: starting ($MAX_EXAMPLES examples per operation${BUDGET:+, ${BUDGET} s budget})"
    cp -a "$TEMPLATE" "$folder/data"
    TENANT=northwind start_server "$port" "$folder/data"
    local args=(run "$origin/northwind/api/v1/openapi.json" --url "$origin/northwind"
        --checks "$CHECKS" --max-examples "$MAX_EXAMPLES"
        # One worker: the tool's threads trip a fault of Python 3.11's parser now and then
        # ("AST constructor recursion depth mismatch"); roles run side by side instead.
        --workers 1
        --report junit --report-junit-path "$folder/junit.xml" --no-color
        --request-timeout 30)
    [[ -n "$BUDGET" ]] && args+=(--max-time "$BUDGET")
    [[ -n "$SEED" ]] && args+=(--seed "$SEED")
    if [[ "$role" != anonymous ]]; then
        # The sign-in routes are for people without a session: the anonymous run covers
        # them. Signing out would end the session every later request of the run needs.
        args+=(--exclude-path-regex '^/api/v1/auth/')
    fi
    local started status
    started=$(date +%s)
    set +e
    # In the role's folder (env -C): the tool keeps its cache of failures for `st replay` there.
    PYTHONPATH="$ROOT/ops/api_fuzz" SCHEMATHESIS_HOOKS=hooks \
        APIFUZZ_ROLES="$RUN/roles.json" APIFUZZ_ROLE="$role" APIFUZZ_BASE="$origin/northwind" \
        APIFUZZ_STATS="$folder/stats.json" \
        timeout "$ROLE_TIMEOUT" env -C "$folder" "$VENV/bin/schemathesis" "${args[@]}" \
        >"$folder/schemathesis.log" 2>&1
    status=$?
    set -e
    echo "$status" >"$folder/exit"
    echo $(($(date +%s) - started)) >"$folder/seconds"
    stop_server
    # A passed role's data is of no further use; a failed one's is kept to look into.
    if [[ "$status" == 0 ]]; then
        rm -rf "$folder/data"
    fi
    echo "$role: $(tail -n 1 "$folder/schemathesis.log" | tr -d '=' | sed 's/^ *//')"
}

# Runs every $JOBS-th role from the $1-th on, one after the other, on port $PORT + 1 + $1.
run_lane() {
    local lane="$1" index
    trap stop_server EXIT
    trap 'exit 143' TERM
    for ((index = lane; index < ${#ROLE_LIST[@]}; index += JOBS)); do
        fuzz_role $((PORT + 1 + lane)) "${ROLE_LIST[$index]}"
    done
}

step "fuzzing ${#ROLE_LIST[@]} roles, $JOBS side by side"
LANES=()
for ((lane = 0; lane < JOBS && lane < ${#ROLE_LIST[@]}; lane++)); do
    run_lane "$lane" &
    LANES+=($!)
done
# A lane runs its tool in the foreground and would only see a TERM once that ends: its children
# (the tool's `timeout` and the server) are stopped first, by the lane's process id.
stop_lanes() {
    for pid in "${LANES[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    stop_server
}
trap stop_lanes EXIT
for pid in "${LANES[@]}"; do
    wait "$pid" || { echo "api-fuzz: a lane of role runs stopped early" >&2; exit 1; }
done
LANES=()

step "summary (reports in $RUN)"
"$VENV/bin/python" ops/api_fuzz/summary.py "$RUN" "${ROLE_LIST[@]}"
