"""The binary-model engine on column arrays (analysis.stats.frame_arrays) gives what the per-fit
pandas steps gave, bit for bit: complete cases, the states left out, group codes, dropped
fixed-effect levels and the design; grids stacked in one step equal ``pd.concat`` of each fit's
tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import adoption_models as am
from analysis.stats import simulate
from analysis.stats._common import complete_cases, group_codes, resolve_scales
from analysis.stats.frame_arrays import FrameArrays, design_matrix, drop_nonvarying_rows
from analysis.stats.model_tables import COEFFICIENT_COLUMNS, MARGINAL_EFFECT_COLUMNS
from analysis.stats.spec import ModelSpec

COVARIATES = ["gop_share_2024", "hispanic_share", "log_density"]


@pytest.fixture(scope="module")
def counties():
    table = simulate.simulate_counties(900, 20, seed=5)
    y, _ = simulate.simulate_binary_outcome(
        table, {"gop_share_2024": 0.8}, intercept=-0.5, state_sd=0.5, seed=6
    )
    table = table.assign(any_agreement=y, weight=np.linspace(1, 3, len(table)))
    # Missing values and an infinite one, a state where nobody adopted, one where all did.
    table.loc[table.index[:7], "hispanic_share"] = np.nan
    table.loc[table.index[8], "log_density"] = np.inf
    states = sorted(table.state.unique())
    table.loc[table.state == states[0], "any_agreement"] = 0
    table.loc[table.state == states[1], "any_agreement"] = 1
    table["state"] = table["state"].astype("str")
    return table


def _reference(df, outcome, covariates, spec):
    """The engine's steps as the pandas code before FrameArrays made them."""
    used = [outcome, *covariates, *spec.fixed_effects, spec.cluster, spec.weights]
    scale_rows, _ = complete_cases(df, used)
    sample = spec.sample(scale_rows)
    dropped = []
    if spec.estimator != "lpm" and spec.fixed_effects:
        while True:
            y = sample[outcome].to_numpy(dtype=float)
            bad = np.zeros(len(sample), dtype=bool)
            for col in spec.fixed_effects:
                codes, levels = group_codes(sample[col])
                counts = np.bincount(codes, minlength=len(levels))
                sums = np.bincount(codes, weights=y, minlength=len(levels))
                nonvarying = (sums == 0) | (sums == counts)
                dropped += [f"{col}={lv}" for lv, n in zip(levels, nonvarying, strict=True) if n]
                bad |= nonvarying[codes]
            if not bad.any():
                break
            sample = sample.loc[~bad]
    scales = resolve_scales(scale_rows, covariates, spec.standardize, spec.scales)
    design, _ = am.build_design(sample, covariates, list(spec.fixed_effects), scales)
    return sample, dropped, design, scales


@pytest.mark.parametrize("estimator", ["logit", "lpm"])
@pytest.mark.parametrize("excluded", [(), ("AL", "AZ")])
def test_engine_steps_equal_the_pandas_steps(counties, estimator, excluded):
    spec = ModelSpec.of(estimator=estimator, excluded=excluded, weights="weight", state_fe=True)
    sample, dropped, design, scales = _reference(counties, "any_agreement", COVARIATES, spec)
    fit = am._estimate(counties, "any_agreement", COVARIATES, spec)
    pd.testing.assert_frame_equal(fit.sample, sample, check_exact=True)
    pd.testing.assert_frame_equal(fit.design, design, check_exact=True)
    pd.testing.assert_frame_equal(fit.scale_table, scales, check_exact=True)
    assert fit.dropped_levels == dropped
    assert (estimator == "lpm") or len(dropped) >= 1
    codes, _ = group_codes(sample["state"])
    assert np.array_equal(fit.groups, codes)


def test_codes_of_a_subset_equal_group_codes_of_the_subset(counties):
    arrays = FrameArrays(counties)
    rows = np.flatnonzero(counties.state.isin(["AK", "CA", "AR"]).to_numpy())
    codes, levels = arrays.codes("state", rows)
    expected, expected_levels = group_codes(counties.state.iloc[rows])
    assert np.array_equal(codes, expected) and levels == expected_levels
    y = counties.any_agreement.to_numpy(float)
    kept, dropped = drop_nonvarying_rows(arrays, np.arange(len(counties)), y, ["state"])
    assert len(kept) < len(counties) and len(dropped) == 2
    x, names = design_matrix(arrays, kept[:50], ["gop_share_2024"], ["state"], {})
    assert x.shape == (50, len(names)) and names[0] == "Intercept"


def test_a_grid_stacks_each_fits_tables(counties):
    grid = am.fit_adoption_models(counties, ["any_agreement"], COVARIATES)
    fits = [
        am.fit_adoption_model(counties, "any_agreement", COVARIATES, estimator=e, se=s, state_fe=f)
        for e in ("logit", "lpm")
        for s in ("robust", "cluster")
        for f in (False, True)
    ]
    coefficients = pd.concat([f.coefficients for f in fits], ignore_index=True)
    effects = pd.concat([f.marginal_effects for f in fits], ignore_index=True)
    pd.testing.assert_frame_equal(grid.coefficients, coefficients, check_exact=True)
    pd.testing.assert_frame_equal(grid.marginal_effects, effects, check_exact=True)
    assert list(grid.coefficients.columns) == COEFFICIENT_COLUMNS
    assert list(grid.marginal_effects.columns) == MARGINAL_EFFECT_COLUMNS
