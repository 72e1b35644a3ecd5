#!/usr/bin/python3
"""scikit-learn peer for DBSCAN: DBSCAN(eps, min_samples).fit on the same British National Grid
points, in the same order, as the engine and PostGIS (written by HotspotBench dbscan), timed
and compared with the engine's labels.

    peer_dbscan.py DBSCAN_JSON WORK_DIR OUT_JSON

sklearn's min_samples counts the point itself and its neighbourhood is distance <= eps, as the
engine's and PostGIS's. Core points and noise are defined without reference to order, so they
must agree exactly; a border point within eps of cores of two clusters may be assigned to either
(each implementation's processing order decides), so cluster agreement is reported as the
adjusted Rand index over all points and over core points only, plus the count of points whose
cluster differs under the best one-to-one matching of cluster numbers.
"""
import json
import sys
import time
from collections import Counter

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN
from sklearn.metrics import adjusted_rand_score


def matched_differences(ours, theirs):
    """Points not explained by a one-to-one map between cluster labels (noise must map to noise)."""
    pairs = Counter(zip(ours.tolist(), theirs.tolist()))
    used_ours, used_theirs, agreed = set(), set(), 0
    for (a, b), count in pairs.most_common():
        if (a == -1) != (b == -1) or a in used_ours or b in used_theirs:
            continue
        used_ours.add(a)
        used_theirs.add(b)
        agreed += count
    return len(ours) - agreed


def main():
    spec = json.load(open(sys.argv[1]))
    work = sys.argv[2]
    out = []
    for s in spec["sets"]:
        slug = s["slug"]
        x = np.fromfile(f"{work}/dbscan-{slug}-x.f64", dtype="<f8")
        y = np.fromfile(f"{work}/dbscan-{slug}-y.f64", dtype="<f8")
        ours = np.fromfile(f"{work}/dbscan-{slug}-labels.i32", dtype="<i4")
        our_core = np.fromfile(f"{work}/dbscan-{slug}-core.u8", dtype="u1").astype(bool)
        points = np.column_stack([x, y])
        runs = max(3, len(s["ours_seconds"]) // 2)
        DBSCAN(eps=s["eps"], min_samples=s["min_points"]).fit(points)  # warm-up
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            model = DBSCAN(eps=s["eps"], min_samples=s["min_points"]).fit(points)
            seconds.append(time.perf_counter() - start)
        theirs = model.labels_
        their_core = np.zeros(len(points), dtype=bool)
        their_core[model.core_sample_indices_] = True
        out.append({
            "slug": slug,
            "sklearn_seconds": seconds,
            "clusters": int(theirs.max() + 1),
            "noise": int((theirs == -1).sum()),
            "core_equal": bool((our_core == their_core).all()),
            "noise_equal": bool(((ours == -1) == (theirs == -1)).all()),
            "ari_all": float(adjusted_rand_score(ours, theirs)),
            "ari_core": float(adjusted_rand_score(ours[our_core], theirs[our_core])),
            "labels_differing_after_matching": int(matched_differences(ours, theirs)),
        })
        print(f"  sklearn {slug}: median {np.median(seconds)*1000:.1f} ms, ARI {out[-1]['ari_all']:.6f}", file=sys.stderr)
    json.dump({"sklearn_version": sklearn.__version__, "sets": out}, open(sys.argv[3], "w"), indent=2)


if __name__ == "__main__":
    main()
