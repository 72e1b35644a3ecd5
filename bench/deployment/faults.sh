#!/usr/bin/env bash
# Load and faults on the split run, one command (loopback only, about 10 minutes with the defaults):
#   bash bench/deployment/faults.sh [--rate N] [--phase-seconds S] [--warmup-seconds S]
#                                   [--pg-down-seconds S] [--no-build] [--out FILE]
#     --rate             RecordEncounter calls offered per second, open loop (default 40)
#     --phase-seconds    length of each phase (default 40); --warmup-seconds the first (default 30)
#     --pg-down-seconds  how long PostgreSQL stays down each time (default 10)
#     --no-build         use the Release builds already made (FaultBench and the services)
#     --out              results file (default bench/deployment/results-YYYY-MM-DD.md)
# A throwaway PostgreSQL + PostGIS (scripts/pg.sh), hotspot, stops and feedback as separate
# processes (scripts/run-local.sh --release --restart), the sample street crimes imported into
# hotspot, then FaultBench: officers of two teams recording, plans proposed and evaluated,
# supervisors reading, while each service is killed with kill -9 in turn (run-local.sh starts it
# again) and PostgreSQL is stopped and restarted, then crashed and restarted. Afterwards every
# acknowledged write is checked in the database: stored exactly once. Exit 1 if any check fails.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rate=40
phase=40
warmup=30
pg_down=10
build=1
out="$here/results-$(date -u +%Y-%m-%d).md"
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --rate) rate="${2:?}"; shift 2 ;;
    --phase-seconds) phase="${2:?}"; shift 2 ;;
    --warmup-seconds) warmup="${2:?}"; shift 2 ;;
    --pg-down-seconds) pg_down="${2:?}"; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out="${2:?}"; shift 2 ;;
    *) echo "faults: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$rate" "$phase" "$warmup" "$pg_down"; do
  [[ "$n" =~ ^[0-9]+$ ]] && ((n > 0)) || { echo "faults: numbers must be positive integers, not '$n'" >&2; exit 2; }
done

bench="$here/FaultBench/bin/Release/net10.0/FaultBench.dll"
run_dir=$(mktemp -d /tmp/targeting-faults.XXXXXX)
pg_dir=$(mktemp -d /tmp/targeting-faults-pg.XXXXXX)  # its own: pg.sh hands it to the postgres user
split_pid=""
cleanup() {
  if [[ -n "$split_pid" ]] && kill -0 "$split_pid" 2>/dev/null; then
    kill -TERM "$split_pid" 2>/dev/null || true
    wait "$split_pid" 2>/dev/null || true
  fi
  bash "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  echo "faults: stopped (logs in $run_dir)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
server=$(bash "$root/scripts/pg.sh" start "$pg_dir")
# The services' own database, made from template1 (which has PostGIS), as the manifests' postgis
# image makes it: the cluster's 'postgres' database predates the extension.
/usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$(cat "$pg_dir/port")" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE targeting TEMPLATE template1" >/dev/null
pg="${server/Database=postgres/Database=targeting}"
echo "faults: PostgreSQL + PostGIS at $pg" >&2

if ((build)); then
  # Into the projects' own bin/Release, so run-local.sh --release finds the services built.
  echo "faults: building FaultBench and the services (Release)..." >&2
  dotnet build -c Release "$here/FaultBench/FaultBench.csproj" -v quiet -nologo >"$run_dir/build-bench.log" 2>&1 \
    || { cat "$run_dir/build-bench.log" >&2; exit 1; }
fi

# Four consecutive free loopback ports (web would take the first).
port_base=$(/usr/bin/python3 - <<'PY'
import random, socket
for _ in range(100):
    base = random.randint(20000, 60000)
    socks = []
    try:
        for p in range(base, base + 4):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
)

split_args=(--pg "$pg" --port-base "$port_base" --release --no-build --restart --run-dir "$run_dir/split")
echo "faults: starting the split run (scripts/run-local.sh ${split_args[*]:2})..." >&2
# Lower log levels: a line per request would cost the 2 cores more than the calls.
Logging__LogLevel__Default=Warning bash "$root/scripts/run-local.sh" "${split_args[@]}" >"$run_dir/addresses" 2>"$run_dir/run-local.err" &
split_pid=$!
for ((i = 0; i < 6000; i++)); do
  [[ $(wc -l <"$run_dir/addresses") -ge 3 ]] && break
  kill -0 "$split_pid" 2>/dev/null || { cat "$run_dir/run-local.err" >&2; exit 1; }
  sleep 0.1
done
declare -A address
while read -r service url; do address[$service]=$url; done <"$run_dir/addresses"
echo "faults: hotspot ${address[hotspot]}, stops ${address[stops]}, feedback ${address[feedback]}" >&2

echo "faults: importing the sample street crimes into hotspot..." >&2
dotnet "$bench" import --hotspot "${address[hotspot]}" \
  "$root/data/police-uk/street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz" >"$run_dir/import.txt"
cat "$run_dir/import.txt" >&2

set +e
dotnet "$bench" run --stops "${address[stops]}" --hotspot "${address[hotspot]}" --feedback "${address[feedback]}" \
  --run-dir "$run_dir/split" --pg-dir "$pg_dir" --pg "$pg" --out "$run_dir/section.md" --repo "$root" \
  --rate "$rate" --phase-seconds "$phase" --warmup-seconds "$warmup" --pg-down-seconds "$pg_down"
status=$?
set -e
[[ -f "$run_dir/section.md" ]] || { echo "faults: FaultBench wrote no results (exit $status)" >&2; exit 1; }

{
  echo "# Load and faults on the split run, $(date -u +%Y-%m-%d)"
  echo
  echo "Command: \`bash bench/deployment/faults.sh --rate $rate --phase-seconds $phase --warmup-seconds $warmup --pg-down-seconds $pg_down\`."
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GB, **shared with other helpers' builds and tests during the run**:"
  echo "load average before the run $load_before, after it $(cut -d' ' -f1-3 /proc/loadavg) (2 cores: above 2, work queued for the CPU; absolute figures are noisy)."
  echo "PostgreSQL $("/usr/lib/postgresql/15/bin/postgres" --version | awk '{print $3}') + PostGIS, throwaway cluster from scripts/pg.sh (fsync and synchronous_commit on)."
  echo "Services: Release builds, each its own process on 127.0.0.1 (scripts/run-local.sh --release --restart: a killed service is started again a second after it exits, as a kubelet would), Development keys, log level Warning; no web (services/Targeting.Web is not in this branch)."
  echo "Hotspot data: $(tr '\n' ' ' <"$run_dir/import.txt")"
  echo
  cat "$run_dir/section.md"
  echo
  echo "### What run-local.sh saw"
  echo
  echo '```'
  grep -v -e "^$" -e " Killed " "$run_dir/run-local.err" | sed "s#$run_dir#<run>#g"
  echo '```'
} >"$out"
cp "$run_dir/section.json" "${out%.md}.json"
echo "faults: wrote $out (exit $status)" >&2
exit "$status"
