"""The two small figures of a state page, with their alt text: agreements over time by model,
and the counties of the state by who holds an agreement on the latest snapshot. Figures are
drawn on bare matplotlib ``Figure`` objects (no pyplot state) and saved without metadata, so
pages build quickly and identically."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.report.outputs import PNG_METADATA
from analysis.report.style import MODEL_COLORS, MODEL_NAMES, MODELS
from analysis.site import state_data
from analysis.site.cells import count

CLASS_COLORS = {
    state_data.COUNTY_LEVEL: "#0072B2",
    state_data.OTHER_AGENCY: "#E69F00",
    state_data.NO_AGREEMENT: "#E6E6E6",
}
CLASS_LABELS = {
    state_data.COUNTY_LEVEL: "a county-level agency holds an agreement",
    state_data.OTHER_AGENCY: "only other agencies placed in it do",
    state_data.NO_AGREEMENT: "no agreement",
}
DPI = 96


def _save(fig: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA)


def timeline_figure(counts: pd.DataFrame, state_name: str, path: Path) -> str:
    """Agreements per snapshot by model (``state_data.model_timeline``) as a step chart saved to
    ``path``; returns its alt text (the range of dates and the latest counts)."""
    fig = Figure(figsize=(6.4, 2.9))
    ax = fig.add_axes((0.09, 0.1, 0.89, 0.86))
    for model in MODELS:
        if counts[model].any():
            ax.step(counts.index, counts[model], where="post", color=MODEL_COLORS[model],
                    label=MODEL_NAMES[model], linewidth=1.6)  # fmt: skip
    ax.set_ylabel("agreements", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    _save(fig, path)
    first, last = counts.index.min(), counts.index.max()
    latest = counts.loc[last]
    parts = ", ".join(f"{MODEL_NAMES[m]} {int(latest[m]):,}" for m in MODELS)
    peak = counts.sum(axis=1)
    return (
        f"Step chart of {state_name}'s agreements on each ICE list from {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d}, one line per model. On {last:%Y-%m-%d}: {parts}. Highest total: "
        f"{count(int(peak.max()), 'agreement')}, first reached on {peak.idxmax():%Y-%m-%d}."
    )


def county_map_figure(shapes, classes: pd.Series, state_name: str, date, path: Path) -> str:
    """The state's counties (``shapes``: its rows of ``geo.shapes.county_geometry``) coloured
    by ``classes`` (``state_data.county_classes``), saved to ``path``; returns the alt text."""
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.add_axes((0.01, 0.17, 0.98, 0.82))
    colours = shapes["fips"].map(classes).map(CLASS_COLORS)
    drawn = shapes[shapes.geometry.notna()]
    drawn.plot(ax=ax, color=colours[drawn.index], edgecolor="white", linewidth=0.3)
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles = [Patch(facecolor=CLASS_COLORS[c], label=CLASS_LABELS[c])
               for c in state_data.COUNTY_CLASSES]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", fontsize=8, frameon=False, ncol=1)
    _save(fig, path)
    n = classes.value_counts().reindex(list(state_data.COUNTY_CLASSES), fill_value=0)
    return (
        f"Map of {state_name}'s {len(classes):,} counties on {pd.Timestamp(date):%Y-%m-%d}: "
        f"{n[state_data.COUNTY_LEVEL]:,} where a county-level agency (such as the sheriff) holds "
        f"an agreement, {n[state_data.OTHER_AGENCY]:,} where only municipal or other agencies "
        f"placed in the county do, {n[state_data.NO_AGREEMENT]:,} with no agreement."
    )
