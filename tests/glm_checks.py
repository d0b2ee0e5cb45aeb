"""The comparison of a fast IRLS fit with statsmodels' GLM fit of the same model, shared by
the tests of the sparse and the block solvers."""

from __future__ import annotations

import numpy as np
import pytest


def assert_fit_equals_statsmodels(fast, slow, *, wls_method: str, params_atol: float) -> None:
    """Estimates, standard errors, covariance, the solver used, convergence, iterations and
    deviance of ``fast`` equal those of statsmodels' ``slow``."""
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-10, atol=params_atol)
    np.testing.assert_allclose(fast.bse, slow.bse, rtol=1e-10)
    cov = np.asarray(slow.cov_params())
    np.testing.assert_allclose(fast.cov_params(), cov, rtol=1e-9, atol=1e-12 * np.abs(cov).max())
    assert fast.mle_settings["wls_method"] == wls_method
    assert fast.converged and slow.converged
    assert fast.fit_history["iteration"] == slow.fit_history["iteration"]
    assert fast.deviance == pytest.approx(slow.deviance, rel=1e-12)
