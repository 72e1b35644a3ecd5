#!/usr/bin/python3
"""Searches per 1,000 residents by ethnic group on the real data, computed independently of the C# code.

1. Shipped sample (data/): Met stop-and-search records placed in the Lambeth and Barking and
   Dagenham polygons (matplotlib.path point-in-polygon on the GeoJSON), counted by officer-defined
   ethnicity and by self-defined ethnicity collapsed to the Census 2021 broad groups, against the
   boroughs' Census 2021 populations.
2. The whole Met (../shared/data, when present): every record of the 15 monthly files, located or
   not, against the Census 2021 populations of the 32 boroughs the Met polices (all London
   boroughs but the City of London). Black/White ratios with the log-method 95% interval.
Both also give the officer- by self-defined mismatch table.

Run:  /usr/bin/python3 tests/reference/stats/real_data_disproportionality.py > tests/reference/stats/real_data_disproportionality.json
(from the repository root; the "met" section is null when ../shared/data is absent).
"""
import csv
import glob
import json
import math
import os
import sys

import numpy as np
from matplotlib.path import Path
from scipy import stats

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
GROUPS = ["White", "Black", "Asian", "Other", "Mixed"]
SELF_PREFIX = {"White": "White", "Black/African/Caribbean/Black British": "Black", "Asian/Asian British": "Asian",
               "Mixed/Multiple ethnic groups": "Mixed", "Other ethnic group": "Other"}


def self_defined_broad(label):
    if not label or label.endswith("Not stated"):
        return None
    return SELF_PREFIX[label.split(" - ")[0]]


def read_searches(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*-metropolitan-stop-and-search.csv"))):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for r in csv.DictReader(handle):
                lat, lon = r["Latitude"], r["Longitude"]
                rows.append({"lon": float(lon) if lon else None, "lat": float(lat) if lat else None,
                             "officer": r["Officer-defined ethnicity"] or None,
                             "self": self_defined_broad(r["Self-defined ethnicity"])})
    return rows


def read_census(path, exclude=()):
    population = {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for code, name, _, _, broad, residents, _, _ in reader:
            if code in exclude:
                continue
            population.setdefault(name, {g: 0 for g in GROUPS})[broad] += int(residents)
    return population


def borough_paths(path):
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    result = {}
    for f in features:
        geometry = f["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        result[f["properties"]["NAME"]] = [(Path(np.asarray(p[0])), [Path(np.asarray(h)) for h in p[1:]]) for p in polygons]
    return result


def inside(paths, points):
    hit = np.zeros(len(points), dtype=bool)
    for exterior, holes in paths:
        here = exterior.contains_points(points)
        for hole in holes:
            here &= ~hole.contains_points(points)
        hit |= here
    return hit


def counts(rows, key):
    result = {g: 0 for g in GROUPS}
    unknown = 0
    for r in rows:
        if r[key] is None:
            unknown += 1
        else:
            result[r[key]] += 1
    return result, unknown


def exact_rate(k, population):
    lower = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    upper = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    return {"rate": 1000 * k / population, "lower": 1000 * lower / population, "upper": 1000 * upper / population}


def table(rows, population, key, groups):
    found, unknown = counts(rows, key)
    out = {"unknown": unknown, "groups": {}}
    for g in groups:
        entry = {"searches": found[g], "population": population[g], **exact_rate(found[g], population[g])}
        if g != "White" and found[g] > 0:
            a, b = found[g], found["White"]
            ratio = (a / population[g]) / (b / population["White"])
            se = math.sqrt(1 / a + 1 / b)
            z = stats.norm.ppf(0.975)
            entry["ratio_to_white"] = {"ratio": ratio, "lower": ratio * math.exp(-z * se), "upper": ratio * math.exp(z * se)}
        out["groups"][g] = entry
    return out


def mismatch(rows):
    """Officer- by self-defined broad group; "unknown" for blank or not stated."""
    cells = {}
    for r in rows:
        key = f"{r['officer'] or 'unknown'}|{r['self'] or 'unknown'}"
        cells[key] = cells.get(key, 0) + 1
    return cells


def sample():
    rows = read_searches(os.path.join(ROOT, "data", "police-uk", "stop-and-search"))
    population = read_census(os.path.join(ROOT, "data", "census", "census2021_ethnic_group_london_boroughs.csv"))
    paths = borough_paths(os.path.join(ROOT, "data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"))
    located = [r for r in rows if r["lon"] is not None]
    points = np.array([[r["lon"], r["lat"]] for r in located])
    result = {"records": len(rows), "located": len(located), "boroughs": {}}
    for name in ("Lambeth", "Barking and Dagenham"):
        mask = inside(paths[name], points)
        mine = [r for r, m in zip(located, mask) if m]
        result["boroughs"][name] = {
            "searches": len(mine),
            "officer_defined": table(mine, population[name], "officer", ["White", "Black", "Asian", "Other"]),
            "self_defined": table(mine, population[name], "self", GROUPS),
            "mismatch": mismatch(mine),
        }
    return result


def met():
    folder = os.path.join(SHARED, "police-uk", "metropolitan-stop-and-search")
    if not os.path.isdir(folder):
        return None
    rows = read_searches(folder)
    # The Met polices the 32 boroughs; the City of London (E09000001) has its own police force.
    boroughs = read_census(os.path.join(SHARED, "census", "census2021_ethnic_group_london_boroughs.csv"), exclude={"E09000001"})
    population = {g: sum(b[g] for b in boroughs.values()) for g in GROUPS}
    return {
        "records": len(rows),
        "located": sum(1 for r in rows if r["lon"] is not None),
        "boroughs_in_population": len(boroughs),
        "officer_defined": table(rows, population, "officer", ["White", "Black", "Asian", "Other"]),
        "self_defined": table(rows, population, "self", GROUPS),
        "mismatch": mismatch(rows),
    }


def main():
    json.dump({"generator": "tests/reference/stats/real_data_disproportionality.py", "sample": sample(), "met": met()},
              sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
