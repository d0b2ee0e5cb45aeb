"""The Texas forecast: the period hazard recovers a known model on simulated data, its
back-test reaches the true model's AUC and is calibrated, and the SB 8 calendar helpers;
the real forecast on the mirror has the 254 counties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.forecast import auc, brier_score, calibration_table
from analysis.stats.hazard_forecast import (
    coefficient_draws,
    fit_period_hazard,
    probability_by_horizon,
    simulate_period_hazard,
)
from analysis.study import texas_forecast as tf

PERIODS = [("early", 5, -4.0), ("signed", 6, -2.6), ("in force", 5, -2.2)]
BETA = [0.8, -0.5]


def _simulated(seed=11, n=6000):
    return simulate_period_hazard(n, PERIODS, BETA, seed=seed)


def test_fit_recovers_the_known_hazard():
    panel = _simulated()
    fit = fit_period_hazard(panel, ["x0", "x1"], periods=[p for p, _, _ in PERIODS])
    est = fit.params
    se = np.sqrt(np.diag(fit.cov))
    truth = [level for _, _, level in PERIODS] + BETA
    assert np.all(np.abs(est.to_numpy() - truth) < 4 * se)
    assert fit.n == len(panel) and fit.n_events == panel.event.sum()


def test_back_test_on_simulated_data_matches_the_true_model():
    panel = _simulated(seed=12)
    train_months = 11  # early + signed: the in-force period is unseen, as in the Texas back-test
    train = panel[panel.month < train_months]
    fit = fit_period_hazard(train, ["x0", "x1"], periods=["early", "signed"])
    units = panel[panel.month == train_months].drop_duplicates("fips")  # at risk at the cut-off
    later = panel[panel.month >= train_months].groupby("fips").event.max()
    observed = units.fips.map(later).to_numpy()
    predicted = probability_by_horizon(fit, units, 5)
    # The true model's own probabilities of an event in the five in-force months.
    lin = units[["x0", "x1"]].to_numpy() @ np.array(BETA)
    true_p = 1 - np.exp(-np.exp(PERIODS[2][2] + lin)) ** 5
    assert abs(auc(observed, predicted) - auc(observed, true_p)) < 0.01
    # Ranking is right; the level is the signed period's, below the in-force one.
    assert predicted.mean() < true_p.mean()
    assert brier_score(observed, true_p) <= brier_score(observed, predicted) + 0.01
    # With the in-force level known, the forecast is calibrated bin by bin.
    full = fit_period_hazard(panel, ["x0", "x1"], periods=[p for p, _, _ in PERIODS])
    calibrated = probability_by_horizon(full, units, 5)
    table = calibration_table(observed, calibrated, n_bins=5)
    assert ((table.ci_low <= table.mean_predicted) & (table.mean_predicted <= table.ci_high)).all()


def test_probabilities_and_draws():
    panel = _simulated(seed=13, n=2000)
    fit = fit_period_hazard(panel, ["x0", "x1"])
    units = pd.DataFrame({"x0": [0.0, 1.0], "x1": [0.0, 0.0]})
    p0 = probability_by_horizon(fit, units, 0)
    assert np.all(p0 == 0)
    p1, p6 = probability_by_horizon(fit, units, 1), probability_by_horizon(fit, units, 6)
    assert np.all(p6 > p1) and p1[1] > p1[0]
    draws = coefficient_draws(fit, 500, seed=3)
    assert np.array_equal(draws, coefficient_draws(fit, 500, seed=3))
    sims = probability_by_horizon(fit, units, 6, params=draws)
    assert sims.shape == (500, 2)
    assert np.all(np.quantile(sims, 0.025, axis=0) < p6) and np.all(
        p6 < np.quantile(sims, 0.975, axis=0)
    )
    with pytest.raises(ValueError, match="missing covariates"):
        probability_by_horizon(fit, units.assign(x0=[np.nan, 1.0]), 3)
    with pytest.raises(ValueError, match="no event in the period"):
        fit_period_hazard(
            panel.assign(event=np.where(panel.period == "early", 0, panel.event)), ["x0"]
        )


def test_sb8_calendar():
    dates = {"signed": pd.Timestamp("2025-06-20"), "effective": pd.Timestamp("2026-01-01")}
    months = pd.period_range("2025-05", "2026-02", freq="M")
    periods = tf.sb8_periods(months, dates)
    assert list(periods[:2]) == ["before signing", "signed, not in force"]
    assert periods[-3] == "signed, not in force" and list(periods[-2:]) == ["in force"] * 2
    deadline = pd.Timestamp("2026-12-01")
    assert tf.months_to_deadline(pd.Timestamp("2026-05-11"), deadline) == 6
    assert tf.months_to_deadline(pd.Timestamp("2026-11-20"), deadline) == 0
    assert tf.months_to_deadline(pd.Timestamp("2026-12-20"), deadline) == 0


@pytest.mark.mirror
def test_real_texas_forecast(raw_dir):
    from analysis.study.adoption import AdoptionTables

    tables = AdoptionTables.load()
    names = ["gop_share_2024", "hispanic_share", "log_population_density"]
    data = tf.texas_data(None, names, tables=tables)
    fit = tf.fit_texas(data, names)
    forecast = tf.forecast_table(data, fit, draws=200, seed=1)
    assert list(forecast.columns) == tf.FORECAST_COLUMNS and len(forecast) == 254
    assert forecast.fips.str.startswith("48").all() and forecast.fips.is_unique
    held = forecast.status_last_snapshot == 1
    assert (forecast.loc[held, "predicted_probability"] == 1).all()
    assert forecast.loc[~held, "predicted_probability"].between(0, 1).all()
    assert set(fit.periods) == set(tf.PERIODS)
    backtest = tf.back_test(data, names)
    assert backtest.metrics.auc.between(0.5, 1).all()
