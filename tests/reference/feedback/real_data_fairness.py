#!/usr/bin/python3
"""The fairness report's figures for Lambeth and for Barking and Dagenham on the full shared data,
computed independently of the C# services, for EndToEndRealDataTests.

Reads ../shared/data directly: the Met's 15 monthly stop-and-search files (Jun 2021 - Sep 2022,
without Jan 2022), places each located search in a borough polygon of
boundaries/london_boroughs.geojson (matplotlib point-in-polygon), and gives per borough:
- searches per 1,000 residents (Census 2021) by officer-defined and by self-defined ethnicity,
  exact Poisson interval, ratio to White with the log-method interval (the helpers of
  tests/reference/stats/real_data_disproportionality.py, scipy);
- the officer- by self-defined mismatch table;
- find and arrest rates by officer-defined group with Wilson 95% intervals (statsmodels), over the
  searches with a recorded outcome; a find is any outcome other than "A no further action
  disposal" (the Met never records the link between outcome and object). With no patrol plan
  stored every located search is "outside".
Also the Met as a whole (every record, located or not, against the 32 boroughs the Met polices).

Run:  /usr/bin/python3 tests/reference/feedback/real_data_fairness.py > tests/reference/feedback/real_data_fairness.json
(from the repository root; prints {"shared": false} when ../shared/data is absent).
"""
import csv
import glob
import json
import os
import sys

import numpy as np
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "stats"))
import real_data_disproportionality as base  # noqa: E402  (independent of the C# code too)

BOROUGHS = ("Lambeth", "Barking and Dagenham")
NO_FURTHER_ACTION = "A no further action disposal"


def read(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*-metropolitan-stop-and-search.csv"))):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for r in csv.DictReader(handle):
                lat, lon = r["Latitude"], r["Longitude"]
                outcome = r["Outcome"].strip()
                rows.append({"lon": float(lon) if lon else None, "lat": float(lat) if lat else None,
                             "officer": r["Officer-defined ethnicity"] or None,
                             "self": base.self_defined_broad(r["Self-defined ethnicity"]),
                             "outcome": outcome or None})
    return rows


def wilson(x, n):
    if n == 0:
        return None
    lower, upper = proportion_confint(x, n, alpha=0.05, method="wilson")
    return {"x": x, "n": n, "value": x / n, "lower": float(lower), "upper": float(upper)}


def outcomes(rows):
    result = {}
    for group in ("White", "Black", "Asian", "Other"):
        known = [r for r in rows if r["officer"] == group and r["outcome"] is not None]
        finds = sum(1 for r in known if r["outcome"] != NO_FURTHER_ACTION)
        arrests = sum(1 for r in known if r["outcome"] == "Arrest")
        result[group] = {"find_rate_outside": wilson(finds, len(known)), "arrest_rate_outside": wilson(arrests, len(known))}
    return result


def main():
    shared = base.SHARED
    folder = os.path.join(shared, "police-uk", "metropolitan-stop-and-search")
    if not os.path.isdir(folder):
        json.dump({"shared": False}, sys.stdout)
        sys.stdout.write("\n")
        return
    rows = read(folder)
    population = base.read_census(os.path.join(shared, "census", "census2021_ethnic_group_london_boroughs.csv"))
    paths = base.borough_paths(os.path.join(shared, "boundaries", "london_boroughs.geojson"))
    located = [r for r in rows if r["lon"] is not None]
    points = np.array([[r["lon"], r["lat"]] for r in located])
    result = {"shared": True, "generator": "tests/reference/feedback/real_data_fairness.py",
              "records": len(rows), "located": len(located), "unlocated": len(rows) - len(located), "boroughs": {}}
    for name in BOROUGHS:
        mask = base.inside(paths[name], points)
        mine = [r for r, m in zip(located, mask) if m]
        result["boroughs"][name] = {
            "searches": len(mine),
            "officer_defined": base.table(mine, population[name], "officer", ["White", "Black", "Asian", "Other"]),
            "self_defined": base.table(mine, population[name], "self", base.GROUPS),
            "mismatch": base.mismatch(mine),
            "outcomes": outcomes(mine),
        }
    met = base.met()
    result["met"] = {"records": met["records"], "officer_defined": met["officer_defined"], "self_defined": met["self_defined"]}
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
