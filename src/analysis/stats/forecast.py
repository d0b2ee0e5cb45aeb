"""Out-of-sample check: fit adoption at an early snapshot, predict adoption at a later one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._common import binary_outcome, complete_cases, z_critical
from analysis.stats.adoption_models import LINKS, build_design, fit_adoption_model
from analysis.stats.binned import bin_rates
from analysis.stats.spec import ModelSpec

EVALUATION_SETS = ("not_adopted_early", "all")


def auc(y_true, score) -> float:
    """Area under the ROC curve: the probability that a random adopter scores higher than a
    random non-adopter, ties counting one half (Mann-Whitney U / (n1 n0), from mid-ranks)."""
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    n1, n0 = (y == 1).sum(), (y == 0).sum()
    if n1 == 0 or n0 == 0:
        return np.nan
    ranks = stats.rankdata(s)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def auc_interval(y_true, score, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """AUC with DeLong's standard error and a normal interval clipped to [0, 1]:
    ``(auc, std_error, ci_low, ci_high)``."""
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    n1, n0 = pos.size, neg.size
    if n1 < 2 or n0 < 2:
        return auc(y, s), np.nan, np.nan, np.nan
    ranks_all = stats.rankdata(np.r_[pos, neg])
    # Placement values: share of the other class each case outranks (ties one half).
    v10 = (ranks_all[:n1] - stats.rankdata(pos)) / n0
    v01 = 1 - (ranks_all[n1:] - stats.rankdata(neg)) / n1
    area = float(v10.mean())
    se = float(np.sqrt(v10.var(ddof=1) / n1 + v01.var(ddof=1) / n0))
    z = z_critical(alpha)
    return area, se, max(0.0, area - z * se), min(1.0, area + z * se)


def brier_score(y_true, probability) -> float:
    """Mean squared difference between predicted probability and the 0/1 outcome."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(probability, dtype=float)
    return float(np.mean((p - y) ** 2))


def calibration_table(
    y_true, probability, *, n_bins: int = 10, strategy: str = "quantile", alpha: float = 0.05
) -> pd.DataFrame:
    """Observed adoption rate (Wilson interval) in bins of predicted probability.
    Columns ``bin, n, p_low, p_high, mean_predicted, observed_rate, ci_low, ci_high``."""
    table = bin_rates(probability, y_true, n_bins=n_bins, strategy=strategy, alpha=alpha)
    return table.rename(
        columns={
            "x_low": "p_low",
            "x_high": "p_high",
            "x_mean": "mean_predicted",
            "rate": "observed_rate",
        }
    )


@dataclass(frozen=True)
class Forecast:
    """``predictions``: ``fips``/id, ``state``, ``predicted``, ``observed`` for the evaluated
    counties; ``metrics``: one row (see :func:`out_of_sample_forecast`); ``calibration``:
    :func:`calibration_table`; ``model``: the fitted early-snapshot model (a ``ModelFit``)."""

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    calibration: pd.DataFrame
    model: Any


