"""Adoption models: the numbers equal statsmodels' own, simulated parameters are recovered,
and samples, dropped levels and term names are reported exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats import adoption_models as am
from analysis.stats import simulate
from analysis.stats._common import standardization_scales

COVARIATES = ["gop_share_2024", "hispanic_share", "log_density"]


@pytest.fixture(scope="module")
def counties():
    table = simulate.simulate_counties(1500, 30, seed=11)
    y, _ = simulate.simulate_binary_outcome(
        table,
        {"gop_share_2024": 0.8, "hispanic_share": 0.3},
        intercept=-0.5,
        state_sd=0.5,
        seed=12,
    )
    return table.assign(any_agreement=y)


def _z(table, names):
    x = table[names].to_numpy(float)
    return (x - x.mean(0)) / x.std(0, ddof=1)


@pytest.mark.parametrize("estimator", ["logit", "probit", "cloglog", "lpm"])
@pytest.mark.parametrize("se", ["nonrobust", "robust", "cluster"])
def test_matches_statsmodels_directly(counties, estimator, se):
    fit = am.fit_adoption_model(counties, "any_agreement", COVARIATES, estimator=estimator, se=se)
    exog = sm.add_constant(_z(counties, COVARIATES))
    y = counties["any_agreement"].to_numpy()
    kwargs = {"cov_type": {"nonrobust": "nonrobust", "robust": "HC1", "cluster": "cluster"}[se]}
    if se == "cluster":
        kwargs["cov_kwds"] = {"groups": pd.factorize(counties["state"])[0]}
    if estimator == "lpm":
        expected = sm.OLS(y, exog).fit(**kwargs)
    else:
        link = {"logit": sm.families.links.Logit, "probit": sm.families.links.Probit}.get(
            estimator, sm.families.links.CLogLog
        )
        expected = sm.GLM(y, exog, family=sm.families.Binomial(link=link())).fit(**kwargs)
    table = fit.coefficients
    np.testing.assert_allclose(table.estimate, expected.params, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(table.std_error, expected.bse, rtol=1e-7)
    if se != "nonrobust":  # statsmodels uses normal inference for robust and cluster errors
        np.testing.assert_allclose(table.p_value, expected.pvalues, rtol=1e-6, atol=1e-300)
        np.testing.assert_allclose(table[["ci_low", "ci_high"]], expected.conf_int(), rtol=1e-7)
    assert (
        table.se_type.iloc[0]
        == {
            "nonrobust": "nonrobust",
            "robust": "HC1" if estimator == "lpm" else "HC0",
            "cluster": "cluster(state)",
        }[se]
    )


@pytest.mark.parametrize("estimator", ["logit", "probit", "cloglog"])
def test_average_marginal_effects_match_get_margeff(counties, estimator):
    fit = am.fit_adoption_model(
        counties, "any_agreement", COVARIATES, estimator=estimator, state_fe=True
    )
    margeff = fit.result.get_margeff(at="overall", method="dydx")
    index = [fit.design.columns.get_loc(t) - 1 for t in COVARIATES]  # margeff skips the constant
    np.testing.assert_allclose(fit.marginal_effects.estimate, margeff.margeff[index], rtol=1e-6)
    np.testing.assert_allclose(fit.marginal_effects.std_error, margeff.margeff_se[index], rtol=1e-4)


def test_lpm_marginal_effects_are_the_coefficients(counties):
    fit = am.fit_adoption_model(counties, "any_agreement", COVARIATES, estimator="lpm")
    coefficients = fit.coefficients.set_index("term").loc[COVARIATES]
    np.testing.assert_allclose(fit.marginal_effects.estimate, coefficients.estimate)
    np.testing.assert_allclose(fit.marginal_effects.std_error, coefficients.std_error)


@pytest.mark.parametrize("estimator", ["logit", "cloglog"])
def test_weighted_cluster_sandwich_equals_hand_built(counties, estimator):
    """statsmodels warns that robust errors are 'not fully supported' with var_weights; the
    weighted-score sandwich it returns is the right one."""
    fit = am.fit_adoption_model(
        counties, "any_agreement", COVARIATES, estimator=estimator, weights="population"
    )
    model, params = fit.result.model, fit.result.params
    scores = model.score_obs(params)
    bread = np.linalg.inv(-model.hessian(params, observed=True))
    groups = pd.factorize(counties["state"])[0]
    by_group = np.zeros((groups.max() + 1, scores.shape[1]))
    np.add.at(by_group, groups, scores)
    n, k, g = len(groups), scores.shape[1], groups.max() + 1
    cov = bread @ by_group.T @ by_group @ bread * g / (g - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(fit.coefficients.std_error, np.sqrt(np.diag(cov)), rtol=1e-8)


def test_weighted_average_marginal_effect_is_the_weighted_mean_derivative(counties):
    fit = am.fit_adoption_model(
        counties, "any_agreement", COVARIATES, estimator="logit", weights="population"
    )
    params = fit.result.params.to_numpy()
    p = 1 / (1 + np.exp(-(fit.design.to_numpy() @ params)))
    w = counties["population"].to_numpy()
    expected = np.average(p * (1 - p), weights=w) * params[1:4]
    np.testing.assert_allclose(fit.marginal_effects.estimate, expected, rtol=1e-10)


@pytest.mark.parametrize(
    ("link", "estimator", "tolerance"),
    [("logit", "logit", 0.06), ("probit", "probit", 0.04), ("cloglog", "cloglog", 0.05)],
)
def test_recovers_simulated_coefficients(link, estimator, tolerance):
    """20,000 counties, no state effects: each per-SD coefficient within ``tolerance``
    (about 3 standard errors) of the truth."""
    table = simulate.simulate_counties(20_000, 50, seed=3)
    truth = {"gop_share_2024": 0.7, "hispanic_share": -0.3, "log_density": 0.2}
    y, _ = simulate.simulate_binary_outcome(table, truth, intercept=-0.4, link=link, seed=4)
    fit = am.fit_adoption_model(
        table.assign(y=y), "y", list(truth), estimator=estimator, se="robust"
    )
    got = fit.coefficients.set_index("term").estimate
    for name, value in truth.items():
        assert abs(got[name] - value) < tolerance, (name, got[name], value)
    assert abs(got["Intercept"] + 0.4) < tolerance


def test_recovers_linear_probability_slopes():
    table = simulate.simulate_counties(20_000, 50, seed=5)
    truth = {"gop_share_2024": 0.08, "hispanic_share": -0.04}
    y, _ = simulate.simulate_binary_outcome(table, truth, intercept=0.4, link="identity", seed=6)
    fit = am.fit_adoption_model(table.assign(y=y), "y", list(truth), estimator="lpm", se="robust")
    got = fit.coefficients.set_index("term").estimate
    for name, value in truth.items():
        assert abs(got[name] - value) < 0.012, (name, got[name], value)


def test_recovers_coefficients_with_state_effects_through_state_fe():
    """State effects correlated with nothing but large (sd 1): with state FE the logit still
    recovers the per-SD coefficients within 0.1 (about 3 clustered SEs)."""
    table = simulate.simulate_counties(12_000, 40, seed=7)
    truth = {"gop_share_2024": 0.6, "hispanic_share": 0.25}
    y, _ = simulate.simulate_binary_outcome(table, truth, intercept=-0.3, state_sd=1.0, seed=8)
    fit = am.fit_adoption_model(table.assign(y=y), "y", list(truth), state_fe=True)
    got = fit.coefficients.set_index("term").estimate
    # The truth is per SD over all counties, the scale the fit standardizes on.
    for name, value in truth.items():
        assert abs(got[name] - value) < 0.1, (name, got[name], value)


def test_average_marginal_effect_recovers_simulated_effect():
    """The AME equals the average derivative of the true probability (within 0.01)."""
    table = simulate.simulate_counties(20_000, 50, seed=9)
    truth = {"gop_share_2024": 0.7}
    y, p = simulate.simulate_binary_outcome(table, truth, intercept=-0.4, seed=10)
    fit = am.fit_adoption_model(table.assign(y=y), "y", list(truth))
    true_ame = np.mean(p * (1 - p)) * 0.7
    assert abs(fit.marginal_effects.estimate.iloc[0] - true_ame) < 0.01


def test_term_names_snapshot(counties):
    """Term names are built by the package (no formula engine): pinned here."""
    fit = am.fit_adoption_model(
        counties[counties.state.isin(["AL", "AZ", "FL", "GA"])],
        "any_agreement",
        ["gop_share_2024", "hispanic_share"],
        estimator="lpm",
        state_fe=True,
    )
    assert fit.coefficients.term.tolist() == [
        "Intercept",
        "gop_share_2024",
        "hispanic_share",
        "state[T.AZ]",
        "state[T.FL]",
        "state[T.GA]",
    ]
    assert fit.coefficients.term_type.tolist() == [
        "intercept",
        "covariate",
        "covariate",
        "fixed_effect",
        "fixed_effect",
        "fixed_effect",
    ]
    assert list(fit.coefficients.columns) == am.COEFFICIENT_COLUMNS
    assert list(fit.marginal_effects.columns) == am.MARGINAL_EFFECT_COLUMNS


def test_missing_values_are_dropped_and_counted(counties):
    table = counties.copy()
    table.loc[table.index[:7], "hispanic_share"] = np.nan
    table.loc[table.index[5:9], "state"] = None
    table.loc[table.index[20], "log_density"] = -np.inf
    fit = am.fit_adoption_model(table, "any_agreement", COVARIATES)
    assert fit.n_dropped == 10
    assert fit.n == len(table) - 10
    assert (fit.coefficients.n_dropped == 10).all()


def test_logit_with_state_fe_drops_states_without_variation(counties):
    table = counties.copy()
    table.loc[table.state == "AL", "any_agreement"] = 0.0
    table.loc[table.state == "AZ", "any_agreement"] = 1.0
    fit = am.fit_adoption_model(table, "any_agreement", COVARIATES, state_fe=True)
    assert fit.dropped_levels == ("state=AL", "state=AZ")
    n_dropped_rows = int(table.state.isin(["AL", "AZ"]).sum())
    assert fit.n_fe_dropped == n_dropped_rows
    assert fit.n == len(table) - n_dropped_rows
    assert not fit.coefficients.term.isin(["state[T.AL]", "state[T.AZ]"]).any()
    lpm = am.fit_adoption_model(table, "any_agreement", COVARIATES, estimator="lpm", state_fe=True)
    assert lpm.dropped_levels == () and lpm.n == len(table)


def test_standardization_uses_analysis_sample_unless_scales_given(counties):
    fit = am.fit_adoption_model(counties, "any_agreement", ["gop_share_2024"])
    row = fit.scales.iloc[0]
    assert row["mean"] == pytest.approx(counties.gop_share_2024.mean())
    assert row["sd"] == pytest.approx(counties.gop_share_2024.std(ddof=1))
    assert row["source"] == "analysis sample"
    scales = standardization_scales(counties, ["gop_share_2024"])
    half = counties.iloc[::2]
    given = am.fit_adoption_model(half, "any_agreement", ["gop_share_2024"], scales=scales)
    raw = am.fit_adoption_model(half, "any_agreement", ["gop_share_2024"], standardize=False)
    slope_given = given.coefficients.set_index("term").estimate["gop_share_2024"]
    slope_raw = raw.coefficients.set_index("term").estimate["gop_share_2024"]
    assert slope_given == pytest.approx(slope_raw * scales.sd.iloc[0], rel=1e-6)
    assert raw.marginal_effects.scale.iloc[0] == "probability per unit"


def test_collinear_design_is_refused(counties):
    table = counties.assign(mandate_state=counties.state.isin(["FL", "GA", "TX"]).astype(float))
    with pytest.raises(ValueError, match="collinear"):
        am.fit_adoption_model(table, "any_agreement", ["mandate_state"], state_fe=True)


def test_outcome_must_be_binary(counties):
    with pytest.raises(ValueError, match="0/1"):
        am.fit_adoption_model(counties.assign(y=2.0), "y", COVARIATES)


def test_model_grid_stacks_every_combination(counties):
    table = counties.assign(tfm=(counties.any_agreement * (counties.gop_share_2024 > 0.6)))
    grid = am.fit_adoption_models(table, ["any_agreement", "tfm"], ["gop_share_2024"])
    specs = grid.coefficients[am.SPEC_COLUMNS].drop_duplicates()
    assert len(specs) == 2 * 2 * 2 * 2
    assert set(grid.marginal_effects.term) == {"gop_share_2024"}
    assert len(grid.marginal_effects) == 16


def test_one_scale_whatever_the_fixed_effect_logit_or_the_excluded_states_drop():
    """A logit with state FE drops the states where no county adopted, and a subsample leaves
    states out; both keep the z-scores of all the counties passed in, so their per-SD columns
    are on the scale of the LPM's (the drop is still disclosed in n_fe_dropped)."""
    table = simulate.simulate_counties(4_000, 30, seed=21)
    y, _ = simulate.simulate_binary_outcome(table, {"gop_share_2024": 0.5}, intercept=0, seed=22)
    table = table.assign(any_agreement=y)
    table.loc[table.state.isin(["AL", "AZ"]), "any_agreement"] = 0.0
    full = table.gop_share_2024.agg(["mean", "std"]).to_numpy()
    logit = am.fit_adoption_model(table, "any_agreement", COVARIATES, state_fe=True)
    subsample = am.fit_adoption_model(table, "any_agreement", COVARIATES, excluded=("CA",))
    lpm = am.fit_adoption_model(table, "any_agreement", COVARIATES, estimator="lpm")
    assert logit.n_fe_dropped > 0
    for fit in (logit, subsample, lpm):
        row = fit.scales.set_index("covariate").loc["gop_share_2024"]
        assert (row["mean"], row["sd"]) == pytest.approx(tuple(full))


