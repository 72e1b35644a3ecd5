#!/usr/bin/env bash
# The roads benchmark: AssessVehicleStops (veil of darkness, post-stop outcomes, tables) over a million
# generated vehicle stops through the real stops and feedback services. See README.md.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: bench/feedback/run-roads.sh [-n STOPS] [-r REPEAT] [-d DATA_FOLDER] [-R] [-o RESULTS.md] [-h]

Writes STOPS generated vehicle stops (Jan-Jun 2022, London street points, ~10% followed by a search)
into the stops store of DATA_FOLDER once, then times AssessVehicleStops through the stops and feedback
services in one host (feedback reading stops over gRPC, SQLite store), with the steps apart: the facts
stream drained, the read into vehicle stops, the engine's test, plot bins, outcomes and tables, and
the stream's stages in process (store read, columns, serialise, parse, audits, decode). Each step has
its wall time and the process's CPU time (on a loaded machine the wall time is mostly waiting).

  -n STOPS        generated stops (default 1000000)
  -r REPEAT       timed repetitions after one warm-up (default 3); medians are reported
  -d DATA_FOLDER  where the store lives (default /tmp/targeting-roads-bench); later runs reuse it
  -R              write the stops in random time order, not as they happen (the store's worst case;
                  use another DATA_FOLDER than a time-ordered load)
  -o FILE         also write the markdown table to FILE
  -h              this help

Needs ../shared/data (the borough polygons and Census file) and the .NET SDK. Goal: under 5 s.
EOF2
}

count=1000000
repeat=3
folder=/tmp/targeting-roads-bench
out=""
order=time
while getopts "n:r:d:Ro:h" opt; do
  case "$opt" in
    n) count="$OPTARG" ;;
    r) repeat="$OPTARG" ;;
    d) folder="$OPTARG" ;;
    R) order=random ;;
    o) out="$OPTARG" ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="$(cd "$root/.." && pwd)/shared/data"
if [[ ! -f "$shared/boundaries/london_boroughs.geojson" ]]; then
  echo "run-roads.sh: the shared data is not at $shared" >&2
  exit 1
fi

echo "building FeedbackBench (Release)..." >&2
dotnet build "$here/FeedbackBench" -c Release -v q -nologo >&2
json="$(mktemp)"
"$here/FeedbackBench/bin/Release/net10.0/FeedbackBench" roads "$shared" "$folder" "$count" "$repeat" "$order" > "$json"

table="$(/usr/bin/python3 - "$json" <<'PY'
import json, platform, sys
r = json.load(open(sys.argv[1]))
m = r["medians"]
print(f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores ({platform.platform()}); medians of the timed runs after a warm-up.\n")
print(f"{r['stops']:,} generated stops; {r['vehicle_stops']:,} in the window; {r['inter_twilight']:,} in the inter-twilight window.\n")
print("| step | wall s | CPU s |\n|---|---:|---:|")
print(f"| **AssessVehicleStops through the services (goal < 5 s)** | **{m['service']:.2f}** | **{m['service cpu']:.2f}** |")
for key, label in [("stream", "StreamEncounterFacts drained, no analysis"), ("read", "the same stream read into vehicle stops (RoadsAnalysis.ReadAsync)"),
                   ("darkness", "engine: veil of darkness (all groups)"), ("plot bins", "engine: plot bins"), ("outcomes", "engine: post-stop outcomes"), ("tables", "engine: tables"),
                   ("stage: store read", "in process: the store's fact rows read (IEncounterStore.QueryFactsAsync, all held)"),
                   ("stage: columns built", "in process: rows into EncounterFacts batches of 4,096"),
                   ("stage: serialised", "in process: batches serialised"), ("stage: parsed", "in process: batches parsed back"),
                   ("stage: audits written", "in process: one audit entry per batch (4,096 ids each)"),
                   ("stage: decoded (ReadAsync)", "in process: parsed batches read into vehicle stops")]:
    print(f"| {label} | {m[key]:.2f} | {m[key + ' cpu']:.2f} |")
print(f"\nThe batches of the window: {m['stage: MB']:.1f} MB.")
print("\n| group vs White | coefficient (95% CI) |\n|---|---|")
for d in r["darkness"]:
    print(f"| {d['Group']} | {d['Coefficient']:.4f} ({d['CiLow']:.4f} to {d['CiHigh']:.4f}) {d['Note']} |")
PY
)"
echo "$table"
if [[ -n "$out" ]]; then
  echo "$table" > "$out"
fi
