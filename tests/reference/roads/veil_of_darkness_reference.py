#!/usr/bin/python3
"""Independent veil-of-darkness fit (statsmodels + patsy) on a prepared sample, for VeilOfDarkness's tests.

stdin: CSV with header y,dark,minute,place (one row per stop in the regression: y = 1 when the
driver is of the group tested, 0 for the reference group; dark = 1 after the end of civil
twilight; minute = clock time in minutes after local midnight; place = the fixed effect).

The clock-time spline is the natural cubic spline space with R ns(minute, df=6)'s knots: interior
knots at numpy's (type-7) quantiles 1/6 .. 5/6 of all values, boundary knots at min and max. patsy's
cr() with those knots and the centring constraint, plus the intercept, spans exactly that space
(patsy's default cr() knots use quantiles of the unique values, hence the explicit knots).
Prints JSON: the darkness coefficient, its standard error and 95% Wald interval, the knots, n.
"""
import io
import json
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

df = int(sys.argv[1]) if len(sys.argv) > 1 else 6
data = pd.read_csv(io.StringIO(sys.stdin.read()), dtype={"place": str})
minute = data["minute"].to_numpy(dtype=float)
inner = np.quantile(minute, np.arange(1, df) / df)
lo, hi = float(minute.min()), float(minute.max())
knots = "(" + ",".join(repr(float(k)) for k in inner) + ",)"
formula = f"y ~ dark + cr(minute, knots={knots}, lower_bound={lo!r}, upper_bound={hi!r}, constraints='center') + C(place)"
fit = smf.glm(formula, data=data, family=sm.families.Binomial()).fit(tol=1e-12)
ci = fit.conf_int(0.05).loc["dark"]
print(json.dumps({
    "coefficient": float(fit.params["dark"]),
    "se": float(fit.bse["dark"]),
    "lower": float(ci[0]),
    "upper": float(ci[1]),
    "knots": [lo] + [float(k) for k in inner] + [hi],
    "n": int(fit.nobs),
    "deviance": float(fit.deviance),
}))
