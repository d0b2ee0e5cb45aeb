"""Prose of the correlation atlas: counts from the clustered q-values, one line per pattern,
and the size table in words."""

from __future__ import annotations

import pandas as pd

from analysis.report import text_correlates


def test_summary_counts_the_clustered_q_values_and_groups_the_covariates():
    corr = pd.DataFrame(
        {
            "covariate": ["a", "b", "c", "d"],
            "pooled_q_value": [0.01, 0.02, 0.4, 0.6],
            "within_q_value": [0.001, 0.3, 0.04, 0.7],
            "iid_q_value": [1e-9, 1e-5, 1e-3, 0.01],
        }
    )
    text = text_correlates.correlation_summary(corr, {"a": "A", "b": "B", "c": "C", "d": "D"})
    assert text.startswith(
        "**2 of 4 covariates are associated with adoption at q < 0.05 across counties, and "
        "2 of 4 within states**"
    )
    assert "an independence t-test would call 4 of 4 significant" in text
    assert "- A go with adoption both across counties and within states." in text
    assert "- B go with adoption across counties only" in text
    assert "- C go with adoption only among counties of the same state" in text
    assert "- D show no association" in text


def test_size_summary_names_every_rate_and_the_design():
    rows = []
    for steps, rates in ((1, (0.2, 0.21, 0.05, 0.065)), (3, (0.4, 0.38, 0.055, 0.07))):
        for test, rate in zip(
            ("iid_t", "within_permutation", "cluster_pooled", "cluster_within"), rates, strict=True
        ):
            rows.append(
                {
                    "test": test,
                    "smoothing_steps": steps,
                    "rejection_rate": rate,
                    "alpha": 0.05,
                    "n_draws": 200,
                    "seed": 7,
                    "n_units": 3144,
                    "outcome_share": 0.243,
                }
            )
    text = text_correlates.size_summary(pd.DataFrame(rows))
    assert "(200 draws, seed 7, 3,144 counties" in text and "24.3%" in text
    assert (
        "- smoothed 1× over neighbours: independence t-test 20.0%, within-state permutation "
        "21.0%, clustered pooled 5.0%, clustered within 6.5%"
    ) in text
    assert "smoothed 3× over neighbours" in text and "clustered within 7.0%" in text


def test_methods_note_names_the_tests():
    note = text_correlates.methods_note(51)
    assert "CRV3" in note and "t(G-1)" in note and "G = 51" in note and "descriptive" in note
