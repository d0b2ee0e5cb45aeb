"""How much of each association lies between states and how much within them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._common import binary_outcome, require_columns
from analysis.stats.adoption_models import fit_adoption_model
from analysis.stats.resampling import cluster_bootstrap_counts, percentile_interval
from analysis.stats.spec import ModelSpec

DECOMPOSITION_COLUMNS = [
    "covariate",
    "slope_pooled",
    "slope_between",
    "slope_within",
    "x_between_share",
    "cov_between_share",
    "cov_within_share",
    "within_share_ci_low",
    "within_share_ci_high",
    "r_pooled",
    "r_within",
    "n",
    "n_dropped",
    "n_groups",
    "n_boot",
    "seed",
]


def _complete_mask(df: pd.DataFrame, column: str) -> np.ndarray:
    """Rows with a value in ``column``, infinite numbers counting as missing: the part of
    :func:`analysis.stats._common.complete_cases` that concerns this column."""
    values = df[[column]]
    keep = values.notna().all(axis=1).to_numpy(copy=True)
    numeric = values.select_dtypes("number")
    if numeric.shape[1]:
        keep &= np.isfinite(numeric.to_numpy(dtype=float)).all(axis=1)
    return keep


def _sums_by_group(x: np.ndarray, y: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-group n, sum x, sum y, sum x^2, sum xy, sum y^2 (groups x 6)."""
    columns = [np.ones_like(x), x, y, x * x, x * y, y * y]
    return np.stack([np.bincount(codes, weights=c) for c in columns], axis=-1)


