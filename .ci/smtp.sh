# Sourced by .ci/test (after .ci/lib.sh): starts a local SMTP sink (aiosmtpd, installed with pip, run by
# .ci/smtp_sink.py) on a free port of 127.0.0.1, exports PORTAL_TEST_SMTP (host:port) and
# PORTAL_TEST_SMTP_DIR (where each received message lands as an .eml file) for the SMTP tests,
# and stops the sink when the run ends. Fails loudly when aiosmtpd cannot be installed or started:
# the SMTP suite must never be skipped here.

smtp_venv="target/ci-venv"
smtp_python="$smtp_venv/bin/python"

if [ ! -x "$smtp_python" ] || ! "$smtp_python" -c 'import aiosmtpd' 2>/dev/null; then
    echo "Installing aiosmtpd into $smtp_venv"
    if ! command -v python3 >/dev/null; then
        echo "error: python3 is needed to run the SMTP sink (aiosmtpd) and was not found" >&2
        exit 1
    fi
    if [ ! -x "$smtp_python" ] && ! python3 -m venv "$smtp_venv"; then
        echo "error: could not create the virtualenv $smtp_venv (is python3-venv installed?)" >&2
        exit 1
    fi
    if ! "$smtp_python" -m pip install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2'; then
        echo "error: could not install aiosmtpd with pip into $smtp_venv" >&2
        exit 1
    fi
fi

# A free port: bind port 0 and let the kernel choose. A small race with other processes remains; the
# readiness check below catches a port taken in between.
if ! smtp_port="$("$smtp_python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"; then
    echo "error: could not find a free port for the SMTP sink" >&2
    exit 1
fi
smtp_dir="$(pwd)/target/ci-smtp-mail"
rm -rf "$smtp_dir"
mkdir -p "$smtp_dir"
smtp_log="target/ci-smtp.log"

"$smtp_python" .ci/smtp_sink.py 127.0.0.1 "$smtp_port" "$smtp_dir" >"$smtp_log" 2>&1 &
smtp_pid=$!
stop_smtp_sink() {
    kill "$smtp_pid" 2>/dev/null || true
    wait "$smtp_pid" 2>/dev/null || true
}
on_exit stop_smtp_sink

smtp_ready=false
for _ in $(seq 1 60); do
    if ! kill -0 "$smtp_pid" 2>/dev/null; then
        break
    fi
    if "$smtp_python" -c 'import smtplib, sys; smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=2).quit()' \
        127.0.0.1 "$smtp_port" >/dev/null 2>&1; then
        smtp_ready=true
        break
    fi
    sleep 0.5
done
if [ "$smtp_ready" != true ]; then
    echo "error: the SMTP sink did not start on 127.0.0.1:$smtp_port; its log follows" >&2
    cat "$smtp_log" >&2 || true
    exit 1
fi

export PORTAL_TEST_SMTP="127.0.0.1:$smtp_port"
export PORTAL_TEST_SMTP_DIR="$smtp_dir"
echo "SMTP sink at $PORTAL_TEST_SMTP, mail in $PORTAL_TEST_SMTP_DIR"
