#!/usr/bin/python3
"""The peer of the feedback benchmark: the same aggregation as a full evaluation, in numpy over
arrays already in memory (reading and parsing the CSV files is NOT timed), single process.

Timed, per repetition, over all 240,247 shared searches and ~631k London street crimes:
- fairness: every located search placed in one of the 33 borough polygons (matplotlib
  point-in-polygon, as the service places them), searches by officer- and self-defined group,
  exact Poisson intervals per 1,000 Census residents and log-method ratios to White, the mismatch
  table, and find/arrest counts by group inside vs outside the plan's areas with Wilson intervals;
- plan evaluation: searches and incidents (the plan's crime types) inside the plan's areas,
  Wilson intervals and two-proportion z-tests inside vs outside, the hit rate, and the best
  possible count for PEI (incidents binned in 250 m cells, top cells);
- crime change: incidents in the areas, in the 250 m buffer ring and per 250 m cell, before
  (Jan-Mar 2022) and after (Apr-Sep 2022), and the difference-in-differences rate ratio.
The plan's areas and buffer ring come from the bench (plan.json, WGS84); cells use a local
equirectangular approximation of metres (no projection library is installed), so the peer's
control cells are not the service's exactly; the work is the same.

Usage: peer.py SHARED_DATA PLAN_JSON SERVICE_RESULT_JSON [REPEAT]
Prints one JSON line: median seconds per step and the counts, for run.sh to compare.
"""
import csv
import glob
import gzip
import json
import math
import os
import statistics
import sys
import time

import numpy as np
from matplotlib.path import Path
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

GROUPS = ["White", "Black", "Asian", "Other", "Mixed"]
SELF_PREFIX = {"White": 0, "Black/African/Caribbean/Black British": 1, "Asian/Asian British": 2,
               "Other ethnic group": 3, "Mixed/Multiple ethnic groups": 4}


DISCOVERED = {"Drugs", "Possession of weapons"}


def month_key(text):
    return int(text[:4]) * 12 + int(text[5:7]) - 1


def load_stops(folder):
    lon, lat, officer, self_, outcome, month = [], [], [], [], [], []
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for r in csv.DictReader(handle):
                lon.append(float(r["Longitude"]) if r["Longitude"] else np.nan)
                lat.append(float(r["Latitude"]) if r["Latitude"] else np.nan)
                o = r["Officer-defined ethnicity"]
                officer.append(GROUPS.index(o) if o in GROUPS else 5)
                s = r["Self-defined ethnicity"]
                self_.append(5 if not s or s.endswith("Not stated") else SELF_PREFIX[s.split(" - ")[0]])
                out = r["Outcome"]
                outcome.append(0 if not out else 1 if out == "A no further action disposal" else 2 if out == "Arrest" else 3)
                month.append(month_key(r["Date"]))
    return {k: np.asarray(v) for k, v in
            dict(lon=lon, lat=lat, officer=officer, self=self_, outcome=outcome, month=month).items()}


def load_incidents(path):
    lon, lat, month, kind = [], [], [], []
    kinds = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if not r["Longitude"]:
                continue
            lon.append(float(r["Longitude"]))
            lat.append(float(r["Latitude"]))
            month.append(month_key(r["Month"]))
            kind.append(kinds.setdefault(r["Crime type"], len(kinds)))
    return {"lon": np.asarray(lon), "lat": np.asarray(lat), "month": np.asarray(month), "kind": np.asarray(kind), "kinds": kinds}


def paths_of(polygons):
    return [(Path(np.asarray(p["exterior"])), [Path(np.asarray(h)) for h in p["holes"]]) for p in polygons]


def inside(paths, points):
    hit = np.zeros(len(points), dtype=bool)
    for exterior, holes in paths:
        here = exterior.contains_points(points)
        for hole in holes:
            here &= ~hole.contains_points(points)
        hit |= here
    return hit


def borough_paths(path):
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    result = []
    for f in features:
        g = f["geometry"]
        polygons = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        result.append([(Path(np.asarray(p[0])), [Path(np.asarray(h)) for h in p[1:]]) for p in polygons])
    return result


def census(path):
    population = np.zeros(5)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for code, _, _, _, broad, residents, _, _ in reader:
            if code != "E09000001":
                population[GROUPS.index(broad)] += int(residents)
    return population


def poisson_rates(counts, population):
    lower = np.where(counts > 0, stats.chi2.ppf(0.025, 2 * counts) / 2, 0.0)
    upper = stats.chi2.ppf(0.975, 2 * counts + 2) / 2
    ratio = (counts / population) / (counts[0] / population[0])
    se = np.sqrt(1 / np.maximum(counts, 1) + 1 / counts[0])
    return 1000 * counts / population, 1000 * lower / population, 1000 * upper / population, ratio * np.exp(-1.96 * se), ratio * np.exp(1.96 * se)


def compare(x1, n1, x2, n2):
    l1, u1 = proportion_confint(x1, max(n1, 1), method="wilson")
    l2, u2 = proportion_confint(x2, max(n2, 1), method="wilson")
    pooled = (x1 + x2) / max(n1 + n2, 1)
    se = math.sqrt(pooled * (1 - pooled) * (1 / max(n1, 1) + 1 / max(n2, 1))) or float("nan")
    z = (x1 / max(n1, 1) - x2 / max(n2, 1)) / se
    return l1, u1, l2, u2, z, stats.norm.sf(abs(z)) * 2


def metres(lon, lat):
    # Local equirectangular metres around London (see the module docstring).
    return (lon + 0.1) * 111_320 * math.cos(math.radians(51.5)), (lat - 51.5) * 110_574


