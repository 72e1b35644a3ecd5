#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster on a free loopback port, for tests and benchmarks.
#
#   scripts/pg.sh start DIR   initialise (once) and start a cluster in DIR; prints the connection
#                             string (also written to DIR/connection-string)
#   scripts/pg.sh stop DIR    stop it (start DIR again restarts it on the same port)
#
# PostGIS is created in template1, so every database made from it has the extension.
# initdb refuses to run as root, so as root the cluster runs as the 'postgres' user.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [[ -z "$command" || -z "$dir" || "$command" == "-h" || "$command" == "--help" ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

bin=/usr/lib/postgresql/15/bin
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

case "$command" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # A restart keeps its port, so connection strings handed out stay valid.
    port=$(cat "$dir/port" 2>/dev/null || free_port)
    # fsync stays on: the stops service's durability tests rely on real commits.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d template1 -v ON_ERROR_STOP=1 -qc "CREATE EXTENSION IF NOT EXISTS postgis;" >/dev/null
    cs="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    echo "$port" >"$dir/port"
    echo "$cs" >"$dir/connection-string"
    echo "$cs"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
  *)
    echo "pg.sh: unknown command '$command' (start or stop)" >&2
    exit 2
    ;;
esac
