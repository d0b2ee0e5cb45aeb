"""The correlation atlas: Pearson and clustered-LPM numbers against scipy/statsmodels, the
within-state permutation column, q-values, drop counts and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.stats import simulate
from analysis.stats.correlation import CORRELATION_COLUMNS, correlation_table
from analysis.stats.multiple_testing import bh_qvalues

COVARIATES = ["gop_share_2024", "hispanic_share", "log_density", "median_income"]


@pytest.fixture(scope="module")
def counties():
    table = simulate.simulate_counties(800, 20, seed=21, missing_share=0.05)
    y, _ = simulate.simulate_binary_outcome(
        table, {"gop_share_2024": 0.8}, intercept=-0.5, state_sd=0.8, seed=22
    )
    return table.assign(any_agreement=y)


def test_pearson_matches_scipy(counties):
    table = correlation_table(counties, "any_agreement", COVARIATES, n_permutations=99)
    assert list(table.columns) == CORRELATION_COLUMNS
    for row in table.itertuples():
        sample = counties[["any_agreement", row.covariate]].dropna()
        result = stats.pearsonr(sample.any_agreement, sample[row.covariate])
        interval = result.confidence_interval(0.95)
        assert row.estimate == pytest.approx(result.statistic, rel=1e-10)
        assert row.p_value == pytest.approx(result.pvalue, rel=1e-8)
        assert (row.ci_low, row.ci_high) == pytest.approx((interval.low, interval.high), rel=1e-8)
        assert row.n == len(sample)
        assert row.n_dropped == len(counties) - len(sample)


def test_lpm_cluster_matches_statsmodels(counties):
    table = correlation_table(
        counties, "any_agreement", COVARIATES, method="lpm_cluster", n_permutations=99
    )
    for row in table.itertuples():
        sample = counties[["any_agreement", row.covariate, "state"]].dropna()
        x = sample[row.covariate]
        exog = sm.add_constant((x - x.mean()) / x.std(ddof=1))
        fit = sm.OLS(sample.any_agreement, exog).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(sample.state)[0]}
        )
        assert row.estimate == pytest.approx(fit.params.iloc[1], rel=1e-10)
        assert row.std_error == pytest.approx(fit.bse.iloc[1], rel=1e-10)
        assert row.p_value == pytest.approx(fit.pvalues.iloc[1], rel=1e-8)
        assert row.ci_low == pytest.approx(fit.conf_int().iloc[1, 0], rel=1e-10)


def test_q_values_are_bh_of_the_column(counties):
    table = correlation_table(counties, "any_agreement", COVARIATES, n_permutations=99)
    np.testing.assert_allclose(table.q_value, bh_qvalues(table.p_value))
    np.testing.assert_allclose(table.perm_q_value, bh_qvalues(table.perm_p_value))


def test_permutation_column_is_identical_for_the_same_seed(counties):
    first = correlation_table(counties, "any_agreement", COVARIATES, n_permutations=500, seed=8)
    again = correlation_table(counties, "any_agreement", COVARIATES, n_permutations=500, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert (first.perm_p_value >= 1 / 501).all() and (first.perm_p_value <= 1).all()


def test_between_state_association_is_not_a_within_state_one():
    """Adoption and the covariate share only a state component: the pooled correlation is
    strong, the within-state one near 0 and its permutation p-value not small."""
    rng = np.random.default_rng(5)
    states = np.repeat([f"S{k:02d}" for k in range(30)], 40)
    state_level = np.repeat(rng.normal(size=30), 40)
    x = state_level + rng.normal(scale=0.5, size=states.size)
    y = (rng.random(states.size) < 1 / (1 + np.exp(-2.5 * state_level))).astype(float)
    frame = pd.DataFrame({"state": states, "y": y, "x": x})
    row = correlation_table(frame, "y", ["x"], n_permutations=2_000, seed=1).iloc[0]
    assert row.estimate > 0.4 and row.p_value < 1e-10
    assert abs(row.within_estimate) < 0.06
    assert row.perm_p_value > 0.05


def test_missing_outcome_or_state_counts_as_dropped(counties):
    table = counties.copy()
    table.loc[table.index[:3], "any_agreement"] = np.nan
    table.loc[table.index[3:5], "state"] = None
    result = correlation_table(table, "any_agreement", ["gop_share_2024"], n_permutations=9)
    assert result.n_dropped.iloc[0] == 5 and result.n.iloc[0] == len(table) - 5


def test_constant_covariate_gives_missing_numbers_not_an_error(counties):
    table = counties.assign(flat=1.0)
    row = correlation_table(table, "any_agreement", ["flat"], n_permutations=9).iloc[0]
    assert np.isnan(row.estimate) and np.isnan(row.perm_p_value)


def test_recovers_known_correlation_and_slope():
    """P(adopt) = 0.4 + 0.1 z with z standard normal: the LPM slope per SD is 0.1 and the
    population point-biserial r = 0.1 / sqrt(0.4 * 0.6) = 0.204. 20,000 counties: the slope
    within 0.006 and r within 0.015 (about 3 standard errors)."""
    rng = np.random.default_rng(9)
    n = 20_000
    z = np.clip(rng.normal(size=n), -3.5, 3.5)
    y = (rng.random(n) < 0.4 + 0.1 * z).astype(float)
    frame = pd.DataFrame({"state": rng.integers(0, 50, n).astype(str), "y": y, "x": 3 * z + 1})
    pearson = correlation_table(frame, "y", ["x"], n_permutations=99).iloc[0]
    slope = correlation_table(frame, "y", ["x"], method="lpm_cluster", n_permutations=99).iloc[0]
    assert abs(slope.estimate - 0.1) < 0.006
    assert abs(pearson.estimate - 0.1 / np.sqrt(0.24)) < 0.015
    assert pearson.ci_low < 0.1 / np.sqrt(0.24) < pearson.ci_high
