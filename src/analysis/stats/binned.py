"""Observed adoption rates in bins of a covariate or of a predicted probability."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats._common import binary_outcome, complete_cases, wilson_interval

BINNED_COLUMNS = ["bin", "n", "x_low", "x_high", "x_mean", "rate", "ci_low", "ci_high"]
STRATEGIES = ("quantile", "uniform")


def bin_rates(x, y, *, n_bins: int = 10, strategy: str = "quantile", alpha: float = 0.05):
    """Rates of the 0/1 ``y`` in bins of ``x`` (complete arrays), with Wilson intervals.

    ``strategy="quantile"``: bins with about equal counts (ties never split, so there can be
    fewer bins); ``"uniform"``: equal-width bins over the range of ``x``. Bins are closed on
    the right except the first, which includes the minimum. Empty bins are left out.
    Returns ``BINNED_COLUMNS``.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if strategy == "quantile":
        edges = np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)))
    else:
        edges = np.linspace(x.min(), x.max(), n_bins + 1)
    if edges.size < 2:
        edges = np.array([x.min(), x.max()])
    labels = np.clip(np.searchsorted(edges, x, side="left") - 1, 0, edges.size - 2)
    count = np.bincount(labels, minlength=edges.size - 1)
    successes = np.bincount(labels, weights=y, minlength=edges.size - 1)
    x_sum = np.bincount(labels, weights=x, minlength=edges.size - 1)
    low, high = wilson_interval(successes, count, alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "bin": np.arange(1, edges.size),
                "n": count,
                "x_low": edges[:-1],
                "x_high": edges[1:],
                "x_mean": x_sum / count,
                "rate": successes / count,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return table[table.n > 0].reset_index(drop=True)


def binned_adoption_rates(
    df: pd.DataFrame,
    outcome: str,
    covariate: str,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Adoption rate in bins of ``covariate`` (deciles by default) with Wilson intervals, on
    rows complete on both. Columns ``covariate, bin, n, x_low, x_high, x_mean, rate,
    ci_low, ci_high, n_dropped``."""
    sample, n_dropped = complete_cases(df, [outcome, covariate])
    y = binary_outcome(sample[outcome], outcome)
    table = bin_rates(sample[covariate], y, n_bins=n_bins, strategy=strategy, alpha=alpha)
    return table.assign(covariate=covariate, n_dropped=n_dropped)[
        ["covariate", *BINNED_COLUMNS, "n_dropped"]
    ]
