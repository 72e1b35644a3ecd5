#!/usr/bin/env bash
# Benchmarks the engine's statistics against scipy/statsmodels and times the transparency
# report's small-count suppression on the Met's data; writes results-YYYY-MM-DD.md here.
#   bench/statistics/run.sh            (uses ../shared/data when present, else the shipped data/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="$root/../shared/data"
[[ -d "$data/police-uk" ]] || data="$root/data"
out="$here/results-$(date +%F).md"

dotnet build "$here/StatisticsBench/StatisticsBench.csproj" -c Release --nologo -v q >&2
csharp=$(dotnet "$here/StatisticsBench/bin/Release/net10.0/StatisticsBench.dll" "$data")
peer=$(/usr/bin/python3 "$here/peer.py")

python3 - "$out" "$data" <<PY
import sys
csharp = [l.split("\t") for l in """$csharp""".strip().splitlines()]
peer = {l.split("\t")[0]: l.split("\t") for l in """$peer""".strip().splitlines()}
calls = {"wilson_1e6": 1_000_000, "compare_2e5": 200_000, "poisson_exact_1e5": 100_000,
         "wilson_per_call_2e4": 20_000, "compare_2e3": 2_000}
lines = ["# Statistics benchmark, " + sys.argv[1].split("results-")[1][:-3], "",
         "Machine: 2 cores shared with up to five other helpers building and testing at the same time",
         "(load average above 20 during the run), so absolute times are noisy; the coordinator re-runs this",
         "on a quiet machine. Median of 5 runs after a warm-up. Data: " + sys.argv[2] + ".", "",
         "Command: \`bench/statistics/run.sh\`", "",
         "| measure | engine (C#) | per call | peer (scipy / statsmodels) | peer per call | ratio peer / engine per call |",
         "|---|---|---|---|---|---|"]
pairs = {"wilson_1e6": ["wilson_1e6", "wilson_per_call_2e4"], "compare_2e5": ["compare_2e3"], "poisson_exact_1e5": ["poisson_exact_1e5"]}
for name, seconds, detail in csharp:
    if name not in pairs:
        continue
    ours = float(seconds) / calls[name]
    for p in pairs[name]:
        _, ps, pdetail = peer[p]
        theirs = float(ps) / calls[p]
        lines.append(f"| {detail} | {float(seconds):.3f} s | {ours*1e9:.0f} ns | {pdetail}: {float(ps):.3f} s | {theirs*1e9:.0f} ns | {theirs/ours:.1f}× |")
lines += ["", "Small-count suppression (no peer: τ-ARGUS and R's sdcTable cannot be installed here):", "",
          "| measure | engine (C#) | detail |", "|---|---|---|"]
for name, seconds, detail in csharp:
    if name.startswith("suppress_"):
        lines.append(f"| {name} | {float(seconds):.3f} s | {detail} |")
    if name == "suppression_result":
        lines.append(f"| result | | {detail} |")
lines += ["", "Notes:", "",
          "- The vectorised peers (numpy arrays) are the fastest way to call scipy/statsmodels; the per-call peers",
          "  are what a service calling them once per statistic would see. The engine is per call.",
          "- Suppression costs one or two Dijkstra searches over the table's graph per unprotected small count,",
          "  so it grows with (small counts) x (cells): under a second for the borough x month report, about",
          "  ten seconds for a 2,000-row table (e.g. ward x month would need a faster search)."]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
cat "$out"
