"""Faster exact pieces of the binary-model engine (:mod:`analysis.stats.adoption_models`);
:func:`group_codes`, :func:`matrix_rank` and ``SPARSE_IRLS_ROWS`` live in
:mod:`analysis.stats.codes` (no statsmodels) and are re-exported here.

- :class:`SparseIRLSGLM`: statsmodels' ``GLM`` whose IRLS iterations solve each weighted least
  squares step from the normal equations of the sparse design (fixed-effect dummies are
  mostly zeros) instead of a dense ``lstsq``. Everything else is statsmodels' own code path:
  the same start, working response and weights, deviance criterion and tolerance, and the same
  final step (a dense pseudo-inverse WLS at the last weights, whose solution is the reported
  estimate), results object and sandwich covariances. The iterates differ from statsmodels'
  only by rounding, which the final step does not amplify (relative differences near 1e-13 in
  the estimates, checked in tests/test_stats_irls.py).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from statsmodels.genmod.generalized_linear_model import (
    GLM,
    GLMResults,
    GLMResultsWrapper,
)
from statsmodels.regression import linear_model as lm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from analysis.stats.codes import (
    SPARSE_IRLS_ROWS,
    dense_to_csr,
    group_codes,
    matrix_rank,
    sparse_design,
)

__all__ = ["SPARSE_IRLS_ROWS", "CachedGLM", "SparseIRLSGLM", "dense_to_csr", "group_codes",
           "matrix_rank", "sparse_design"]  # fmt: skip

# IRLS solutions by a digest of (family, link, outcome, design, weights): a model fitted again
# with only another covariance (robust, then clustered) reuses its iterations in this process.
_SOLVED: OrderedDict = OrderedDict()
_SOLVED_MAX = 64


def deviance_converged(criterion: list, iteration: int, atol: float) -> bool:
    """statsmodels' ``_check_convergence(criterion, iteration, atol, 0.0)``, i.e.
    ``np.allclose(criterion[iteration], criterion[iteration + 1], atol=atol, rtol=0)``, on two
    scalars: ``|x - y| <= atol`` where ``y`` is finite, else ``x == y`` (the same test in the
    same floating-point arithmetic, without building arrays)."""
    x, y = float(criterion[iteration]), float(criterion[iteration + 1])
    return (math.isfinite(y) and abs(x - y) <= atol + 0.0 * abs(y)) or x == y


class CachedGLM(GLM):
    """statsmodels' ``GLM`` whose IRLS solution (estimates, final WLS, scale, weights and
    history) is computed once per outcome, design, weights and family in a process; each fit
    then builds statsmodels' results, and so its covariance, from that solution. A fit is a
    pure function of these inputs, so a repeated fit gives the same numbers, bit for bit."""

    def initialize(self):
        # ``GLM.initialize``, the design's rank from :func:`matrix_rank` (the same number,
        # computed once per design in a process).
        self.df_model = self._design_rank() - 1
        weights = self.freq_weights
        frequency = weights is not None and weights.shape[0] == self.endog.shape[0]
        self.wnobs = weights.sum() if frequency else self.exog.shape[0]
        self.df_resid = self.wnobs - self.df_model - 1

    def _design_rank(self) -> int:
        return matrix_rank(self.exog)

    def _design_arrays(self) -> tuple[np.ndarray, ...]:
        """What identifies the design in the solution's key."""
        return (self.exog,)

    def _solve(self, start_params, maxiter, tol, scale, cov_type, cov_kwds, use_t, **kwargs):
        return super()._fit_irls(start_params, maxiter, tol, scale, cov_type, cov_kwds, use_t,
                                 attach_wls=True, **kwargs)  # fmt: skip

    def _irls(self, maxiter: int, tol: float, step):
        """statsmodels' ``GLM._fit_irls`` with the defaults the engine uses (deviance
        criterion, atol = tol, rtol = 0, no start values), each weighted least-squares step
        solved by ``step(weights, wlsendog)``, which returns its solution and what the final
        step needs. Returns the last step's ``(params, what step returned with them,
        wlsendog, history, converged)``; ``self.mu``, ``self.weights`` and ``self.scale`` are
        the last step's."""
        endog, exog, family = self.endog, self.exog, self.family
        start_params = np.zeros(exog.shape[1])
        mu = family.starting_mu(endog)
        lin_pred = family.predict(mu)
        self.scale = self.estimate_scale(mu)
        dev = family.deviance(endog, mu, self.var_weights, self.freq_weights, self.scale)
        if np.isnan(dev):
            raise ValueError("The first guess on the deviance function returned a nan.")
        history = dict(params=[np.inf, start_params], deviance=[np.inf, dev])
        converged = False
        for iteration in range(maxiter):
            # Family.weights: 1 / (g'(mu)^2 Var(mu)), with g'(mu) computed once.
            deriv = family.link.deriv(mu)
            self.weights = self.iweights * self.n_trials * (1.0 / (deriv**2 * family.variance(mu)))
            wlsendog = lin_pred + deriv * (endog - mu) - self._offset_exposure
            if not (np.isfinite(wlsendog).all() and np.isfinite(np.sqrt(self.weights)).all()):
                raise ValueError("NaN, inf or invalid value detected, estimation infeasible.")
            params, solved = step(self.weights, wlsendog)
            lin_pred = exog @ params + self._offset_exposure
            mu = family.fitted(lin_pred)
            history["params"].append(params)
            history["deviance"].append(
                family.deviance(endog, mu, self.var_weights, self.freq_weights, self.scale)
            )
            self.scale = self.estimate_scale(mu)
            # np.allclose(mu - endog, 0): every |mu - y| <= 1e-8 (atol; NaN fails), cheaper.
            if endog.squeeze().ndim == 1 and (np.abs(mu - endog) <= 1e-8).all():
                warnings.warn(
                    "Perfect separation or prediction detected, parameter may not be identified",
                    category=PerfectSeparationWarning,
                    stacklevel=3,
                )
            converged = deviance_converged(history["deviance"], iteration + 1, tol)
            if converged:
                break
        self.mu = mu
        history["iteration"] = iteration + 1
        return params, solved, wlsendog, history, converged

    def _solution(self, params, normalized_cov, history, converged, method: str):
        """What :meth:`_solve` returns to :meth:`_fit_irls`: the final step's estimates and
        normalized covariance, the scale, history and convergence."""
        wls = SimpleNamespace(params=params, normalized_cov_params=normalized_cov)
        fitted = SimpleNamespace(
            results_wls=wls,
            scale=self.scale,
            fit_history=history,
            converged=converged,
            mle_settings={"wls_method": method, "optimizer": "IRLS"},
        )
        return SimpleNamespace(_results=fitted)

    def _fit_irls(self, start_params=None, maxiter=100, tol=1e-8, scale=None,
                  cov_type="nonrobust", cov_kwds=None, use_t=None, **kwargs):  # fmt: skip
        if start_params is not None or kwargs or maxiter < 1 or scale is not None:
            return super()._fit_irls(start_params, maxiter, tol, scale, cov_type, cov_kwds,
                                     use_t, **kwargs)  # fmt: skip
        digest = hashlib.blake2b(repr((type(self).__name__, type(self.family).__name__,
                                       type(self.family.link).__name__, maxiter, tol,
                                       self.exog.shape)).encode())  # fmt: skip
        for array in (self.endog, *self._design_arrays(), self.var_weights, self.freq_weights):
            digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
        key = digest.hexdigest()
        if key not in _SOLVED:
            fitted = self._solve(None, maxiter, tol, None, "nonrobust", None, use_t)._results
            wls = fitted.results_wls
            _SOLVED[key] = (wls.params, wls.normalized_cov_params, fitted.scale, self.mu,
                            self.weights, fitted.fit_history, fitted.converged,
                            fitted.mle_settings)  # fmt: skip
            while len(_SOLVED) > _SOLVED_MAX:
                _SOLVED.popitem(last=False)
        params, normalized, fit_scale, mu, weights, history, converged, settings = _SOLVED[key]
        self.mu, self.weights, self.scale = mu, weights, fit_scale
        results = GLMResults(self, params, normalized, fit_scale, cov_type=cov_type,
                             cov_kwds=cov_kwds, use_t=use_t)  # fmt: skip
        results.method = "IRLS"
        results.mle_settings = dict(settings)
        results.fit_history = {k: list(v) if isinstance(v, list) else v
                               for k, v in history.items()}  # fmt: skip
        results.converged = converged
        return GLMResultsWrapper(results)


