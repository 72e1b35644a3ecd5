#!/usr/bin/python3
"""The peers of StatisticsBench: the same statistics with scipy / statsmodels, per call and vectorised.

Prints "name<TAB>median seconds<TAB>detail" lines like the C# bench.
"""
import time

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest


def measure(name, action, detail):
    action()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{name}\t{times[2]:.4f}\t{detail}", flush=True)


rng = np.random.default_rng(1)
calls = 1_000_000
trials = rng.integers(1, 2000, calls)
successes = rng.integers(0, trials + 1)

measure("wilson_1e6", lambda: proportion_confint(successes, trials, method="wilson"),
        "1,000,000 Wilson intervals, statsmodels proportion_confint on arrays (vectorised)")
per_call = 20_000
measure("wilson_per_call_2e4", lambda: [proportion_confint(int(successes[i]), int(trials[i]), method="wilson") for i in range(per_call)],
        "20,000 Wilson intervals, one proportion_confint call each")
pairs = 2_000


def compare():
    for i in range(pairs):
        proportions_ztest([successes[i], successes[i + 1]], [trials[i], trials[i + 1]])
        confint_proportions_2indep(successes[i], trials[i], successes[i + 1], trials[i + 1], method="newcomb", compare="diff")


measure("compare_2e3", compare, "2,000 pooled z-tests with Newcombe intervals, statsmodels one call each")
rates = 100_000
k = successes[:rates] % 5000


def poisson():
    lower = np.where(k == 0, 0.0, stats.chi2.ppf(0.025, 2 * np.maximum(k, 1)) / 2)
    upper = stats.chi2.ppf(0.975, 2 * k + 2) / 2
    return lower, upper


measure("poisson_exact_1e5", poisson, "100,000 exact Poisson limits, scipy chi2.ppf on arrays (vectorised)")
