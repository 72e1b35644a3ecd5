#!/usr/bin/python3
"""A small hand-made world (a plan, searches, incidents, a borough's population) and the feedback
service's figures for it, computed here independently of the C# code.

The fixture is drawn from a seeded random generator in British National Grid metres (EPSG:27700),
with every point at least 5 m from any edge that decides it, so that the C# side (which gets the
points as WGS84 and projects them back) and this script place every point the same way.

Independent computations:
  geometry       axis-aligned rectangles: point in rectangle, distance from a rectangle (buffer),
                 rectangle-to-square distance (cells touching the buffer); no shared code
  wilson         statsmodels.stats.proportion.proportion_confint(method="wilson")
  z-test         statsmodels.stats.proportion.proportions_ztest (pooled), two-sided and "smaller"
  newcombe       statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")
  did            statsmodels Poisson regression, count ~ targeted * after: exp(interaction), Wald CI and p
  wdq            the Bowers and Johnson (2003) formulas
  rates          scipy.stats.chi2 (Garwood exact limits) per 1,000 residents
  rate ratios    statsmodels Poisson regression with log(population) offset, two groups: exp(coef), Wald CI
  outcome test   proportions_ztest(alternative="smaller") per group, multipletests(method="holm")

Run:  /usr/bin/python3 tests/reference/feedback/feedback_reference.py > tests/reference/feedback/feedback_reference.json
The test FeedbackReference_Rerun_MatchesCommittedJson re-runs it and compares with the committed file.
"""
import json
import math
import random
import sys
import warnings

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

warnings.simplefilter("ignore")
rng = random.Random(20220601)

AOI = (530000.0, 174000.0, 532000.0, 176000.0)           # xmin, ymin, xmax, ymax: also the test borough
AREAS = [(530400.0, 174400.0, 530600.0, 174600.0),        # A1, 200 m x 200 m
         (531300.0, 175200.0, 531500.0, 175300.0)]        # A2, 200 m x 100 m
CELL = 100.0
COVERAGE = 0.015                                          # 60,000 m2 of 4 km2
PATROL_M2 = 60000.0
PLAN = "P1"
PLAN_VALID = ("2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z")
PLAN_DATA = ("2022-03-01T00:00:00Z", "2022-06-01T00:00:00Z")
JUNE = "2022-06"
MAY = "2022-05"
BUFFER = 250.0
MARGIN = 5.0


def inside_rect(x, y, r):
    return r[0] <= x <= r[2] and r[1] <= y <= r[3]


def dist_rect(x, y, r):
    dx = max(r[0] - x, 0.0, x - r[2])
    dy = max(r[1] - y, 0.0, y - r[3])
    return math.hypot(dx, dy)


def in_plan(x, y):
    return any(inside_rect(x, y, r) for r in AREAS)


def near_edge(x, y):
    """Within MARGIN of a plan edge or of the area of interest's edge, or of the buffer's edge."""
    for r in AREAS:
        d = dist_rect(x, y, r)
        inner = min(x - r[0], r[2] - x, y - r[1], r[3] - y)
        if (inside_rect(x, y, r) and inner < MARGIN) or (0 < d < MARGIN) or abs(d - BUFFER) < MARGIN:
            return True
    return min(x - AOI[0], AOI[2] - x, y - AOI[1], AOI[3] - y) < MARGIN and inside_rect(x, y, AOI)


def point_in(r, margin=MARGIN):
    while True:
        x = rng.uniform(r[0] + margin, r[2] - margin)
        y = rng.uniform(r[1] + margin, r[3] - margin)
        if not near_edge(x, y):
            return round(x, 1), round(y, 1)


def point_outside_plan_in_aoi():
    while True:
        x, y = point_in(AOI)
        if not in_plan(x, y):
            return x, y


def time_in(month):
    day = rng.randint(1, 28)
    hour = rng.randint(0, 23)
    return f"{month}-{day:02d}T{hour:02d}:{rng.randint(0, 59):02d}:00Z"


OFFICER = ["White", "Black", "Asian", "Other"]
SELF_BY_BROAD = {"White": ["WHITE_BRITISH", "WHITE_OTHER"], "Black": ["BLACK_AFRICAN", "BLACK_CARIBBEAN"],
                 "Asian": ["ASIAN_INDIAN", "ASIAN_BANGLADESHI"], "Other": ["OTHER_ANY"], "Mixed": ["MIXED_OTHER"]}
BROAD_OF_SELF = {s: b for b, ss in SELF_BY_BROAD.items() for s in ss}


