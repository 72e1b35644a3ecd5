#!/usr/bin/env bash
# The stops service benchmark, one command:
#   bench/stops/run.sh            (SECONDS_PER_LEVEL=10 WARMUP=3 CLIENTS=1,8,32 to change; SKIP_IMPORT=1 to skip the import,
#                                  SKIP_SQLITE=1 to record on PostGIS only, OUT=FILE to write elsewhere)
# 1. RecordEncounter through the real gRPC service (Release host as a child process, HTTP/2 on
#    loopback) on SQLite and on PostGIS with 1, 8 and 32 calls in flight: records/s, p50/p99;
#    beside pgbench on the same throwaway cluster: single-row INSERTs of a row with the stored
#    encounter's columns and sizes (the ceiling), and encounter + audit row in one transaction
#    (BEGIN, two INSERTs, COMMIT; and as one statement, the way the service writes them).
# 2. `targeting import stops` of the 15 shared Met files (../shared/data): embedded SQLite,
#    embedded PostGIS, and through the service (--server) on PostGIS; time and summary.
# Writes bench/stops/results-YYYY-MM-DD.md. Needs ../shared/data for part 2.
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/bench/work/stops"
shared="$root/../shared/data"
met="$shared/police-uk/metropolitan-stop-and-search"
out="${OUT:-$here/results-$(date -u +%Y-%m-%d).md}"
seconds="${SECONDS_PER_LEVEL:-10}"
warmup="${WARMUP:-3}"
clients="${CLIENTS:-1,8,32}"

bash "$root/scripts/install-deps.sh"
rm -rf "$work"
mkdir -p "$work"

pg_dir="$(mktemp -d /tmp/stops-bench-pg.XXXXXX)"
host_pid=""
cleanup() {
  if [[ -n "$host_pid" ]] && kill -0 "$host_pid" 2>/dev/null; then kill "$host_pid"; wait "$host_pid" 2>/dev/null || true; fi
  bash "$root/scripts/pg.sh" stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
pg="$(bash "$root/scripts/pg.sh" start "$pg_dir")"
echo "PostgreSQL + PostGIS: $pg"

echo "building StopsBench and the targeting CLI (Release)..."
dotnet build -c Release "$here/StopsBench/StopsBench.csproj" -o "$work/bench" -v quiet -nologo >/dev/null
dotnet build -c Release "$root/services/Targeting.Cli/Targeting.Cli.csproj" -o "$work/cli" -v quiet -nologo >/dev/null

{
  echo "# Stops service benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "Command: \`bench/stops/run.sh\` (CLIENTS=$clients SECONDS_PER_LEVEL=$seconds WARMUP=$warmup)."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GB;"
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (well above 1 means other work shared the cores and absolute figures are noisy); the ratios come from the same run."
  echo "PostgreSQL $("/usr/lib/postgresql/15/bin/postgres" --version | awk '{print $3}') + PostGIS, throwaway cluster from scripts/pg.sh (fsync on, synchronous_commit on, default WAL settings)."
  echo "The stops host is the Release build (Development auth, service-role token, no hotspot configured: links recorded as pending)."
  echo
} >"$out.head"

echo "recording benchmark..."
dotnet "$work/bench/StopsBench.dll" record --postgres "$pg" --work "$work/record" --out "$out.record" \
  --clients "$clients" --seconds "$seconds" --warmup "$warmup" --sqlite "$([[ "${SKIP_SQLITE:-}" == "1" ]] && echo no || echo yes)"

import_section() {
  echo "## Import of the 15 shared Met files with \`targeting import stops\`"
  echo
  if [[ ! -d "$met" ]]; then
    echo "Skipped: $met is not there."
    return
  fi
  local rows
  rows=$(for f in "$met"/*.csv; do tail -n +2 "$f" | wc -l; done | paste -sd+ | python3 -c 'import sys; print(eval(sys.stdin.read()))')
  echo "Files: $(ls "$met"/*.csv | wc -l) CSVs, $rows data rows (wc -l less headers; no cell holds a line break)."
  echo "Force boundary: ../shared/data/boundaries/london_boroughs.geojson (all 33 London boroughs, 100 m tolerance)."
  echo
  local boundary="$shared/boundaries/london_boroughs.geojson"
  local cli="$work/cli/targeting.dll"

  run_import() { # LABEL ARGS...
    local label="$1"; shift
    local start end
    start=$(date +%s.%N)
    dotnet "$cli" import stops "$met" --report "$work/rejected-$label.csv" "$@" >"$work/import-$label.txt" 2>&1 || true
    end=$(date +%s.%N)
    echo "### $label: $(python3 -c "print(f'{$end - $start:.1f} s wall clock ({$rows / ($end - $start):,.0f} rows/s)')")"
    echo
    echo '```'
    grep -v '^  ' "$work/import-$label.txt" | sed "s#$root/##"
    echo '```'
    echo
  }

  run_import "embedded SQLite" --data-dir "$work/import-sqlite" --boundary "$boundary"
  dotnet "$work/bench/StopsBench.dll" createdb "$pg" stops_import_embedded >/dev/null
  run_import "embedded PostGIS" --postgres "${pg/Database=postgres/Database=stops_import_embedded}" --boundary "$boundary"

  dotnet "$work/bench/StopsBench.dll" createdb "$pg" stops_import_server >/dev/null
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning Storage__Provider=postgres \
    Storage__ConnectionString="${pg/Database=postgres/Database=stops_import_server}" Stops__BoundaryPath="$boundary" \
    dotnet "$work/bench/Targeting.Stops.dll" --urls "http://127.0.0.1:$port" >"$work/import-host.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  run_import "through the service on PostGIS (--server)" --server "http://127.0.0.1:$port" --token "$(dotnet "$work/bench/StopsBench.dll" token service)"
  kill "$host_pid"; wait "$host_pid" 2>/dev/null || true; host_pid=""
}

if [[ "${SKIP_IMPORT:-}" != "1" ]]; then
  echo "import benchmark..."
  import_section >"$out.import"
else
  echo "## Import" >"$out.import"; echo >>"$out.import"; echo "Skipped (SKIP_IMPORT=1)." >>"$out.import"
fi

cat "$out.head" "$out.record" <(echo) "$out.import" >"$out"
rm -f "$out.head" "$out.record" "$out.import"
echo "wrote $out"