def _decompose(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Between/within sums of squares and cross-products from per-group sums.

    ``sums`` is (..., groups, 6); bootstrap replicates are a leading axis, with each group's
    sums multiplied by how often it was drawn. Total = between + within exactly:
    ``S_xy = sum_g n_g (xbar_g - xbar)(ybar_g - ybar) + sum_i (x_i - xbar_g)(y_i - ybar_g)``.
    """
    n_g, sx, sy, sxx, sxy, syy = np.moveaxis(sums, -1, 0)
    n = n_g.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        total_xy = sxy.sum(-1) - sx.sum(-1) * sy.sum(-1) / n
        total_xx = sxx.sum(-1) - sx.sum(-1) ** 2 / n
        total_yy = syy.sum(-1) - sy.sum(-1) ** 2 / n
        occupied = n_g > 0
        within_xy = (sxy - np.where(occupied, sx * sy / n_g, 0)).sum(-1)
        within_xx = (sxx - np.where(occupied, sx**2 / n_g, 0)).sum(-1)
        within_yy = (syy - np.where(occupied, sy**2 / n_g, 0)).sum(-1)
    return {
        "total_xy": total_xy,
        "total_xx": total_xx,
        "total_yy": total_yy,
        "within_xy": within_xy,
        "within_xx": within_xx,
        "within_yy": within_yy,
    }


def between_within_decomposition(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    *,
    group: str = "state",
    n_boot: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Split each covariate's association with the outcome into a between-state part (state
    means) and a within-state part (deviations from state means).

    For each covariate (on rows complete on outcome, covariate and ``group``), with the
    covariate z-scored on those rows:

    - ``slope_pooled``: OLS slope of the outcome on the covariate (probability per SD);
    - ``slope_within``: the same with state fixed effects (deviations from state means);
    - ``slope_between``: slope across state means, weighted by state size;
    - ``x_between_share``: share of the covariate's variance that lies between states; the
      pooled slope is the mix ``x_between_share * slope_between + (1 - x_between_share) *
      slope_within``;
    - ``cov_between_share`` / ``cov_within_share``: shares of the covariance (sum of
      cross-products) that lie between and within states; they add to 1 but each can fall
      outside [0, 1] when the two parts have opposite signs, and are unstable when the total
      covariance is near 0 (read them with ``r_pooled``);
    - ``within_share_ci_low/high``: percentile interval of ``cov_within_share`` from a state
      (cluster) bootstrap with ``n_boot`` replicates and ``seed``; identical for the same seed
      (``n_boot=0`` skips it);
    - ``r_pooled``, ``r_within``: pooled and within-state correlations.
    """
    require_columns(df, [outcome, group, *covariates])
    rows = []
    # The rows complete on outcome, covariate and group (as analysis.stats._common's
    # complete_cases keeps them, column by column) and the group codes of those rows (as its
    # group_codes numbers them), with the outcome's and group's parts made once.
    base_keep = _complete_mask(df, outcome) & _complete_mask(df, group)
    groups = df[group][base_keep].astype(str).to_numpy()
    all_levels, group_rows_codes = np.unique(groups, return_inverse=True)
    all_codes = np.zeros(len(df), dtype=np.intp)
    all_codes[base_keep] = group_rows_codes
    for position, name in enumerate(covariates):
        keep = base_keep & _complete_mask(df, name) if name not in (outcome, group) else base_keep
        n_dropped = int((~keep).sum())
        y = binary_outcome(df[outcome][keep], outcome)
        x = df[name][keep].to_numpy(dtype=float)
        x = (x - x.mean()) / x.std(ddof=1) if x.std() > 0 else x * np.nan
        present, codes = np.unique(all_codes[keep], return_inverse=True)
        codes, levels = codes.astype(np.intp), [str(all_levels[i]) for i in present]
        sums = _sums_by_group(x, y, codes)
        parts = _decompose(sums)
        between_xy = parts["total_xy"] - parts["within_xy"]
        between_xx = parts["total_xx"] - parts["within_xx"]
        with np.errstate(divide="ignore", invalid="ignore"):
            row = {
                "covariate": name,
                "slope_pooled": parts["total_xy"] / parts["total_xx"],
                "slope_between": between_xy / between_xx,
                "slope_within": parts["within_xy"] / parts["within_xx"],
                "x_between_share": between_xx / parts["total_xx"],
                "cov_between_share": between_xy / parts["total_xy"],
                "cov_within_share": parts["within_xy"] / parts["total_xy"],
                "r_pooled": parts["total_xy"] / np.sqrt(parts["total_xx"] * parts["total_yy"]),
                "r_within": parts["within_xy"] / np.sqrt(parts["within_xx"] * parts["within_yy"]),
            }
        low = high = np.nan
        if n_boot > 0:
            # Each covariate gets its own stream (seed, position) so adding a covariate to the
            # table does not change the others' intervals.
            counts = cluster_bootstrap_counts(len(levels), n_boot, seed=(seed, position))
            boot = _decompose(counts[:, :, None] * sums[None, :, :])
            with np.errstate(divide="ignore", invalid="ignore"):
                low, high = percentile_interval(boot["within_xy"] / boot["total_xy"], alpha)
        row.update(
            within_share_ci_low=low,
            within_share_ci_high=high,
            n=int(keep.sum()),
            n_dropped=n_dropped,
            n_groups=len(levels),
            n_boot=n_boot,
            seed=seed,
        )
        rows.append({k: float(v) if isinstance(v, np.floating) else v for k, v in row.items()})
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


def fixed_effects_comparison(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    spec: ModelSpec | None = None,
) -> pd.DataFrame:
    """Multivariable version: each covariate's coefficient without and with state fixed
    effects, on the same rows (complete on all covariates; for GLMs also without the states
    the FE model drops) and the same z-score scale, so the ratio reads as the share of the
    association that survives comparing counties within the same state.

    ``spec`` defaults to the LPM (which keeps every state) with state-clustered errors; its
    fixed effects are replaced by the state column's. Columns: ``term``,
    ``estimate_pooled``, ``std_error_pooled``, ``estimate_within``, ``std_error_within``,
    ``within_to_pooled`` (ratio), ``n``, ``n_dropped``, ``n_fe_dropped``, ``estimator``.
    """
    spec = spec or ModelSpec(estimator="lpm")
    state_only = ModelSpec.of(spec, fixed_effects=(spec.group,))
    within = fit_adoption_model(df, outcome, covariates, state_only)
    pooled = fit_adoption_model(
        within.sample, outcome, covariates, state_only, fixed_effects=(), scales=within.scales
    )
    pick = ["term", "estimate", "std_error"]
    a = within.coefficients.query("term_type == 'covariate'")[pick]
    b = pooled.coefficients.query("term_type == 'covariate'")[pick]
    table = b.merge(a, on="term", suffixes=("_pooled", "_within"))
    return table.assign(
        within_to_pooled=lambda d: d.estimate_within / d.estimate_pooled,
        n=within.n,
        n_dropped=within.n_dropped,
        n_fe_dropped=within.n_fe_dropped,
        estimator=spec.estimator,
    )
