"""The fast exact pieces of the binary-model engine equal what they replace: the sparse-step
IRLS equals statsmodels' GLM (estimates, sandwich errors, iterations), the group codes equal
``np.unique`` of the values as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from glm_checks import assert_fit_equals_statsmodels
from statsmodels.genmod import families
from statsmodels.genmod.families import links
from statsmodels.genmod.generalized_linear_model import GLM

from analysis.stats import _common, irls


def _panel(n=4_000, seed=5):
    rng = np.random.default_rng(seed)
    state = rng.integers(0, 30, n)
    month = rng.integers(0, 12, n)
    x = rng.normal(size=(n, 3))
    eta = -4 + x @ [0.5, -0.3, 0.2] + 0.05 * state - 0.04 * month
    y = (rng.random(n) < 1 - np.exp(-np.exp(eta))).astype(float)
    dummies = [(state[:, None] == np.arange(1, 30)), (month[:, None] == np.arange(1, 12))]
    design = np.hstack([np.ones((n, 1)), x, *dummies]).astype(float)
    return y, design, state, rng.uniform(0.5, 2, n)


@pytest.mark.parametrize("link", [links.CLogLog, links.Logit])
@pytest.mark.parametrize("cov_type", ["cluster", "HC0"])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_irls_equals_statsmodels(link, cov_type, weighted):
    y, x, state, w = _panel()
    kwargs = {"family": families.Binomial(link=link()), "var_weights": w if weighted else None}
    fit = {"cov_type": cov_type, "cov_kwds": {"groups": state} if cov_type == "cluster" else None}
    fast = irls.SparseIRLSGLM(y, x, **kwargs).fit(**fit)
    slow = GLM(y, x, **kwargs).fit(**fit)
    assert_fit_equals_statsmodels(
        fast, slow, wls_method="sparse normal equations", params_atol=1e-12
    )


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["TX", "AL", "TX", "wy", "AK", "AL"]),
        pd.Series(pd.period_range("2025-01", periods=14, freq="M").repeat(3)[::-1]),
        pd.Series([3, 11, 2, 11, 3, 100]),
        pd.Series([1.5, 2.0, 1.5, 10.25]),
        pd.Series(["1", 1, "a", 1.0], dtype=object),
        pd.Series(["b", "a", "b"], dtype="category"),
    ],
)
def test_group_codes_equal_unique_of_text(values):
    codes, levels = irls.group_codes(values)
    expected_codes, expected_levels = _common.group_codes(values)
    assert levels == expected_levels
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == expected_codes.dtype


def test_matrix_rank_equals_numpy():
    x = _panel(n=irls.SPARSE_IRLS_ROWS)[1]
    collinear = np.hstack([x, x[:, [1]] + x[:, [2]]])
    nearly = np.hstack([x, x[:, [1]] + 1e-9 * x[:, [3]]])
    for design in (x, collinear, nearly, x[:100]):
        assert irls.matrix_rank(design) == np.linalg.matrix_rank(design)
    assert irls.matrix_rank(x) == x.shape[1]


@pytest.mark.parametrize("cls", [irls.CachedGLM, irls.SparseIRLSGLM])
def test_cached_fits_equal_fresh_fits_bit_for_bit(cls):
    y, x, state, _ = _panel(n=3_000, seed=8)
    family = families.Binomial(link=links.Logit())
    robust = cls(y, x, family=family).fit(cov_type="HC0")
    clustered = cls(y, x, family=family).fit(cov_type="cluster", cov_kwds={"groups": state})
    fresh = cls if cls is irls.SparseIRLSGLM else GLM
    irls._SOLVED.clear()
    alone = fresh(y, x, family=family).fit(cov_type="cluster", cov_kwds={"groups": state})
    np.testing.assert_array_equal(clustered.params, alone.params)
    np.testing.assert_array_equal(clustered.bse, alone.bse)
    np.testing.assert_array_equal(robust.params, alone.params)
    assert not np.array_equal(robust.bse, alone.bse)
    assert (
        clustered.converged and clustered.fit_history["iteration"] == alone.fit_history["iteration"]
    )
    changed = cls(1 - y, x, family=family).fit(cov_type="HC0")  # another outcome: solved anew
    np.testing.assert_allclose(changed.params[1:], -robust.params[1:], rtol=1e-8)


def test_sparse_model_degrees_of_freedom_as_statsmodels():
    y, x, _, w = _panel(n=irls.SPARSE_IRLS_ROWS)
    for kwargs in ({}, {"freq_weights": np.round(w) + 1}):
        fast = irls.SparseIRLSGLM(y, x, family=families.Binomial(), **kwargs)
        slow = GLM(y, x, family=families.Binomial(), **kwargs)
        assert (fast.df_model, fast.df_resid, fast.wnobs) == (
            slow.df_model,
            slow.df_resid,
            slow.wnobs,
        )


@pytest.mark.parametrize("shape", [(200, 6), (30_000, 40), (0, 3), (4, 0)])
def test_dense_to_csr_equals_scipy(shape):
    import scipy.sparse as sp

    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    x[rng.random(shape) < 0.8] = 0
    expected, got = sp.csr_matrix(x), irls.dense_to_csr(x)
    assert got.shape == expected.shape and got.has_sorted_indices
    for attribute in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(got, attribute), getattr(expected, attribute))
        assert getattr(got, attribute).dtype == getattr(expected, attribute).dtype
    if x.size:
        assert irls.matrix_rank(x) == np.linalg.matrix_rank(x)


def test_deviance_converged_is_statsmodels_check():
    from statsmodels.genmod.generalized_linear_model import _check_convergence

    values = [0.0, -0.0, 1.0, 1.0 + 1e-9, 1.0 + 2e-8, 1.0 - 1e-8, 3e5, 3e5 + 1e-8, np.inf,
              -np.inf, np.nan, 1e-300, 5e-324]  # fmt: skip
    for x in values:
        for y in values:
            for atol in (1e-8, 0.0, 1e-6):
                expected = _check_convergence([np.float64(x), np.float64(y)], 0, atol, 0.0)
                assert irls.deviance_converged([np.float64(x), np.float64(y)], 0, atol) == bool(
                    expected
                ), (x, y, atol)
