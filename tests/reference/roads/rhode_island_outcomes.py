#!/usr/bin/python3
"""Independent post-stop outcomes and descriptive counts on the Rhode Island file, for the roads tests.

stdin: the path of the open-policing CSV. Reads it with the csv module (search_type is quoted when it lists
several types; the last line is cut short after drugs_related_stop). By driver_race (blank = no
ethnicity): stops, search rate, arrest rate, arrest rate of searches, outcome counts, with Wilson
95% intervals (statsmodels proportion_confint); the pooled one-sided z-test of each group's arrest
rate of searches against White's (statsmodels proportions_ztest, alternative 'smaller') with Holm's
adjustment (multipletests); counts by district, local hour and day of week. Prints JSON.
"""
import csv
import datetime
import json
import sys
from collections import Counter, defaultdict

from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest


def wilson(x, n):
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    return {"x": x, "n": n, "value": x / n, "lower": float(lo), "upper": float(hi)}


groups = defaultdict(lambda: {"stops": 0, "searches": 0, "arrests": 0, "search_arrests": 0, "outcomes": Counter()})
district, hour, weekday = Counter(), Counter(), Counter()
with open(sys.stdin.read().strip(), newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        hour[row["stop_time"][:2]] += 1
        weekday[datetime.date.fromisoformat(row["stop_date"]).strftime("%A")] += 1
        if row.get("district"):
            district[row["district"]] += 1
        race = row["driver_race"]
        if not race:
            continue
        g = groups[race]
        g["stops"] += 1
        searched = row["search_conducted"] == "TRUE"
        arrested = row["is_arrested"] == "TRUE"
        g["searches"] += searched
        g["arrests"] += arrested
        g["search_arrests"] += searched and arrested
        if row["stop_outcome"]:
            g["outcomes"][row["stop_outcome"]] += 1

white = groups["White"]
others = sorted(k for k in groups if k != "White")
p = [proportions_ztest([groups[k]["search_arrests"], white["search_arrests"]], [groups[k]["searches"], white["searches"]], alternative="smaller")[1] for k in others]
holm = dict(zip(others, multipletests(p, method="holm")[1]))
result = {}
for k, g in sorted(groups.items()):
    result[k] = {
        "stops": g["stops"],
        "search_rate": wilson(g["searches"], g["stops"]),
        "arrest_rate": wilson(g["arrests"], g["stops"]),
        "search_arrest_rate": wilson(g["search_arrests"], g["searches"]),
        "outcomes": {o: wilson(c, g["stops"]) for o, c in g["outcomes"].items()},
        "arrest_p_holm": float(holm[k]) if k in holm else None,
    }
print(json.dumps({"groups": result, "district": district, "hour": hour, "weekday": weekday}))
