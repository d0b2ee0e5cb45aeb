"""statsmodels' ``OLS`` and ``WLS`` whose pseudo-inverse of the (whitened) design is computed
once per design in a process: the LPMs of a grid or a specification curve fit the same design
for every outcome, and the SVD behind ``pinv`` is most of a fit's cost.

:meth:`CachedFitMixin.fit` is ``RegressionModel.fit(method="pinv")`` of statsmodels 0.15, with
``pinv_extended`` and the products that depend only on the design looked up by a digest of the
whitened design; the estimate, results object and covariances are statsmodels' own, so the
numbers are the same bit for bit (tests/test_stats_ols_cache.py).
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict

import numpy as np
from statsmodels.regression.linear_model import (
    OLS,
    WLS,
    OLSResults,
    RegressionResults,
    RegressionResultsWrapper,
)
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from statsmodels.tools.tools import pinv_extended

_PINV: OrderedDict = OrderedDict()
_PINV_MAX = 16


def _solved(wexog: np.ndarray):
    digest = hashlib.blake2b(repr((wexog.shape, wexog.dtype.str, wexog.strides)).encode())
    digest.update(np.ascontiguousarray(wexog).tobytes())
    key = digest.hexdigest()
    if key not in _PINV:
        pinv_wexog, singular_values = pinv_extended(wexog)
        normalized = np.dot(pinv_wexog, np.transpose(pinv_wexog))
        rank = np.linalg.matrix_rank(np.diag(singular_values))
        _PINV[key] = (pinv_wexog, singular_values, normalized, rank)
        while len(_PINV) > _PINV_MAX:
            _PINV.popitem(last=False)
    _PINV.move_to_end(key)
    return _PINV[key]


class CachedFitMixin:
    """``fit`` with the design's pseudo-inverse reused (``method="pinv"`` only)."""

    def fit(self, method="pinv", cov_type="nonrobust", cov_kwds=None, use_t=None, **kwargs):
        if method != "pinv" or kwargs:
            return super().fit(method, cov_type, cov_kwds, use_t, **kwargs)
        pinv_wexog, singular_values, normalized, rank = _solved(self.wexog)
        self.pinv_wexog = pinv_wexog
        self.normalized_cov_params = normalized
        self.wexog_singular_values = singular_values
        self.rank = rank
        if self.rank < self.wexog.shape[1]:
            warnings.warn(
                "The design matrix is rank-deficient. "
                "The model parameters are not uniquely determined.",
                SingularMatrixWarning,
                stacklevel=2,
            )
        beta = np.dot(self.pinv_wexog, self.wendog)
        if self._df_model is None:
            self._df_model = float(self.rank - self.k_constant)
        if self._df_resid is None:
            self.df_resid = self.nobs - self.rank
        results = OLSResults if isinstance(self, OLS) else RegressionResults
        fitted = results(self, beta, normalized_cov_params=self.normalized_cov_params,
                         cov_type=cov_type, cov_kwds=cov_kwds, use_t=use_t)  # fmt: skip
        return RegressionResultsWrapper(fitted)


class CachedOLS(CachedFitMixin, OLS):
    """``OLS`` with :meth:`CachedFitMixin.fit`."""


class CachedWLS(CachedFitMixin, WLS):
    """``WLS`` with :meth:`CachedFitMixin.fit`."""
