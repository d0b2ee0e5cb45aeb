"""The simulators: shapes of the real tables, determinism, and the truth they are built on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import simulate


def test_counties_have_the_real_shape_and_repeat_with_the_seed():
    counties = simulate.simulate_counties(3140, 50, seed=3, missing_share=0.05)
    assert len(counties) == 3140 and counties.state.nunique() == 50
    assert counties.fips.is_unique and counties.fips.str.fullmatch(r"\d{5}").all()
    assert {"FL", "GA", "TX"} <= set(counties.state)
    sizes = counties.state.value_counts()
    assert sizes.index[0] == "TX" and sizes.min() >= 2
    assert set(simulate.COVARIATES) <= set(counties.columns)
    assert 0 < counties.median_income.isna().mean() < 0.1
    pd.testing.assert_frame_equal(
        counties, simulate.simulate_counties(3140, 50, seed=3, missing_share=0.05)
    )


def test_binary_outcome_probabilities_follow_the_link():
    counties = simulate.simulate_counties(500, 10, seed=1)
    y, p = simulate.simulate_binary_outcome(counties, {"gop_share_2024": 1.0}, intercept=0.2)
    z = simulate.standardized(counties, ["gop_share_2024"])[:, 0]
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(0.2 + z))))
    assert set(np.unique(y)) == {0.0, 1.0}
    with pytest.raises(ValueError, match="leaves"):
        simulate.simulate_binary_outcome(counties, {"gop_share_2024": 1.0}, link="identity")


def test_atlas_outcomes_are_consistent():
    atlas = simulate.simulate_atlas(1000, 20, seed=2)
    c = atlas.counties
    assert (c.adopted_mid_2025 <= c.any_agreement).all()
    for name in ("county_agency_agreement", "tfm", "jail_model"):
        assert (c[name] <= c.any_agreement).all()
    adopted = atlas.first_adoption.first_adoption_month.notna()
    assert (adopted.to_numpy() == c.any_agreement.astype(bool).to_numpy()).all()
    assert len(atlas.months) == 17 and atlas.months[0] == pd.Period("2025-01", "M")
    again = simulate.simulate_atlas(1000, 20, seed=2)
    pd.testing.assert_frame_equal(c, again.counties)
    pd.testing.assert_frame_equal(atlas.first_adoption, again.first_adoption)
