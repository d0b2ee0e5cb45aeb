"""The correlation atlas: adoption against each covariate, with multiple-testing control and a
within-state permutation test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._common import (
    binary_outcome,
    complete_cases,
    group_codes,
    normal_interval,
    normal_p_value,
    z_critical,
)
from analysis.stats.multiple_testing import bh_qvalues
from analysis.stats.resampling import demean_within, within_strata_permutation_test

CORRELATION_METHODS = ("pearson", "lpm_cluster")
CORRELATION_COLUMNS = [
    "covariate",
    "method",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "within_estimate",
    "perm_p_value",
    "perm_q_value",
    "n",
    "n_dropped",
    "n_strata",
    "n_permutations",
    "seed",
]


def _pearson(y: np.ndarray, x: np.ndarray, alpha: float) -> dict[str, float]:
    """Pearson (point-biserial) r, its Fisher-z interval and the t-test p-value."""
    n = y.size
    r = float(np.corrcoef(y, x)[0, 1])
    half = z_critical(alpha) / np.sqrt(n - 3)
    t = r * np.sqrt((n - 2) / (1 - r**2)) if abs(r) < 1 else np.inf * np.sign(r)
    return {
        "estimate": r,
        "std_error": float(np.sqrt((1 - r**2) / (n - 2))),
        "ci_low": float(np.tanh(np.arctanh(r) - half)),
        "ci_high": float(np.tanh(np.arctanh(r) + half)),
        "p_value": float(2 * stats.t.sf(abs(t), n - 2)),
    }


def _lpm_cluster(y: np.ndarray, x: np.ndarray, codes: np.ndarray, alpha: float) -> dict:
    """OLS slope of y on z-scored x with a cluster-robust (CR1) standard error.

    Same numbers as ``statsmodels.OLS(y, [1, z]).fit(cov_type="cluster")``: the meat is scaled
    by ``G/(G-1) * (n-1)/(n-2)`` and inference is normal.
    """
    n = y.size
    z = (x - x.mean()) / x.std(ddof=1)
    slope = float(z @ (y - y.mean()) / (z @ z))
    resid = y - y.mean() - slope * z
    # With an intercept and a centred regressor, (X'X)^-1 is diagonal: [1/n, 1/z'z].
    design = np.column_stack([np.ones(n), z])
    scores = np.zeros((codes.max() + 1, 2))
    np.add.at(scores, codes, design * resid[:, None])
    n_groups = np.unique(codes).size
    meat = scores.T @ scores * n_groups / (n_groups - 1) * (n - 1) / (n - 2)
    bread = np.diag([1 / n, 1 / (z @ z)])
    se = float(np.sqrt((bread @ meat @ bread)[1, 1]))
    low, high = normal_interval(slope, se, alpha)
    return {
        "estimate": slope,
        "std_error": se,
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(normal_p_value(slope / se)),
    }


def correlation_table(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    *,
    strata: str = "state",
    method: str = "pearson",
    n_permutations: int = 10_000,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per covariate: its association with the 0/1 ``outcome`` across counties.

    Each covariate uses the rows where it, the outcome and ``strata`` are present
    (``n``; ``n_dropped`` counts the rest).

    ``method="pearson"`` (default): ``estimate`` is Pearson's r (point-biserial for a 0/1
    outcome), ``ci_low/ci_high`` its Fisher-z interval, ``p_value`` the usual t-test
    (``scipy.stats.pearsonr``); ``std_error = sqrt((1 - r^2)/(n - 2))``.
    ``method="lpm_cluster"``: ``estimate`` is the linear-probability slope of the outcome on
    the covariate z-scored on its rows (percentage points per SD / 100), with a
    ``strata``-clustered standard error, normal interval and p-value.

    ``within_estimate`` is the within-stratum correlation (outcome and covariate both demeaned
    by stratum). ``perm_p_value`` is the two-sided within-stratum permutation p-value
    (outcome shuffled inside strata; ``n_permutations`` draws; ``(count + 1)/(B + 1)``; see
    :func:`analysis.stats.resampling.within_strata_permutation_test`); it tests the within
    association, so between-state differences (mandates, state politics) cannot drive it.
    ``q_value`` and ``perm_q_value`` are Benjamini-Hochberg adjustments across the table's
    covariates. Identical output for the same ``seed``.
    """
    if method not in CORRELATION_METHODS:
        raise ValueError(f"method must be one of {CORRELATION_METHODS}, not {method!r}")
    covariates = list(covariates)
    base, n_dropped_base = complete_cases(df, [outcome, strata])
    y = binary_outcome(base[outcome], outcome)
    codes, _ = group_codes(base[strata])
    x = base[covariates].to_numpy(dtype=float, copy=True)
    x[~np.isfinite(x)] = np.nan

    rows = []
    for j, name in enumerate(covariates):
        keep = ~np.isnan(x[:, j])
        yj, xj, cj = y[keep], x[keep, j], codes[keep]
        row = {"covariate": name, "method": method}
        if keep.sum() < 4 or np.ptp(xj) == 0 or np.ptp(yj) == 0:
            row.update(estimate=np.nan, std_error=np.nan, ci_low=np.nan, ci_high=np.nan)
            row["p_value"] = np.nan
        elif method == "pearson":
            row.update(_pearson(yj, xj, alpha))
        else:
            row.update(_lpm_cluster(yj, xj, cj, alpha))
        yd = demean_within(yj, cj)
        xd = demean_within(xj, cj)
        denominator = np.sqrt((yd @ yd) * (xd @ xd))
        row["within_estimate"] = float(yd @ xd / denominator) if denominator > 0 else np.nan
        row.update(
            n=int(keep.sum()),
            n_dropped=n_dropped_base + int((~keep).sum()),
            n_strata=int(np.unique(cj).size),
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    table["q_value"] = bh_qvalues(table["p_value"])
    perm_p, _ = within_strata_permutation_test(
        y, x, codes, n_permutations=n_permutations, seed=seed
    )
    # A covariate with no within-stratum variation has no within test.
    table["perm_p_value"] = np.where(table["within_estimate"].notna(), perm_p, np.nan)
    table["perm_q_value"] = bh_qvalues(table["perm_p_value"])
    table["n_permutations"] = n_permutations
    table["seed"] = seed
    return table[CORRELATION_COLUMNS]
