"""OLS with CRV1 errors from arrays (analysis.stats.crv1) and the wild bootstrap from arrays
(analysis.stats.wcr.wild_bootstrap_p_arrays) equal pyfixest's feols and wildboottest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import wcr
from analysis.stats.crv1 import crv1_ols

pf = pytest.importorskip("pyfixest")


def _data(seed: int = 4, n: int = 900, n_clusters: int = 14) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "cl": rng.integers(0, n_clusters, n),
            "period": rng.integers(0, 6, n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
        }
    )
    df["z"] = (df.cl % 3 == 0).astype(float)  # a cluster-level term
    eta = -0.5 + 0.4 * df.x1 + 0.2 * df.z + 0.1 * df.period
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return df


@pytest.mark.parametrize("with_fe", [False, True])
@pytest.mark.parametrize("weights", ["webb", "rademacher"])
def test_crv1_and_wild_bootstrap_from_arrays_equal_pyfixest(with_fe, weights):
    df = _data()
    terms = ["x1", "x2", "z"]
    formula = "y ~ x1 + x2 + z" + (" | period" if with_fe else "")
    model = pf.feols(formula, data=df, vcov={"CRV1": "cl"})
    tidy = model.tidy()
    fit = crv1_ols(df.y.to_numpy(), df[terms].to_numpy(), terms, df.cl.to_numpy(),
                   df.period.to_numpy() if with_fe else None)  # fmt: skip
    assert fit is not None and fit.n == model._N and fit.n_clusters == 14
    rows = [fit.names.index(t) for t in terms]
    for mine, theirs in [("estimate", "Estimate"), ("std_error", "Std. Error"),
                         ("statistic", "t value"), ("p_value", "Pr(>|t|)"),
                         ("ci_low", "2.5%"), ("ci_high", "97.5%")]:  # fmt: skip
        np.testing.assert_allclose(getattr(fit, mine)[rows], tidy.loc[terms, theirs],
                                   rtol=1e-10, atol=1e-14)  # fmt: skip
    for term in ["z", "x1"]:
        expected = wcr.wild_bootstrap_p(model, term, cluster="cl", reps=299, seed=3,
                                        weights=weights)  # fmt: skip
        got = wcr.wild_bootstrap_p_arrays(fit.y, fit.one_hot, fit.one_hot_names, fit.clusters,
                                          term, reps=299, seed=3, weights=weights)  # fmt: skip
        assert got == expected
        # and the statistics themselves, to 1e-10
        design = wcr._Design(fit.y, fit.one_hot, fit.clusters, fit.one_hot_names)
        t, boot = wcr._statistics(design, term, reps=299, seed=3, weights=weights)
        t0, boot0 = wcr.wcr_statistics(model, term, cluster="cl", reps=299, seed=3,
                                       weights=weights)  # fmt: skip
        np.testing.assert_allclose([t, *boot], [t0, *boot0], rtol=1e-10)


def test_cases_pyfixest_treats_otherwise_are_left_to_it():
    df = _data()
    y, x, cl = df.y.to_numpy(), df[["x1"]].to_numpy(), df.cl.to_numpy()
    singleton = df.period.to_numpy().copy()
    singleton[0] = 99
    assert crv1_ols(y, x, ["x1"], cl, pd.factorize(singleton, sort=True)[0]) is None
    assert crv1_ols(y, x, ["x1"], cl, cl) is None  # nested in the clusters
    assert crv1_ols(y, np.column_stack([x, 2 * x]), ["a", "b"], cl) is None  # collinear
    x_nan = x.copy()
    x_nan[3] = np.nan
    assert crv1_ols(y, x_nan, ["x1"], cl) is None
    with pytest.raises(ValueError, match="use wild_bootstrap_p"):
        design = np.column_stack([np.ones_like(y), x])
        wcr.wild_bootstrap_p_arrays(y, design, ["Intercept", "x1"], cl % 3, "x1", reps=999,
                                    seed=0, weights="rademacher")  # fmt: skip