def main():
    shared, plan_json, service_json = sys.argv[1], sys.argv[2], sys.argv[3]
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    plan = json.load(open(plan_json, encoding="utf-8-sig"))
    service = json.load(open(service_json, encoding="utf-8"))
    stops = load_stops(os.path.join(shared, "police-uk", "metropolitan-stop-and-search"))
    incidents = load_incidents(os.path.join(shared, "police-uk", "london_street_crime_2022-01_to_2022-09.csv.gz"))
    boroughs = borough_paths(os.path.join(shared, "boundaries", "london_boroughs.geojson"))
    population = census(os.path.join(shared, "census", "census2021_ethnic_group_london_boroughs.csv"))
    areas, buffer = paths_of(plan["areas"]), paths_of(plan["buffer"])
    # The plan's crime types, less those found by police activity ("discovered"), which the default policy leaves out.
    wanted = np.asarray([incidents["kinds"][k] for k in service["crime_types"] if k in incidents["kinds"] and k not in DISCOVERED])
    valid = (month_key("2022-04"), month_key("2022-09"))
    before = (month_key("2022-01"), month_key("2022-03"))

    timings = {"fairness_s": [], "evaluate_s": [], "crime_change_s": []}
    for _ in range(repeat + 1):
        # Fairness.
        start = time.perf_counter()
        located = ~np.isnan(stops["lon"])
        points = np.column_stack([stops["lon"][located], stops["lat"][located]])
        borough = np.full(len(points), -1)
        for index, paths in enumerate(boroughs):
            borough[(borough < 0) & inside(paths, points)] = index
        in_area = np.zeros(len(stops["lon"]), dtype=bool)
        in_area[located] = inside(areas, points)
        active = in_area & (stops["month"] >= valid[0]) & (stops["month"] <= valid[1])
        officer = np.bincount(stops["officer"], minlength=6)[:5].astype(float)
        self_ = np.bincount(stops["self"], minlength=6)[:5].astype(float)
        poisson_rates(officer[:4], population[:4])
        poisson_rates(self_, population)
        mismatch = np.bincount(stops["officer"] * 6 + stops["self"], minlength=36).reshape(6, 6)
        known = stops["outcome"] > 0
        for g in range(4):
            mine = known & (stops["officer"] == g) & located
            for flag in (stops["outcome"] != 1, stops["outcome"] == 2):
                compare(int((mine & active & flag).sum()), int((mine & active).sum()), int((mine & ~active & flag).sum()), int((mine & ~active).sum()))
        timings["fairness_s"].append(time.perf_counter() - start)

        # Plan evaluation over every search and incident.
        start = time.perf_counter()
        in_area = np.zeros(len(stops["lon"]), dtype=bool)
        in_area[located] = inside(areas, points)
        base = located & known
        for flag in (stops["outcome"] != 1, stops["outcome"] == 2):
            compare(int((base & in_area & flag).sum()), int((base & in_area).sum()), int((base & ~in_area & flag).sum()), int((base & ~in_area).sum()))
        counted = np.isin(incidents["kind"], wanted)
        ipoints = np.column_stack([incidents["lon"][counted], incidents["lat"][counted]])
        incidents_inside = int(inside(areas, ipoints).sum())
        proportion_confint(incidents_inside, len(ipoints), method="wilson")
        x, y = metres(ipoints[:, 0], ipoints[:, 1])
        cells = np.floor(x / plan["cell_m"]).astype(np.int64) * 1_000_003 + np.floor(y / plan["cell_m"]).astype(np.int64)
        _, per_cell = np.unique(cells, return_counts=True)
        best = int(np.sort(per_cell)[::-1][:len(plan["areas"])].sum())
        timings["evaluate_s"].append(time.perf_counter() - start)

        # Crime change: areas, buffer ring and cells, before vs after.
        start = time.perf_counter()
        month = incidents["month"][counted]
        phase_before = (month >= before[0]) & (month <= before[1])
        phase_after = (month >= valid[0]) & (month <= valid[1])
        targeted = inside(areas, ipoints)
        ring = inside(buffer, ipoints)
        counts = {name: (int((mask & phase_before).sum()), int((mask & phase_after).sum())) for name, mask in (("targeted", targeted), ("buffer", ring))}
        control = ~targeted & ~ring
        cb = np.unique(cells[control & phase_before], return_counts=True)
        ca = np.unique(cells[control & phase_after], return_counts=True)
        c0, c1 = int(cb[1].sum()), int(ca[1].sum())
        a0, a1 = counts["targeted"]
        rr = (a1 / max(a0, 1)) / (c1 / max(c0, 1))
        se = math.sqrt(1 / max(a0, 1) + 1 / max(a1, 1) + 1 / max(c0, 1) + 1 / max(c1, 1))
        (rr * math.exp(-1.96 * se), rr * math.exp(1.96 * se))
        timings["crime_change_s"].append(time.perf_counter() - start)

    result = {k: statistics.median(v[1:]) for k, v in timings.items()}
    result["sequential_s"] = sum(result.values())
    result.update({"repeat": repeat, "searches_total": int(len(stops["lon"])), "searches_located": int(located.sum()),
                   "searches_inside": int(in_area.sum()), "incidents_total": int(len(ipoints)), "incidents_inside": incidents_inside,
                   "best_possible": best, "targeted_before": a0, "targeted_after": a1,
                   "buffer_before": counts["buffer"][0], "buffer_after": counts["buffer"][1],
                   "mismatch_cells": int((mismatch > 0).sum())})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
