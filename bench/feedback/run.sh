#!/usr/bin/env bash
# The feedback benchmark: a full evaluation (EvaluatePlan + AssessFairness + AssessCrimeChange)
# over all the shared Met searches and London street crimes through the services, beside a numpy
# peer doing the same aggregation over arrays in memory, reported as a ratio. See README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/feedback/run.sh [-r REPEAT] [-d DATA_FOLDER] [-o RESULTS.md] [-p] [-h]

Measures a full evaluation through the hotspot, stops and feedback services (one host, as
`targeting serve` composes them; feedback reads the other two over gRPC; SQLite stores) over all
240,247 searches of ../shared/data and ~631k London street crimes, and the numpy peer
(bench/feedback/peer.py) on the same rows; prints a markdown table with the ratio.

  -r REPEAT       timed repetitions after one warm-up (default 3); medians are reported
  -d DATA_FOLDER  where the services' stores live (default /tmp/targeting-feedback-bench); the
                  first run loads the data into it (a few minutes), later runs reuse it
  -o FILE         also write the markdown table to FILE
  -p              also run the services on PostGIS stores (a throwaway cluster from scripts/pg.sh,
                  loaded with all the data first: several more minutes) and print their table
  -h              this help

Needs ../shared/data, the .NET SDK, and Debian's python3 with numpy, matplotlib, scipy, statsmodels.
Also runs the streaming probe (Incident messages vs IncidentPoints batches, 630,949 incidents).
EOF
}

repeat=3
folder=/tmp/targeting-feedback-bench
out=""
postgis=0
while getopts "r:d:o:ph" opt; do
  case "$opt" in
    r) repeat="$OPTARG" ;;
    d) folder="$OPTARG" ;;
    o) out="$OPTARG" ;;
    p) postgis=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="$(cd "$root/.." && pwd)/shared/data"
if [[ ! -d "$shared/police-uk/metropolitan-stop-and-search" ]]; then
  echo "run.sh: the shared data is not at $shared" >&2
  exit 1
fi

echo "building FeedbackBench (Release)..." >&2
dotnet build "$here/FeedbackBench" -c Release -v q -nologo >&2
bench="$here/FeedbackBench/bin/Release/net10.0/FeedbackBench"

echo "services: full evaluation, $repeat repetitions (data folder $folder)..." >&2
service_json="$(mktemp)"
"$bench" full "$shared" "$folder" "$repeat" > "$service_json"
echo "peer: numpy over the same rows..." >&2
peer_json="$(mktemp)"
/usr/bin/python3 "$here/peer.py" "$shared" "$folder/plan.json" "$service_json" "$repeat" > "$peer_json"
echo "streaming probe..." >&2
probe="$("$bench" stream)"

postgis_table=""
if [[ "$postgis" == 1 ]]; then
  pg_dir="$(mktemp -d /tmp/feedback-bench-pg.XXXXXX)"
  trap 'bash "$root/scripts/pg.sh" stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
  pg="$(bash "$root/scripts/pg.sh" start "$pg_dir")"
  echo "services on PostGIS ($pg): loading, then $repeat repetitions..." >&2
  postgis_json="$(mktemp)"
  "$bench" full "$shared" "$(mktemp -d)" "$repeat" "$pg" > "$postgis_json"
  postgis_table="$(/usr/bin/python3 "$here/postgis_table.py" "$postgis_json" "$service_json")"
  rm -f "$postgis_json"
fi

table="$(/usr/bin/python3 - "$service_json" "$peer_json" "$repeat" <<'EOF'
import json, platform, os, sys
s = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
rows = [("plan evaluation", "evaluate_s"), ("fairness (force-wide)", "fairness_s"), ("crime change", "crime_change_s"),
        ("full evaluation, one after the other", "sequential_s")]
print(f"Machine: {platform.machine()}, {os.cpu_count()} cores ({platform.platform()}); medians of {sys.argv[3]} runs after a warm-up.\n")
print("| step | services (s) | numpy peer (s) | services / peer |\n|---|---:|---:|---:|")
for name, key in rows:
    print(f"| {name} | {s[key]:.2f} | {p[key]:.2f} | {s[key] / p[key]:.2f}x |")
print(f"| the three at once (concurrent calls) | {s['concurrent_s']:.2f} | | |")
print()
print("Where the time goes (same runs, medians): the two source streams drained by a client without analysis, and the store reads behind them in process.\n")
print("| read | over gRPC (s) | store alone (s) |\n|---|---:|---:|")
print(f"| encounters, StreamEncounterFacts (Jun 2021 - Sep 2022) | {s['read_encounters_s']:.2f} | {s['store_encounters_s']:.2f} |")
print(f"| incidents, StreamIncidentPoints (Jan - Sep 2022) | {s['read_incidents_s']:.2f} | {s['store_incidents_s']:.2f} |")
print()
print("| count | services | peer |\n|---|---:|---:|")
for key in ["searches_total", "searches_located", "searches_inside", "incidents_total", "incidents_inside",
            "targeted_before", "targeted_after", "buffer_before", "buffer_after"]:
    print(f"| {key} | {s[key]:,} | {p[key]:,} |")
print(f"\nGoal: full evaluation under 5 s: {'met' if s['sequential_s'] < 5 else 'NOT met'} ({s['sequential_s']:.2f} s). "
      f"Force-wide officer-defined Black/White ratio from the services: {s['black_white_ratio']:.2f}. "
      f"Crime types counted: {', '.join(s['crime_types'])}.")
EOF
)"
printf '%s\n\nStreaming probe: %s\n\n%s\n' "$table" "$probe" "$postgis_table"
if [[ -n "$out" ]]; then
  printf '%s\n\nStreaming probe: %s\n\n%s\n' "$table" "$probe" "$postgis_table" > "$out"
fi
rm -f "$service_json" "$peer_json"
