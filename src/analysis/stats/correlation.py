"""The correlation atlas: adoption against each covariate, one covariate at a time, with tests
that allow for dependence between the counties of a state.

Counties are not independent draws: neighbouring counties share economies, media markets,
sheriffs' associations and state law, and adoption clusters in space. A t-test that treats the
3,144 counties as independent, or a permutation test that shuffles adoption inside a state as
if every county of the state were exchangeable, rejects far too often when both the covariate and
the outcome are spatially smooth (see :mod:`analysis.stats.size`, which measures this on the real
county adjacency). The tests here are state-clustered: the linear-probability slope of the outcome
on the covariate, with CRV3 (leave-one-state-out jackknife) state-clustered standard errors and
a t distribution with G - 1 degrees of freedom (G states), the conventions of
``pyfixest.feols(..., vcov={"CRV3": "state"})`` (the tests check the numbers against it), pooled
across states and within states (state fixed effects). CRV3 rather than the usual CRV1: on the
real adjacency CRV1 rejects smoothed noise more often. Pearson's r and its Fisher-z interval stay
in the table as a description only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

# scipy.stats.t's own sf and ppf (stdtr, stdtrit), without the cost of importing scipy.stats
from scipy.special import stdtr, stdtrit

from analysis.stats._common import binary_outcome, complete_cases, group_codes, z_critical
from analysis.stats.multiple_testing import bh_qvalues
from analysis.stats.resampling import demean_within

CORRELATION_COLUMNS = [
    "covariate",
    "r",
    "r_ci_low",
    "r_ci_high",
    "r_within",
    "pooled_pp_per_sd",
    "pooled_se",
    "pooled_ci_low",
    "pooled_ci_high",
    "pooled_p_value",
    "pooled_q_value",
    "within_pp_per_sd",
    "within_se",
    "within_ci_low",
    "within_ci_high",
    "within_p_value",
    "within_q_value",
    "iid_p_value",
    "iid_q_value",
    "n",
    "n_dropped",
    "n_clusters",
]

#: Which test each p/q-value column of :func:`correlation_table` comes from.
TEST_METHODS = {
    "pooled": "LPM slope per SD, CRV3 state-clustered SE, t(G-1) reference",
    "within": "LPM slope per SD with state fixed effects, CRV3 state-clustered SE, t(G-1)",
    "iid": "Pearson t-test treating counties as independent (too lenient; comparison only)",
    "r": "Pearson r with Fisher-z 95% interval (descriptive, not a test)",
}


def cluster_sums(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Column sums of ``values`` (n x k) within each code: a (number of codes) x k array."""
    n_codes = int(codes.max()) + 1 if codes.size else 0
    indicator = sparse.csr_matrix(
        (np.ones(codes.size), (codes, np.arange(codes.size))), shape=(n_codes, codes.size)
    )
    return np.asarray(indicator @ values)


