"""Specification curve: the grid, one scale across estimators and samples, and failures kept."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import simulate
from analysis.stats._common import standardization_scales
from analysis.stats.adoption_models import fit_adoption_model
from analysis.stats.spec_curve import SPEC_CURVE_COLUMNS, curve_summary, specification_curve

FOCAL = ["gop_share_2024", "hispanic_share"]


@pytest.fixture(scope="module")
def counties():
    return simulate.simulate_atlas(2500, 40, seed=51).counties


@pytest.fixture(scope="module")
def curve(counties):
    return specification_curve(counties, ["any_agreement", "tfm"], FOCAL, ["log_density"])


def test_one_row_per_specification_and_focal_term(curve):
    assert list(curve.columns) == SPEC_CURVE_COLUMNS
    assert len(curve) == 2 * 4 * 2 * 2 * 2  # outcomes x estimators x samples x weights x focal
    assert (curve.status == "ok").all()
    for _, rows in curve.groupby("focal"):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        assert rows.estimate.is_monotonic_increasing
    assert curve.focal.iloc[0] == "gop_share_2024"  # focal order kept


def test_rows_equal_the_single_model_with_national_scales(counties, curve):
    scales = standardization_scales(counties, [*FOCAL, "log_density"])
    sample = counties[~counties.state.isin(["FL", "TX", "GA"])]
    fit = fit_adoption_model(
        sample,
        "tfm",
        [*FOCAL, "log_density"],
        estimator="probit",
        state_fe=True,
        weights="population",
        scales=scales,
    )
    row = curve.query(
        "focal == 'hispanic_share' and outcome == 'tfm' and estimator == 'probit' "
        "and sample == 'without FL, TX, GA' and weights == 'population'"
    ).iloc[0]
    effect = fit.marginal_effects.set_index("term").loc["hispanic_share"]
    assert row.estimate == pytest.approx(effect.estimate)
    assert row.std_error == pytest.approx(effect.std_error)
    assert row.coefficient_scale == "probit index"
    assert row.n == fit.n and row.n_fe_dropped == fit.n_fe_dropped


def test_estimators_agree_on_the_marginal_effect_scale(curve):
    """Logit, probit, cloglog and LPM coefficients differ in scale; their AMEs agree closely."""
    rows = curve.query(
        "focal == 'gop_share_2024' and outcome == 'any_agreement' and sample == 'all' "
        "and weights == 'none'"
    )
    assert rows.coefficient.max() / rows.coefficient.min() > 3
    assert rows.estimate.max() - rows.estimate.min() < 0.02


def test_failed_specifications_are_reported(counties):
    table = counties.assign(rare=np.where(counties.state.isin(["FL", "TX", "GA"]), 1, 0))
    curve = specification_curve(
        table, ["rare"], ["gop_share_2024"], estimators=("lpm",), weights=(None,)
    )
    failed = curve[curve["sample"] == "without FL, TX, GA"]
    assert failed.status.str.startswith("failed").all() and failed.estimate.isna().all()
    assert (curve[curve["sample"] == "all"].status == "ok").all()


def test_curve_summary(curve):
    summary = curve_summary(curve)
    assert list(summary.index) == FOCAL
    for name in FOCAL:
        rows = curve[curve.focal == name]
        row = summary.loc[name]
        assert row.specifications == len(rows) and row.fitted == (rows.status == "ok").sum()
        assert row.median_pp == pytest.approx(100 * rows.estimate.median())
        positive = ((rows.estimate > 0) & rows.significant).mean()
        assert row.share_significant_positive == pytest.approx(positive)
    assert curve_summary(curve, scale=1).max_pp.iloc[0] == pytest.approx(
        curve[curve.focal == FOCAL[0]].estimate.max()
    )


def test_columns_the_models_do_not_read_change_nothing(counties, curve):
    """The curve fits on only the columns it uses: extra columns, text included, are ignored."""
    wider = counties.assign(note="text", noise=np.arange(len(counties), dtype=float))
    again = specification_curve(wider, ["any_agreement", "tfm"], FOCAL, ["log_density"])
    assert again.equals(curve)