def out_of_sample_forecast(
    df: pd.DataFrame,
    train_outcome: str,
    test_outcome: str,
    covariates: Sequence[str],
    spec: ModelSpec | None = None,
    *,
    id_col: str = "fips",
    evaluate_on: str = "not_adopted_early",
    n_bins: int = 10,
    **choices,
) -> Forecast:
    """Fit ``train_outcome`` (status at the early snapshot, e.g. mid-2025) on ``covariates``,
    predict each county's probability, and score it against ``test_outcome`` (status at the
    latest snapshot), with the model ``spec`` (default :class:`ModelSpec`: logit, errors
    clustered by state) and ``choices`` applied to it (e.g. ``state_fe=True``).

    ``evaluate_on="not_adopted_early"`` (default) scores only counties without adoption at
    the early snapshot, a genuine forecast of new adoption; ``"all"`` scores every county
    (early adopters make that easy). The model predicts early status, so its probabilities
    are on the early base rate: AUC measures ranking, while Brier and calibration also show
    the shift in level (``mean_predicted`` against ``observed_rate``).
    With state fixed effects (logit drops states without variation at the early snapshot),
    counties in states without an estimated effect cannot be predicted and are counted in
    ``n_unpredictable``.

    ``metrics`` columns: ``auc, auc_std_error, auc_ci_low, auc_ci_high`` (DeLong),
    ``brier, brier_reference`` (predicting the observed rate for everyone),
    ``brier_skill`` (1 - brier / reference), ``mean_predicted, observed_rate, n_test,
    n_test_events, n_test_dropped`` (incomplete rows) ``, n_unpredictable, n_train,
    n_train_dropped`` (incomplete rows and FE-dropped states) ``, evaluate_on, estimator``.
    """
    if evaluate_on not in EVALUATION_SETS:
        raise ValueError(f"evaluate_on must be one of {EVALUATION_SETS}, not {evaluate_on!r}")
    spec = ModelSpec.of(spec, **choices)
    estimator, group, alpha = spec.estimator, spec.group, spec.alpha
    model = fit_adoption_model(df, train_outcome, covariates, spec)
    test, n_test_dropped = complete_cases(
        df, [id_col, group, train_outcome, test_outcome, *covariates]
    )
    if evaluate_on == "not_adopted_early":
        test = test[test[train_outcome] == 0]
    fixed, levels = [], None
    predictable = pd.Series(True, index=test.index)
    if spec.state_fe:
        # Predict with the fitted model's dummies; states it dropped have no effect to use.
        fitted_levels = sorted(model.sample[group].astype(str).unique())
        fixed, levels = [group], {group: fitted_levels}
        predictable = test[group].astype(str).isin(fitted_levels)
    n_unpredictable = int((~predictable).sum())
    test = test[predictable]
    design, _ = build_design(test, covariates, fixed, model.scales, levels)
    eta = design.to_numpy() @ model.result.params.to_numpy()
    predicted = np.clip(eta, 0, 1) if estimator == "lpm" else LINKS[estimator]().inverse(eta)
    observed = binary_outcome(test[test_outcome], test_outcome)
    area, area_se, area_low, area_high = auc_interval(observed, predicted, alpha)
    rate = observed.mean() if observed.size else np.nan
    brier = brier_score(observed, predicted)
    reference = brier_score(observed, np.full(observed.size, rate))
    metrics = pd.DataFrame(
        [
            {
                "auc": area,
                "auc_std_error": area_se,
                "auc_ci_low": area_low,
                "auc_ci_high": area_high,
                "brier": brier,
                "brier_reference": reference,
                "brier_skill": 1 - brier / reference if reference > 0 else np.nan,
                "mean_predicted": float(np.mean(predicted)),
                "observed_rate": float(rate),
                "n_test": int(observed.size),
                "n_test_events": int(observed.sum()),
                "n_test_dropped": n_test_dropped,
                "n_unpredictable": n_unpredictable,
                "n_train": model.n,
                "n_train_dropped": model.n_dropped + model.n_fe_dropped,
                "evaluate_on": evaluate_on,
                "estimator": estimator,
            }
        ]
    )
    predictions = pd.DataFrame(
        {
            id_col: test[id_col].to_numpy(),
            group: test[group].to_numpy(),
            "predicted": predicted,
            "observed": observed.astype(int),
        }
    )
    calibration = calibration_table(observed, predicted, n_bins=n_bins, alpha=alpha)
    return Forecast(predictions, metrics, calibration, model)


def forecast_comparison(
    df: pd.DataFrame,
    train_outcome: str,
    test_outcome: str,
    covariates: Sequence[str],
    models: Mapping[str, bool],
    *,
    n_bins: int = 10,
) -> tuple[dict[str, Forecast], pd.DataFrame, pd.DataFrame]:
    """:func:`out_of_sample_forecast` of each model (``models``: label -> state FE), and its
    metrics and calibration tables stacked with a ``model`` column."""
    forecasts = {
        label: out_of_sample_forecast(
            df, train_outcome, test_outcome, covariates, n_bins=n_bins, state_fe=state_fe
        )
        for label, state_fe in models.items()
    }
    metrics = pd.concat(
        [f.metrics.assign(model=label) for label, f in forecasts.items()], ignore_index=True
    )
    calibration = pd.concat(
        [f.calibration.assign(model=label) for label, f in forecasts.items()], ignore_index=True
    )
    return forecasts, metrics, calibration
