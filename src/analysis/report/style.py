"""One look for every figure: colour-blind-safe colours fixed per category, readable sizes.

Colours come from the Okabe-Ito palette and are tied to categories (a model is the same colour
in every report), never to the order in which categories happen to appear.
"""

from __future__ import annotations

import itertools

import matplotlib as mpl
import matplotlib.dates as mdates
import pandas as pd
from pandas.io.formats.style import Styler

from analysis.ice import normalize as codes

MODELS = list(codes.MODELS)
MODEL_NAMES = {
    "JEM": "Jail Enforcement Model",
    "TFM": "Task Force Model",
    "WSO": "Warrant Service Officer",
}
MODEL_COLORS = {"JEM": "#0072B2", "TFM": "#D55E00", "WSO": "#009E73"}

AGENCY_TYPES = list(codes.AGENCY_TYPES)
AGENCY_TYPE_COLORS = {
    "County": "#0072B2",
    "Municipality": "#E69F00",
    "State": "#CC79A7",
    "Other": "#999999",
}
NEUTRAL = "#4D4D4D"
HIGHLIGHT = "#D55E00"
SECONDARY = "#E69F00"
MUTED = "#999999"
SEQUENTIAL_CMAP = "viridis"

LIST_COLORS = {"participating": NEUTRAL, "pending": SECONDARY}
"""ICE's two lists: agencies participating, and requests pending."""

PENDING_OUTCOME_COLORS = {
    "joined_later": "#009E73",
    "already_participating": MUTED,
    "never_listed": "black",
}
FLOW_COLORS = {"added": MODEL_COLORS["TFM"], "exit": "black", "other": MUTED}
POPULATION_COLORS = {"population": "black", "hispanic": "#D55E00", "foreign_born": "#0072B2"}
BEFORE_AFTER_COLORS = (MUTED, HIGHLIGHT)

CATEGORICAL = ["#0072B2", "#E69F00", "#CC79A7", "#009E73", "#56B4E9", "#D55E00", "#F0E442",
               "#000000", "#999999"]  # fmt: skip
"""Okabe-Ito in a fixed order, for categories without a colour of their own (the finer agency
categories), assigned largest category first."""


_styler_init = Styler.__init__
_styler_ids = itertools.count(1)


def _deterministic_styler_init(self, data, *args, uuid=None, **kwargs):
    # pandas gives each styled table a random id; numbered ids keep reports byte-identical.
    _styler_init(self, data, *args, uuid=uuid or f"t{next(_styler_ids):04d}", **kwargs)


RC = {
    "figure.figsize": (9, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    # Titles sit at the top of their axes. Left unset (None), matplotlib would re-measure every
    # axes' x and y axis for each title at each layout pass and draw, to lift a title above
    # ticks or an offset text drawn at the top; no figure has either (the same pixels, compared).
    "axes.titley": 1.0,
    "axes.labelsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "svg.hashsalt": "287g-atlas",
}
"""The figure defaults :func:`apply` sets."""

# Text sizes the reports' figures use besides the defaults (points, or matplotlib's names).
TEXT_SIZES = (6, 7.5, 8, 8.5, 9, 10, 10.5, 12, "small", "x-small")


def warm() -> None:
    """Fill matplotlib's per-process memos the reports' figures use, once: the font lookups
    (one per font, weight and size, each a scoring of every installed font), the loaded fonts
    and the math-text parser (log and symlog tick labels). A process that forks kernels (the
    runner's zygote) calls it, so each kernel does not. Nothing else changes: the figure is
    drawn under :data:`RC` in a context, not kept, and no setting is left changed."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(RC):
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([1, 100], [1, 1000])
        ax.set_yscale("symlog", linthresh=10)
        ax.set_xscale("log")
        ax.set_title("title")
        ax.set_xlabel("x")
        ax.legend(["line"], loc="upper left")
        for weight in ("normal", "bold"):
            for size in TEXT_SIZES:
                ax.text(0.5, 0.5, "Text 0.9%", fontsize=size, fontweight=weight,
                        transform=ax.transAxes)  # fmt: skip
        fig.savefig(io.BytesIO(), format="png")


def apply() -> None:
    """Set the project's figure and table defaults (call once at the top of a notebook).

    Styled tables escape cell text as HTML (spreadsheet text cannot inject markup) and get
    numbered ids instead of random ones.
    """
    Styler.__init__ = _deterministic_styler_init
    # The default text form holds a memory address, which would differ between runs.
    Styler.__repr__ = lambda self: f"<styled table {self.uuid}>"
    pd.set_option("styler.format.escape", "html")
    mpl.rcParams.update(RC)


def timeline_axes(ax, title: str, ylabel: str, marks=None, start=None, end=None) -> None:
    """Title, labels and yearly ticks of a snapshot timeline; ``marks`` (rows with ``date`` and
    ``label``, e.g. state mandates) between ``start`` and ``end`` as dotted lines with a label.

    Call it after plotting: the labels sit at the top of the y range drawn so far.
    """
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("snapshot date")
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    for row in [] if marks is None else marks.itertuples():
        if pd.Timestamp(start) <= row.date <= end:
            ax.axvline(row.date, color="grey", lw=0.7, ls=":")
            ax.annotate(row.label, (row.date, ax.get_ylim()[1] * 0.97), rotation=90,
                        fontsize=7.5, va="top", ha="right", color="dimgrey")  # fmt: skip
