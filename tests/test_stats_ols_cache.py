"""OLS and WLS with the design's pseudo-inverse reused equal statsmodels' own, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.regression.linear_model import OLS, WLS

from analysis.stats import ols_cache


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1", "cluster"])
def test_cached_fits_equal_statsmodels(weighted, cov_type):
    rng = np.random.default_rng(3)
    x = np.asfortranarray(np.column_stack([np.ones(400), rng.normal(size=(400, 4))]))
    groups = rng.integers(0, 25, size=400)
    w = rng.uniform(0.5, 2, size=400)
    kwds = {"groups": groups} if cov_type == "cluster" else None
    for outcome in range(3):  # the second and third outcome reuse the first's pinv
        y = (rng.uniform(size=400) < 0.3 + 0.1 * outcome).astype(float)
        ref = (WLS(y, x, weights=w) if weighted else OLS(y, x)).fit(cov_type=cov_type,
                                                                      cov_kwds=kwds)  # fmt: skip
        model = ols_cache.CachedWLS(y, x, weights=w) if weighted else ols_cache.CachedOLS(y, x)
        got = model.fit(cov_type=cov_type, cov_kwds=kwds)
        assert type(got._results) is type(ref._results)
        for name in ("params", "bse", "resid", "fittedvalues"):
            assert np.array_equal(getattr(got, name), getattr(ref, name)), name
        assert np.array_equal(got.cov_params(), ref.cov_params())
        assert got.df_resid == ref.df_resid and got.df_model == ref.df_model
