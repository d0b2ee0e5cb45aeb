"""Multiple-testing control for tables of many associations."""

from __future__ import annotations

import numpy as np


def bh_qvalues(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values (false-discovery-rate adjusted p-values).

    ``q_(i) = min_{j >= i} min(1, m * p_(j) / j)`` over the ``m`` non-missing p-values sorted
    ascending; missing p-values stay missing and do not count in ``m``. Same numbers as
    ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]``.
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    present = ~np.isnan(p)
    if not present.any():
        return q
    observed = p[present]
    if ((observed < 0) | (observed > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    m = observed.size
    order = np.argsort(observed, kind="stable")
    scaled = observed[order] * m / np.arange(1, m + 1)
    # Running minimum from the largest p-value down keeps q monotone in p.
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1].clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    q[present] = out
    return q
