import pandas as pd

from analysis.report.text_scale import fe_drop_note


def test_names_the_dropped_states_and_the_common_scale():
    effects = pd.DataFrame(
        {"estimator": ["logit", "logit", "lpm"], "n_fe_dropped": [390, 390, 0],
         "fe_dropped_levels": ["state=DE; state=FL", "state=DE; state=FL", ""]}
    )  # fmt: skip
    text = fe_drop_note(effects, 3144)
    assert "leaves out 390 of 3,144 counties" in text and "2 states" in text
    assert "(DE, FL)" in text and "z-scores of all 3,144 counties" in text
    assert fe_drop_note(effects[effects.estimator == "lpm"], 3144).startswith("No model")