class SparseIRLSGLM(CachedGLM):
    """``GLM`` (unweighted by frequency, no offset) with sparse normal-equation IRLS steps;
    use ``fit(method="IRLS")`` with the default tolerance, as statsmodels."""

    def initialize(self):
        # The sparse form of the design and its rank (computed once for the design whose rank
        # the engine has just checked): for the rank and for every IRLS step.
        exog = np.asarray(self.exog)
        if exog.ndim == 2 and exog.shape[0] >= SPARSE_IRLS_ROWS and exog.dtype.kind == "f":
            self._rows, self._sparse_design_rank = sparse_design(exog)
        else:
            self._rows = dense_to_csr(exog)
            self._sparse_design_rank = matrix_rank(exog)
        super().initialize()

    def _design_rank(self) -> int:
        return self._sparse_design_rank

    def _design_arrays(self) -> tuple[np.ndarray, ...]:
        # The sparse form determines the design (its shape is in the key): a seventh of the
        # bytes of a panel design to hash.
        return (self._rows.data, self._rows.indices, self._rows.indptr)

    def _solve(self, start_params, maxiter, tol, scale, cov_type, cov_kwds, use_t, **kwargs):
        columns = self._rows.T.tocsr()  # X' (k x n), its entries scaled by the weights per step

        def step(weights, wlsendog):
            weighted = sp.csr_matrix(
                (columns.data * weights[columns.indices], columns.indices, columns.indptr),
                shape=columns.shape,
            )
            return np.linalg.solve((weighted @ self._rows).toarray(), weighted @ wlsendog), None

        _, _, wlsendog, history, converged = self._irls(maxiter, tol, step)
        # statsmodels' final step: a dense pseudo-inverse WLS at the last weights.
        wls = lm.WLS(wlsendog, self.exog, self.weights).fit(method="pinv")
        return self._solution(wls.params, wls.normalized_cov_params, history, converged,
                              "sparse normal equations")  # fmt: skip
