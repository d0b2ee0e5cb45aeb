"""One model per covariate: the standardized bivariate effect of each covariate on a binary
outcome (:func:`bivariate_effects`).

The unweighted state-clustered LPM, with or without the state fixed effect, is computed in
closed form (Frisch-Waugh-Lovell: the slope and its CR1 sandwich from the covariate demeaned
overall or within states), with the work every covariate shares done once per call: the
columns' complete-case masks, the sample's rows, and the state and cluster codes. Any other
spec, or a covariate (nearly) collinear with the fixed effects, goes through
:func:`analysis.stats.adoption_models.fit_adoption_model`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._common import binary_outcome, require_columns, resolve_scales, unique_columns
from analysis.stats.adoption_models import (
    MARGINAL_EFFECT_COLUMNS,
    _finish,
    _se_label,
    fit_adoption_model,
)
from analysis.stats.codes import group_codes
from analysis.stats.spec import ModelSpec


def bivariate_effects(
    df: pd.DataFrame, outcome: str, covariates: Sequence[str], spec: ModelSpec | None = None
) -> pd.DataFrame:
    """One model per covariate (``outcome`` on that covariate alone, z-scored on its rows):
    the standardized effect of each covariate, i.e. its average marginal effect in
    probability per SD. ``spec`` defaults to the LPM with state-clustered errors and no fixed
    effects. Rows as :data:`MARGINAL_EFFECT_COLUMNS` plus ``state_fe``."""
    spec = spec or ModelSpec(estimator="lpm")
    fe = spec.fixed_effects
    fast = spec.estimator == "lpm" and spec.weights is None and spec.se == "cluster"
    shared = _Shared(df, outcome, spec) if fast and fe in ((), (spec.group,)) else None
    rows = [_bivariate(df, outcome, name, spec, shared) for name in covariates]
    numbers = [r for r in rows if isinstance(r, dict)]
    if numbers:
        table = (
            _finish(pd.DataFrame(numbers), spec.alpha)
            .assign(
                estimator="lpm",
                se_type=_se_label("lpm", "cluster", spec.cluster),
                fixed_effects="+".join(spec.fixed_effects) if spec.fixed_effects else "none",
                weights="none",
                n_fe_dropped=0,
                fe_dropped_levels="",
            )[MARGINAL_EFFECT_COLUMNS]
            .assign(state_fe=spec.state_fe)
        )
        rows = [r for r in rows if not isinstance(r, dict)]
        if not rows:
            return table
        frames = iter(table.iloc[[i]] for i in range(len(table)))
        rows = [next(frames) if isinstance(r, dict) else r for r in rows]
    return pd.concat(rows, ignore_index=True)


def _complete(df: pd.DataFrame, column: str) -> np.ndarray:
    """Rows with a value in ``column`` (finite, if numeric), as
    :func:`analysis.stats._common.complete_cases` decides for it."""
    values = df[column]
    keep = values.notna().to_numpy(copy=True)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        keep &= np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    return keep


def _scale(x: np.ndarray, name: str, spec: ModelSpec) -> tuple[float, float] | None:
    """The (mean, sd) :func:`analysis.stats._common.resolve_scales` gives ``name`` from its
    complete values ``x``, or None when it is not standardized."""
    if spec.standardize is True and spec.scales is None:
        mean, sd = x.mean(), x.std(ddof=1)
        if not np.isfinite(sd) or sd <= 0:
            raise ValueError(f"covariate {name!r} has no variation to standardize by")
        return mean, sd
    scales = resolve_scales(pd.DataFrame({name: x}), [name], spec.standardize, spec.scales)
    return (scales["mean"].iloc[0], scales["sd"].iloc[0]) if len(scales) else None


class _Shared:
    """What every covariate's closed-form fit shares: the rows complete on the outcome, fixed
    effect and cluster columns, the rows :meth:`ModelSpec.sample` keeps, the outcome and the
    group and cluster codes over the complete rows (levels sorted as text, so a subsample's
    codes are these with the absent levels left out)."""

    def __init__(self, df: pd.DataFrame, outcome: str, spec: ModelSpec):
        self.base = [outcome, *spec.fixed_effects, spec.cluster]
        require_columns(df, unique_columns(self.base))
        self.complete = np.ones(len(df), dtype=bool)
        for column in unique_columns(self.base):
            self.complete &= _complete(df, column)
        self.kept = np.ones(len(df), dtype=bool)
        if spec.excluded:
            self.kept = ~df[spec.group].isin(list(spec.excluded)).to_numpy()
        self.n_kept = int(self.kept.sum())
        self.y = df[outcome].to_numpy(dtype=float, na_value=np.nan)
        self.groups = self._codes(df[spec.group]) if spec.fixed_effects else None
        self.clusters = self._codes(df[spec.cluster])

    def _codes(self, values: pd.Series) -> np.ndarray:
        """Group codes of the complete rows (-1 elsewhere: those rows are never used)."""
        codes = np.full(len(values), -1, dtype=np.intp)
        codes[self.complete] = group_codes(values[self.complete])[0]
        return codes


def _bivariate(df: pd.DataFrame, outcome: str, name: str, spec: ModelSpec, shared):
    """The marginal-effect row of :func:`fit_adoption_model` (``outcome`` on ``name`` alone)
    with ``state_fe`` (a one-row table), or its numbers (a dict) when computed in closed form
    (equal to statsmodels' OLS to rounding)."""

    def full():
        return fit_adoption_model(df, outcome, [name], spec).marginal_effects.assign(
            state_fe=spec.state_fe
        )

    if shared is None:
        return full()
    require_columns(df, [name])
    complete = shared.complete & _complete(df, name)
    rows = complete & shared.kept
    n_dropped = shared.n_kept - int(rows.sum())
    y = binary_outcome(pd.Series(shared.y[rows]), outcome)
    x_all = df[name].to_numpy(dtype=float, na_value=np.nan)
    scale = _scale(x_all[complete], name, spec)
    x = x_all[rows]
    if scale is not None:
        x = (x - scale[0]) / scale[1]
    if spec.fixed_effects:
        codes = shared.groups[rows]
        counts = np.bincount(codes)
        with np.errstate(divide="ignore", invalid="ignore"):
            xt = x - (np.bincount(codes, weights=x) / counts)[codes]
            yt = y - (np.bincount(codes, weights=y) / counts)[codes]
        k = 1 + int((counts > 0).sum())
    else:
        xt, yt, k = x - x.mean(), y - y.mean(), 2
    sxx = xt @ xt
    if len(y) < 2 or np.unique(y).size < 2 or not sxx > 1e-10 * (x @ x):
        return full()
    slope = (xt @ yt) / sxx
    clusters = shared.clusters[rows]
    scores = np.bincount(clusters, weights=xt * (yt - slope * xt))
    scores = scores[np.bincount(clusters) > 0]
    g, n = scores.size, len(y)
    variance = (scores @ scores) / sxx**2 * (g / (g - 1.0)) * ((n - 1.0) / (n - k))
    return {
        "term": name,
        "estimate": slope,
        "std_error": np.sqrt(variance),
        "scale": "probability per SD" if scale is not None else "probability per unit",
        "outcome": outcome,
        "n": n,
        "n_dropped": n_dropped,
        "n_clusters": g,
    }
