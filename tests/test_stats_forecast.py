"""AUC, Brier score, calibration and the early-to-late forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import simulate
from analysis.stats.binned import binned_adoption_rates
from analysis.stats.forecast import (
    auc,
    auc_interval,
    brier_score,
    calibration_table,
    out_of_sample_forecast,
)

COVARIATES = ["gop_share_2024", "hispanic_share", "log_density"]


def test_auc_hand_examples():
    # Pairs (adopter, non-adopter): (.35,.1) (.35,.4) (.8,.1) (.8,.4) -> 3 of 4 ordered right.
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # A tie between an adopter and a non-adopter counts one half: 3.5 / 4.
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == pytest.approx(0.875)
    assert np.isnan(auc([1, 1], [0.2, 0.3]))


def test_auc_equals_mann_whitney():
    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.3).astype(int)
    score = np.round(rng.normal(size=500) + y, 1)  # rounding makes ties
    u = stats.mannwhitneyu(score[y == 1], score[y == 0]).statistic
    assert auc(y, score) == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()))


def test_delong_standard_error_hand_example():
    # Placement values: adopters [0.5, 1], non-adopters [1, 0.5]; each variance 0.125 over 2.
    area, se, low, high = auc_interval([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert area == pytest.approx(0.75)
    assert se == pytest.approx(np.sqrt(0.125))
    assert (low, high) == pytest.approx((max(0, 0.75 - 1.959964 * se), 1.0), abs=1e-6)


def test_brier_score_hand_example():
    assert brier_score([1, 0, 1], [0.8, 0.2, 0.5]) == pytest.approx((0.04 + 0.04 + 0.25) / 3)


def test_calibration_of_true_probabilities():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.02, 0.9, size=20_000)
    y = (rng.random(p.size) < p).astype(int)
    table = calibration_table(y, p, n_bins=10)
    assert table.n.sum() == p.size and len(table) == 10
    assert (table.observed_rate - table.mean_predicted).abs().max() < 0.03
    assert (
        (table.ci_low <= table.mean_predicted) & (table.mean_predicted <= table.ci_high)
    ).mean() >= 0.8
    uniform = calibration_table(y, p, n_bins=5, strategy="uniform")
    np.testing.assert_allclose(uniform.p_high - uniform.p_low, (p.max() - p.min()) / 5)


def test_binned_rates_wilson_interval_and_drops():
    frame = pd.DataFrame({"y": [0, 1, 1, 1, 0, 0], "x": [1, 2, 3, 4, 5, np.nan]})
    table = binned_adoption_rates(frame, "y", "x", n_bins=1)
    row = table.iloc[0]
    assert (row.n, row.rate, row.n_dropped) == (5, 0.6, 1)
    # Wilson 95% interval for 3 of 5, worked by hand: [0.2307, 0.8824]
    assert (row.ci_low, row.ci_high) == pytest.approx((0.2307, 0.8824), abs=1e-4)


@pytest.fixture(scope="module")
def atlas():
    return simulate.simulate_atlas(2000, 30, seed=41)


def test_forecast_scores_new_adoptions(atlas):
    counties = atlas.counties
    result = out_of_sample_forecast(counties, "adopted_mid_2025", "any_agreement", COVARIATES)
    metrics = result.metrics.iloc[0]
    complete = counties.dropna(subset=COVARIATES)
    at_risk = complete[complete.adopted_mid_2025 == 0]
    assert metrics.n_test == len(at_risk) == len(result.predictions)
    assert metrics.n_test_dropped == len(counties) - len(complete)
    assert metrics.n_test_events == at_risk.any_agreement.sum()
    assert metrics.auc > 0.6 and metrics.auc_ci_low < metrics.auc < metrics.auc_ci_high
    assert metrics.brier == pytest.approx(
        brier_score(result.predictions.observed, result.predictions.predicted)
    )
    assert metrics.brier_reference == pytest.approx(
        metrics.observed_rate * (1 - metrics.observed_rate)
    )
    assert result.calibration.n.sum() == metrics.n_test


def test_predictions_equal_fitted_values_on_training_rows(atlas):
    counties = atlas.counties.dropna(subset=COVARIATES)
    for state_fe in (False, True):
        result = out_of_sample_forecast(
            counties,
            "adopted_mid_2025",
            "any_agreement",
            COVARIATES,
            evaluate_on="all",
            state_fe=state_fe,
        )
        fitted = pd.Series(
            result.model.result.fittedvalues.to_numpy(), index=result.model.sample.fips
        )
        predicted = result.predictions.set_index("fips").predicted
        np.testing.assert_allclose(predicted[fitted.index], fitted, rtol=1e-10)


def test_state_fe_counts_unpredictable_counties(atlas):
    counties = atlas.counties.copy()
    quiet = counties.state == counties.state.iloc[0]
    counties.loc[quiet, "adopted_mid_2025"] = 0
    result = out_of_sample_forecast(
        counties, "adopted_mid_2025", "any_agreement", COVARIATES, state_fe=True
    )
    expected = counties[quiet].dropna(subset=COVARIATES).shape[0]
    assert result.metrics.n_unpredictable.iloc[0] == expected
    assert not result.predictions.state.isin([counties.state.iloc[0]]).any()


def test_recovers_known_auc_and_delong_error_matches_monte_carlo():
    """Scores N(1, 1) for adopters and N(0, 1) otherwise: AUC = Phi(1 / sqrt 2) = 0.760.
    Over 300 samples of 400 the mean AUC is within 0.005 of it and the mean DeLong standard
    error within 15% of the Monte Carlo standard deviation."""
    rng = np.random.default_rng(4)
    truth = stats.norm.cdf(1 / np.sqrt(2))
    areas, errors = [], []
    for _ in range(300):
        y = (rng.random(400) < 0.3).astype(int)
        area, se, _, _ = auc_interval(y, rng.normal(size=400) + y)
        areas.append(area)
        errors.append(se)
    assert abs(np.mean(areas) - truth) < 0.005
    assert abs(np.mean(errors) / np.std(areas) - 1) < 0.15
