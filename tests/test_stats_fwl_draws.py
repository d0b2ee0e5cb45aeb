"""The per-state draw refits (analysis.stats.fwl_draws) equal the column refits of
analysis.stats.fwl, which the tests in test_stats_few_cluster_fast.py check against pyfixest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from state_panels import unbalanced_panel

from analysis.stats import few_cluster as fc
from analysis.stats.fwl_draws import StateDrawRefits

# S03's schedule is in force in every month: with state effects a draw giving only it (and
# states without rows) is absorbed. S01's ends inside the window.
SCHEDULES = pd.DataFrame(
    {
        "state": ["S00", "S01", "S02", "S03"],
        "start_month": ["2025-04", "2024-06", "2025-07", "2024-01"],
        "end_month": [None, "2025-08", None, None],
    }
)


@pytest.fixture(scope="module")
def panel():
    return unbalanced_panel(7, 15, 5, SCHEDULES, "S05")


def _draws(fit, n, seed=11):
    states = np.array(sorted(fit.sample.state))
    states = np.unique(states)
    rng = np.random.default_rng(seed)
    return [rng.choice(states, size=len(SCHEDULES), replace=False) for _ in range(n)]


@pytest.mark.parametrize("effects", [(), ("month",), ("month", "state")])
@pytest.mark.parametrize("placebo", [False, True])
def test_per_state_draws_equal_the_column_refits(panel, effects, placebo):
    fit = fc.fit_lpm(panel, "y", ["x", "law", "z"], fixed_effects=effects)
    if placebo:
        refits = fc._refits(fit, 3, ["x", "law", "z"], 1)
    else:
        refits = fc._refits(fit, 1, ["x", "z"], 0)
    drawn = _draws(fit, 40)
    # The real schedules, a draw with a state that has no rows, and one only S03's schedule
    # carries (the other schedules to absent states).
    drawn += [list(SCHEDULES.state), ["S09", "XX", "S10", "S11"], ["XX", "YY", "ZZ", "S03"]]
    fast = StateDrawRefits(refits, fit.sample.state.to_numpy(), fc._active(fit, SCHEDULES, "month"))
    coef, t = fast.fit(drawn)
    expected_coef, expected_t = refits.fit(fc._draw_columns(fit, SCHEDULES, drawn, "month"))
    np.testing.assert_array_equal(np.isnan(t), np.isnan(expected_t))
    np.testing.assert_allclose(coef, expected_coef, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(t, expected_t, rtol=1e-10)
    if "state" in effects:
        assert np.isnan(t[-1])


def test_a_state_in_several_clusters_is_refused(panel):
    fit = fc.fit_lpm(panel, "y", ["law", "x"], fixed_effects=["month"])
    refits = fc._refits(fit, 0, ["x"], 0)
    states = fit.sample.state.to_numpy().copy()
    states[:3] = "S14"  # rows of S00 now also count as S14
    with pytest.raises(ValueError, match="spans several clusters"):
        StateDrawRefits(refits, states, fc._active(fit, SCHEDULES, "month"))
