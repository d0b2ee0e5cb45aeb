"""County maps: which counties have an agreement, over time and by model.

Drawing only; which counties have an agreement on a snapshot, and how many people live in them,
is computed in :mod:`analysis.study.exposure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from analysis.report import style
from analysis.study.exposure import county_status

NO_AGREEMENT = "#E6E6E6"
BORDER = "#FFFFFF"
STATE_BORDER = "#5A5A5A"


def _base(ax, counties, states):
    counties.plot(ax=ax, color=NO_AGREEMENT, edgecolor=BORDER, linewidth=0.1)
    ax.set_axis_off()
    ax.set_aspect("equal")


def _finish(ax, states, title):
    states.boundary.plot(ax=ax, color=STATE_BORDER, linewidth=0.3)
    ax.set_title(title, fontsize=10.5)


def adoption_map(ax, counties, states, status: pd.DataFrame, title: str, color=None) -> None:
    """Counties with an agreement in one colour, the rest grey."""
    _base(ax, counties, states)
    adopted = counties[counties["fips"].isin(status.index)]
    adopted.plot(ax=ax, color=color or style.NEUTRAL, edgecolor=BORDER, linewidth=0.1)
    _finish(ax, states, title)


def model_map(ax, counties, states, status: pd.DataFrame, title: str) -> None:
    """Counties coloured by their models: TFM present, else jail models only."""
    _base(ax, counties, states)
    has_tfm = status.index[status["tfm"] > 0]
    jail_only = status.index[(status["tfm"] == 0) & ((status["jem"] + status["wso"]) > 0)]
    counties[counties["fips"].isin(jail_only)].plot(
        ax=ax, color=style.MODEL_COLORS["JEM"], edgecolor=BORDER, linewidth=0.1
    )
    counties[counties["fips"].isin(has_tfm)].plot(
        ax=ax, color=style.MODEL_COLORS["TFM"], edgecolor=BORDER, linewidth=0.1
    )
    _finish(ax, states, title)


def adoption_legend(fig, color=None, label="at least one agreement") -> None:
    handles = [
        Patch(facecolor=color or style.NEUTRAL, label=label),
        Patch(facecolor=NO_AGREEMENT, label="none"),
    ]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.0), ncol=2)


def model_legend(fig) -> None:
    handles = [
        Patch(
            facecolor=style.MODEL_COLORS["TFM"],
            label="Task Force Model (with or without jail models)",
        ),
        Patch(facecolor=style.MODEL_COLORS["JEM"], label="jail models only (JEM and/or WSO)"),
        Patch(facecolor=NO_AGREEMENT, label="no agreement"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)


def small_multiples(counties, states, county_agreements, dates, *, ncols=2, note=""):
    """One adoption map per date."""
    nrows = -(-len(dates) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.6 * nrows))
    for ax, date in zip(axes.flat, dates, strict=False):
        status = county_status(county_agreements, date)
        adoption_map(ax, counties, states, status,
                     f"{pd.Timestamp(date):%Y-%m-%d}: {len(status):,} counties")  # fmt: skip
    for ax in list(axes.flat)[len(dates) :]:
        ax.set_axis_off()
    adoption_legend(fig)
    if note:
        fig.text(0.99, 0.005, note, ha="right", fontsize=8, color="dimgrey")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
