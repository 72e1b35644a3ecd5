#!/usr/bin/python3
"""statsmodels' logistic regression on a design read from stdin, for LogisticRegression's tests.

stdin: CSV with a header; the first column is the 0/1 outcome, the others the design columns
(the intercept included by the caller). Fits statsmodels' GLM (binomial family, logit link, IRLS)
and prints JSON: params, bse (from the inverse Fisher information), 95% Wald intervals, deviance.
"""
import io
import json
import sys

import numpy as np
import statsmodels.api as sm

data = np.genfromtxt(io.StringIO(sys.stdin.read()), delimiter=",", names=True)
names = data.dtype.names
y = data[names[0]]
X = np.column_stack([data[n] for n in names[1:]])
fit = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-12)
ci = fit.conf_int(0.05)
print(json.dumps({
    "params": fit.params.tolist(),
    "bse": fit.bse.tolist(),
    "lower": ci[:, 0].tolist(),
    "upper": ci[:, 1].tolist(),
    "deviance": float(fit.deviance),
}))
