#!/usr/bin/python3
"""Reference values for the engine's statistics (tests/Targeting.Engine.Tests/Statistics).

Computed with Debian's scipy and statsmodels, independently of the C# code:
  wilson        statsmodels.stats.proportion.proportion_confint(method="wilson")
  ztest         statsmodels.stats.proportion.proportions_ztest (pooled), all three alternatives
  newcombe      statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb", compare="diff")
  poisson_exact scipy.stats.chi2.ppf (Garwood limits on the expected count)
  rate_ratio    statsmodels Poisson regression, log(exposure) offset: exp(coef) and its Wald interval
  did           statsmodels Poisson regression, saturated count ~ targeted * after: the interaction
  holm          statsmodels.stats.multitest.multipletests(method="holm")
  outcome_test  proportions_ztest(alternative="smaller") by group, then multipletests(method="holm")

Run:  /usr/bin/python3 tests/reference/stats/reference_values.py > tests/reference/stats/reference_values.json
The test ReferenceScripts_Rerun_MatchesCommittedJson re-runs it and compares with the committed file.
"""
import json
import math
import sys
import warnings

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_confint,
                                          proportions_ztest)

LEVELS = [0.95, 0.90, 0.99]


def wilson():
    cases = [(0, 1), (1, 1), (0, 10), (10, 10), (1, 10), (3, 7), (2, 3), (5, 20), (17, 30),
             (29, 30), (45, 100), (0, 500), (1, 500), (499, 500), (123, 4567), (88000, 240000)]
    out = []
    for x, n in cases:
        for level in LEVELS:
            lo, hi = proportion_confint(x, n, alpha=1 - level, method="wilson")
            out.append({"successes": x, "trials": n, "confidence": level, "lower": lo, "upper": hi})
    return out


PAIRS = [(5, 20, 3, 25), (30, 100, 45, 110), (1, 10, 0, 12), (10, 10, 3, 12), (120, 400, 180, 420),
         (2, 5, 40, 50), (0, 15, 4, 20), (7, 31, 7, 31), (1500, 9000, 1900, 10000)]


def ztest():
    out = []
    for x1, n1, x2, n2 in PAIRS:
        row = {"successes1": x1, "trials1": n1, "successes2": x2, "trials2": n2}
        for alternative, key in (("two-sided", "p_two_sided"), ("smaller", "p_smaller"), ("larger", "p_larger")):
            z, p = proportions_ztest([x1, x2], [n1, n2], alternative=alternative)
            row["z"] = float(z)
            row[key] = float(p)
        out.append(row)
    return out


def newcombe():
    out = []
    for x1, n1, x2, n2 in PAIRS + [(0, 10, 0, 12), (10, 10, 12, 12), (0, 1, 1, 1)]:
        for level in (0.95, 0.90):
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level)
            out.append({"successes1": x1, "trials1": n1, "successes2": x2, "trials2": n2, "confidence": level,
                        "difference": x1 / n1 - x2 / n2, "lower": float(lo), "upper": float(hi)})
    return out


def poisson_exact():
    out = []
    for k in (0, 1, 2, 3, 5, 10, 19, 20, 50, 100, 1000, 12345, 95920):
        for level in LEVELS:
            alpha = 1 - level
            lower = 0.0 if k == 0 else stats.chi2.ppf(alpha / 2, 2 * k) / 2
            upper = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
            out.append({"events": k, "confidence": level, "lower": float(lower), "upper": float(upper)})
    return out


def glm_fit(y, x, offset=None):
    # statsmodels' discrete Poisson regression, fitted by Newton-Raphson on the log-likelihood
    # (GLM's IRLS refuses saturated models as "perfect separation", and these models are saturated
    # on purpose: the log-method SE is the saturated model's).
    model = sm.Poisson(np.asarray(y, dtype=float), np.asarray(x, dtype=float), offset=offset)
    fit = model.fit(method="newton", maxiter=100, tol=1e-14, disp=0)
    assert fit.mle_retvals["converged"]
    return fit


