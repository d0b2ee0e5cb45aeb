"""Figures of report 75: spatial autocorrelation over time, the LISA cluster map, border-pair
differences, entries against exits, and the exit hazard ratios. Drawing only; the numbers come
from :mod:`analysis.stats.spatial`, :mod:`analysis.study.borders` and
:mod:`analysis.study.exits`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.report import maps, style
from analysis.report.figures import forest_plot
from analysis.report.maps import NO_AGREEMENT, STATE_BORDER

CLUSTER_COLORS = {
    "high-high": "#D55E00",
    "low-low": "#0072B2",
    "high-low": "#E69F00",
    "low-high": "#56B4E9",
    "not significant": NO_AGREEMENT,
    "no neighbours (left out)": "#FFFFFF",
}


def morans_i_plot(series: pd.DataFrame, *, title: str):
    """Moran's I of adoption per snapshot (left) and the share of counties adopted (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    dates = pd.to_datetime(series["snapshot_date"])
    left.plot(dates, series["morans_i"], marker="o", ms=3, color=style.NEUTRAL)
    left.axhline(0, color="grey", lw=0.7)
    left.set_ylabel("Moran's I (queen contiguity)")
    left.set_title("Spatial autocorrelation of adoption")
    right.plot(dates, 100 * series["share_adopted"], marker="o", ms=3, color=style.HIGHLIGHT)
    right.set_ylabel("counties adopted (%)")
    right.set_title("Share of counties adopted")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def lisa_map(counties, states, clusters: pd.DataFrame, *, title: str):
    """County map coloured by LISA cluster (``clusters``: ``fips``, ``cluster``): one layer per
    cluster in :data:`CLUSTER_COLORS` order and the state borders on top, drawn as
    ``GeoDataFrame.plot`` draws them (the same pixels, a test checks) from paths built once
    (:func:`analysis.report.maps.shapes`)."""
    from matplotlib.collections import LineCollection
    from matplotlib.ticker import NullLocator

    fig, ax = plt.subplots(figsize=(11, 7))
    frame = counties.merge(clusters[["fips", "cluster"]], on="fips", how="left")
    frame["cluster"] = frame["cluster"].fillna("no neighbours (left out)")
    drawn = maps.shapes(frame, states)
    labels = frame["cluster"].to_numpy()
    for label, color in CLUSTER_COLORS.items():
        paths = [p for p, here in zip(drawn.paths, labels == label, strict=True) if here]
        if paths:
            maps._layer(ax, paths, color)
    maps._geopandas_axes(ax)
    ax.add_collection(LineCollection(drawn.borders, color=STATE_BORDER, linewidth=0.3))
    ax.autoscale_view()
    ax.set_axis_off()
    ax.set_aspect("equal")
    # The axis is off: no ticks to lay out on every draw (the limits are already set).
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    counts = frame["cluster"].value_counts()
    handles = [
        Patch(facecolor=c, edgecolor="grey", label=f"{k} ({counts.get(k, 0):,})")
        for k, c in CLUSTER_COLORS.items()
        if counts.get(k, 0)
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=8.5, frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def border_pairs_plot(summary: pd.DataFrame, *, title: str):
    """Mean adoption difference (law side minus other side, percentage points) per border and
    pooled, with 95% dyadic-robust intervals; one colour per contrast."""
    table = summary.copy()
    table["label"] = np.where(
        table["scope"] == "border",
        table["border"] + " (" + table["n_pairs"].astype(str) + " pairs)",
        "pooled: " + table["contrast"],
    )
    for column in ("difference", "ci_low", "ci_high"):
        table[column] = 100 * table[column]
    table["ci_low"] = table["ci_low"].fillna(table["difference"])
    table["ci_high"] = table["ci_high"].fillna(table["difference"])
    table["group"] = np.where(table["scope"] == "border", table["contrast"], "pooled")
    fig = forest_plot(
        table,
        label="label",
        estimate="difference",
        low="ci_low",
        high="ci_high",
        group="group",
        reference=0.0,
        xlabel="adoption, law side minus other side (percentage points, 95% CI)",
    )
    ax = fig.axes[0]
    ax.legend(title="contrast", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title)
    return fig


def entries_exits_plot(flows: pd.DataFrame, *, title: str):
    """Agreements entering (up) and exiting (down, prohibition exits apart) per snapshot."""
    fig, ax = plt.subplots(figsize=(11, 4.2))
    x = np.arange(len(flows))
    other = flows["exits"] - flows["exits_after_prohibition"]
    ax.bar(x, flows["entries"], color=style.MODEL_COLORS["TFM"], label="new agreements")
    ax.bar(x, -other, color="black", label="exits, no prohibition")
    ax.bar(x, -flows["exits_after_prohibition"], bottom=-other, color=style.SECONDARY,
           label="exits after a state prohibition")  # fmt: skip
    ax.set_yscale("symlog", linthresh=10)
    ax.axhline(0, color="grey", lw=0.7)
    labels = pd.to_datetime(flows["snapshot_date"]).dt.strftime("%Y-%m-%d")
    ax.set_xticks(x, labels, rotation=90, fontsize=7.5)
    ax.set_ylabel("agreements per snapshot (symlog)")
    ax.legend(loc="upper left", frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def exit_hazard_plot(table: pd.DataFrame, *, title: str):
    """Hazard ratios of an agreement ending (``label``, ``hazard_ratio``, CI) by model."""
    fig = forest_plot(
        table,
        label="label",
        estimate="hazard_ratio",
        low="hr_ci_low",
        high="hr_ci_high",
        group="model",
        reference=1.0,
        xlabel="hazard ratio of an agreement ending (95% CI, state-clustered)",
    )
    ax = fig.axes[0]
    ax.set_xscale("log")
    ax.legend(title="model", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title)
    return fig
