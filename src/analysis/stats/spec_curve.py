"""Specification curve: one focal association estimated under every reasonable analysis
choice, to show how much the answer depends on the choices."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import PerfectSeparationError

from analysis.stats._common import standardization_scales, unique_columns
from analysis.stats.adoption_models import COEFFICIENT_SCALES, _estimate, _inference
from analysis.stats.frame_arrays import FrameArrays
from analysis.stats.spec import ESTIMATORS, ModelSpec

DEFAULT_SAMPLES: dict[str, tuple[str, ...]] = {
    "all": (),
    "without FL, TX, GA": ("FL", "TX", "GA"),
}
EFFECT_COLUMNS = ["estimate", "std_error", "ci_low", "ci_high", "p_value"]
SPEC_CURVE_COLUMNS = [
    "focal",
    "outcome",
    "estimator",
    "sample",
    "weights",
    "state_fe",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "significant",
    "coefficient",
    "coefficient_std_error",
    "coefficient_scale",
    "n",
    "n_dropped",
    "n_fe_dropped",
    "status",
    "rank",
]


def specification_curve(
    df: pd.DataFrame,
    outcomes: Sequence[str],
    focal: Sequence[str],
    controls: Sequence[str] = (),
    *,
    estimators: Sequence[str] = ESTIMATORS,
    samples: Mapping[str, Sequence[str]] = DEFAULT_SAMPLES,
    weights: Sequence[str | None] = (None, "population"),
    state_fe: Sequence[bool] = (True,),
    spec: ModelSpec | None = None,
) -> pd.DataFrame:
    """Fit outcome x estimator x sample x weights x state-FE and collect the focal terms.

    ``samples`` maps a label to the states left out (default: all; without FL, TX and GA).
    ``weights``: ``None`` (each county counts once) or a column such as ``population``.
    Every model holds all ``focal`` and ``controls`` terms. State fixed effects are on by
    default (the project rule: always control for state); pass ``state_fe=(False, True)``
    to vary it. ``spec`` (default :class:`ModelSpec`: state-clustered errors) holds the
    choices that do not vary; its ``group`` column names the states.

    The reported ``estimate`` is the focal covariate's average marginal effect in
    probability per SD, the one scale on which logit, probit, cloglog and LPM agree; SDs are
    taken once over all counties complete on the covariates, so the unit is the same in
    every sample. The raw coefficient is kept (``coefficient``, on ``coefficient_scale``).
    A specification that cannot be fitted (an outcome that does not vary in a sample, a
    separation) gets a row with ``status`` naming the error and missing numbers.
    ``rank`` orders specifications by ``estimate`` within each focal term (1 = smallest);
    rows are sorted by focal term and rank, ready to plot.
    """
    terms = list(dict.fromkeys([*focal, *controls]))
    base = ModelSpec.of(spec, scales=standardization_scales(df, terms))
    # Only the columns a model reads: every fit copies its sample, so narrower is faster.
    df = df[unique_columns([*outcomes, *terms, base.group, base.cluster, *base.fixed_effects,
                            *weights])]  # fmt: skip
    rows, arrays = [], FrameArrays(df)
    for outcome, estimator, (sample_name, excluded), weight, fe in itertools.product(
        outcomes, estimators, samples.items(), weights, state_fe
    ):
        choice = ModelSpec.of(
            base, estimator=estimator, weights=weight, excluded=tuple(excluded), state_fe=fe
        )
        settings = {
            "outcome": outcome,
            "estimator": estimator,
            "sample": sample_name,
            "weights": weight or "none",
            "state_fe": fe,
        }
        try:
            # The numbers of fit_adoption_model's tables, without building the tables.
            fit = _estimate(df, outcome, terms, choice, arrays, labelled=False)
        except (ValueError, np.linalg.LinAlgError, PerfectSeparationError) as error:
            rows += [{**settings, "focal": f, "status": f"failed: {error}"} for f in focal]
            continue
        estimate, std_error = fit.marginal_effects()
        numbers = {"estimate": estimate, "std_error": std_error,
                   **_inference(estimate, std_error, choice.alpha)}  # fmt: skip
        numbers = {c: np.asarray(numbers[c], dtype=float) for c in EFFECT_COLUMNS}
        raw = {"estimate": np.asarray(fit.result.params), "std_error": np.asarray(fit.result.bse)}
        coefficient_row = {term: i for i, term in enumerate(fit.design.columns)}
        n, n_fe_dropped = fit.n, fit.n_complete - fit.n
        status = "ok" if fit.converged else "not converged"
        for name in focal:
            i, j = terms.index(name), coefficient_row[name]
            rows.append(
                {
                    **settings,
                    "focal": name,
                    **{c: float(numbers[c][i]) for c in EFFECT_COLUMNS},
                    "coefficient": raw["estimate"][j],
                    "coefficient_std_error": raw["std_error"][j],
                    "coefficient_scale": COEFFICIENT_SCALES[estimator],
                    "n": n,
                    "n_dropped": fit.n_dropped,
                    "n_fe_dropped": n_fe_dropped,
                    "status": status,
                }
            )
    table = pd.DataFrame(rows).reindex(columns=SPEC_CURVE_COLUMNS)
    table["significant"] = table["p_value"] < base.alpha
    table["rank"] = table.groupby("focal")["estimate"].rank(method="first").astype("Int64")
    table["focal"] = pd.Categorical(table["focal"], categories=list(focal), ordered=True)
    table = table.sort_values(["focal", "rank"], ignore_index=True, na_position="last")
    table["focal"] = table["focal"].astype(str)
    return table


def curve_summary(curve: pd.DataFrame, scale: float = 100) -> pd.DataFrame:
    """One row per focal term of a :func:`specification_curve`: ``specifications``,
    ``fitted`` (status ok), the ``median_pp``, ``min_pp`` and ``max_pp`` estimate times
    ``scale`` (100: percentage points), ``share_positive`` and the shares of specifications
    that are significant and positive or significant and negative."""
    significant = curve["significant"]
    return curve.groupby("focal", sort=False).agg(
        specifications=("estimate", "size"),
        fitted=("status", lambda s: int((s == "ok").sum())),
        median_pp=("estimate", lambda s: scale * s.median()),
        min_pp=("estimate", lambda s: scale * s.min()),
        max_pp=("estimate", lambda s: scale * s.max()),
        share_positive=("estimate", lambda s: (s > 0).mean()),
        share_significant_positive=(
            "estimate",
            lambda s: ((s > 0) & significant.loc[s.index]).mean(),
        ),
        share_significant_negative=(
            "estimate",
            lambda s: ((s < 0) & significant.loc[s.index]).mean(),
        ),
    )