def make_stop(month, where, group):
    """One encounter; 'where' is inside / outside / beyond (outside the area of interest) / unlocated."""
    if where == "inside":
        x, y = point_in(rng.choice(AREAS))
    elif where == "outside":
        x, y = point_outside_plan_in_aoi()
    elif where == "beyond":
        x, y = point_in((532100.0, 174000.0, 533000.0, 176000.0))
    else:
        x = y = None
    # Black searches inside find less: the outcome test must raise its alert for them alone.
    low_bar = where == "inside" and group == "Black"
    u = rng.random()
    if u < 0.05:
        outcome = None
    elif u < (0.90 if low_bar else 0.70):
        outcome = "NO_FURTHER_ACTION"
    elif u < (0.95 if low_bar else 0.85):
        outcome = "ARREST"
    else:
        outcome = rng.choice(["COMMUNITY_RESOLUTION", "PENALTY_NOTICE", "CAUTION"])
    linked = None
    if rng.random() < 0.10:
        linked = rng.random() < 0.4
    if rng.random() < 0.15:
        self_defined = "NOT_STATED"
    elif rng.random() < 0.85:
        self_defined = rng.choice(SELF_BY_BROAD[group])
    else:
        self_defined = rng.choice(SELF_BY_BROAD[rng.choice(["White", "Black", "Asian", "Other", "Mixed"])])
    officer = group if rng.random() > 0.03 else None
    if where == "inside":
        link = "INSIDE" if rng.random() < 0.9 else "PENDING"
    elif where in ("outside", "beyond"):
        link = "INSIDE" if rng.random() < 0.05 else "OUTSIDE"
    else:
        link = "UNLOCATED"
    return {"t": time_in(month), "x": x, "y": y, "type": "PERSON_SEARCH", "outcome": outcome, "linked": linked,
            "officer": officer, "self": self_defined, "link": link, "link_plan": PLAN if link == "INSIDE" else "",
            "object": rng.choice(["OFFENSIVE_WEAPONS", "CONTROLLED_DRUGS", "STOLEN_GOODS"])}


def make_stops():
    stops = []
    weights = {"White": 0.4, "Black": 0.35, "Asian": 0.15, "Other": 0.1}
    for month, n in ((JUNE, 700), (MAY, 150)):
        for _ in range(n):
            group = rng.choices(list(weights), list(weights.values()))[0]
            where = rng.choices(["inside", "outside", "beyond", "unlocated"], [0.35, 0.5, 0.07, 0.08])[0]
            stops.append(make_stop(month, where, group))
    # Vehicle stops without a search: never in any search figure.
    for _ in range(12):
        s = make_stop(JUNE, "inside", "White")
        s["type"] = "VEHICLE_STOP_WITHOUT_SEARCH"
        stops.append(s)
    return stops


def make_incidents():
    incidents = []
    def add(n, month, where, crime="Robbery", prov="REPORTED"):
        for _ in range(n):
            if isinstance(where, tuple) and len(where) == 2:   # a cell (column, row) of the lattice
                c, r = where
                x, y = point_in((c * CELL, r * CELL, (c + 1) * CELL, (r + 1) * CELL), margin=10)
            elif where == "outside":
                x, y = point_outside_plan_in_aoi()
            else:
                x, y = point_in(where)
            incidents.append({"t": f"{month}-01T00:00:00Z", "x": x, "y": y, "type": crime, "prov": prov})
    # June: hot cells inside the plan, hot cells outside it, background.
    add(9, JUNE, (5304, 1744)); add(4, JUNE, (5305, 1745)); add(6, JUNE, (5313, 1752))
    add(12, JUNE, (5310, 1750)); add(7, JUNE, (5315, 1758)); add(5, JUNE, (5301, 1741))
    add(40, JUNE, "outside")
    add(8, JUNE, "outside", crime="Violence and sexual offences")
    add(10, JUNE, AREAS[0], crime="Drugs", prov="DISCOVERED")          # discovered: left out
    add(6, JUNE, AREAS[0], crime="Anti-social behaviour")              # weight 0: left out
    add(5, JUNE, (532500.0, 175000.0, 532900.0, 175400.0))             # outside the area of interest
    add(20, MAY, AREAS[0])                                              # before the window
    return incidents


