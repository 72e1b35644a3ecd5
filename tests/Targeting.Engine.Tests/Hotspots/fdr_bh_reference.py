#!/usr/bin/python3
"""Benjamini-Hochberg q-values by statsmodels, the reference for FalseDiscoveryRateTests.

Reads one p-value per line on stdin and prints one adjusted value per line (repr precision).
Run with Debian's /usr/bin/python3 (python3-statsmodels).
"""
import sys

from statsmodels.stats.multitest import multipletests

p = [float(line) for line in sys.stdin if line.strip()]
for q in multipletests(p, method="fdr_bh")[1]:
    print(repr(float(q)))
