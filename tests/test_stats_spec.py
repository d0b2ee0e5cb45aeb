"""ModelSpec: one model's estimation choices, validated once and passed to every estimator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import adoption_models as am
from analysis.stats import simulate, standardization_scales
from analysis.stats.bivariate import bivariate_effects
from analysis.stats.spec import ModelSpec


@pytest.fixture(scope="module")
def counties():
    table = simulate.simulate_counties(600, 12, seed=5)
    y, _ = simulate.simulate_binary_outcome(
        table, {"gop_share_2024": 0.8}, intercept=-0.5, state_sd=0.5, seed=6
    )
    return table.assign(any_agreement=y)


def test_defaults_and_validation():
    spec = ModelSpec()
    assert (spec.estimator, spec.se, spec.cluster, spec.fixed_effects) == (
        "logit",
        "cluster",
        "state",
        (),
    )
    with pytest.raises(ValueError, match="estimator must be one of"):
        ModelSpec(estimator="tobit")
    with pytest.raises(ValueError, match="se must be one of"):
        ModelSpec(se="hc3")
    with pytest.raises(ValueError, match="needs a cluster column"):
        ModelSpec(cluster=None)
    assert ModelSpec(se="robust", cluster=None).cluster is None


def test_lists_become_tuples_and_state_fe_toggles():
    spec = ModelSpec(fixed_effects=["month"], standardize=["x"], excluded=["FL"])
    assert spec.fixed_effects == ("month",) and spec.standardize == ("x",)
    assert spec.excluded == ("FL",)
    with_state = spec.with_state_fe(True)
    assert with_state.fixed_effects == ("month", "state") and with_state.state_fe
    assert with_state.with_state_fe(False).fixed_effects == ("month",)
    assert not spec.state_fe
    made = ModelSpec.of(spec, estimator="lpm", state_fe=True)
    assert made.estimator == "lpm" and made.fixed_effects == ("month", "state")
    assert spec.estimator == "logit"  # the original is unchanged
    with pytest.raises(TypeError):
        ModelSpec.of(spec, not_a_field=1)


def test_sample_leaves_out_excluded_states():
    df = pd.DataFrame({"state": ["FL", "GA", "TX", "CA"], "y": [1, 0, 1, 0]})
    assert ModelSpec().sample(df) is df
    kept = ModelSpec(excluded=("FL", "TX")).sample(df)
    assert kept.state.tolist() == ["GA", "CA"]


def test_spec_and_keywords_fit_the_same_model(counties):
    by_keywords = am.fit_adoption_model(
        counties, "any_agreement", ["gop_share_2024"], estimator="lpm", state_fe=True
    )
    spec = ModelSpec(estimator="lpm", fixed_effects=("state",))
    by_spec = am.fit_adoption_model(counties, "any_agreement", ["gop_share_2024"], spec)
    pd.testing.assert_frame_equal(by_keywords.coefficients, by_spec.coefficients)


def test_excluded_states_equal_fitting_on_the_subset(counties):
    left_out = sorted(counties.state.unique())[:3]
    subset = counties[~counties.state.isin(left_out)]
    # The states left out still count in the z-scores: one scale for the whole table.
    scales = standardization_scales(counties, ["gop_share_2024"])
    direct = am.fit_adoption_model(subset, "any_agreement", ["gop_share_2024"], scales=scales)
    spec = ModelSpec(excluded=tuple(left_out))
    via_spec = am.fit_adoption_model(counties, "any_agreement", ["gop_share_2024"], spec)
    pd.testing.assert_frame_equal(direct.marginal_effects, via_spec.marginal_effects)
    assert via_spec.n == len(subset)


def test_bivariate_effects_match_single_models():
    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame(
        {
            "state": rng.choice(list("ABCDEFGH"), n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
        }
    )
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-df.x1))).astype(int)
    table = bivariate_effects(df, "y", ["x1", "x2"])
    assert list(table.term) == ["x1", "x2"] and not table.state_fe.any()
    slope = np.polyfit((df.x1 - df.x1.mean()) / df.x1.std(), df.y, 1)[0]
    assert table.estimate.iloc[0] == pytest.approx(slope)
    assert table.n_clusters.iloc[0] == 8
    within = bivariate_effects(df, "y", ["x1"], ModelSpec(fixed_effects=("state",)))
    assert within.state_fe.all() and within.estimate.iloc[0] > 0


@pytest.mark.parametrize("state_fe", [False, True])
@pytest.mark.parametrize("excluded", [(), ("B",)])
def test_bivariate_lpm_closed_form_equals_statsmodels(state_fe, excluded):
    rng = np.random.default_rng(8)
    n = 500
    df = pd.DataFrame({"state": rng.choice(list("ABCDEFGHIJ"), n), "x": rng.normal(size=n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-df.x - (df.state < "E")))).astype(int)
    df.loc[df.index[:7], "x"] = np.nan
    spec = ModelSpec(estimator="lpm", excluded=excluded).with_state_fe(state_fe)
    fast = bivariate_effects(df, "y", ["x"], spec)
    full = am.fit_adoption_model(df, "y", ["x"], spec).marginal_effects.assign(state_fe=state_fe)
    assert list(fast.columns) == list(full.columns)
    numbers = fast.select_dtypes("float").columns
    pd.testing.assert_frame_equal(fast.drop(columns=numbers), full.drop(columns=numbers))
    np.testing.assert_allclose(fast[numbers], full[numbers], rtol=1e-10, atol=0)
