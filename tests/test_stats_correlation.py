"""The correlation atlas: Pearson r (descriptive) against scipy, the state-clustered slopes
(pooled and within states) against pyfixest, q-values, drop counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

from analysis.stats import simulate
from analysis.stats.correlation import (
    CORRELATION_COLUMNS,
    clustered_slope_tests,
    correlation_table,
)
from analysis.stats.multiple_testing import bh_qvalues

COVARIATES = ["gop_share_2024", "hispanic_share", "log_density", "median_income"]


@pytest.fixture(scope="module")
def counties():
    table = simulate.simulate_counties(800, 20, seed=21, missing_share=0.05)
    y, _ = simulate.simulate_binary_outcome(
        table, {"gop_share_2024": 0.8}, intercept=-0.5, state_sd=0.8, seed=22
    )
    return table.assign(any_agreement=y)


@pytest.fixture(scope="module")
def table(counties):
    return correlation_table(counties, "any_agreement", COVARIATES)


def test_pearson_is_descriptive_and_matches_scipy(counties, table):
    assert list(table.columns) == CORRELATION_COLUMNS
    for row in table.itertuples():
        sample = counties[["any_agreement", row.covariate]].dropna()
        result = stats.pearsonr(sample.any_agreement, sample[row.covariate])
        interval = result.confidence_interval(0.95)
        assert row.r == pytest.approx(result.statistic, rel=1e-10)
        assert row.iid_p_value == pytest.approx(result.pvalue, rel=1e-8)
        assert (row.r_ci_low, row.r_ci_high) == pytest.approx(
            (interval.low, interval.high), rel=1e-8
        )
        assert row.n == len(sample)
        assert row.n_dropped == len(counties) - len(sample)


@pytest.mark.parametrize("within", [False, True])
def test_clustered_slopes_match_pyfixest(counties, table, within):
    label = "within" if within else "pooled"
    for row in table.itertuples():
        sample = counties[["any_agreement", row.covariate, "state"]].dropna()
        x = sample[row.covariate]
        frame = pd.DataFrame(
            {"y": sample.any_agreement, "z": (x - x.mean()) / x.std(ddof=1), "g": sample.state}
        )
        fit = pf.feols("y ~ z | g" if within else "y ~ z", data=frame, vcov={"CRV3": "g"})
        tidy = fit.tidy().loc["z"]
        assert getattr(row, f"{label}_pp_per_sd") == pytest.approx(100 * tidy.Estimate, rel=1e-9)
        assert getattr(row, f"{label}_se") == pytest.approx(100 * tidy["Std. Error"], rel=1e-9)
        assert getattr(row, f"{label}_p_value") == pytest.approx(tidy["Pr(>|t|)"], rel=1e-7)
        assert getattr(row, f"{label}_ci_low") == pytest.approx(100 * tidy["2.5%"], rel=1e-9)


def test_within_drops_singleton_clusters_as_pyfixest_does():
    rng = np.random.default_rng(3)
    g = np.r_[np.repeat(np.arange(12), 15), 12]  # cluster 12 has one row
    x = rng.normal(size=g.size) + 0.1 * g
    y = (rng.random(g.size) < 0.3).astype(float)
    fit = pf.feols("y ~ x | g", data=pd.DataFrame({"y": y, "x": x, "g": g}), vcov={"CRV3": "g"})
    mine = clustered_slope_tests(y, x, g, within=True)
    assert mine["n"] == 180 and mine["n_clusters"] == 12
    assert mine["std_error"] == pytest.approx(fit.tidy().loc["x", "Std. Error"], rel=1e-9)
    assert mine["p_value"] == pytest.approx(fit.tidy().loc["x", "Pr(>|t|)"], rel=1e-7)


def test_vectorized_columns_equal_one_at_a_time():
    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(10), 30)
    y = (rng.random((300, 3)) < 0.4).astype(float)
    x = rng.normal(size=(300, 3))
    together = clustered_slope_tests(y, x, g, within=False)
    for k in range(3):
        alone = clustered_slope_tests(y[:, k], x[:, k], g, within=False)
        assert together["p_value"][k] == pytest.approx(alone["p_value"], rel=1e-12)


def test_q_values_are_bh_of_each_column(table):
    for label in ("pooled", "within", "iid"):
        np.testing.assert_allclose(table[f"{label}_q_value"], bh_qvalues(table[f"{label}_p_value"]))


def test_between_state_association_is_not_a_within_state_one():
    """Adoption and the covariate share only a state component: the pooled correlation is
    strong, the within-state slope near 0 and not significant."""
    rng = np.random.default_rng(5)
    states = np.repeat([f"S{k:02d}" for k in range(30)], 40)
    state_level = np.repeat(rng.normal(size=30), 40)
    x = state_level + rng.normal(scale=0.5, size=states.size)
    y = (rng.random(states.size) < 1 / (1 + np.exp(-2.5 * state_level))).astype(float)
    frame = pd.DataFrame({"state": states, "y": y, "x": x})
    row = correlation_table(frame, "y", ["x"]).iloc[0]
    assert row.r > 0.4 and row.pooled_p_value < 1e-6
    assert abs(row.r_within) < 0.06
    assert row.within_p_value > 0.05


def test_missing_outcome_or_state_counts_as_dropped(counties):
    table = counties.copy()
    table.loc[table.index[:3], "any_agreement"] = np.nan
    table.loc[table.index[3:5], "state"] = None
    result = correlation_table(table, "any_agreement", ["gop_share_2024"])
    assert result.n_dropped.iloc[0] == 5 and result.n.iloc[0] == len(table) - 5


def test_constant_covariate_gives_missing_numbers_not_an_error(counties):
    table = counties.assign(flat=1.0)
    row = correlation_table(table, "any_agreement", ["flat"]).iloc[0]
    assert np.isnan(row.r) and np.isnan(row.pooled_p_value) and np.isnan(row.within_q_value)


def test_recovers_known_correlation_and_slope():
    """P(adopt) = 0.4 + 0.1 z with z standard normal: the LPM slope is 10 pp per SD and the
    population point-biserial r = 0.1 / sqrt(0.4 * 0.6) = 0.204. 20,000 counties: the slope
    within 0.6 pp and r within 0.015 (about 3 standard errors)."""
    rng = np.random.default_rng(9)
    n = 20_000
    z = np.clip(rng.normal(size=n), -3.5, 3.5)
    y = (rng.random(n) < 0.4 + 0.1 * z).astype(float)
    frame = pd.DataFrame({"state": rng.integers(0, 50, n).astype(str), "y": y, "x": 3 * z + 1})
    row = correlation_table(frame, "y", ["x"]).iloc[0]
    assert abs(row.pooled_pp_per_sd - 10) < 0.6 and abs(row.within_pp_per_sd - 10) < 0.6
    assert abs(row.r - 0.1 / np.sqrt(0.24)) < 0.015
    assert row.r_ci_low < 0.1 / np.sqrt(0.24) < row.r_ci_high
    assert row.n_clusters == 50
