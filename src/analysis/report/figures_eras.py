"""Figures of the era comparison and the Texas SB 8 forecast (notebook 80)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.report import style
from analysis.report.figures import calibration_plot, forest_plot


def era_forest(models: pd.DataFrame, era_order):
    """LPM estimates per SD (pp, 95% CI) of each covariate, one colour per era."""
    fig = forest_plot(
        models,
        label="covariate",
        estimate="estimate_pp_per_sd",
        low="ci_low_pp",
        high="ci_high_pp",
        group="era",
        group_order=list(era_order),
        xlabel="difference in adoption probability, pp per SD (95% CI, clustered by state)",
    )
    fig.axes[0].set_title("The same county-level model in three eras of 287(g)")
    fig.tight_layout()
    return fig


def texas_forecast_plot(forecast: pd.DataFrame, calibration: pd.DataFrame, *, title: str):
    """Left: each Texas county without an agreement at the last snapshot, its probability of
    one by the deadline (95% interval), highest first. Right: the back-test's calibration."""
    rows = forecast[forecast["status_last_snapshot"] == 0].sort_values(
        ["predicted_probability", "fips"], ascending=[True, True]
    )
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, max(4.5, 0.16 * len(rows) + 1.5)), gridspec_kw={"width_ratios": [3, 2]}
    )
    y = np.arange(len(rows))
    est = rows["predicted_probability"].to_numpy(float)
    err = np.vstack([est - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - est])
    left.errorbar(100 * est, y, xerr=100 * err, fmt="o", ms=3, color=style.HIGHLIGHT, capsize=1.5)
    left.set_yticks(y, rows["county"].tolist(), fontsize=6)
    left.set_xlim(0, 100)
    left.set_xlabel("probability of an agreement by the deadline, % (95% interval)")
    left.set_title(f"Texas counties without an agreement ({len(rows)})", fontsize=10)
    calibration_plot(calibration, ax=right)
    right.set_title("Back-test calibration", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
