"""The randomization and placebo refits of :class:`analysis.stats.fwl.OneColumnRefits` without
one n-vector per draw, for draws that give state schedules to states.

A draw's column is ``x = sum_j x[s_j, j]``: the indicator of schedule ``j`` (its months in
force) on the rows of the state ``s_j`` it was given. Let ``Q`` be an orthonormal basis of
everything the column is residualized on (the fixed effects, then the controls), so
``r = x - Q w`` with ``w = Q'x``. Every statistic of :meth:`OneColumnRefits.fit` is then a
sum over the pairs ``(s_j, j)`` of quantities computed once per pair:

    r'r = x'x - w'w,    r'e0 = x'e0 - w'Q'e0,
    per cluster g:  sum_g r e0 = sum_g x e0 - A_g'w,
                    sum_g r^2 = sum_g x - 2 (sum_g x q)'w + w'B_g w,

with ``A_g = sum_g e0 q`` and ``B_g = sum_g q q'`` (x is 0/1, so x^2 = x). Each state must lie
in one cluster (clustering by state). The values are those of :meth:`OneColumnRefits.fit` up
to rounding (relative differences near 1e-12, tested in tests/test_stats_fwl_draws.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.stats.fwl import COLLIN_TOL, OneColumnRefits


def _codes(indicator) -> np.ndarray:
    """The column of each row of a one-entry-per-row indicator matrix (csr)."""
    if not np.array_equal(indicator.indptr, np.arange(indicator.shape[0] + 1)):
        raise ValueError("not one entry per row")
    return indicator.indices.astype(np.intp)


class StateDrawRefits:
    """Coefficient and CRV1 t of the drawn column in ``refits``' model, per draw.

    ``states``: each row's state; ``active``: per schedule, a 0/1 (or bool) array, 1 in the
    rows whose month the schedule is in force. Raises ValueError when a state spans clusters.
    """

    def __init__(self, refits: OneColumnRefits, states: np.ndarray, active: Sequence[np.ndarray]):
        fe = refits.fe
        n = len(refits.e0)
        codes = _codes(fe.first)
        normalized = np.zeros((n, fe.counts.size))
        normalized[np.arange(n), codes] = 1 / np.sqrt(fe.counts[codes])
        fixed = np.hstack([normalized, fe.basis])
        q = np.hstack([fixed, refits.basis])
        self.before = None
        if refits.before is not None:
            self.before = np.hstack([fixed, refits.before]) if refits.position else fixed
        cluster = _codes(refits.cluster)
        self.g = refits.cluster.shape[1]
        e0 = refits.e0
        self.qe0 = q.T @ e0
        self.a = np.asarray(refits.cluster.T @ (q * e0[:, None]))
        order = np.argsort(cluster, kind="stable")
        bounds = np.searchsorted(cluster[order], np.arange(self.g + 1))
        ordered = q[order]
        self.b = np.array([ordered[lo:hi].T @ ordered[lo:hi]
                           for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])  # fmt: skip
        state_code, levels = pd.factorize(pd.Series(np.asarray(states)).astype(str))
        self.states = {str(state): i for i, state in enumerate(levels)}
        low = np.full(len(levels), np.iinfo(np.intp).max)
        high = np.full(len(levels), -1)
        np.minimum.at(low, state_code, cluster)
        np.maximum.at(high, state_code, cluster)
        if (low != high).any():
            raise ValueError("a state spans several clusters")
        self.cluster_of = low.astype(np.intp)
        self.n_schedules = len(active)
        # Per (state, schedule) pair, index state * n_schedules + schedule: the rows of the
        # state in which the schedule is in force.
        on = np.column_stack([np.asarray(a, dtype=bool) for a in active])
        rows, schedule = np.nonzero(on)
        pair = state_code[rows] * self.n_schedules + schedule
        n_pairs = len(levels) * self.n_schedules
        select = sp.csr_matrix((np.ones(len(rows)), (pair, rows)), shape=(n_pairs, n))
        self.count = np.bincount(pair, minlength=n_pairs).astype(float)
        self.xe0 = select @ e0
        self.w = select @ q
        self.wb = None if self.before is None else select @ self.before
        self.ssc = refits.ssc

    def fit(self, drawn: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """(coefficients, t-statistics) of the column of each draw (the states given schedules
        0, 1, ... in order; a state not among the rows adds nothing); NaN where absorbed."""
        n_draws = len(drawn)
        if n_draws == 0:
            return np.zeros(0), np.zeros(0)
        states = np.array([[self.states.get(str(s), -1) for s in d] for d in drawn])
        schedule = np.arange(states.shape[1])[None, :]
        pairs = np.where(states >= 0, states * self.n_schedules + schedule, -1)
        present = pairs >= 0
        safe = np.where(present, pairs, 0)
        weight = present.astype(float)
        w = np.einsum("dj,djp->dp", weight, self.w[safe])
        xx = (self.count[safe] * weight).sum(axis=1)
        xe0 = (self.xe0[safe] * weight).sum(axis=1)
        rr = xx - np.einsum("dp,dp->d", w, w)
        if self.wb is None:
            kept = rr
        else:
            wb = np.einsum("dj,djp->dp", weight, self.wb[safe])
            kept = xx - np.einsum("dp,dp->d", wb, wb)
        rr = np.where(rr > 0, rr, np.nan)
        coef = (xe0 - w @ self.qe0) / rr
        re0 = -(w @ self.a.T)
        rr_g = np.einsum("dgq,dq->dg", np.tensordot(w, self.b, axes=([1], [1])), w)
        rows = np.repeat(np.arange(n_draws), states.shape[1])
        clusters = self.cluster_of[np.where(present, states, 0)].ravel()
        flat = present.ravel()
        rows, clusters, at = rows[flat], clusters[flat], safe.ravel()[flat]
        np.add.at(re0, (rows, clusters), self.xe0[at])
        np.add.at(rr_g, (rows, clusters),
                  self.count[at] - 2 * np.einsum("ip,ip->i", self.w[at], w[rows]))  # fmt: skip
        scores = re0 - coef[:, None] * rr_g
        se = np.sqrt(self.ssc * np.einsum("dg,dg->d", scores, scores)) / rr
        absorbed = kept < COLLIN_TOL
        coef[absorbed] = np.nan
        return coef, np.where(absorbed, np.nan, coef / se)
