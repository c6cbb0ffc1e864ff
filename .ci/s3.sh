# Sourced by .ci/test (after .ci/lib.sh): starts a local S3 emulator (moto's server, installed with pip) on a free
# port of 127.0.0.1, exports PORTAL_TEST_S3_ENDPOINT for the S3 blob store tests and stops the emulator
# when the run ends. Fails loudly when moto cannot be installed or started: the S3 suite must never be
# skipped here.

s3_venv="target/ci-venv"
s3_python="$s3_venv/bin/python"
s3_server="$s3_venv/bin/moto_server"

if [ ! -x "$s3_server" ]; then
    echo "Installing moto[server] into $s3_venv"
    if ! command -v python3 >/dev/null; then
        echo "error: python3 is needed to run the S3 emulator (moto) and was not found" >&2
        exit 1
    fi
    if ! python3 -m venv "$s3_venv"; then
        echo "error: could not create the virtualenv $s3_venv (is python3-venv installed?)" >&2
        exit 1
    fi
    if ! "$s3_python" -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6'; then
        echo "error: could not install moto[server] with pip into $s3_venv" >&2
        exit 1
    fi
    if [ ! -x "$s3_server" ]; then
        echo "error: moto[server] installed but $s3_server is missing" >&2
        exit 1
    fi
fi

# A free port: bind port 0 and let the kernel choose. A small race with other processes remains; the
# readiness check below catches a port taken in between.
if ! s3_port="$("$s3_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"; then
    echo "error: could not find a free port for the S3 emulator" >&2
    exit 1
fi
s3_endpoint="http://127.0.0.1:$s3_port"
s3_log="target/ci-moto.log"

"$s3_server" -H 127.0.0.1 -p "$s3_port" >"$s3_log" 2>&1 &
s3_pid=$!
stop_s3_emulator() {
    kill "$s3_pid" 2>/dev/null || true
    wait "$s3_pid" 2>/dev/null || true
}
on_exit stop_s3_emulator

s3_ready=false
for _ in $(seq 1 60); do
    if ! kill -0 "$s3_pid" 2>/dev/null; then
        break
    fi
    if "$s3_python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$s3_endpoint/" >/dev/null 2>&1; then
        s3_ready=true
        break
    fi
    sleep 0.5
done
if [ "$s3_ready" != true ]; then
    echo "error: the S3 emulator (moto_server) did not start on $s3_endpoint; its log follows" >&2
    cat "$s3_log" >&2 || true
    exit 1
fi

export PORTAL_TEST_S3_ENDPOINT="$s3_endpoint"
echo "S3 emulator (moto) at $PORTAL_TEST_S3_ENDPOINT"
