"""Refits that change one column of a fixed-effects LPM, by Frisch-Waugh-Lovell.

Randomization inference and placebo laws refit the same linear-probability model many times,
each time with a different state-level indicator and everything else (outcome, controls, fixed
effects, clusters) unchanged. :class:`OneColumnRefits` projects the fixed effects and the
controls out of the outcome once; per draw only the indicator columns are projected (all draws
at once, as a matrix), and the coefficient and CRV1 t-statistic of the indicator follow from
the residualized column alone:

    b = r'e0 / r'r,   V = ssc * sum_g (r_g' e_g)^2 / (r'r)^2,   e = e0 - r b,

with ``r`` the indicator residualized on the fixed effects and controls, ``e0`` the residual
of the outcome, and ``ssc`` pyfixest's small-sample factor of the model with the indicator.
The fixed effects are projected out exactly (within the first, then off the orthonormalized
remaining dummies), not by alternating projections to a tolerance as pyfixest does, so values
agree with pyfixest's refits to its demeaning tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy import stats as sps

# pyfixest's collinearity tolerance (``collin_tol``): a column whose squared norm after
# projection on the fixed effects and the preceding columns is below it is dropped.
COLLIN_TOL = 1e-9


def _indicator(codes: np.ndarray) -> sp.csr_matrix:
    n = len(codes)
    return sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, codes.max() + 1))


def _orthonormal(x: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of ``x`` (rank decided by singular values)."""
    if x.shape[1] == 0:
        return x
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    keep = s > s.max() * max(x.shape) * np.finfo(float).eps
    return u[:, keep]


class FixedEffects:
    """Exact projection off one or more fixed effects (integer codes per row): within the
    effect with the most levels, then off the remaining dummies (demeaned the same way and
    orthonormalized)."""

    def __init__(self, codes: Sequence[np.ndarray]):
        codes = sorted((np.unique(c, return_inverse=True)[1] for c in codes),
                       key=lambda c: -(c.max() + 1))  # fmt: skip
        self.first = _indicator(codes[0])
        self.counts = np.asarray(self.first.sum(axis=0)).ravel()
        others = [_indicator(c).toarray() for c in codes[1:]]
        rest = np.hstack(others) if others else np.zeros((self.first.shape[0], 0))
        self.basis = _orthonormal(self._within(rest))

    def _within(self, x: np.ndarray) -> np.ndarray:
        means = (self.first.T @ x) / self.counts[:, None]
        return x - self.first @ means

    def residualize(self, x: np.ndarray) -> np.ndarray:
        x = self._within(np.asarray(x, dtype=float).reshape(len(x), -1))
        return x - self.basis @ (self.basis.T @ x)


class OneColumnRefits:
    """Coefficient and CRV1 t of one column ``d`` in ``y ~ controls + d | fixed effects``,
    for many candidate columns.

    ``position``: where ``d`` stands among the regressors (its collinearity check, as in
    pyfixest, is against the columns before it); ``df_k``: pyfixest's number of parameters in
    the small-sample factor (N - 1) / (N - df_k) of the model with ``d``; ``cluster``: integer
    cluster codes."""

    def __init__(self, y, controls, fe: FixedEffects, cluster, *, position: int, df_k: int):
        self.fe = fe
        controls = self.fe.residualize(np.asarray(controls, dtype=float))
        self.basis = _orthonormal(controls)
        self.position = position
        self.before = _orthonormal(controls[:, :position]) if position < controls.shape[1] else None
        y = self.fe.residualize(np.asarray(y, dtype=float))[:, 0]
        self.e0 = y - self.basis @ (self.basis.T @ y)
        self.cluster = _indicator(np.asarray(cluster))
        n, g = len(y), self.cluster.shape[1]
        self.ssc = (n - 1) / (n - df_k) * g / (g - 1)
        self.df_t = g - 1

    def fit(self, columns: np.ndarray, *, chunk: int = 25) -> tuple[np.ndarray, np.ndarray]:
        """(coefficients, t-statistics) of each column of ``columns`` (n x draws); NaN for a
        column the fixed effects and preceding regressors absorb."""
        columns = np.asarray(columns, dtype=float).reshape(len(columns), -1)
        coef = np.empty(columns.shape[1])
        t = np.empty(columns.shape[1])
        for start in range(0, columns.shape[1], chunk):
            part = slice(start, start + chunk)
            coef[part], t[part] = self._fit(columns[:, part])
        return coef, t

    def _fit(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = self.fe.residualize(columns)
        r = d - self.basis @ (self.basis.T @ d)
        rr = np.einsum("ij,ij->j", r, r)
        rr = np.where(rr > 0, rr, np.nan)  # an absorbed column (no estimate, below)
        if self.before is None:  # the column comes last: checked against all the others
            kept = rr
        else:
            before = d - self.before @ (self.before.T @ d) if self.position else d
            kept = np.einsum("ij,ij->j", before, before)
        b = (r.T @ self.e0) / rr
        e = self.e0[:, None] - r * b
        scores = self.cluster.T @ (r * e)
        se = np.sqrt(self.ssc * np.einsum("ij,ij->j", scores, scores)) / rr
        absorbed = kept < COLLIN_TOL
        b[absorbed] = np.nan
        return b, np.where(absorbed, np.nan, b / se)

    def p_values(self, t: np.ndarray) -> np.ndarray:
        """Two-sided p-values of ``t`` with G - 1 degrees of freedom (pyfixest's CRV1)."""
        return 2 * (1 - sps.t.cdf(np.abs(t), self.df_t))
