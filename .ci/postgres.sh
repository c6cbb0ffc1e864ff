# Sourced by .ci/test (after .ci/lib.sh): makes sure PostgreSQL runs on 127.0.0.1:5432, creates a fresh database for
# this run, exports PORTAL_TEST_POSTGRES_URL and drops the database again when the run ends.
# Fails loudly when PostgreSQL cannot be reached: the PostgreSQL suite must never be skipped here.

pg_host=127.0.0.1
pg_port=5432

if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
    echo "PostgreSQL is not running; starting it"
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    fi
    for _ in $(seq 1 30); do
        pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null && break
        sleep 1
    done
fi
if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
    echo "error: PostgreSQL is not reachable on $pg_host:$pg_port and could not be started" >&2
    exit 1
fi

pg_database="portal_test_$(date +%s)_$$"
psql -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$pg_database\"" >/dev/null
export PORTAL_TEST_POSTGRES_URL="postgres://postgres@$pg_host:$pg_port/$pg_database"
drop_test_database() {
    psql -q -h "$pg_host" -p "$pg_port" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 || true
}
on_exit drop_test_database
echo "PostgreSQL test database: $pg_database"
