#!/usr/bin/env bash
# The web benchmark: in Debian's Chromium, the time from navigating to the planner's map to a drawn
# London-wide plan with its hotspot surface (goal: under 1 s). See bench/web/README.md.
#   bench/web/run.sh [-r RUNS] [-o RESULTS.md]
set -euo pipefail

runs=5
out=""
while getopts "r:o:h" opt; do
  case "$opt" in
    r) runs="$OPTARG" ;;
    o) out="$OPTARG" ;;
    h) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="$(cd "$root/.." && pwd)/shared/data"
if [[ ! -f "$shared/police-uk/london_street_crime_2022-01_to_2022-09.csv.gz" ]]; then
  echo "run.sh: the shared data is not at $shared" >&2
  exit 1
fi

work="$(mktemp -d /tmp/targeting-web-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# One "London" boundary: the union of the 33 boroughs (the plan's area of interest).
ogr2ogr -f GeoJSON "$work/london.geojson" "$shared/boundaries/london_boroughs.geojson" -dialect sqlite \
  -sql "SELECT ST_Union(geometry) AS geometry, 'London' AS NAME FROM London_Borough_Excluding_MHW"

# The map's borough and ward layers simplified for London-wide display (~10 m, 1.2 MB -> 0.23 MB and
# 4.2 MB -> 1.0 MB); the hotspot service computes with the full boundaries.
ogr2ogr -f GeoJSON -simplify 0.0001 -lco COORDINATE_PRECISION=5 "$work/boroughs.geojson" "$shared/boundaries/london_boroughs.geojson"
ogr2ogr -f GeoJSON -simplify 0.0001 -lco COORDINATE_PRECISION=5 "$work/wards.geojson" "$shared/boundaries/london_wards_2014.geojson"

echo "building the web tests (they hold the benchmark)..." >&2
dotnet build "$root/tests/Targeting.Web.Tests" -v q -nologo >&2
echo "load before the runs: $(uptime)" >&2
echo "loading ~631k London street crimes into the hotspot service, proposing a London plan, then $runs timed runs after a warm-up..." >&2
TARGETING_WEB_BENCH=1 TARGETING_WEB_BENCH_LONDON="$work/london.geojson" \
  TARGETING_WEB_BENCH_BOROUGHS="$work/boroughs.geojson" TARGETING_WEB_BENCH_WARDS="$work/wards.geojson" TARGETING_WEB_BENCH_RUNS="$runs" \
  TARGETING_WEB_BENCH_OUT="$work/result.json" \
  dotnet test "$root/tests/Targeting.Web.Tests" --no-build --nologo --filter "FullyQualifiedName~WebBench" >&2

table="$(/usr/bin/python3 - "$work/result.json" <<'PY'
import json, os, platform, sys
r = json.load(open(sys.argv[1]))
print(f"Machine: {platform.machine()}, {os.cpu_count()} cores ({platform.platform()}); Chromium {os.popen('/usr/bin/chromium --version 2>/dev/null').read().strip()}.\n")
print(f"London-wide plan {r['plan_id']}: {r['areas']} areas from {r['incidents']:,} incidents; hotspot surface of {r['surface_cells']:,} cells (100 m).\n")
print("| measure | ms |\n|---|---:|")
print(f"| navigation to plan and surface drawn, median of {r['runs']} | {r['median_ms']:.0f} |")
print(f"| fastest | {r['min_ms']:.0f} |\n| slowest | {r['max_ms']:.0f} |")
print(f"| surface rpc alone (gRPC client against hotspot), median of {r['runs']} | {r['surface_rpc_median_ms']:.0f} |")
print(f"| surface rpc alone, fastest | {r['surface_rpc_min_ms']:.0f} |")
print("\nSteps (median over the timed runs, ms from the navigation's start; bytes as sent):\n")
print("| step | ms |\n|---|---:|")
for k, v in sorted(r['steps'].items(), key=lambda kv: (kv[0].endswith('bytes'), kv[1])):
    print(f"| {k} | {v:,.0f} |")
print(f"\nLoad average at the end (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
print(f"\nGoal under 1 s: {'met' if r['median_ms'] < 1000 else 'NOT met'} ({r['median_ms']:.0f} ms).")
PY
)"
printf '%s\n' "$table"
if [[ -n "$out" ]]; then
  printf '%s\n' "$table" > "$out"
fi
