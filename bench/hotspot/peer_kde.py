#!/usr/bin/python3
"""SciPy peer for the KDE surface: the same quartic kernel sum as the engine, on the same cell
centres, points and harm weights (written by HotspotBench kde), timed and compared.

    peer_kde.py KDE_JSON WORK_DIR OUT_JSON

density(c) = sum_i w_i * 3/(pi h^2) * (1 - d_ic^2/h^2)^2 over points i with d_ic <= h, where d_ic is the
distance from cell centre c to point i. SciPy side: a cKDTree on the cell centres and one on the points,
every (cell, point) pair within h from cKDTree.sparse_distance_matrix, then a weighted np.bincount.
The timed part is tree building + pair query + kernel sum (reading the files is not timed).
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.spatial import cKDTree


def quartic_density(cx, cy, px, py, w, h):
    cells = cKDTree(np.column_stack([cx, cy]))
    points = cKDTree(np.column_stack([px, py]))
    pairs = cells.sparse_distance_matrix(points, h, output_type="ndarray")
    u = 1.0 - (pairs["v"] / h) ** 2
    contribution = w[pairs["j"]] * (3.0 / (np.pi * h * h)) * u * u
    return np.bincount(pairs["i"], weights=contribution, minlength=len(cx)), len(pairs)


def main():
    spec = json.load(open(sys.argv[1]))
    work = sys.argv[2]
    out = []
    for area in spec["areas"]:
        slug = area["slug"]
        read = lambda name: np.fromfile(f"{work}/kde-{slug}-{name}.f64", dtype="<f8")
        cx, cy, px, py, w, ours = (read(n) for n in ("cx", "cy", "px", "py", "w", "density"))
        h = area["bandwidth_m"]
        runs = len(area["ours_seconds"])
        quartic_density(cx, cy, px, py, w, h)  # warm-up
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            theirs, pairs = quartic_density(cx, cy, px, py, w, h)
            seconds.append(time.perf_counter() - start)
        difference = np.abs(ours - theirs)
        positive = theirs > 0
        relative = difference[positive] / theirs[positive]
        out.append({
            "slug": slug,
            "scipy_seconds": seconds,
            "pairs": int(pairs),
            "max_abs_difference": float(difference.max()),
            "max_density": float(theirs.max()),
            "max_relative_difference": float(relative.max()) if relative.size else 0.0,
            "cells_nonzero_ours": int((ours > 0).sum()),
            "cells_nonzero_scipy": int(positive.sum()),
            "total_mass_ours": float(ours.sum()),
            "total_mass_scipy": float(theirs.sum()),
        })
        print(f"  scipy {slug}: median {np.median(seconds)*1000:.1f} ms, max |diff| {difference.max():.3e}, "
              f"max rel {out[-1]['max_relative_difference']:.3e}", file=sys.stderr)
    json.dump({"scipy_version": scipy.__version__, "numpy_version": np.__version__, "areas": out}, open(sys.argv[3], "w"), indent=2)


if __name__ == "__main__":
    main()
