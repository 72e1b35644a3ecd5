#!/usr/bin/python3
"""Can a reader of several transparency reports work out a small count exactly? The integer
programme of the differencing attack (scipy.optimize.milp), independent of the C# suppression.

stdin (JSON): {"blocks": [{"unknowns": n,
                           "equations": [{"form": [[unknown, coefficient], ...], "value": v}, ...],
                           "at_least_one": [[[unknown, coefficient], ...], ...],
                           "targets": [{"name": text, "form": [[unknown, coefficient], ...]}, ...]}, ...]}
  every unknown is a whole number >= 0; each equation is a published figure (or a shared total, value
  0); each at_least_one form is a suppressed figure (zeros are shown, so it is >= 1).
stdout (JSON): {"checked": k, "pinned": [[name, min, max], ...]}: the targets whose smallest and
largest consistent values are equal (recoverable).
"""
import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def matrix(forms, n):
    a = np.zeros((len(forms), n))
    for row, form in enumerate(forms):
        for unknown, coefficient in form:
            a[row, unknown] += coefficient
    return a


data = json.load(sys.stdin)
checked = 0
pinned = []
for block in data["blocks"]:
    if not block["targets"]:
        continue
    n = block["unknowns"]
    constraints = []
    if block["equations"]:
        values = np.array([e["value"] for e in block["equations"]], dtype=float)
        constraints.append(LinearConstraint(matrix([e["form"] for e in block["equations"]], n), values, values))
    if block["at_least_one"]:
        constraints.append(LinearConstraint(matrix(block["at_least_one"], n), 1, np.inf))
    bounds = Bounds(np.zeros(n), np.full(n, np.inf))
    integrality = np.ones(n)
    for target in block["targets"]:
        c = matrix([target["form"]], n)[0]
        low = milp(c, constraints=constraints, bounds=bounds, integrality=integrality)
        high = milp(-c, constraints=constraints, bounds=bounds, integrality=integrality)
        assert low.success, (target["name"], low.message)
        checked += 1
        # Unbounded above is as good as not pinned.
        if high.status == 0 and round(low.fun) == round(-high.fun):
            pinned.append([target["name"], round(low.fun), round(-high.fun)])
json.dump({"checked": checked, "pinned": pinned}, sys.stdout)
