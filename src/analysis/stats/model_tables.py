"""The tidy tables of the binary-model engine (:mod:`analysis.stats.adoption_models`): the
coefficient and marginal-effect tables of one fit (:func:`frames`), and of a grid of fits
stacked in one step (:func:`stacked`, the same table as ``pd.concat`` of each fit's)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._common import normal_interval, normal_p_value

COEFFICIENT_SCALES = {
    "logit": "log-odds",
    "probit": "probit index",
    "cloglog": "log hazard",
    "lpm": "probability",
}
SPEC_COLUMNS = ["outcome", "estimator", "se_type", "fixed_effects", "weights"]
# Estimate, inference and sample size, shared by coefficient and marginal-effect tables.
RESULT_COLUMNS = [
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "ci_low",
    "ci_high",
    "scale",
    "n",
    "n_dropped",
    "n_fe_dropped",
    "fe_dropped_levels",
    "n_clusters",
]
COEFFICIENT_COLUMNS = [*SPEC_COLUMNS, "term", "term_type", *RESULT_COLUMNS]
MARGINAL_EFFECT_COLUMNS = [*SPEC_COLUMNS, "term", *RESULT_COLUMNS]


def _se_label(estimator: str, se: str, cluster: str | None) -> str:
    if se == "cluster":
        return f"cluster({cluster})"
    if se == "robust":
        # statsmodels applies no finite-sample factor to sandwich errors of GLMs (its "HC1" for a
        # GLM equals HC0), so the label says what was computed.
        return "HC1" if estimator == "lpm" else "HC0"
    return "nonrobust"


def _term_type(term: str, covariates: Sequence[str]) -> str:
    if term == "Intercept":
        return "intercept"
    return "covariate" if term in covariates else "fixed_effect"


def _finish(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    for name, values in _inference(table["estimate"], table["std_error"], alpha).items():
        table[name] = values
    return table


def _inference(estimate, std_error, alpha: float) -> dict[str, np.ndarray]:
    """``statistic``, ``p_value``, ``ci_low`` and ``ci_high`` (normal) of each estimate."""
    statistic = np.asarray(estimate) / np.asarray(std_error)
    low, high = normal_interval(np.asarray(estimate), np.asarray(std_error), alpha)
    return {"statistic": statistic, "p_value": normal_p_value(statistic), "ci_low": low,
            "ci_high": high}  # fmt: skip


def frames(fit) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The coefficient and marginal-effect tables of a fitted model."""
    coefficients, ame = values_of(fit)
    return (pd.DataFrame({c: coefficients[c] for c in COEFFICIENT_COLUMNS}),
            pd.DataFrame({c: ame[c] for c in MARGINAL_EFFECT_COLUMNS}))  # fmt: skip


def stacked(blocks: list[dict], columns: list[str]) -> pd.DataFrame:
    """``pd.concat`` of the tables of :func:`frames` built from each of ``blocks`` (the
    values of :func:`values_of`), made in one step: array columns joined, scalars repeated."""
    data = {}
    for column in columns:
        parts = [block[column] for block in blocks]
        if all(isinstance(p, np.ndarray) for p in parts):
            data[column] = np.concatenate(parts)
            continue
        joined: list = []
        for block, part in zip(blocks, parts, strict=True):
            joined += list(part) if isinstance(part, list | np.ndarray) else [part] * block["_rows"]
        data[column] = joined
    return pd.DataFrame(data)


def values_of(fit) -> tuple[dict, dict]:
    """The columns of the coefficient and marginal-effect tables (scalars not repeated)."""
    outcome, covariates, spec, result = fit.outcome, fit.covariates, fit.spec, fit.result
    estimator, se, cluster, weights = spec.estimator, spec.se, spec.cluster, spec.weights
    fixed_effects, dropped_levels, n = list(spec.fixed_effects), fit.dropped_levels, fit.n
    n_dropped, n_complete, groups, design = fit.n_dropped, fit.n_complete, fit.groups, fit.design
    scale_table = fit.scale_table
    labels = {
        "outcome": outcome,
        "estimator": estimator,
        "se_type": _se_label(estimator, se, cluster),
        "fixed_effects": "+".join(fixed_effects) if fixed_effects else "none",
        "weights": weights or "none",
    }
    sizes = {
        "n": n,
        "n_dropped": n_dropped,
        "n_fe_dropped": n_complete - n,
        # Disclosed with the estimates: which fixed-effect levels a GLM left out.
        "fe_dropped_levels": "; ".join(dropped_levels),
        "n_clusters": int(np.unique(groups).size) if groups is not None else np.nan,
    }
    # Each table built in one step, with the columns in order (no column added one by one).
    terms, alpha = list(design.columns), spec.alpha
    estimate, std_error = np.asarray(result.params), np.asarray(result.bse)
    values = {"term": terms, "term_type": [_term_type(t, covariates) for t in terms],
              "estimate": estimate, "std_error": std_error, "scale": COEFFICIENT_SCALES[estimator],
              **_inference(estimate, std_error, alpha), **labels, **sizes,
              "_rows": len(terms)}  # fmt: skip
    coefficients = values
    estimate, std_error = fit.marginal_effects()
    standardized = set(scale_table.covariate)
    values = {"term": list(covariates), "estimate": estimate, "std_error": std_error,
              **_inference(estimate, std_error, alpha), **labels, **sizes,
              "scale": ["probability per SD" if t in standardized else "probability per unit"
                        for t in covariates], "_rows": len(covariates)}  # fmt: skip
    return coefficients, values
