#!/usr/bin/env bash
# Benchmarks the hotspot engine and writes bench/hotspot/results-YYYY-MM-DD.md (dated today):
#   1. PatrolPlanner.Propose (default method and options) on Barking and Dagenham and all London,
#      with and without a cached grid, median and p90;
#   2. DBSCAN: engine vs PostGIS ST_ClusterDBSCAN vs scikit-learn on the same real points (times as
#      ratios, labels compared);
#   3. KDE surface (quartic, 250 m): engine vs a SciPy cKDTree kernel sum on the same grid (time ratio,
#      max absolute/relative difference);
#   4. the engine's backtest of every method for Barking and Dagenham, Lambeth and London, Jan-Sep 2022;
#   5. the learned method (issue 15): its fit + score time, auto's choice time, and the backtest of naive,
#      prospective and learned with intervals and grid shifts, written to results-YYYY-MM-DD-learned.md;
#   6. force-wide plans (issue 15): every loaded borough's auto plan through the service's PlanProposer
#      (all 33 London boroughs on the shared data; one shared learned model per window, decision 054),
#      every borough alone for comparison (hit rates and choices side by side), and one borough's auto
#      plan alone, to bench/work/hotspot/force.json (results-2026-12-04-force.md was written by hand
#      from it and from `HotspotBench forceprofile` / `regionprofile`, the per-stage CPU profiles).
#
# Usage: bench/hotspot/run.sh [-h] [--bootstrap N] [--london-bootstrap N]
#   --bootstrap N          bootstrap replicates for the borough backtests (default 1000)
#   --london-bootstrap N   replicates for London's backtest (default 1000)
# Data: ../shared/data (Jan-Sep 2022 street crime for all London and the GLA boundaries); without it
# the shipped data/ sample is used for the boroughs and London is skipped (the results say so).
# Needs: dotnet, scripts/install-deps.sh (PostgreSQL 15 + PostGIS, python3-scipy, python3-sklearn; run
# here), a throwaway PostGIS cluster (scripts/pg.sh, started and stopped by this script).
# Took 11-14 minutes on the shared 2-core machine (load average ~20), most of it London's backtest
# with 1,000 bootstrap replicates (about 0.3 s each). Intermediate files go to bench/work/hotspot.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
bootstrap=1000
london_bootstrap=1000
while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bootstrap) bootstrap="${2:?--bootstrap needs a number}"; shift 2 ;;
    --london-bootstrap) london_bootstrap="${2:?--london-bootstrap needs a number}"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="$root/../shared/data"
work="$root/bench/work/hotspot"
out="$here/results-$(date +%F).md"
python=/usr/bin/python3   # Debian's python3 with python3-scipy / python3-sklearn, not a pyenv shim
started=$(date +%s)
load_before=$(uptime | sed 's/.*load average: //')

command -v dotnet >/dev/null || { echo "run.sh needs dotnet (see global.json)" >&2; exit 1; }
echo "[1/9] dependencies (scripts/install-deps.sh)..." >&2
bash "$root/scripts/install-deps.sh"
if [[ -f "$shared/police-uk/london_street_crime_2022-01_to_2022-09.csv.gz" ]]; then
  echo "      data: $shared (all London)" >&2
else
  echo "      data: $shared is missing; using the shipped sample in data/ (London skipped)" >&2
fi

rm -rf "$work"
mkdir -p "$work"
pgdir="$(mktemp -d)"
cleanup() {
  bash "$root/scripts/pg.sh" stop "$pgdir" || true
  rm -rf "$pgdir"
}
trap cleanup EXIT

echo "[2/9] building HotspotBench (Release)..." >&2
dotnet build "$here/HotspotBench/HotspotBench.csproj" -c Release --nologo -v q >&2
bench=(dotnet "$here/HotspotBench/bin/Release/net10.0/HotspotBench.dll")
common=(--shared "$shared" --data "$root/data" --work "$work")

echo "[3/9] starting a throwaway PostGIS cluster..." >&2
connection="$(bash "$root/scripts/pg.sh" start "$pgdir")"

echo "[4/9] proposing patrol areas..." >&2
"${bench[@]}" propose "${common[@]}" --out "$work/propose.json"

echo "[5/9] DBSCAN: engine, PostGIS, scikit-learn..." >&2
"${bench[@]}" dbscan "${common[@]}" --pg "$connection" --out "$work/dbscan.json"
"$python" "$here/peer_dbscan.py" "$work/dbscan.json" "$work" "$work/dbscan-peer.json"

echo "[6/9] KDE: engine, SciPy..." >&2
"${bench[@]}" kde "${common[@]}" --out "$work/kde.json"
"$python" "$here/peer_kde.py" "$work/kde.json" "$work" "$work/kde-peer.json"

echo "[7/9] backtest of every method..." >&2
"${bench[@]}" backtest "${common[@]}" --bootstrap "$bootstrap" --london-bootstrap "$london_bootstrap" --out "$work/backtest.json"

echo "[8/9] learned method: fit, auto's choice, backtest..." >&2
"${bench[@]}" learned "${common[@]}" --bootstrap "$bootstrap" --london-bootstrap "$london_bootstrap" --out "$work/learned.json"

echo "[9/9] force-wide plans: every borough's auto plan, one borough alone..." >&2
"${bench[@]}" force "${common[@]}" --compare 1 --out "$work/force.json"

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$root" status --porcelain 2>/dev/null | grep -v '^??' || true)" ]]; then commit="$commit (with uncommitted changes)"; fi
"$python" "$here/report.py" "$work" "$out" "$(date +%F)" "$commit" "$load_before" "$(uptime | sed 's/.*load average: //')" "$(( $(date +%s) - started ))" "$root" >&2
learned_out="$here/results-$(date +%F)-learned.md"
"$python" "$here/report_learned.py" "$work" "$learned_out" "$(date +%F)" "$commit" "$load_before" "$(uptime | sed 's/.*load average: //')" "$root" "$here/learned-tried.md" >&2
cat "$out" "$learned_out"
