"""IRLS for the binary GLMs of the engine (:mod:`analysis.stats.adoption_models`) whose steps
solve the normal equations of a design made of dense columns followed by one block of
mutually exclusive 0/1 dummies (one fixed effect): the dummies' block of ``X'WX`` is
diagonal and their cross products with the dense columns are group sums, so a step costs a
small dense product and a bincount instead of a least-squares solve of the whole design.

Everything else is statsmodels' ``GLM._fit_irls`` (defaults the engine uses: deviance
criterion, atol = tol, rtol = 0, no start values): the same start, working response and
weights (the link's derivative computed once per step, the same numbers), convergence rule;
statsmodels' final step (a pseudo-inverse WLS at the last weights) solves the last step's
system again, so the last step's solution and inverse ``X'WX`` stand for it.
:class:`analysis.stats.irls.CachedGLM` builds statsmodels' results and sandwich
covariances from it. The iterates differ from statsmodels' only by rounding
(tests/test_stats_block_irls.py: estimates and errors to 1e-10, iterations equal).
"""

from __future__ import annotations

import numpy as np

from analysis.stats.irls import CachedGLM


def dummy_block(x: np.ndarray) -> tuple[int, np.ndarray]:
    """The first column of the longest trailing block of 0/1 columns with at most one 1 per
    row, and each row's position in the block plus one (0: no dummy set)."""
    start, ones = x.shape[1], np.zeros(x.shape[0])
    while start > 1:
        column = x[:, start - 1]
        if not ((column == 0) | (column == 1)).all() or ((ones + column) > 1).any():
            break
        ones += column
        start -= 1
    block = x[:, start:]
    codes = np.zeros(x.shape[0], dtype=np.intp)
    if block.shape[1]:
        rows, cols = np.nonzero(block)
        codes[rows] = cols + 1
    return start, codes


class BlockIRLSGLM(CachedGLM):
    """``GLM`` (no offset, no frequency weights) with block normal-equation IRLS steps; use
    ``fit(method="IRLS")`` with the default tolerance, as statsmodels."""

    def initialize(self):
        self._dense_columns, self._block_codes = dummy_block(np.asarray(self.exog, dtype=float))
        super().initialize()

    def _design_arrays(self) -> tuple[np.ndarray, ...]:
        # The dense columns, where the block starts and each row's dummy determine the design
        # (its shape is in the key): a fraction of the bytes to hash.
        split = self._dense_columns
        return (self.exog[:, :split], np.array([split]), self._block_codes)

    def _normal_solve(self, weights: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``X'WX`` and the solution of the normal equations ``X'WX b = X'Wz``."""
        x, split, codes = self.exog, self._dense_columns, self._block_codes
        k = x.shape[1]
        dense = x[:, :split]
        weighted = dense.T * weights
        gram = np.empty((k, k))
        right = np.empty(k)
        gram[:split, :split] = weighted @ dense
        right[:split] = weighted @ z
        if split < k:
            groups = k - split + 1
            cross = np.empty((split, groups))
            for j in range(split):
                cross[j] = np.bincount(codes, weights=weighted[j], minlength=groups)
            gram[:split, split:] = cross[:, 1:]
            gram[split:, :split] = cross[:, 1:].T
            gram[split:, split:] = np.diag(np.bincount(codes, weights, groups)[1:])
            right[split:] = np.bincount(codes, weights * z, groups)[1:]
        return gram, np.linalg.solve(gram, right)

    def _solve(self, start_params, maxiter, tol, scale, cov_type, cov_kwds, use_t, **kwargs):
        def step(weights, wlsendog):
            gram, params = self._normal_solve(weights, wlsendog)
            return params, gram

        params, gram, _, history, converged = self._irls(maxiter, tol, step)
        # statsmodels' final step, WLS(wlsendog, exog, weights).fit(method="pinv"), solves the
        # system of the last step again: its solution is that step's, up to rounding, and its
        # normalized covariance the inverse of the same X'WX.
        return self._solution(params, np.linalg.inv(gram), history, converged,
                              "block normal equations")  # fmt: skip
