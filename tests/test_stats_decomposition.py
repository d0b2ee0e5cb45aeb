"""Between- versus within-state decomposition on data where the split is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats import simulate
from analysis.stats.decomposition import (
    DECOMPOSITION_COLUMNS,
    between_within_decomposition,
    fixed_effects_comparison,
)


def _frame(n_states=40, per_state=60, between=0.0, within=0.0, seed=0):
    """x = state part + county part; adoption depends on the state part with weight
    ``between`` and on the county part with weight ``within`` (logit scale)."""
    rng = np.random.default_rng(seed)
    state = np.repeat([f"S{k:02d}" for k in range(n_states)], per_state)
    state_part = np.repeat(rng.normal(size=n_states), per_state)
    county_part = rng.normal(size=state.size)
    x = state_part + county_part
    eta = between * state_part + within * county_part
    y = (rng.random(state.size) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"state": state, "x": x, "y": y})


def test_association_purely_between_states_has_no_within_share():
    row = between_within_decomposition(_frame(between=2.0, seed=1), "y", ["x"]).iloc[0]
    assert row.cov_between_share > 0.9
    assert abs(row.cov_within_share) < 0.1
    assert abs(row.slope_within) < 0.02
    assert row.within_share_ci_low < 0 < row.within_share_ci_high


def test_association_purely_within_states_has_no_between_share():
    row = between_within_decomposition(_frame(within=2.0, seed=2), "y", ["x"]).iloc[0]
    assert row.cov_within_share > 0.85
    assert abs(row.slope_between) < 0.05
    assert row.within_share_ci_low > 0.5


def test_parts_add_up_and_slopes_match_regressions():
    frame = _frame(between=1.0, within=1.0, seed=3)
    row = between_within_decomposition(frame, "y", ["x"], n_boot=0).iloc[0]
    assert row.cov_between_share + row.cov_within_share == pytest.approx(1.0)
    weights = row.x_between_share
    mixed = weights * row.slope_between + (1 - weights) * row.slope_within
    assert row.slope_pooled == pytest.approx(mixed)
    z = (frame.x - frame.x.mean()) / frame.x.std(ddof=1)
    pooled = sm.OLS(frame.y, sm.add_constant(z)).fit().params.iloc[1]
    dummies = pd.get_dummies(frame.state, drop_first=True, dtype=float)
    within = sm.OLS(frame.y, sm.add_constant(pd.concat([z, dummies], axis=1))).fit().params["x"]
    assert row.slope_pooled == pytest.approx(pooled)
    assert row.slope_within == pytest.approx(within)
    assert row.r_pooled == pytest.approx(np.corrcoef(frame.x, frame.y)[0, 1])
    assert np.isnan(row.within_share_ci_low) and row.n_boot == 0


def test_bootstrap_is_identical_for_the_same_seed_and_columns_are_independent():
    frame = _frame(between=1.0, within=1.0, seed=4).assign(w=lambda d: d.x**2)
    first = between_within_decomposition(frame, "y", ["x", "w"], n_boot=300, seed=7)
    again = between_within_decomposition(frame, "y", ["x", "w"], n_boot=300, seed=7)
    alone = between_within_decomposition(frame, "y", ["x"], n_boot=300, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert first.within_share_ci_low.iloc[0] == alone.within_share_ci_low.iloc[0]
    assert list(first.columns) == DECOMPOSITION_COLUMNS


def test_missing_values_counted_per_covariate():
    frame = _frame(seed=5).assign(z=lambda d: d.x)
    frame.loc[frame.index[:4], "z"] = np.nan
    table = between_within_decomposition(frame, "y", ["x", "z"], n_boot=0)
    assert table.n_dropped.tolist() == [0, 4]


def test_fixed_effects_comparison_on_simulated_counties():
    counties = simulate.simulate_counties(1200, 30, seed=6)
    y, _ = simulate.simulate_binary_outcome(
        counties, {"gop_share_2024": 0.6}, intercept=-0.3, state_sd=0.7, seed=7
    )
    table = fixed_effects_comparison(
        counties.assign(y=y), "y", ["gop_share_2024", "hispanic_share"]
    )
    assert table.term.tolist() == ["gop_share_2024", "hispanic_share"]
    row = table.set_index("term").loc["gop_share_2024"]
    assert row.within_to_pooled == pytest.approx(row.estimate_within / row.estimate_pooled)
    assert row.estimate_within > 0 and row.n == 1200


def test_missing_rows_and_a_state_without_values_match_the_complete_subset():
    """Each covariate on its own complete rows (NaN and inf missing, a state left with no value
    drops out of the bootstrap), the same numbers as decomposing that subset directly."""
    df = _frame(n_states=12, per_state=30, between=1.0, within=1.0, seed=5)
    rng = np.random.default_rng(6)
    df["z"] = df.x + rng.normal(size=len(df))
    df.loc[rng.random(len(df)) < 0.1, "x"] = np.nan
    df.loc[df.index[:5], "x"] = np.inf
    df.loc[df.state == "S03", "z"] = np.nan
    df.loc[df.index[-3:], "state"] = None
    both = between_within_decomposition(df, "y", ["x", "z"], n_boot=99, seed=3)
    for position, name in enumerate(["x", "z"]):
        keep = df[["y", name, "state"]].notna().all(axis=1) & np.isfinite(df[name])
        alone = between_within_decomposition(df[keep], "y", [name], n_boot=0)
        row = both.iloc[position]
        assert row.n == keep.sum() and row.n_dropped == (~keep).sum()
        assert row.n_groups == df[keep].state.nunique()
        columns = ["slope_pooled", "slope_within", "cov_within_share", "r_within"]
        assert row[columns].tolist() == alone.iloc[0][columns].tolist()
