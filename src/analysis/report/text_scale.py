"""Prose that states a table's scale and sample: which counties a fixed-effects logit leaves
out, and that every column keeps the z-scores of all counties in the analysis."""

from __future__ import annotations

import pandas as pd

from analysis.report.text import fmt_int


def fe_drop_note(effects: pd.DataFrame, n_counties: int) -> str:
    """The counties and states a binary GLM with state fixed effects leaves out (columns
    ``n_fe_dropped`` and ``fe_dropped_levels`` of a marginal-effects table), and the scale."""
    dropped = effects[effects.n_fe_dropped > 0].drop_duplicates("estimator")
    scale = (
        f"Every column keeps the z-scores of all {fmt_int(n_counties)} counties, so all "
        "per-SD effects are on one scale."
    )
    if dropped.empty:
        return "No model leaves out a county. " + scale
    lines = []
    for row in dropped.itertuples():
        states = [level.split("=", 1)[1] for level in row.fe_dropped_levels.split("; ")]
        lines.append(
            f"The {row.estimator} with state fixed effects leaves out "
            f"{fmt_int(row.n_fe_dropped)} of {fmt_int(n_counties)} counties, those of the "
            f"{len(states)} states where no county or every county adopted "
            f"({', '.join(states)}): they carry no information within their state."
        )
    return " ".join(lines) + " " + scale
