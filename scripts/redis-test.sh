#!/usr/bin/env bash
# Start a throwaway Redis server for the test suite and print its URL on stdout.
#
#   SHOPOPS_TEST_REDIS_URL=$(scripts/redis-test.sh DIR)
#
# The server listens on a unix socket in DIR only (no TCP port), keeps nothing on disk and
# stops when DIR's pid file's process is killed (make test does on exit). If
# SHOPOPS_TEST_REDIS_URL is already set (an external server), it is printed unchanged.
# Messages go to stderr; exit status 1 when no server can be had.
set -euo pipefail

log() { echo "redis-test: $*" >&2; }

if [ -n "${SHOPOPS_TEST_REDIS_URL:-}" ]; then
    echo "$SHOPOPS_TEST_REDIS_URL"
    exit 0
fi
dir=${1:?usage: redis-test.sh DIR}
command -v redis-server >/dev/null 2>&1 || { log "no redis-server installed (Debian: apt-get install redis-server, or scripts/system-deps.sh test)"; exit 1; }
mkdir -p "$dir"
sock="$dir/redis.sock"
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >&2
for _ in $(seq 50); do
    [ -S "$sock" ] && break
    sleep 0.1
done
[ -S "$sock" ] || { log "redis-server did not start (see $dir/redis.log)"; exit 1; }
echo "unix://$sock"
