"""Few-cluster inference (analysis.stats.few_cluster) on simulated panels whose answer is known:
one treated state with its own post-switch shock (conventional errors reject, the bootstrap and
randomization inference do not), many treated states (the bootstrap agrees with CRV1), and the
county LPM on standardized covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import few_cluster as fc
from analysis.stats.panel import add_state_period_indicator

MONTHS = pd.period_range("2025-01", periods=12, freq="M")


def state_panel(n_states, counties_per_state, schedules, *, effect=0.0, shock=0.0, seed=0):
    """County x month panel with a 0/1 outcome: base rate 0.2, ``effect`` added where
    ``treated`` is 1, and each treated state's post-switch months shifted by its own ``shock``
    (a state-level disturbance that a conventional clustered test mistakes for the term)."""
    rng = np.random.default_rng(seed)
    states = [f"S{i:02d}" for i in range(n_states)]
    rows = pd.DataFrame(
        [(s, f"{s}-{c}", m) for s in states for c in range(counties_per_state) for m in MONTHS],
        columns=["state", "fips", "month"],
    )
    rows["x"] = rng.normal(size=len(rows))
    periods = pd.DataFrame(schedules, columns=["state", "start_month"])
    rows = add_state_period_indicator(rows, periods, "treated")
    state_noise = dict(zip(states, rng.normal(0, 0.02, n_states), strict=True))
    p = 0.2 + 0.02 * rows["x"] + rows["state"].map(state_noise) + rows["treated"] * (effect + shock)
    rows["y"] = (rng.random(len(rows)) < p.clip(0.01, 0.99)).astype(int)
    return rows


def test_fit_lpm_matches_least_squares_and_counts_dropped_rows():
    data = state_panel(8, 5, [("S00", "2025-06")], seed=1)
    data.loc[3, "x"] = np.nan
    fit = fc.fit_lpm(data, "y", ["treated", "x"], fixed_effects=["month"])
    assert fit.n_dropped == 1 and len(fit.sample) == len(data) - 1 and fit.n_clusters == 8
    sample = fit.sample
    design = pd.get_dummies(sample["month"].astype(str), dtype=float)
    design[["treated", "x"]] = sample[["treated", "x"]]
    beta = np.linalg.lstsq(design.to_numpy(), sample["y"].to_numpy(float), rcond=None)[0]
    row = fit.term_row("treated")
    assert row["estimate"] == pytest.approx(beta[-2], abs=1e-10)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    with pytest.raises(KeyError, match="nothing"):
        fit.term_row("nothing")


def test_fit_lpm_rejects_a_non_binary_outcome_and_missing_columns():
    data = state_panel(4, 3, [("S00", "2025-06")]).assign(y=lambda d: d.y * 2)
    with pytest.raises(ValueError, match="0/1"):
        fc.fit_lpm(data, "y", ["x"])
    with pytest.raises(KeyError, match="nope"):
        fc.fit_lpm(data, "y", ["nope"])


def test_bootstrap_weights_are_webb_when_few_clusters_carry_the_term():
    assert fc.bootstrap_weights(8) == "webb"
    assert fc.bootstrap_weights(45, 2) == "webb"
    assert fc.bootstrap_weights(45, 20) == "rademacher"
    assert fc.bootstrap_weights(45) == "rademacher"


@pytest.fixture(scope="module")
def one_treated():
    """20 states, one switching in June with a post-switch shock of +0.15 and no true effect."""
    data = state_panel(20, 12, [("S03", "2025-06")], shock=0.15, seed=7)
    return fc.fit_lpm(data, "y", ["treated", "x"], fixed_effects=["month", "state"])


def test_one_treated_cluster_conventional_rejects_but_few_cluster_p_values_do_not(one_treated):
    fit = one_treated
    assert fc.treated_clusters(fit, "treated") == ["S03"]
    assert fit.term_row("treated")["p_value"] < 0.001
    wcr = fc.wild_cluster_bootstrap(fit, "treated", reps=999, seed=3)
    assert wcr["weights"] == "webb" and "Webb" in wcr["method"]
    assert wcr["p_value"] > 0.2
    schedules = pd.DataFrame({"state": ["S03"], "start_month": ["2025-06"]})
    ri = fc.randomization_inference(fit, "treated", schedules, reps=49, seed=4)
    # One treated state among 20: the randomization p-value cannot fall far below 1/20.
    assert ri["p_value"] >= 0.03 and ri["n_invalid"] == 0
    again = fc.randomization_inference(fit, "treated", schedules, reps=49, seed=4)
    assert again["p_value"] == ri["p_value"]


def test_placebo_size_is_far_above_nominal_with_one_placebo_state():
    data = state_panel(20, 12, [], seed=11)
    # Every state gets its own shock from June: a placebo on one state picks up that shock.
    shocks = np.random.default_rng(5).normal(0, 0.12, 20)
    late = data["month"] >= pd.Period("2025-06", "M")
    p = 0.2 + late * data["state"].str[1:].astype(int).map(dict(enumerate(shocks)))
    data["y"] = (np.random.default_rng(6).random(len(data)) < p.clip(0.01, 0.99)).astype(int)
    fit = fc.fit_lpm(data, "y", ["x"], fixed_effects=["month", "state"])
    schedules = pd.DataFrame({"state": ["S00"], "start_month": ["2025-06"]})
    size = fc.placebo_size(fit, schedules, draws=40, seed=1, exclude=["S00"])
    assert size["n_valid"] == 40 and size["rejection_rate"] > 0.3
    assert size["ci_low"] <= size["rejection_rate"] <= size["ci_high"]


@pytest.fixture(scope="module")
def many_treated():
    rng = np.random.default_rng(2)
    schedules = [(f"S{i:02d}", str(MONTHS[rng.integers(1, 11)])) for i in range(0, 60, 2)]
    data = state_panel(60, 6, schedules, effect=0.08, seed=9)
    return fc.fit_lpm(data, "y", ["treated", "x"], fixed_effects=["month", "state"]), schedules


def test_many_treated_clusters_bootstrap_agrees_with_crv1(many_treated):
    fit, _ = many_treated
    assert len(fc.treated_clusters(fit, "treated")) == 30
    for term in ["treated", "x"]:
        wcr = fc.wild_cluster_bootstrap(fit, term, reps=999, seed=1)
        assert wcr["weights"] == "rademacher"
        conventional = fit.term_row(term)["p_value"]
        assert abs(wcr["p_value"] - conventional) < 0.05 or max(wcr["p_value"], conventional) < 0.01


def test_placebo_size_is_near_nominal_with_many_states_and_no_shocks(many_treated):
    fit, schedules = many_treated
    table = pd.DataFrame(schedules[:10], columns=["state", "start_month"])
    real = [s for s, _ in schedules]
    size = fc.placebo_size(fit, table, draws=50, seed=2, exclude=real)
    assert size["rejection_rate"] <= 0.15


def test_state_term_inference_row_and_the_unidentified_term():
    data = state_panel(10, 6, [("S01", "2023-01"), ("S02", "2025-05")], shock=0.1, seed=3)
    schedules = pd.DataFrame({"state": ["S01", "S02"], "start_month": ["2023-01", "2025-05"]})
    fit = fc.fit_lpm(data, "y", ["treated", "x"], fixed_effects=["month"])
    row = fc.state_term_inference(fit, "treated", schedules, model="m", reps=99, ri_reps=19,
                                  seed=1)  # fmt: skip
    assert row["n_treated_clusters"] == 2 and row["treated_clusters"] == "S01, S02"
    assert 0 < row["p_value_few_cluster"] <= 1 and 0 < row["p_value_ri"] <= 1
    assert "CRV1" in row["method"] and "randomization" in row["method_ri"]
    # Always in force in S01 only: with state effects nothing identifies it.
    always = data.assign(treated=(data.state == "S01").astype(int))
    fe_fit = fc.fit_lpm(always, "y", ["treated", "x"], fixed_effects=["month", "state"])
    missing = fc.state_term_inference(fe_fit, "treated", schedules.iloc[:1], model="fe",
                                      reps=99, ri_reps=9, seed=1)  # fmt: skip
    assert missing["n_treated_clusters"] == 0 and np.isnan(missing["estimate"])
    assert missing["method"].startswith("not identified")


def test_county_term_inference_on_one_scale():
    rng = np.random.default_rng(4)
    n = 3000
    counties = pd.DataFrame(
        {
            "state": rng.integers(0, 40, n).astype(str),
            "a": rng.normal(5, 2, n),
            "b": rng.normal(0, 1, n),
        }  # fmt: skip
    )
    p = 0.3 + 0.1 * (counties.a - 5) / 2
    counties["adopted"] = (rng.random(n) < p.clip(0, 1)).astype(int)
    scales = {"a": (5.0, 2.0), "b": (0.0, 1.0)}
    counties.loc[:99, "b"] = np.nan
    table = fc.county_term_inference(counties, "adopted", ["a", "b"], state_fe=False, reps=499,
                                     seed=8, scales=scales)  # fmt: skip
    a, b = table.set_index("term").loc["a"], table.set_index("term").loc["b"]
    assert a.estimate == pytest.approx(0.1, abs=0.02) and a.ci_low < 0.1 < a.ci_high
    assert a.p_value < 1e-6 and a.p_value_few_cluster < 0.01
    assert b.p_value > 0.01 and abs(b.p_value_few_cluster - b.p_value) < 0.1
    assert (table.n == n - 100).all() and (table.n_dropped == 100).all()
    assert (table.n_clusters == 40).all() and table.unit.eq("probability per SD").all()
    # Scaled by a doubled SD, the estimate per SD doubles: the given scale is the one used.
    wide = fc.county_term_inference(counties, "adopted", ["a"], state_fe=True, reps=99, seed=8,
                                    scales={"a": (5.0, 4.0)})  # fmt: skip
    within = fc.county_term_inference(counties, "adopted", ["a"], state_fe=True, reps=99, seed=8,
                                      scales={"a": (5.0, 2.0)})  # fmt: skip
    assert wide.estimate.iloc[0] == pytest.approx(2 * within.estimate.iloc[0])
    assert wide.model.iloc[0] == "LPM, state effects"
