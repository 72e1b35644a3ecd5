#!/usr/bin/python3
"""Can a reader work out a suppressed count of the transparency report exactly? An attack with
integer programming (scipy.optimize.milp), independent of the C# suppression code.

stdin (JSON):
  {"tables": [{"cells": [[cell, ...], ...], "column_totals": [n, ...]}, ...],
   "row_totals": [n or "s", ...], "grand_total": n}
  a cell is a published number, "s" (suppressed: the reader knows it is a whole number >= 1), or
  "i" (implied, not published: a whole number >= 0). The tables share their rows and row totals.
  Column and grand totals are treated as published (the strongest reader), except a column total
  given as "s": unknown to the reader (a small total that the reader cannot know either).
stdout (JSON): {"suppressed": k, "pinned": [[table, row, column, min, max], ...]} where pinned lists
every suppressed count whose smallest and largest consistent values are equal (recoverable).
"""
import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

data = json.load(sys.stdin)
tables = data["tables"]
rows = len(data["row_totals"])
variables = {}   # key -> index
lower = []


def var(key, low):
    if key not in variables:
        variables[key] = len(lower)
        lower.append(low)
    return variables[key]


equations = []   # (coefficients dict, constant)


def term(value, key, low):
    """A published number is a constant; otherwise a variable."""
    if isinstance(value, (int, float)):
        return None, value
    return var(key, low), 0


for r, total in enumerate(data["row_totals"]):
    if not isinstance(total, (int, float)):
        var(("row", r), 1)

for t, table in enumerate(tables):
    for r in range(rows):
        coefficients, constant = {}, 0
        for c, cell in enumerate(table["cells"][r]):
            index, value = term(cell, (t, r, c), 1 if cell == "s" else 0)
            if index is None:
                constant += value
            else:
                coefficients[index] = coefficients.get(index, 0) + 1
        total = data["row_totals"][r]
        if isinstance(total, (int, float)):
            equations.append((coefficients, total - constant))
        else:
            coefficients[variables[("row", r)]] = -1
            equations.append((coefficients, -constant))
    for c, column_total in enumerate(table["column_totals"]):
        if not isinstance(column_total, (int, float)):
            continue
        coefficients, constant = {}, 0
        for r in range(rows):
            cell = table["cells"][r][c]
            if isinstance(cell, (int, float)):
                constant += cell
            else:
                coefficients[variables[(t, r, c)]] = 1
        equations.append((coefficients, column_total - constant))

coefficients, constant = {}, 0
for r, total in enumerate(data["row_totals"]):
    if isinstance(total, (int, float)):
        constant += total
    else:
        coefficients[variables[("row", r)]] = 1
equations.append((coefficients, data["grand_total"] - constant))

n = len(lower)
pinned = []
suppressed = [key for key in variables if key[0] == "row" or (isinstance(key[0], int) and tables[key[0]]["cells"][key[1]][key[2]] == "s")]
if n > 0:
    A = np.zeros((len(equations), n))
    b = np.zeros(len(equations))
    for k, (coefficients, value) in enumerate(equations):
        for index, coefficient in coefficients.items():
            A[k, index] = coefficient
        b[k] = value
    constraint = LinearConstraint(A, b, b)
    bounds = Bounds(np.array(lower, dtype=float), np.full(n, np.inf))
    integrality = np.ones(n)
    for key in suppressed:
        c = np.zeros(n)
        c[variables[key]] = 1
        low = milp(c, constraints=[constraint], bounds=bounds, integrality=integrality)
        high = milp(-c, constraints=[constraint], bounds=bounds, integrality=integrality)
        assert low.success and high.success, (key, low.message, high.message)
        if round(low.fun) == round(-high.fun):
            pinned.append([str(k) for k in key] + [round(low.fun), round(-high.fun)])
json.dump({"suppressed": len(suppressed), "pinned": pinned}, sys.stdout)
