"""The block normal-equation IRLS equals statsmodels' GLM: estimates, sandwich errors,
iterations and deviance, on designs with and without a block of fixed-effect dummies."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from glm_checks import assert_fit_equals_statsmodels
from statsmodels.genmod import families
from statsmodels.genmod.families import links
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from analysis.stats import block_irls, irls


def _design(n=3_000, seed=5, states=40):
    rng = np.random.default_rng(seed)
    state = rng.integers(0, states, n)
    x = rng.normal(size=(n, 4))
    x[:, 3] = rng.random(n) < 0.3  # a 0/1 covariate before the dummies
    eta = -1.5 + x @ [0.5, -0.3, 0.2, 0.4] + 0.04 * state
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    dummies = state[:, None] == np.arange(1, states)
    design = np.hstack([np.ones((n, 1)), x, dummies]).astype(float)
    return y, design, state, rng.lognormal(0, 1.5, n)


def test_dummy_block_finds_the_trailing_dummies():
    _, x, state, _ = _design()
    start, codes = block_irls.dummy_block(x)
    assert start == 5
    np.testing.assert_array_equal(codes, state)
    # Without dummies a trailing 0/1 covariate is a block of one (the same equations).
    start, codes = block_irls.dummy_block(x[:, :5])
    assert start == 4
    np.testing.assert_array_equal(codes, x[:, 4])
    start, codes = block_irls.dummy_block(x[:, :4])
    assert start == 4 and not codes.any()


@pytest.mark.parametrize("link", [links.Logit, links.Probit, links.CLogLog])
@pytest.mark.parametrize("cov_type", ["cluster", "HC0", "nonrobust"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("with_fe", [True, False])
def test_block_irls_equals_statsmodels(link, cov_type, weighted, with_fe):
    y, x, state, w = _design()
    x = x if with_fe else x[:, :5]
    w = w / w.mean()
    kwargs = {"family": families.Binomial(link=link()), "var_weights": w if weighted else None}
    fit = {"cov_type": cov_type, "cov_kwds": {"groups": state} if cov_type == "cluster" else None}
    irls._SOLVED.clear()
    fast = block_irls.BlockIRLSGLM(y, x, **kwargs).fit(**fit)
    slow = GLM(y, x, **kwargs).fit(**fit)
    assert_fit_equals_statsmodels(
        fast, slow, wls_method="block normal equations", params_atol=1e-13
    )
    np.testing.assert_allclose(fast.pvalues, slow.pvalues, rtol=1e-9, atol=1e-15)
    assert fast.llf == pytest.approx(slow.llf, rel=1e-12)


def test_block_fits_are_cached_by_their_design():
    y, x, state, _ = _design(seed=8)
    family = families.Binomial(link=links.Logit())
    irls._SOLVED.clear()
    robust = block_irls.BlockIRLSGLM(y, x, family=family).fit(cov_type="HC0")
    assert len(irls._SOLVED) == 1
    clustered = block_irls.BlockIRLSGLM(y, x, family=family).fit(
        cov_type="cluster", cov_kwds={"groups": state}
    )
    assert len(irls._SOLVED) == 1
    np.testing.assert_array_equal(robust.params, clustered.params)
    other = x.copy()
    other[:, 1] += 1e-3  # another design with the same dummies: solved anew
    block_irls.BlockIRLSGLM(y, other, family=family).fit()
    assert len(irls._SOLVED) == 2


def test_separation_check_is_allclose_to_zero():
    rng = np.random.default_rng(3)
    for a in (np.zeros(5), np.full(4, 1e-8), np.full(4, 1.1e-8), rng.normal(size=6) * 1e-9,
              np.array([0.0, np.nan]), np.array([0.0, np.inf]), np.array([-np.inf])):  # fmt: skip
        assert (np.abs(a) <= 1e-8).all() == np.allclose(a, 0)


def test_block_irls_warns_on_perfect_separation():
    x = np.column_stack([np.ones(40), np.r_[np.zeros(20), np.ones(20)]])
    y = x[:, 1].copy()
    with (
        pytest.warns(PerfectSeparationWarning),
        contextlib.suppress(ValueError, np.linalg.LinAlgError),
    ):
        block_irls.BlockIRLSGLM(y, x, family=families.Binomial()).fit()