def rate_ratio():
    cases = [(89669, 1188370, 95920, 4731172, False), (10, 5000, 20, 20000, False), (3, 1000, 7, 800, False),
             (1, 100, 1, 100, False), (250, 46807, 61, 98275, False), (0, 9321, 40, 98275, True),
             (12, 9321, 0, 98275, True)]
    out = []
    for a, ea, b, eb, corrected in cases:
        ca, cb = (a + 0.5, b + 0.5) if corrected else (a, b)
        for level in (0.95, 0.90):
            fit = glm_fit([ca, cb], [[1, 1], [1, 0]], offset=np.log([ea, eb]))
            lo, hi = fit.conf_int(alpha=1 - level)[1]
            out.append({"events_a": a, "exposure_a": ea, "events_b": b, "exposure_b": eb, "confidence": level,
                        "corrected": corrected, "ratio": math.exp(fit.params[1]), "se_log": float(fit.bse[1]),
                        "lower": math.exp(lo), "upper": math.exp(hi)})
    return out


def did():
    cases = [(120, 90, 400, 380, False), (15, 8, 60, 55, False), (3, 1, 10, 12, False),
             (200, 150, 1000, 1100, False), (5, 0, 20, 18, True), (0, 4, 30, 0, True)]
    out = []
    for a0, a1, c0, c1, corrected in cases:
        shift = 0.5 if corrected else 0.0
        y = [c0 + shift, c1 + shift, a0 + shift, a1 + shift]
        # columns: intercept, after, targeted, targeted x after
        x = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]]
        fit = glm_fit(y, x)
        for level in (0.95, 0.90):
            lo, hi = fit.conf_int(alpha=1 - level)[3]
            out.append({"targeted_before": a0, "targeted_after": a1, "control_before": c0, "control_after": c1,
                        "confidence": level, "corrected": corrected, "ratio": math.exp(fit.params[3]),
                        "se_log": float(fit.bse[3]), "z": float(fit.tvalues[3]), "p": float(fit.pvalues[3]),
                        "lower": math.exp(lo), "upper": math.exp(hi)})
    return out


def holm():
    families = [[0.01, 0.04, 0.03, 0.005], [0.5, 0.2], [0.001, 0.001, 0.02, 0.9, 0.04], [0.03],
                [0.012, 0.012, 0.012], [0.2, 0.6, 0.01, 0.3, 0.02, 0.04], [1.0, 0.0]]
    return [{"p": p, "adjusted": [float(v) for v in multipletests(p, method="holm")[1]]} for p in families]


OUTCOME_GROUPS = [
    # group, searches inside, finds inside, arrests inside, searches outside, finds outside, arrests outside
    ("White", 400, 112, 60, 2600, 780, 390),
    ("Black", 900, 180, 99, 2100, 567, 294),
    ("Asian", 150, 39, 20, 800, 216, 104),
    ("Other", 40, 9, 3, 260, 70, 36),
    ("Mixed", 0, 0, 0, 12, 4, 1),
]


def outcome_test():
    """The outcome test: one-sided pooled z-test (inside smaller than outside), Holm across groups."""
    rows = []
    for kind, (k_in, k_out) in (("finds", (2, 5)), ("arrests", (3, 6))):
        p_values, tested = [], []
        for g in OUTCOME_GROUPS:
            if g[1] == 0 or g[4] == 0:
                continue
            _, p = proportions_ztest([g[k_in], g[k_out]], [g[1], g[4]], alternative="smaller")
            p_values.append(float(p))
            tested.append(g[0])
        adjusted = multipletests(p_values, method="holm")[1]
        for name, p, q in zip(tested, p_values, adjusted):
            rows.append({"kind": kind, "group": name, "p_smaller": p, "p_holm": float(q)})
    return {"groups": [list(g) for g in OUTCOME_GROUPS], "rows": rows}


def main():
    warnings.simplefilter("error")  # a warning means a reference value is suspect: stop
    result = {
        "generator": "tests/reference/stats/reference_values.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__},
        "wilson": wilson(),
        "ztest": ztest(),
        "newcombe": newcombe(),
        "poisson_exact": poisson_exact(),
        "rate_ratio": rate_ratio(),
        "did": did(),
        "holm": holm(),
        "outcome_test": outcome_test(),
    }
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
