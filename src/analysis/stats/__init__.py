"""Statistics for the adoption analyses: pure functions on tidy tables, tested on simulated data.

Modules: ``spec`` (:class:`ModelSpec`, one model's estimation choices), ``correlation`` (the
correlation atlas with BH q-values and within-state permutation p-values), ``adoption_models``
(logit/LPM/probit/cloglog with robust or clustered SEs, state FE, average marginal effects),
``decomposition`` (between- versus within-state), ``neighbors`` and ``panel`` (queen contiguity
and the county x month risk set), ``hazard`` (cloglog discrete-time hazard), ``survival``
(Kaplan-Meier), ``spec_curve``, ``forecast`` (AUC, Brier, calibration), ``binned``,
``resampling``, ``multiple_testing`` and ``simulate`` (synthetic data with known parameters).
``bivariate`` holds the one-covariate models. Fast exact paths, each tested against the library
it stands in for: ``irls`` (statsmodels' GLM iterations, sparse for panels), ``crv1`` and
``wcr`` (pyfixest's clustered OLS and wildboottest's WCR bootstrap from arrays), ``fwl``
(randomization-inference refits), ``spatial`` (esda's statistics); ``codes`` has the group
codes and rank checks they share.
Every result is a DataFrame with stable column and term names; randomness comes only from
``seed`` arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import lazy_exports

# Imported on first use (PEP 562), so that `from analysis import stats` costs nothing until
# a name is used; the imports below are what type checkers and the import graph
# (analysis.fingerprint, tests/test_architecture.py) read.
if TYPE_CHECKING:
    from analysis.stats._common import standardization_scales
    from analysis.stats.adoption_models import (
        ModelFit,
        ModelGrid,
        average_marginal_effects,
        fit_adoption_model,
        fit_adoption_models,
        fit_binary_model,
        sample_effects,
    )
    from analysis.stats.binned import binned_adoption_rates
    from analysis.stats.bivariate import bivariate_effects
    from analysis.stats.correlation import correlation_table
    from analysis.stats.decomposition import between_within_decomposition, fixed_effects_comparison
    from analysis.stats.forecast import (
        Forecast,
        auc,
        auc_interval,
        brier_score,
        calibration_table,
        forecast_comparison,
        out_of_sample_forecast,
    )
    from analysis.stats.hazard import fit_cloglog_hazard
    from analysis.stats.multiple_testing import bh_qvalues
    from analysis.stats.neighbors import neighbor_edges, neighbors_from_geometry, neighbors_to_dict
    from analysis.stats.panel import (
        AdoptionPanel,
        add_state_period_indicator,
        adoption_durations,
        build_adoption_panel,
    )
    from analysis.stats.resampling import (
        cluster_bootstrap_counts,
        percentile_interval,
        within_strata_permutation_test,
    )
    from analysis.stats.spec import ModelSpec
    from analysis.stats.spec_curve import curve_summary, specification_curve
    from analysis.stats.survival import kaplan_meier, quantile_groups

_SOURCES = {
    "AdoptionPanel": "panel",
    "Forecast": "forecast",
    "ModelFit": "adoption_models",
    "ModelGrid": "adoption_models",
    "ModelSpec": "spec",
    "add_state_period_indicator": "panel",
    "adoption_durations": "panel",
    "auc": "forecast",
    "auc_interval": "forecast",
    "average_marginal_effects": "adoption_models",
    "between_within_decomposition": "decomposition",
    "bh_qvalues": "multiple_testing",
    "binned_adoption_rates": "binned",
    "bivariate_effects": "bivariate",
    "brier_score": "forecast",
    "build_adoption_panel": "panel",
    "calibration_table": "forecast",
    "cluster_bootstrap_counts": "resampling",
    "correlation_table": "correlation",
    "curve_summary": "spec_curve",
    "fit_adoption_model": "adoption_models",
    "fit_adoption_models": "adoption_models",
    "fit_binary_model": "adoption_models",
    "fit_cloglog_hazard": "hazard",
    "fixed_effects_comparison": "decomposition",
    "forecast_comparison": "forecast",
    "kaplan_meier": "survival",
    "neighbor_edges": "neighbors",
    "neighbors_from_geometry": "neighbors",
    "neighbors_to_dict": "neighbors",
    "out_of_sample_forecast": "forecast",
    "percentile_interval": "resampling",
    "quantile_groups": "survival",
    "sample_effects": "adoption_models",
    "specification_curve": "spec_curve",
    "standardization_scales": "_common",
    "within_strata_permutation_test": "resampling",
}
"""Each re-exported name and the submodule that defines it."""

__all__ = [
    "AdoptionPanel",
    "Forecast",
    "ModelFit",
    "ModelGrid",
    "ModelSpec",
    "add_state_period_indicator",
    "adoption_durations",
    "auc",
    "auc_interval",
    "average_marginal_effects",
    "between_within_decomposition",
    "bh_qvalues",
    "binned_adoption_rates",
    "bivariate_effects",
    "brier_score",
    "build_adoption_panel",
    "calibration_table",
    "cluster_bootstrap_counts",
    "correlation_table",
    "curve_summary",
    "fit_adoption_model",
    "fit_adoption_models",
    "fit_binary_model",
    "fit_cloglog_hazard",
    "fixed_effects_comparison",
    "forecast_comparison",
    "kaplan_meier",
    "neighbor_edges",
    "neighbors_from_geometry",
    "neighbors_to_dict",
    "out_of_sample_forecast",
    "percentile_interval",
    "quantile_groups",
    "sample_effects",
    "specification_curve",
    "standardization_scales",
    "within_strata_permutation_test",
]

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
