"""Prose of the adoption reports: estimate formatters and the sentence builders, on tiny
hand-made result tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report import text_levels as tl
from analysis.report import text_models as tm
from analysis.report.text import ci_cells, fmt_ci, fmt_p


def test_formatters():
    assert fmt_ci(0.0123, 0.001, 0.02, digits=1, scale=100) == "1.2 [0.1, 2.0]"
    assert fmt_ci(0.0123, -0.001, 0.02, signed=True) == "+0.012 [-0.001, +0.020]"
    assert fmt_p(0.0123) == "p = 0.012"
    assert fmt_p(0.0002) == "p < 0.001"
    assert fmt_p(1 / 10001, floor=1 / 10001) == "p ≤ 0.0001"
    assert fmt_p(float("nan")) == "p not available"
    rows = pd.DataFrame({"estimate": [0.5, 0.25], "ci_low": [0.1, 0.0], "ci_high": [0.9, 0.5]})
    assert ci_cells(rows, 2) == ["0.50 [0.10, 0.90]", "0.25 [0.00, 0.50]"]


def test_correlates_intro_names_mandates_and_escapes():
    counties = pd.DataFrame(
        {"snapshot_date": pd.Timestamp("2026-01-30"), "any_agreement": [1, 0, 0, 1]}
    )
    mandates = pd.DataFrame(
        {
            "state": ["FL"],
            "policy_types": ["must <hold>"],
            "start_date": [pd.Timestamp("2023-01-01")],
            "start_rule": ["year only (from 1 January of the next year)"],
            "verification": ["secondary report"],
        }
    )
    text = tm.correlates_intro(counties, "any_agreement", mandates, exact_only=True)
    assert text.startswith("Status at the snapshot of **2026-01-30**. Of 4 counties, 2 (50.0%)")
    assert "(high-confidence matches only)" in text
    assert (
        "FL (must &lt;hold&gt;, from 2023-01-01: year only (from 1 January of the next year), "
        "secondary report)." in text
    )
    left_out = tm.correlates_intro(counties, "any_agreement", mandates, mandates_left_out=True)
    assert left_out.endswith("; they are left out here.")


def test_sign_flips_and_literature_agreement():
    effects = pd.DataFrame(
        {
            "term": ["a", "b", "a", "b"],
            "model": ["pooled", "pooled", "within", "within"],
            "estimate": [0.1, 0.2, -0.1, 0.3],
        }
    )
    assert tm.sign_flips(effects, ["a", "b"], {"a": "A", "b": "B"}).endswith("signs: A.")
    assert tm.sign_flips(effects.assign(estimate=1.0), ["a", "b"], {}).endswith(": none.")
    signs = pd.DataFrame(
        {
            "found_pooled": ["+", "-", "not available"],
            "agrees_pooled": pd.array([True, False, None], dtype="boolean"),
            "agrees_within_state": pd.array([True, True, None], dtype="boolean"),
        }
    )
    assert tm.literature_agreement(signs) == (
        "Of 2 testable expectations, 1 match across counties and 2 within states."
    )


def test_focal_effects_in_percentage_points():
    rows = [
        (est, fe, 0.01 * k, 0.0, 0.02 * k, 7 if (est, fe) == ("logit", "state") else 0)
        for k, (est, fe) in enumerate(
            [("logit", "none"), ("logit", "state"), ("lpm", "none"), ("lpm", "state")], start=1
        )
    ]
    main = pd.DataFrame(
        rows,
        columns=["estimator", "fixed_effects", "estimate", "ci_low", "ci_high", "n_fe_dropped"],
    ).assign(term="gop_share_2024")
    text = tm.focal_effects(
        main, ["gop_share_2024", "absent"], ["gop_share_2024"], {"gop_share_2024": "GOP"}
    )
    first, last = text.split("\n")
    assert first == (
        "- **GOP** (pp per SD, state-clustered 95% CI): logit: 1.0 [0.0, 2.0] without and "
        "2.0 [0.0, 4.0] with state FE; lpm: 3.0 [0.0, 6.0] without and 4.0 [0.0, 8.0] with state FE"
    )
    assert last.startswith("- The logit with state FE leaves out 7 counties")


def test_fe_survival_and_forecast_summary():
    fe = pd.DataFrame(
        {"term": ["gop_share_2024"], "estimate_pooled": [0.1], "estimate_within": [0.05]}
    ).assign(within_to_pooled=0.5)
    assert "falls from 10.0 to 5.0 percentage points per SD with state FE: 50.0%" in (
        tm.fe_survival(fe)
    )
    assert tm.fe_survival(fe.assign(term="other")) == ""
    metrics = pd.Series(
        {
            "n_test": 1000,
            "n_test_events": 50,
            "observed_rate": 0.05,
            "auc": 0.8,
            "auc_ci_low": 0.75,
            "auc_ci_high": 0.85,
            "brier": 0.04,
            "brier_reference": 0.0475,
            "brier_skill": 0.158,
            "mean_predicted": 0.1,
        }
    )
    text = tm.forecast_summary(metrics, "2025-06-27", "2026-01-30")
    assert "scored on 1,000 counties" in text and "AUC 0.80 [0.75, 0.85]" in text
    assert "(skill 0.16)" in text and "10.0%, against an observed rate of 5.0%" in text


def test_robustness_and_spec_curve_lines():
    robust = pd.DataFrame(
        {
            "estimator": ["logit", "lpm"],
            "sample": ["main", "main"],
            "term": ["x", "x"],
            "estimate": [0.01, 0.5],
            "ci_low": [0.0, 0.4],
            "ci_high": [0.02, 0.6],
        }
    )
    text = tm.robustness_lines(robust, {"main": 12}, ["x"], ["x"], {"x": "X"})
    assert (
        text == "Logit with state FE, pp per SD:\n\n- main: 12 adopting counties; X 1.0 [0.0, 2.0]"
    )
    summary = pd.DataFrame(
        {
            "median_pp": [1.25],
            "min_pp": [-0.5],
            "max_pp": [3.0],
            "fitted": [30.0],
            "share_significant_positive": [0.5],
            "share_significant_negative": [0.0],
        },
        index=pd.Index(["gop_share_2024"], name="focal"),
    )
    assert tm.spec_curve_lines(summary) == (
        "- Republican share 2024: median 1.2 pp per SD (range -0.5 to 3.0) over 30 fitted "
        "specifications; 50.0% positive and significant, 0.0% negative and significant."
    )


def test_hazard_text():
    labels = tm.hazard_term_labels(["gop_share_2024"], 0.1)
    assert labels["neighbors_in_state"] == "in-state neighbours adopted (per 10%)"
    assert labels["gop_share_2024"] == "Republican share 2024 (per SD)"
    shown = pd.DataFrame(
        {
            "model": ["m1", "m1", "m1", "m1", "m2", "m2"],
            "term": [
                "mandate_in_force",
                "neighbors_in_state",
                "neighbors_cross_state",
                "gop_share_2024",
                "neighbors_in_state",
                "neighbors_cross_state",
            ],
            "hazard_ratio": [2.0, 1.1, 1.0, 1.5, 1.2, 0.9],
            "hr_ci_low": [1.5, 1.0, 0.9, 1.2, 1.0, 0.8],
            "hr_ci_high": [3.0, 1.2, 1.1, 1.9, 1.4, 1.0],
        }
    )
    text = tm.hazard_summary(shown, ["m1", "m2"], [], ["gop_share_2024"], 0.1).split("\n")
    assert text[0] == (
        "- **Mandate in force**: hazard ratio 2.00 [1.50, 3.00] with month effects; not "
        "identified (no mandate switched on inside the window) with state effects too."
    )
    assert text[-1] == "- Republican share 2024 (per SD): 1.50 [1.20, 1.90]."
    switched = tm.hazard_summary(shown, ["m1", "m2"], ["TX"], [], 0.1)
    assert "(identified only from the switch in TX)." in switched


def test_risk_set_and_km_text():
    months = pd.period_range("2025-02", "2025-04", freq="M")
    status = pd.Series({"prevalent": 5, "adopted": 10, "censored": 1000})
    text = tm.risk_set_summary(months, "2025-04-30", status, 3000, 6000, 0)
    assert text.startswith("Window 2025-02 to 2025-04 (3 months; last snapshot 2025-04-30).")
    assert "of the 1,010 at risk, 10 adopted" in text and "1,000 had not by 2025-04" in text
    km = pd.DataFrame(
        {
            "group": ["a", "a", "b"],
            "time": [0, 1, 0],
            "cumulative_adoption": [0.1, 0.2, 0.05],
            "adoption_ci_low": [0.05, 0.15, 0.01],
            "adoption_ci_high": [0.15, 0.25, 0.1],
            "n": [100, 100, 50],
        }
    )
    lines = tm.km_final_lines([km], months[-1]).split("\n")
    assert lines[0].startswith(
        "Share of at-risk counties with a first agreement by the end of 2025-04"
    )
    assert lines[2:] == ["- a: 20.0% [15.0%, 25.0%] of 100", "- b: 5.0% [1.0%, 10.0%] of 50"]


def test_summary_findings():
    baseline = pd.Series({"snapshot_date": pd.Timestamp("2025-01-31"), "agreements": 135})
    now = pd.Series(
        {"snapshot_date": pd.Timestamp("2026-01-30"), "agreements": 1350, "agencies": 1200}
    ).astype(object)
    now["states"] = 30
    findings = tm.expansion_findings(baseline, now, 0.6, 0.5)
    assert findings[0] == ("agreements before the expansion", "135", "2025-01-31")
    assert findings[3] == ("states (territories excluded)", "30", "2026-01-30")
    assert "(10.0×), held by 1,200 agencies in 30 states." in tm.expansion_summary(
        baseline, now, 0.6, 0.5
    )
    head = {"jurisdiction_all": 0.25, "jurisdiction_hispanic": 0.3,
            "jurisdiction_foreign_born": 0.2, "whole_county_all": 0.33}  # fmt: skip
    rows = tm.coverage_findings(head, "2026-01-30")
    assert [r[1] for r in rows] == ["25.0%", "30.0%", "20.0%", "33.0%"]
    assert rows[-1][0].endswith("(upper bound)") and rows[0][2] == "2026-01-30"


@pytest.mark.parametrize("covariate", ["gop_share_2024", "other"])
def test_decomposition_summary(covariate):
    table = pd.DataFrame(
        {
            "covariate": [covariate],
            "cov_within_share": [0.4],
            "within_share_ci_low": [0.2],
            "within_share_ci_high": [0.6],
            "n_boot": [999],
            "slope_between": [0.1],
            "slope_within": [0.02],
            "x_between_share": [0.7],
        }
    )
    text = tm.decomposition_summary(table)
    if covariate == "other":
        assert text == ""
    else:
        assert text.startswith("For the 2024 Republican share, 40.0% of the covariance")
        assert "10.0 percentage points per SD between states and 2.0 within states" in text


# --- outcomes by agency level (analysis.report.text_levels)


def level_effects(density_any: float = 0.15) -> pd.DataFrame:
    """Marginal effects of GOP share and density under the three agency-level outcomes."""
    values = {
        ("county_agency_agreement", "gop_share_2024"): (0.10, 0.04),
        ("county_agency_agreement", "log_population_density"): (0.02, 0.01),
        ("any_agreement", "gop_share_2024"): (0.12, 0.05),
        ("any_agreement", "log_population_density"): (density_any, 0.12),
        ("municipal_agency_agreement", "gop_share_2024"): (0.03, 0.01),
        ("municipal_agency_agreement", "log_population_density"): (0.13, 0.11),
    }
    rows = [
        {"outcome": o, "estimator": "lpm", "se_type": "cluster", "fixed_effects": fe, "term": t,
         "estimate": est, "ci_low": est - 0.01, "ci_high": est + 0.01, "n": 3144}
        for (o, t), pair in values.items()
        for fe, est in zip(("none", "state"), pair, strict=True)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_agency_level_counts():
    counties = pd.DataFrame(
        {
            "county_agency_agreement": [1, 1, 0, 0, 0],
            "any_agreement": [1, 1, 1, 1, 0],
            "municipal_agency_agreement": [0, 1, 1, 0, 0],
            "agency_level_rule": "agency type <x>",
        }
    )
    text = tl.agency_level_counts(counties)
    assert "2 (40.0%) a county-level agency holds an agreement" in text
    assert "4 (80.0%) any agency in the county" in text
    assert "2 (40.0%) a municipal agency" in text
    assert (
        "2 counties count as adopters under *any agency* only through a non-county agency" in text
    )
    assert "(1 of them through a municipal one)" in text
    assert "agency type &lt;x&gt;" in text


def test_outcome_level_effects_lead_with_the_primary():
    text = tl.outcome_level_effects(level_effects(), ["gop_share_2024", "log_population_density"])
    lines = text.splitlines()
    assert lines[0].startswith("LPM, pp per SD")
    assert lines[2].startswith("- *a county-level agency holds an agreement (primary)*")
    assert "Republican share 2024 10.0 [9.0, 11.0] pooled, 4.0 [3.0, 5.0] within states" in text
    assert lines[3].startswith("- *any agency in the county")
    assert "Population density (log) 15.0 [14.0, 16.0] pooled" in lines[3]
    missing = tl.outcome_level_effects(level_effects(), ["bachelors_share"])
    assert "- *" not in missing


def test_outcome_levels_explanation_reports_density_under_each_outcome():
    text = tl.outcome_levels_explanation(level_effects())
    assert "any small-town police department signed" in text
    assert "+2.0 pp per SD for a county-level agency, +15.0 pp for any agency and +13.0 pp" in text
    assert "within states +1.0 pp, +12.0 pp and +11.0 pp" in text
    assert "13.0 pp per SD larger under *any agency*" in text
    smaller = tl.outcome_levels_explanation(level_effects(density_any=0.01))
    assert "1.0 pp per SD smaller under *any agency*" in smaller
    assert tl.outcome_levels_explanation(level_effects(), term="bachelors_share") == ""


def test_partisanship_levels():
    effects = level_effects()
    findings = tl.partisanship_levels_findings(effects, "2026-05-11")
    assert len(findings) == 6
    assert findings[0] == (
        "GOP share 2024 (per SD), a county-level agency holds an agreement (primary), "
        "across states",
        "+10.0 [+9.0, +11.0] pp",
        "2026-05-11",
    )
    text = tl.partisanship_levels_summary(effects)
    assert text.startswith(
        "One standard deviation more Republican vote share goes with a **+10.0 pp**"
    )
    assert "**+4.0 pp** within states (+3.0 to +5.0), n = 3,144" in text
    assert "+12.0 and +5.0 pp for *any agency in the county holds an agreement*" in text


def test_municipal_places_summary():
    summary = pd.DataFrame(
        {
            "size_bin": ["<1k", "1k-2.5k", "250k+", "all sizes"],
            "places": [100, 50, 0, 150],
            "on_list": [2, 5, 0, 7],
            "share_on_list": [0.02, 0.1, float("nan"), 7 / 150],
            "median_population_on_list": [500, 1500, None, 1200],
            "median_population_other": [300, 1400, None, 400],
            "gop_share_2024_on_list": [0.7, 0.6, None, 0.65],
            "gop_share_2024_other": [0.6, 0.6, None, 0.6],
            "hispanic_share_on_list": [0.2, 0.1, None, 0.15],
            "hispanic_share_other": [0.1, 0.1, None, 0.1],
            "foreign_born_share_on_list": [0.1, 0.1, None, 0.1],
            "foreign_born_share_other": [0.05, 0.05, None, 0.05],
        }
    )
    matches = pd.DataFrame(
        {
            "on_list": [1, 1, 1, 0],
            "place_geoid": ["1", None, None, None],
            "match_note": [None, "a town", "a town", "x"],
        }
    )
    text = tl.municipal_places_summary(summary, matches)
    assert text.startswith("7 of 150 incorporated places (4.7%)")
    assert "median population is 1,200 against 400" in text
    assert "from 2.0% of places of &lt;1k residents" in text
    assert "to 10.0% of places of 1k-2.5k" in text  # the empty 250k+ bin is skipped
    assert "voted 65.0% Republican in 2024 (other places' counties: 60.0%)" in text
    assert "2 of 3 listed municipal agencies have no place: a town (2)." in text
