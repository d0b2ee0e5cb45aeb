"""The fast paths of the few-cluster inference equal the pyfixest/wildboottest computations
they replace: exact FWL refits (analysis.stats.fwl) against pyfixest refits, the vectorised
WCR-11 bootstrap (analysis.stats.wcr) against ``Feols.wildboottest``, and the randomization
and placebo p-values against the refit-per-draw loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from state_panels import unbalanced_panel

from analysis.stats import few_cluster as fc
from analysis.stats import wcr
from analysis.stats.fwl import FixedEffects, OneColumnRefits

SCHEDULES = pd.DataFrame(
    {"state": ["S00", "S01", "S02"], "start_month": ["2025-04", "2024-06", "2025-07"]}
)


@pytest.fixture(scope="module")
def panel():
    """An unbalanced county x month panel (counties leave after their event), 14 states."""
    return unbalanced_panel(3, 14, 6, SCHEDULES, "S03")


def _draws(fit, n, seed=5, exclude=()):
    states = np.array(sorted(set(fit.sample.state) - set(exclude)))
    rng = np.random.default_rng(seed)
    return [rng.choice(states, size=len(SCHEDULES), replace=False) for _ in range(n)]


@pytest.mark.parametrize("effects", [(), ("month",), ("month", "state")])
def test_fwl_refits_equal_pyfixest_refits(panel, effects):
    fit = fc.fit_lpm(panel, "y", ["law", "x", "z"], fixed_effects=effects)
    drawn = _draws(fit, 6)
    refits = fc._refits(fit, 0, ["x", "z"], 0)
    coef, t = refits.fit(fc._draw_columns(fit, SCHEDULES, drawn, "month"))
    for i, states in enumerate(drawn):
        sample = fc._assigned(fit, SCHEDULES, states, "law", "month")
        expected = fc._t_of(fit, sample, fit.terms, "law")
        assert coef[i] == pytest.approx(expected[0], rel=1e-9, abs=1e-12)
        assert t[i] == pytest.approx(expected[1], rel=1e-8)


def test_the_draw_columns_are_the_indicator_of_the_assigned_schedules(panel):
    fit = fc.fit_lpm(panel, "y", ["law", "x"], fixed_effects=["month"])
    drawn = _draws(fit, 4)
    columns = fc._draw_columns(fit, SCHEDULES, drawn, "month")
    for i, states in enumerate(drawn):
        expected = fc._assigned(fit, SCHEDULES, states, "law", "month")["law"]
        np.testing.assert_array_equal(columns[:, i], expected.to_numpy(float))


def test_a_column_the_fixed_effects_absorb_has_no_estimate(panel):
    codes = [pd.factorize(panel[c].astype(str))[0] for c in ("month", "state")]
    refits = OneColumnRefits(panel.y.to_numpy(float), panel[["x"]].to_numpy(), FixedEffects(codes),
                             pd.factorize(panel.state)[0], position=0, df_k=2)  # fmt: skip
    whole_state = (panel.state == "S04").to_numpy(float)
    coef, t = refits.fit(np.column_stack([whole_state, panel.law.to_numpy(float)]))
    assert np.isnan(coef[0]) and np.isnan(t[0])
    assert np.isfinite(coef[1]) and np.isfinite(t[1])


@pytest.mark.parametrize("effects", [(), ("month",), ("month", "state")])
def test_randomization_and_placebo_p_values_equal_the_refit_loop(panel, effects, monkeypatch):
    fit = fc.fit_lpm(panel, "y", ["law", "x", "z"], fixed_effects=effects)
    fast_ri = fc.randomization_inference(fit, "law", SCHEDULES, reps=30, seed=2)
    fast_size = fc.placebo_size(fit, SCHEDULES, draws=20, seed=2, exclude=["S00", "S01", "S02"])
    monkeypatch.setattr(fc, "_refits", lambda *args: None)
    slow_ri = fc.randomization_inference(fit, "law", SCHEDULES, reps=30, seed=2)
    slow_size = fc.placebo_size(fit, SCHEDULES, draws=20, seed=2, exclude=["S00", "S01", "S02"])
    for key in ("p_value", "p_value_coef", "n_invalid"):
        assert fast_ri[key] == slow_ri[key]
    np.testing.assert_allclose(fast_ri["draws"], slow_ri["draws"], rtol=1e-8)
    assert fast_size == slow_size


@pytest.mark.parametrize("effects", [(), ("month",), ("month", "state")])
@pytest.mark.parametrize("weights", ["webb", "rademacher"])
def test_the_vectorised_wild_bootstrap_equals_wildboottest(panel, effects, weights):
    fit = fc.fit_lpm(panel, "y", ["law", "x"], fixed_effects=effects)
    for term in ("law", "x"):
        expected, t_boot = fit.model.wildboottest(
            param=term, reps=199, cluster="_cluster", weights_type=weights, impose_null=True,
            seed=11, return_bootstrapped_t_stats=True,
        )  # fmt: skip
        t_stat, fast_boot = wcr.wcr_statistics(fit.model, term, cluster="_cluster", reps=199,
                                               seed=11, weights=weights)  # fmt: skip
        np.testing.assert_allclose(fast_boot, t_boot, rtol=1e-10)
        assert t_stat == pytest.approx(float(expected["t value"]), rel=1e-10)
        p = wcr.wild_bootstrap_p(fit.model, term, cluster="_cluster", reps=199, seed=11,
                                 weights=weights)  # fmt: skip
        assert p == float(expected["Pr(>|t|)"])