def make_crime_change():
    """Incidents for the crime-change test: targeted, buffer and candidate control cells, before and after."""
    incidents = []
    def add(n, period, where):
        month = {"before": "2022-04", "after": "2022-06"}[period]
        for _ in range(n):
            if where == "targeted":
                x, y = point_in(rng.choice(AREAS))
            elif where == "buffer":
                while True:
                    x, y = point_in(AOI)
                    d = min(dist_rect(x, y, r) for r in AREAS)
                    if MARGIN < d < BUFFER - MARGIN:
                        break
            else:
                c, r = where
                x, y = point_in((c * CELL, r * CELL, (c + 1) * CELL, (r + 1) * CELL), margin=10)
            incidents.append({"t": f"{month}-01T00:00:00Z", "x": x, "y": y, "type": "Robbery", "prov": "REPORTED"})
    add(60, "before", "targeted"); add(35, "after", "targeted")
    add(30, "before", "buffer"); add(33, "after", "buffer")
    # Candidate controls: ranked by before count; (5302, 1747) touches A1's buffer and must be skipped.
    for cell, before, after in [((5302, 1747), 30, 2), ((5318, 1745), 20, 19), ((5308, 1758), 18, 15),
                                ((5301, 1756), 14, 16), ((5319, 1741), 14, 9), ((5306, 1741), 9, 11),
                                ((5312, 1741), 3, 30)]:
        add(before, "before", cell)
        add(after, "after", cell)
    return incidents


def poisson_fit(y, x, offset=None):
    # statsmodels' discrete Poisson regression by Newton-Raphson: GLM's IRLS refuses these
    # saturated models as "perfect separation", and the log-method SE is the saturated model's.
    fit = sm.Poisson(np.asarray(y, dtype=float), np.asarray(x, dtype=float), offset=offset).fit(
        method="newton", maxiter=100, tol=1e-14, disp=0)
    assert fit.mle_retvals["converged"]
    return fit


def wilson(x, n):
    if n == 0:
        return None
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    return {"value": x / n, "lower": lo, "upper": hi, "numerator": x, "denominator": n}


def compare(x1, n1, x2, n2):
    if n1 == 0 or n2 == 0:
        return None
    z, p = proportions_ztest([x1, x2], [n1, n2])
    _, p_smaller = proportions_ztest([x1, x2], [n1, n2], alternative="smaller")
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    return {"difference": x1 / n1 - x2 / n2, "z": float(z), "p": float(p), "p_smaller": float(p_smaller),
            "lower": float(lo), "upper": float(hi)}


def find_of(s):
    """(decided, is_find, by_link)."""
    if s["linked"] is not None:
        return True, s["linked"], True
    if s["outcome"] is not None:
        return True, s["outcome"] != "NO_FURTHER_ACTION", False
    return False, False, False


def in_window(t, start, end):
    return start <= t < end


def evaluation(stops, incidents):
    start, end = PLAN_VALID
    searches = [s for s in stops if s["type"] != "VEHICLE_STOP_WITHOUT_SEARCH" and in_window(s["t"], start, end)]
    located = [s for s in searches if s["x"] is not None and inside_rect(s["x"], s["y"], AOI)]
    inside = [s for s in located if in_plan(s["x"], s["y"])]
    outside = [s for s in located if not in_plan(s["x"], s["y"])]
    linked = [s for s in located if s["link"] == "INSIDE" and s["link_plan"] == PLAN]

    def finds(group):
        decided = [find_of(s) for s in group]
        return sum(1 for d in decided if d[0] and d[1]), sum(1 for d in decided if d[0])

    def arrests(group):
        known = [s for s in group if s["outcome"] is not None]
        return sum(1 for s in known if s["outcome"] == "ARREST"), len(known)

    fi, ni = finds(inside); fo, no = finds(outside)
    ai, mi = arrests(inside); ao, mo = arrests(outside)
    decided = [find_of(s) for s in located]
    counted = [i for i in incidents if in_window(i["t"], start, end) and i["type"] in ("Robbery", "Violence and sexual offences")
               and i["prov"] == "REPORTED" and inside_rect(i["x"], i["y"], AOI)]
    hits = sum(1 for i in counted if in_plan(i["x"], i["y"]))
    cells = {}
    for i in counted:
        key = (math.floor(i["x"] / CELL), math.floor(i["y"] / CELL))
        cells[key] = cells.get(key, 0) + 1
    best = sum(sorted(cells.values(), reverse=True)[:round(PATROL_M2 / CELL ** 2)])
    hit = wilson(hits, len(counted))
    return {
        "stops_total": len(searches),
        "stops_unlocated": sum(1 for s in searches if s["x"] is None),
        "stops_located": len(located),
        "stops_inside": len(inside),
        "share_inside": wilson(len(inside), len(located)),
        "stops_linked_inside": len(linked),
        "stops_inside_not_linked": sum(1 for s in inside if not (s["link"] == "INSIDE" and s["link_plan"] == PLAN)),
        "stops_linked_not_inside": sum(1 for s in linked if not in_plan(s["x"], s["y"])),
        "outcomes_unknown": sum(1 for s in located if s["outcome"] is None),
        "finds_by_linked_outcome": sum(1 for d in decided if d[0] and d[1] and d[2]),
        "finds_by_any_outcome": sum(1 for d in decided if d[0] and d[1] and not d[2]),
        "find_rate_inside": wilson(fi, ni), "find_rate_outside": wilson(fo, no), "find_difference": compare(fi, ni, fo, no),
        "arrest_rate_inside": wilson(ai, mi), "arrest_rate_outside": wilson(ao, mo), "arrest_difference": compare(ai, mi, ao, mo),
        "incidents_total": len(counted), "incidents_inside": hits, "incidents_best_possible": best,
        "hit_rate": hit, "pai": hit["value"] / COVERAGE, "pei": hits / best,
    }


