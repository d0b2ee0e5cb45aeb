import numpy as np
import pandas as pd

from analysis.study.model_types import model_type_differences, stacked_counties


def counties(n=3000, seed=5):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=n)
    states = rng.choice([f"S{k:02d}" for k in range(40)], n)
    # The jail outcome rises with x; the TFM outcome does not; both rise with w alike.
    jail = (rng.random(n) < 0.3 + 0.15 * np.tanh(x) + 0.05 * np.tanh(w)).astype(int)
    tfm = (rng.random(n) < 0.3 + 0.05 * np.tanh(w)).astype(int)
    return pd.DataFrame({"x": x, "w": w, "state": states, "jail_model_agreement": jail,
                         "tfm_agreement": tfm})  # fmt: skip


def test_stacking_keeps_each_county_twice_on_one_scale():
    table = counties(200)
    scales = {"x": (0.0, 2.0), "w": (0.0, 1.0)}
    stacked = stacked_counties(table, "jail_model_agreement", "tfm_agreement", ["x", "w"], scales)
    assert len(stacked) == 400 and stacked._other_outcome.sum() == 200
    assert np.allclose(stacked.x[:200], table.x / 2) and (stacked.x__x_other[:200] == 0).all()
    assert stacked.state_outcome.nunique() == 2 * table.state.nunique()


def test_a_real_difference_is_found_and_a_null_one_is_not():
    table = counties()
    scales = {c: (table[c].mean(), table[c].std()) for c in ("x", "w")}
    pairs = {"TFM minus jail": ("jail_model_agreement", "tfm_agreement")}
    result = model_type_differences(
        table, ["x", "w"], ["x", "w"], scales, reps=199, seed=3, pairs=pairs
    ).set_index("term")
    assert result.loc["x", "difference"] < -0.08 and result.loc["x", "p_value"] < 0.01
    assert result.loc["x", "p_value_few_cluster"] < 0.05
    assert result.loc["w", "difference_ci_low"] < 0 < result.loc["w", "difference_ci_high"]
    assert np.isclose(
        result.loc["x", "other_estimate"],
        result.loc["x", "base_estimate"] + result.loc["x", "difference"],
    )


def test_the_table_and_lines_name_the_differences():
    from analysis.report.text import model_type_lines, model_type_table

    diff = pd.DataFrame(
        {"comparison": ["A minus B"] * 2, "term": ["x", "w"], "base_estimate": [0.1, 0.05],
         "base_ci_low": [0.05, 0.0], "base_ci_high": [0.15, 0.1], "other_estimate": [0.0, 0.05],
         "difference": [-0.1, 0.0], "difference_ci_low": [-0.15, -0.05],
         "difference_ci_high": [-0.05, 0.05], "p_value": [0.0001, 0.9],
         "p_value_few_cluster": [0.002, 0.8]}
    )  # fmt: skip
    table = model_type_table(diff, {"x": "X share", "w": "W"}, 100)
    assert list(table["p, clustered"]) == ["< 0.001", "0.9"]
    assert model_type_lines(diff, {"x": "X share"}, 100) == (
        "- A minus B: the associations differ for X share (-10.0 pp per SD)."
    )
