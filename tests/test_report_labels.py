"""Display helpers of analysis.report.labels: percentages and p-values as a reader sees them."""

import math

import pandas as pd

from analysis.report.labels import as_percent, is_p_column, label, p_text, relabel, with_p_values


def test_as_percent_scales_rounds_and_renames():
    df = pd.DataFrame({"state": ["TX", "FL"], "share_adopted": [0.12345, 0.5]})
    shown = as_percent(df, ["share_adopted"], digits=1)
    assert list(shown.columns) == ["state", "Share adopted (%)"]
    assert shown["Share adopted (%)"].tolist() == [12.3, 50.0]
    assert as_percent(df, ["share_adopted"])["Share adopted (%)"].iloc[0] == 100 * 0.12345
    assert df["share_adopted"].tolist() == [0.12345, 0.5]  # the input is left alone


def test_p_values_two_digits_floor_and_missing():
    assert p_text(0.04321) == "0.043"
    assert p_text(3.8e-20) == "<\u00a00.001"
    assert p_text(1.0) == "1"
    assert math.isnan(p_text(float("nan")))
    df = pd.DataFrame({"p_value": [0.2, 1e-9], "within_q_value": [0.0123, 0.9], "n": [10, 20]})
    shown = with_p_values(df)
    assert shown["p_value"].tolist() == ["0.2", "<\u00a00.001"]
    assert shown["within_q_value"].tolist() == ["0.012", "0.9"]
    assert shown["n"].tolist() == [10, 20]


def test_p_columns_by_name():
    assert all(map(is_p_column, ["p_value", "p_sim_bb", "p_wild", "pooled_q_value"]))
    assert not any(map(is_p_column, ["n_pairs", "estimate", "top_p"]))


def test_labels_cover_the_model_tables_and_never_show_snake_case():
    names = ["n_fe_dropped", "ci_low", "p_value_few_cluster", "hazard_ratio", "state_usps"]
    shown = relabel(names)
    assert shown == ["Dropped by the FE", "CI low", "p (wild bootstrap)", "Hazard ratio", "State"]
    assert label("some_new_column") == "Some new column"


def test_as_percent_points_for_differences():
    df = pd.DataFrame({"difference": [0.1432], "ci_low": [-0.0315]})
    shown = as_percent(df, ["difference", "ci_low"], digits=1, unit="pp")
    assert list(shown.columns) == ["Difference (pp)", "CI low (pp)"]
    assert shown.iloc[0].tolist() == [14.3, -3.2]