def crime_change(incidents):
    before = ("2022-03-01T00:00:00Z", "2022-06-01T00:00:00Z")
    after = ("2022-06-01T00:00:00Z", "2022-07-01T00:00:00Z")
    r = {"before": 0, "after": 0}; b = {"before": 0, "after": 0}
    cells = {"before": {}, "after": {}}
    for i in incidents:
        period = "before" if in_window(i["t"], *before) else "after" if in_window(i["t"], *after) else None
        if period is None or not inside_rect(i["x"], i["y"], AOI):
            continue
        d = min(dist_rect(i["x"], i["y"], a) for a in AREAS)
        if in_plan(i["x"], i["y"]):
            r[period] += 1
        elif d <= BUFFER:
            b[period] += 1
        else:
            key = (math.floor(i["x"] / CELL), math.floor(i["y"] / CELL))
            cells[period][key] = cells[period].get(key, 0) + 1

    def touches_buffer(key):
        c, w = key
        square = (c * CELL, w * CELL, (c + 1) * CELL, (w + 1) * CELL)
        for a in AREAS:
            dx = max(a[0] - square[2], 0.0, square[0] - a[2])
            dy = max(a[1] - square[3], 0.0, square[1] - a[3])
            if math.hypot(dx, dy) <= BUFFER:
                return True
        return False

    ranked = sorted(cells["before"].items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0]))
    c0 = c1 = used = 0
    for key, count in ranked:
        if c0 >= r["before"]:
            break
        if touches_buffer(key):
            continue
        c0 += count; c1 += cells["after"].get(key, 0); used += 1
    counts = [r["before"], r["after"], c0, c1]
    targeted = [1, 1, 0, 0]; later = [0, 1, 0, 1]
    X = sm.add_constant(np.column_stack([targeted, later, np.multiply(targeted, later)]))
    fit = poisson_fit(counts, X)
    lo, hi = fit.conf_int(alpha=0.05)[3]
    sm_, bdm = r["after"] / c1 - r["before"] / c0, b["after"] / c1 - b["before"] / c0
    trend = c1 / c0
    return {"targeted_before": r["before"], "targeted_after": r["after"], "buffer_before": b["before"], "buffer_after": b["after"],
            "control_before": c0, "control_after": c1, "control_cells": used,
            "rate_ratio": math.exp(fit.params[3]), "lower": math.exp(lo), "upper": math.exp(hi), "p": float(fit.pvalues[3]),
            "success_measure": sm_, "buffer_displacement_measure": bdm, "wdq": bdm / sm_ if sm_ < 0 else None,
            "total_net_effect": (r["before"] * trend - r["after"]) + (b["before"] * trend - b["after"])}


POPULATION = {"1": 400, "2": 300, "3": 200, "4": 800, "5": 50, "6": 150, "7": 100}   # Census 8-category codes
BROAD_CODES = {"White": ["4", "5", "6"], "Black": ["2"], "Asian": ["1"], "Other": ["7"], "Mixed": ["3"]}


def exact_rate(k, n):
    lower = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    upper = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    return {"value": 1000 * k / n, "lower": 1000 * lower / n, "upper": 1000 * upper / n, "numerator": k, "denominator": n}


