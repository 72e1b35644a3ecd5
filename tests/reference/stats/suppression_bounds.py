#!/usr/bin/python3
"""What a reader can work out about each suppressed count of a published table (linear programming).

Reads JSON from stdin:
  {"cases": [{"values": [...], "suppressed": [true, ...],
              "equations": [[[index, coefficient], ...], ...],   # each sums to 0
              "targets": [index, ...]}]}
and writes {"cases": [{"bounds": [[min, max], ...]}]}: for each target, the smallest and largest
value it can take in any table that keeps every published count, satisfies every equation and has
every suppressed count >= 1 (the reader knows zeros are published). Solved with scipy's HiGHS;
the constraint matrix of a table with its margins is a network matrix, so the LP optimum is an
integer and min < max means the count cannot be pinned down.

Used by SmallCountSuppressionTests (run live when /usr/bin/python3 with scipy is present).
"""
import json
import sys

import numpy as np
from scipy.optimize import linprog


def bounds_for(case):
    values = np.asarray(case["values"], dtype=float)
    suppressed = case["suppressed"]
    n = len(values)
    a_eq = np.zeros((len(case["equations"]), n))
    for row, equation in enumerate(case["equations"]):
        for index, coefficient in equation:
            a_eq[row, index] += coefficient
    b_eq = np.zeros(len(case["equations"]))
    box = [(1.0, None) if suppressed[i] else (values[i], values[i]) for i in range(n)]
    result = []
    for target in case["targets"]:
        c = np.zeros(n)
        c[target] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=box, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=box, method="highs")
        if low.status != 0:
            raise SystemExit(f"infeasible or failed LP for target {target}: {low.message}")
        upper = float("inf") if high.status == 3 else -high.fun  # status 3: unbounded above
        if high.status not in (0, 3):
            raise SystemExit(f"failed LP for target {target}: {high.message}")
        result.append([low.fun, upper if upper != float("inf") else 1e300])
    return result


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"cases": [{"bounds": bounds_for(case)} for case in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
