"""The PostGIS run's table beside the SQLite run's: bench/feedback/run.sh -p (arguments: the two JSON outputs of FeedbackBench full)."""
import json
import sys

postgis = json.load(open(sys.argv[1]))
sqlite = json.load(open(sys.argv[2]))
print("The same full evaluation with both services storing in PostgreSQL 15 + PostGIS (throwaway cluster, scripts/pg.sh), medians:\n")
print("| step | PostGIS stores (s) | SQLite stores (s) |\n|---|---:|---:|")
for name, key in [("plan evaluation", "evaluate_s"), ("fairness (force-wide)", "fairness_s"), ("crime change", "crime_change_s"),
                  ("full evaluation, one after the other", "sequential_s"), ("the three at once", "concurrent_s"),
                  ("encounters read over gRPC", "read_encounters_s"), ("incidents read over gRPC", "read_incidents_s"),
                  ("encounters, store alone", "store_encounters_s"), ("incidents, store alone", "store_incidents_s")]:
    print(f"| {name} | {postgis[key]:.2f} | {sqlite[key]:.2f} |")
counts = ["searches_total", "searches_located", "searches_inside", "incidents_total", "incidents_inside",
          "targeted_before", "targeted_after", "buffer_before", "buffer_after", "black_white_ratio"]
differ = [k for k in counts if postgis[k] != sqlite[k]]
print("\nCounts " + ("equal between the PostGIS and SQLite runs." if not differ else "DIFFER between the PostGIS and SQLite runs: " + ", ".join(
    f"{k} {postgis[k]} vs {sqlite[k]}" for k in differ)))
