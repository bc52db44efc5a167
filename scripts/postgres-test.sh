#!/usr/bin/env bash
# Make a local PostgreSQL ready for the test suite and print its URL on stdout.
#
#   SHOPOPS_TEST_POSTGRES_URL=$(scripts/postgres-test.sh)
#
# Idempotent: starts the Debian cluster when it is down (pg_ctlcluster), creates the
# role `shopops` (password `shopops`, LOGIN CREATEDB) and the database `shopops_test`
# when they are missing, then checks that a password login over TCP works.
# If SHOPOPS_TEST_POSTGRES_URL is already set (an external server), it is checked and
# printed unchanged. Messages go to stderr; exit status 1 when no server can be had.
set -euo pipefail

ROLE=shopops
PASSWORD=shopops
DB=shopops_test
HOST=127.0.0.1

log() { echo "postgres-test: $*" >&2; }
die() { log "$*"; exit 1; }

can_login() {  # URL: log in and check the role may create databases (the tests do)
    if command -v psql >/dev/null 2>&1; then
        [ "$(PGCONNECT_TIMEOUT=5 psql "$1" -qAtX -c 'SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user' 2>/dev/null)" = t ]
    else
        return 0  # no client to check with; the tests will tell
    fi
}

if [ -n "${SHOPOPS_TEST_POSTGRES_URL:-}" ]; then
    can_login "$SHOPOPS_TEST_POSTGRES_URL" || die "cannot log in to SHOPOPS_TEST_POSTGRES_URL (${SHOPOPS_TEST_POSTGRES_URL%%@*}@…)"
    echo "$SHOPOPS_TEST_POSTGRES_URL"
    exit 0
fi

command -v pg_lsclusters >/dev/null 2>&1 || die "no PostgreSQL server installed (Debian: apt-get install postgresql, or scripts/system-deps.sh test)"

# First cluster, preferring the one on port 5432: "15 main 5432 down postgres …"
cluster=$(pg_lsclusters -h | sort -k3,3 -n | awk '$3 == 5432 {print; found=1; exit} END {}')
[ -n "$cluster" ] || cluster=$(pg_lsclusters -h | head -n1)
[ -n "$cluster" ] || die "no PostgreSQL cluster (Debian: pg_createcluster 15 main)"
read -r version name port status _ <<<"$cluster"

as_postgres() {
    if [ "$(id -un)" = postgres ]; then
        "$@"
    elif [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n -u postgres -- "$@"
    else
        return 1
    fi
}

if [ "$status" != online ]; then
    log "starting PostgreSQL cluster $version/$name on port $port"
    if [ "$(id -u)" = 0 ]; then
        pg_ctlcluster "$version" "$name" start >&2
    else
        as_postgres pg_ctlcluster "$version" "$name" start >&2 || die "cannot start cluster $version/$name (run as root or postgres)"
    fi
fi

for _ in $(seq 1 30); do
    pg_isready -q -h "$HOST" -p "$port" && break
    sleep 1
done
pg_isready -q -h "$HOST" -p "$port" || die "PostgreSQL on $HOST:$port does not answer"

URL="postgresql://$ROLE:$PASSWORD@$HOST:$port/$DB"
if ! can_login "$URL"; then
    log "creating role $ROLE and database $DB"
    psql_admin() { as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -qAtX "$@"; }
    psql_admin -d postgres >&2 <<SQL || die "cannot create role/database (need root or the postgres user)"
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    ELSE
        ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    END IF;
END
\$\$;
SQL
    if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
        psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $ROLE" >&2
    fi
    can_login "$URL" || die "role $ROLE cannot log in over TCP at $HOST:$port (check pg_hba.conf)"
fi
echo "$URL"