def rate_ratio(a, pa, b, pb):
    fit = poisson_fit([a, b], sm.add_constant(np.array([1.0, 0.0])), offset=np.log([pa, pb]))
    lo, hi = fit.conf_int(alpha=0.05)[1]
    return {"value": math.exp(fit.params[1]), "lower": math.exp(lo), "upper": math.exp(hi)}


def fairness(stops):
    start, end = "2022-05-01T00:00:00Z", "2022-07-01T00:00:00Z"
    searches = [s for s in stops if s["type"] != "VEHICLE_STOP_WITHOUT_SEARCH" and in_window(s["t"], start, end)]
    months = sorted({s["t"][:7] for s in searches})
    borough = [s for s in searches if s["x"] is not None and inside_rect(s["x"], s["y"], AOI)]
    pop = {g: sum(POPULATION[c] for c in codes) for g, codes in BROAD_CODES.items()}
    years = len(months) / 12

    def table(basis):
        groups = ["White", "Black", "Asian", "Other"] + (["Mixed"] if basis == "self" else [])
        def group_of(s):
            return s["officer"] if basis == "officer" else BROAD_OF_SELF.get(s["self"])
        counts = {g: sum(1 for s in borough if group_of(s) == g) for g in groups}
        rows = []
        for g in groups:
            row = {"group": g, "searches": counts[g], "population": pop[g], "rate": exact_rate(counts[g], pop[g])}
            row["rate_per_year"] = {k: v / years for k, v in row["rate"].items() if k in ("value", "lower", "upper")}
            if g != "White":
                row["ratio"] = rate_ratio(counts[g], pop[g], counts["White"], pop["White"])
            rows.append(row)
        return {"rows": rows, "unknown": sum(1 for s in borough if group_of(s) is None)}

    cross = {}
    for s in borough:
        key = f'{s["officer"] or "unknown"}|{BROAD_OF_SELF.get(s["self"]) or "unknown"}'
        cross[key] = cross.get(key, 0) + 1
    both = [s for s in borough if s["officer"] and BROAD_OF_SELF.get(s["self"])]
    agree = sum(1 for s in both if s["officer"] == BROAD_OF_SELF[s["self"]])

    tests = []
    for g in ["White", "Black", "Asian", "Other"]:
        known = [s for s in borough if s["officer"] == g and s["outcome"] is not None]
        inside = [s for s in known if in_plan(s["x"], s["y"]) and in_window(s["t"], *PLAN_VALID)]
        outside = [s for s in known if s not in inside]
        fi = sum(1 for s in inside if find_of(s)[1]); fo = sum(1 for s in outside if find_of(s)[1])
        ai = sum(1 for s in inside if s["outcome"] == "ARREST"); ao = sum(1 for s in outside if s["outcome"] == "ARREST")
        tests.append({"group": g, "find": compare(fi, len(inside), fo, len(outside)),
                      "arrest": compare(ai, len(inside), ao, len(outside)),
                      "find_inside": wilson(fi, len(inside)), "find_outside": wilson(fo, len(outside))})
    find_holm = multipletests([t["find"]["p_smaller"] for t in tests], method="holm")[1]
    arrest_holm = multipletests([t["arrest"]["p_smaller"] for t in tests], method="holm")[1]
    for t, fh, ah in zip(tests, find_holm, arrest_holm):
        t["find_holm"] = float(fh); t["arrest_holm"] = float(ah); t["alert"] = bool(fh < 0.05 or ah < 0.05)
    return {"searches": len(borough), "unlocated": sum(1 for s in searches if s["x"] is None),
            "outside_boroughs": sum(1 for s in searches if s["x"] is not None and not inside_rect(s["x"], s["y"], AOI)),
            "years": years, "officer": table("officer"), "self": table("self"), "mismatch": cross,
            "agreement": wilson(agree, len(both)), "outcome_tests": tests}


stops = make_stops()
incidents = make_incidents()
change_incidents = make_crime_change()
out = {
    "versions": {"python": sys.version.split()[0], "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
    "fixture": {"aoi": AOI, "areas": AREAS, "plan_id": PLAN, "plan_valid": PLAN_VALID, "plan_data": PLAN_DATA,
                "cell_size": CELL, "coverage": COVERAGE, "patrol_m2": PATROL_M2, "buffer_m": BUFFER,
                "population": POPULATION, "stops": stops, "incidents": incidents, "crime_change_incidents": change_incidents},
    "expected": {"evaluation": evaluation(stops, incidents), "crime_change": crime_change(change_incidents),
                 "fairness": fairness(stops)},
}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