def clustered_slope_tests(
    y, x, codes, *, within: bool, alpha: float = 0.05
) -> dict[str, np.ndarray]:
    """OLS slope of each column of ``y`` on the matching column of ``x`` (n x k, or 1-D), with
    a CRV3 (leave-one-cluster-out jackknife) standard error over ``codes`` and a two-sided
    t(G - 1) p-value.

    ``V = G/(G-1) * (n-1)/(n-2) * sum_g (b_(-g) - b)^2``, where ``b_(-g)`` is the slope without
    cluster ``g``: the conventions of pyfixest's ``feols("y ~ x", vcov={"CRV3": "g"})``
    (``within=False``, intercept and slope) and ``feols("y ~ x | g", vcov={"CRV3": "g"})``
    (``within=True``: fixed effects for ``codes``, both variables demeaned by code; singleton
    clusters dropped first, as pyfixest does). CRV3 is more conservative than the usual CRV1
    when clusters are few or unequal in size (Texas has 254 counties, Delaware 3); see
    :mod:`analysis.stats.size` for its measured size. Rows must be complete. A column whose
    ``x`` does not vary gives NaN. Returns arrays ``estimate, std_error, ci_low, ci_high,
    p_value`` and the scalars ``n, n_clusters``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    vector = y.ndim == 1
    y, x = y.reshape(len(y), -1), x.reshape(len(x), -1)
    codes = np.unique(np.asarray(codes), return_inverse=True)[1]
    if within:
        keep = np.bincount(codes)[codes] > 1
        y, x = y[keep], x[keep]
        codes = np.unique(codes[keep], return_inverse=True)[1]
        y, x = demean_within(y, codes), demean_within(x, codes)
    else:
        y, x = y - y.mean(axis=0), x - x.mean(axis=0)
    n, g = len(codes), int(np.unique(codes).size)
    sxy, sxx = cluster_sums(x * y, codes), cluster_sums(x * x, codes)
    total_xy, total_xx = sxy.sum(axis=0), sxx.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = total_xy / total_xx
        if within:  # demeaning is within clusters, so dropping one leaves the others as they are
            loo = (total_xy - sxy) / (total_xx - sxx)
        else:  # the means move when a cluster is left out
            sx, sy = cluster_sums(x, codes), cluster_sums(y, codes)
            rest = (n - np.bincount(codes))[:, None]
            # x and y are centred, so the other clusters' sums of x and y are -sx and -sy.
            loo = (total_xy - sxy - sx * sy / rest) / (total_xx - sxx - sx**2 / rest)
        factor = g / (g - 1) * (n - 1) / (n - 2)
        se = np.sqrt(factor * ((loo - slope) ** 2).sum(axis=0))
        t = slope / se
    bad = ~(total_xx > 1e-12 * n)
    slope[bad], se[bad], t[bad] = np.nan, np.nan, np.nan
    critical = stdtrit(g - 1, 1 - alpha / 2)
    out = {
        "estimate": slope,
        "std_error": se,
        "ci_low": slope - critical * se,
        "ci_high": slope + critical * se,
        "p_value": 2 * stdtr(g - 1, -np.abs(t)),
    }
    if vector:
        out = {key: value[0] for key, value in out.items()}
    return out | {"n": n, "n_clusters": g}


def iid_correlation_tests(y, x) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of each column of ``y`` with the matching column of ``x`` and the usual
    t-test p-value on n - 2 degrees of freedom (``scipy.stats.pearsonr``), which assumes
    independent rows. Returns ``(r, p_value)``."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    y, x = y.reshape(len(y), -1), x.reshape(len(x), -1)
    n = len(y)
    yd, xd = y - y.mean(axis=0), x - x.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (yd * xd).sum(axis=0) / np.sqrt((yd * yd).sum(axis=0) * (xd * xd).sum(axis=0))
        r = np.clip(r, -1, 1)
        t = r * np.sqrt((n - 2) / (1 - r**2))
    return r, 2 * stdtr(n - 2, -np.abs(t))


def _fisher_interval(r: float, n: int, alpha: float) -> tuple[float, float]:
    half = z_critical(alpha) / np.sqrt(n - 3)
    return float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))


def correlation_table(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    *,
    strata: str = "state",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per covariate: its association with the 0/1 ``outcome`` across counties.

    Each covariate uses the rows where it, the outcome and ``strata`` are present (``n``;
    ``n_dropped`` counts the rest) and is z-scored (ddof = 1) on those rows.

    - ``pooled_*``: the linear-probability slope of the outcome on the covariate, in percentage
      points per SD, with a ``strata``-clustered (CRV3) standard error, a t(G - 1) interval and
      p-value (:func:`clustered_slope_tests`).
    - ``within_*``: the same with ``strata`` fixed effects (the association among counties of
      the same state).
    - ``r``, ``r_ci_low/high``: Pearson's (point-biserial) r and its Fisher-z interval, and
      ``r_within`` the correlation of the state-demeaned variables: descriptive only.
    - ``iid_p_value``: the t-test of r that treats counties as independent, kept to show how
      much more lenient it is; not a valid test here.

    ``*_q_value`` are Benjamini-Hochberg adjustments across the table's covariates.
    """
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
        row = {"covariate": name, "n": int(keep.sum())}
        row["n_dropped"] = n_dropped_base + int((~keep).sum())
        row["n_clusters"] = int(np.unique(cj).size)
        if keep.sum() < 4 or np.ptp(xj) == 0 or np.ptp(yj) == 0:
            rows.append(row)
            continue
        z = (xj - xj.mean()) / xj.std(ddof=1)
        r, p_iid = iid_correlation_tests(yj, z)
        row.update(r=float(r[0]), iid_p_value=float(p_iid[0]))
        row["r_ci_low"], row["r_ci_high"] = _fisher_interval(row["r"], row["n"], alpha)
        yd, xd = demean_within(yj, cj), demean_within(z, cj)
        denominator = np.sqrt((yd @ yd) * (xd @ xd))
        row["r_within"] = float(yd @ xd / denominator) if denominator > 0 else np.nan
        for label, within in (("pooled", False), ("within", True)):
            test = clustered_slope_tests(yj, z, cj, within=within, alpha=alpha)
            row[f"{label}_pp_per_sd"] = 100 * float(test["estimate"])
            row[f"{label}_se"] = 100 * float(test["std_error"])
            row[f"{label}_ci_low"] = 100 * float(test["ci_low"])
            row[f"{label}_ci_high"] = 100 * float(test["ci_high"])
            row[f"{label}_p_value"] = float(test["p_value"])
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=CORRELATION_COLUMNS)
    for label in ("pooled", "within", "iid"):
        table[f"{label}_q_value"] = bh_qvalues(table[f"{label}_p_value"])
    return table
