"""Discrete-time hazard of first adoption: a complementary log-log GLM on the county x month
risk set, so ``exp(coefficient)`` is a hazard ratio of the underlying continuous-time
proportional-hazards model."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._common import z_critical
from analysis.stats.adoption_models import ModelFit, fit_binary_model
from analysis.stats.spec import ModelSpec

TIME_EFFECTS = ("month", "linear", None)


def fit_cloglog_hazard(
    panel: pd.DataFrame,
    covariates: Sequence[str],
    *,
    time_effects: str | None = "month",
    cluster: str | None = "state",
    event: str = "event",
    month_col: str = "month",
    time_col: str = "t",
    state_fe: bool = False,
    spec: ModelSpec | None = None,
    **choices,
) -> ModelFit:
    """Cloglog hazard model of ``event`` on the risk-set ``panel``
    (:func:`analysis.stats.panel.build_adoption_panel`).

    ``time_effects``: ``"month"`` (a dummy per calendar month, the flexible baseline hazard;
    months in which no county adopts are dropped, since their dummy would go to -inf and
    their rows carry no information on the other terms; they are listed in
    ``dropped_levels``), ``"linear"`` (a trend in ``t``, reported as a term) or ``None``.
    Standard errors are clustered by ``cluster`` (state; ``None`` gives HC0 robust).
    ``spec`` and ``choices`` set the rest (weights, alpha, ...); the estimator is always
    cloglog and the fixed effects are the time and state effects above.
    Covariates are left in their units unless ``standardize`` names them; z-scores computed
    on the panel rows weight counties by months at risk, so pass
    ``scales=standardization_scales(counties, names)`` to standardize over counties.

    Returns a :class:`ModelFit` whose ``coefficients`` add ``hazard_ratio``,
    ``hr_ci_low``, ``hr_ci_high`` (``exp`` of estimate and interval).
    """
    if time_effects not in TIME_EFFECTS:
        raise ValueError(f"time_effects must be one of {TIME_EFFECTS}, not {time_effects!r}")
    terms = list(covariates) + ([time_col] if time_effects == "linear" else [])
    fixed = ([month_col] if time_effects == "month" else []) + (["state"] if state_fe else [])
    spec = ModelSpec.of(
        spec or ModelSpec(standardize=False),
        **choices,
        estimator="cloglog",
        se="cluster" if cluster else "robust",
        cluster=cluster,
        fixed_effects=tuple(fixed),
    )
    fit = fit_binary_model(panel, event, terms, spec)
    z = z_critical(spec.alpha)
    table = fit.coefficients.assign(
        hazard_ratio=lambda d: np.exp(d.estimate),
        hr_ci_low=lambda d: np.exp(d.estimate - z * d.std_error),
        hr_ci_high=lambda d: np.exp(d.estimate + z * d.std_error),
    )
    return dataclasses.replace(fit, coefficients=table)
