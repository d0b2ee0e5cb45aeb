"""Cloglog hazard: statsmodels equivalence, term names, and recovery of the parameters of a
simulated diffusion process through the whole chain (geometry -> neighbours -> panel -> fit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats import simulate
from analysis.stats._common import standardization_scales
from analysis.stats.hazard import fit_cloglog_hazard
from analysis.stats.neighbors import neighbors_from_geometry
from analysis.stats.panel import build_adoption_panel

MONTHS = pd.period_range("2025-01", periods=17, freq="M")
TIME_VARYING = [
    "mandate_in_force",
    "neighbor_share_in_state_lag1",
    "neighbor_share_cross_state_lag1",
]
TRUTH = {
    "mandate_in_force": 1.0,
    "neighbor_share_in_state_lag1": 1.0,
    "neighbor_share_cross_state_lag1": 0.5,
    "gop_share_2024": 0.5,
    "hispanic_share": 0.2,
}


@pytest.fixture(scope="module")
def simulated():
    counties = simulate.simulate_counties(10_000, 50, seed=31)
    neighbors = neighbors_from_geometry(simulate.grid_geometry(counties))
    mandates = pd.DataFrame(
        {"state": ["FL", "GA", "TX"], "start_month": ["2022-07", "2025-06", "2026-01"]}
    )
    first = simulate.simulate_adoption_timing(
        counties,
        neighbors,
        MONTHS,
        baseline=np.linspace(-4.6, -4.2, len(MONTHS)),
        coefficients={"gop_share_2024": 0.5, "hispanic_share": 0.2},
        mandate_effect=TRUTH["mandate_in_force"],
        mandates=mandates,
        neighbor_in_state_effect=TRUTH["neighbor_share_in_state_lag1"],
        neighbor_cross_state_effect=TRUTH["neighbor_share_cross_state_lag1"],
        prevalent_share=0.03,
        seed=32,
    )
    built = build_adoption_panel(
        first, MONTHS, neighbors, mandates, counties[["fips", "gop_share_2024", "hispanic_share"]]
    )
    return counties, built


def test_recovers_simulated_hazard_parameters(simulated):
    """Every coefficient within 3 state-clustered standard errors of the truth, with standard
    errors small enough (< 0.15) for that to mean something."""
    counties, built = simulated
    static = ["gop_share_2024", "hispanic_share"]
    fit = fit_cloglog_hazard(
        built.panel,
        TIME_VARYING + static,
        standardize=static,
        scales=standardization_scales(counties, static),
    )
    table = fit.coefficients.set_index("term")
    for name, value in TRUTH.items():
        estimate, se = table.loc[name, ["estimate", "std_error"]]
        assert se < 0.15, (name, se)
        assert abs(estimate - value) < 3 * se, (name, estimate, value, se)
    assert table.loc["mandate_in_force", "hazard_ratio"] == pytest.approx(
        np.exp(table.loc["mandate_in_force", "estimate"])
    )
    # Baseline: month 0 is the reference (log hazard -4.6), the last month -4.2.
    assert abs(table.loc["Intercept", "estimate"] + 4.6) < 3 * table.loc["Intercept", "std_error"]


def test_matches_statsmodels_glm_with_month_dummies(simulated):
    _, built = simulated
    panel = built.panel
    fit = fit_cloglog_hazard(panel, TIME_VARYING)
    months = pd.get_dummies(panel.month.astype(str), prefix="month", drop_first=True, dtype=float)
    exog = sm.add_constant(pd.concat([panel[TIME_VARYING].astype(float), months], axis=1))
    expected = sm.GLM(
        panel.event, exog, family=sm.families.Binomial(link=sm.families.links.CLogLog())
    ).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(panel.state)[0]})
    np.testing.assert_allclose(fit.coefficients.estimate, expected.params, rtol=1e-6)
    np.testing.assert_allclose(fit.coefficients.std_error, expected.bse, rtol=1e-6)


def test_term_names_snapshot_and_time_options(simulated):
    _, built = simulated
    panel = built.panel[built.panel.month <= pd.Period("2025-04", "M")]
    monthly = fit_cloglog_hazard(panel, ["mandate_in_force"])
    assert monthly.coefficients.term.tolist() == [
        "Intercept",
        "mandate_in_force",
        "month[T.2025-02]",
        "month[T.2025-03]",
        "month[T.2025-04]",
    ]
    linear = fit_cloglog_hazard(panel, ["mandate_in_force"], time_effects="linear")
    assert linear.coefficients.term.tolist() == ["Intercept", "mandate_in_force", "t"]
    flat = fit_cloglog_hazard(panel, ["mandate_in_force"], time_effects=None, cluster=None)
    assert flat.coefficients.term.tolist() == ["Intercept", "mandate_in_force"]
    assert flat.coefficients.se_type.iloc[0] == "HC0"
    assert {"hazard_ratio", "hr_ci_low", "hr_ci_high"} <= set(monthly.coefficients.columns)


def test_months_without_events_are_dropped_and_listed(simulated):
    _, built = simulated
    panel = built.panel.copy()
    quiet = panel.month == pd.Period("2025-05", "M")
    panel.loc[quiet, "event"] = 0
    fit = fit_cloglog_hazard(panel, ["mandate_in_force"])
    assert fit.dropped_levels == ("month=2025-05",)
    assert fit.n_fe_dropped == int(quiet.sum())
    assert "month[T.2025-05]" not in set(fit.coefficients.term)
