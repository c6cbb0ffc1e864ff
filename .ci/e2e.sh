#!/usr/bin/env bash
# The browser tests (e2e/): installs what they need when missing — Debian's Chromium and
# playwright-core (with npm ci) — starts the example server on a fresh data folder and a free
# port, runs the tests and stops the server. Screenshots land in target/e2e/. Fails loudly when a
# browser cannot be had: the suite must never be skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib.sh

chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ]; then
    echo "Installing Chromium from Debian's packages"
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "error: the browser tests need Chromium ($chromium_bin); install the chromium package" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "error: the browser tests need Node.js and npm" >&2
    exit 1
fi
(cd e2e && npm ci --no-audit --no-fund --silent)

cargo build -q -p branded-server
e2e_data="$(mktemp -d)"
remove_e2e_data() { rm -rf "$e2e_data"; }
on_exit remove_e2e_data
e2e_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
# The server listens on the loopback address, but browsers reach it as localhost: WebAuthn
# (passkeys) refuses an IP address as the relying party, and its links must name the same origin.
e2e_base="http://localhost:$e2e_port"
mkdir -p target/e2e
RUST_LOG=warn "${CARGO_TARGET_DIR:-target}/debug/branded-server" --listen "127.0.0.1:$e2e_port" --data-dir "$e2e_data" \
    --public-url "$e2e_base" --rate-limit 0 >target/e2e/server.log 2>&1 &
e2e_server=$!
stop_e2e_server() { kill -TERM "$e2e_server" 2>/dev/null && wait "$e2e_server" 2>/dev/null; }
on_exit stop_e2e_server
for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$e2e_port/northwind/login" && break
    if ! kill -0 "$e2e_server" 2>/dev/null; then
        echo "error: the example server exited; see target/e2e/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
curl -fs -o /dev/null "$e2e_base/northwind/login"

(cd e2e && PORTAL_E2E_BASE="$e2e_base" CHROMIUM="$chromium_bin" \
    PORTAL_E2E_MAIL="$e2e_data/mail" PORTAL_E2E_SCREENSHOTS=../target/e2e npm test)
echo "Browser tests passed; screenshots in target/e2e/"