def test_build_design_dummies_and_unknown_levels():
    sample = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "state": ["B", "A", "C", "B"]})
    scales = pd.DataFrame({"covariate": ["x"], "mean": [2.0], "sd": [2.0]})
    design, levels = am.build_design(sample, ["x"], ["state"], scales)
    assert levels == {"state": ["A", "B", "C"]}
    assert list(design.columns) == ["Intercept", "x", "state[T.B]", "state[T.C]"]
    np.testing.assert_array_equal(design["x"], [-0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(design["state[T.B]"], [1, 0, 0, 1])
    # Levels fixed by a fitted model: an unknown level ("C") gets all-zero dummies.
    design, _ = am.build_design(sample, ["x"], ["state"], scales, {"state": ["A", "B", "D"]})
    np.testing.assert_array_equal(design.iloc[2, 2:], [0.0, 0.0])
    np.testing.assert_array_equal(design["state[T.B]"], [1, 0, 0, 1])


def test_drop_nonvarying_levels_lists_all_zero_and_all_one_states():
    sample = pd.DataFrame({"y": [0, 0, 1, 1, 0, 1], "state": ["A", "A", "B", "B", "C", "C"]})
    kept, dropped = am._drop_nonvarying_levels(sample, "y", ["state"])
    assert dropped == ["state=A", "state=B"]
    assert list(kept.index) == [4, 5]
