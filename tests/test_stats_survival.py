"""Kaplan-Meier on a hand-computed example, against statsmodels, and by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats.survival import KM_COLUMNS, kaplan_meier, quantile_groups

# Ten counties: adoption month (time) and whether adoption was observed (event).
HAND = pd.DataFrame(
    {"time": [0, 1, 1, 2, 3, 3, 4, 4, 4, 4], "event": [1, 1, 0, 1, 1, 0, 1, 0, 0, 0]}
)


def test_hand_computed_product_limit():
    km = kaplan_meier(HAND)
    assert list(km.columns) == KM_COLUMNS
    assert km.n_at_risk.tolist() == [10, 9, 7, 6, 4]
    assert km.n_events.tolist() == [1, 1, 1, 1, 1]
    assert km.n_censored.tolist() == [0, 1, 0, 1, 3]
    # 0.9; 0.9 * 8/9; * 6/7; * 5/6; * 3/4
    np.testing.assert_allclose(km.survival, [0.9, 0.8, 24 / 35, 4 / 7, 3 / 7])
    np.testing.assert_allclose(km.cumulative_adoption, 1 - km.survival)
    # Greenwood at month 0: 0.9^2 * 1 / (10 * 9)
    assert km.std_error.iloc[0] == pytest.approx(np.sqrt(0.81 / 90))
    # log(-log) interval at month 0, worked by hand: [0.4730, 0.9853]
    assert (km.ci_low.iloc[0], km.ci_high.iloc[0]) == pytest.approx((0.4730, 0.9853), abs=1e-4)
    assert km.adoption_ci_low.iloc[0] == pytest.approx(1 - km.ci_high.iloc[0])


def test_matches_statsmodels_survfunc():
    rng = np.random.default_rng(0)
    time = rng.integers(0, 17, size=400).astype(float)
    event = (rng.random(400) < 0.6).astype(int)
    km = kaplan_meier(pd.DataFrame({"time": time, "event": event}))
    reference = sm.SurvfuncRight(time, event)
    at_events = km.set_index("time").loc[reference.surv_times]
    np.testing.assert_allclose(at_events.survival, reference.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(at_events.std_error, reference.surv_prob_se, rtol=1e-10)
    np.testing.assert_array_equal(at_events.n_at_risk, reference.n_risk)


def test_linear_interval_and_months_without_events():
    data = pd.DataFrame({"time": [0, 2, 2, 3], "event": [1, 0, 1, 0]})
    km = kaplan_meier(data, conf_type="linear")
    assert km.time.tolist() == [0, 1, 2, 3]
    assert km.n_events.tolist() == [1, 0, 1, 0]
    np.testing.assert_allclose(km.survival, [0.75, 0.75, 0.5, 0.5])  # 3 at risk in month 2
    se = km.std_error.iloc[0]
    assert km.ci_low.iloc[0] == pytest.approx(max(0, 0.75 - 1.959964 * se), rel=1e-6)


def test_groups_follow_categorical_order_and_report_drops():
    data = pd.DataFrame(
        {
            "time": [0, 1, 2, 3, 1, 2, 2, np.nan],
            "event": [1, 1, 0, 0, 1, 1, 0, 0],
            "gop": [0.3, 0.35, 0.4, 0.45, 0.7, 0.75, 0.8, 0.5],
        }
    )
    data["tercile"] = quantile_groups(data.gop, q=2, labels=["low", "high"])
    km = kaplan_meier(data, group="tercile")
    assert km.group.unique().tolist() == ["low", "high"]
    assert (km.grouping == "tercile").all() and (km.n_dropped == 1).all()
    high = km[km.group == "high"]
    assert high.n.iloc[0] == 3 and high.time.tolist() == [0, 1, 2]
    assert high.survival.tolist() == pytest.approx([1.0, 2 / 3, 1 / 3])
    assert high.ci_low.iloc[0] == 1.0  # no events yet: no uncertainty


def test_everyone_adopted_has_zero_survival_without_interval():
    km = kaplan_meier(pd.DataFrame({"time": [0, 1], "event": [1, 1]}))
    assert km.survival.iloc[-1] == 0 and np.isnan(km.ci_low.iloc[-1])


def test_terciles():
    groups = quantile_groups(pd.Series(np.arange(9.0)))
    assert groups.astype(str).tolist() == ["low"] * 3 + ["middle"] * 3 + ["high"] * 3


def test_recovers_a_known_monthly_hazard():
    """Constant hazard 0.06 a month, censoring at month 16: S(t) = 0.94^(t+1); 20,000
    counties, every month within 0.01, and the truth inside each 95% interval but at most
    two months."""
    rng = np.random.default_rng(3)
    first = rng.geometric(0.06, size=20_000) - 1  # month of adoption, 0-based
    data = pd.DataFrame({"time": np.minimum(first, 16), "event": (first <= 16).astype(int)})
    km = kaplan_meier(data)
    truth = 0.94 ** (km.time + 1)
    assert (km.survival - truth).abs().max() < 0.01
    assert ((km.ci_low > truth) | (km.ci_high < truth)).sum() <= 2
