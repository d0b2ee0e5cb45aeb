"""The sentence that sums up the public checkpoints: published figures and independent
recounts counted apart, every difference named."""

from __future__ import annotations

import pandas as pd


def _value(value: float, measure: str) -> str:
    return f"{value:.1f}%" if measure.startswith("share:") else f"{value:,.0f}"


def checkpoint_summary(checkpoints: pd.DataFrame) -> str:
    """ "N published figures reproduce; M independent recounts agree", then each figure that
    differs (within or outside its tolerance) and those with no archived sheet of their date,
    from :func:`analysis.study.expansion.checkpoint_table`."""
    checked = checkpoints[checkpoints["status"] != "no sheet on this date"]
    published = checked[checked["kind"] == "published"]
    recounts = checked[checked["kind"] == "independent recount"]
    text = (
        f"**{int(published['pass'].sum())} of {len(published)} published figures reproduce "
        f"(within their stated tolerance); {int(recounts['pass'].sum())} of {len(recounts)} "
        "independent recounts agree.**"
    )
    differ = checked[checked["status"] != "exact"]
    if len(differ):
        items = [
            f"{r.snapshot_date:%Y-%m-%d} {r.measure}: expected {_value(r.expected, r.measure)}, "
            f"the sheet gives {_value(r.observed, r.measure)} ({r.status}, tolerance "
            f"±{_value(r.tolerance, r.measure)})"
            for r in differ.itertuples()
        ]
        text += " Differences: " + "; ".join(items) + "."
    missing = checkpoints[checkpoints["status"] == "no sheet on this date"]
    if len(missing):
        dates = sorted({f"{d:%Y-%m-%d}" for d in missing["snapshot_date"]})
        text += (
            f" {len(missing)} expected figures cannot be checked here: the catalog holds no "
            f"archived sheet of {', '.join(dates)} (the nearest month-end sheets differ by "
            "weeks of signings)."
        )
    return text


def checkpoint_checks(checkpoints: pd.DataFrame) -> dict[str, bool]:
    """The two checkpoint checks of a report's Checks section (figures without a sheet of
    their date are listed in the text, neither passed nor failed)."""
    checked = checkpoints[checkpoints["pass"].notna()]
    by_kind = {k: checked.loc[checked["kind"] == k, "pass"] for k in checked["kind"].unique()}
    empty = pd.Series([], dtype="boolean")
    return {
        "every published figure with a sheet reproduces within its tolerance": bool(
            by_kind.get("published", empty).all()
        ),
        "every independent recount with a sheet agrees": bool(
            by_kind.get("independent recount", empty).all()
        ),
    }
