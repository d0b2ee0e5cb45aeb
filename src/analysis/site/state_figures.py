"""The two small figures of a state page, with their alt text: agreements over time by model,
and the counties of the state by who holds an agreement on the latest snapshot.

Building 42 pages, most of the time went into making figures, not drawing them: a new Figure
and Axes (with their ticks) per chart and a GeoDataFrame plot turning shapely polygons into
paths on every call. :class:`StateFigures` keeps one Figure per kind and swaps only what changes
between states (the step lines and legend; the county collection), and the counties' paths are
made once (:func:`county_paths`) the way geopandas makes them, so the PNGs are the same bytes
as before. Figures are bare matplotlib objects (no pyplot state) saved with fixed metadata."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.lines import Line2D as MplLine2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from analysis.report.outputs import PNG_METADATA, PNG_PIL_KWARGS
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


def county_paths(shapes) -> dict[str, list[tuple[str, MplPath]]]:
    """Per state (``state_usps``), its drawn counties in ``shapes`` order as (FIPS, path);
    ``shapes``: rows of ``geo.shapes.county_geometry`` (counties without a polygon left out).

    Each county is one compound path of its normalised polygons' rings, each ring closed and
    holes after their exterior: what geopandas' ``_PolygonPatch`` makes, for all counties at
    once."""
    import shapely

    drawn = shapes[shapes.geometry.notna()]
    geoms = shapely.normalize(np.asarray(drawn.geometry.array, dtype=object))
    if not np.isin(shapely.get_type_id(geoms), (3, 6)).all():  # Polygon, MultiPolygon
        raise ValueError("county shapes: only polygons and multipolygons can be drawn")
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, point_of = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(point_of, np.arange(len(rings)))  # first point of each ring
    ends = np.append(starts[1:], len(coords)) - 1
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[starts], codes[ends] = MplPath.MOVETO, MplPath.CLOSEPOLY
    county_of_point = part_of[ring_of][point_of]  # ascending: counties, parts, rings in order
    bounds = np.searchsorted(county_of_point, np.arange(len(geoms) + 1))
    out: dict[str, list[tuple[str, MplPath]]] = {}
    for k, (state, fips) in enumerate(zip(drawn["state_usps"], drawn["fips"], strict=True)):
        lo, hi = bounds[k], bounds[k + 1]
        out.setdefault(state, []).append((fips, MplPath(coords[lo:hi], codes[lo:hi])))
    return out


class _Counties(Collection):
    """A collection of prepared paths (what geopandas' PatchCollection holds, without
    making a patch per county first)."""

    def __init__(self, paths, **kwargs):
        super().__init__(**kwargs)
        self.set_paths(paths)


class _Pasted(Artist):
    """Pixels rendered once (``region``, from ``copy_from_bbox``) put back where this artist
    comes in the drawing order."""

    def __init__(self) -> None:
        super().__init__()
        self.region = None

    def draw(self, renderer) -> None:
        if self.region is not None and self.get_visible():
            renderer.restore_region(self.region)


class _Taken(Artist):
    """Takes the pixels drawn so far (under ``key`` in ``store``) where this artist comes in
    the drawing order; takes nothing while ``key`` is None."""

    def __init__(self, store: dict) -> None:
        super().__init__()
        self.store, self.key = store, None

    def draw(self, renderer) -> None:
        if self.key is not None and self.get_visible():
            self.store[self.key] = renderer.copy_from_bbox(self.figure.bbox)


def _timeline_axes():
    fig = Figure(figsize=(6.4, 2.9), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.1, 0.89, 0.86))
    ax.set_ylabel("agreements", fontsize=9)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.3)
    return fig, ax


class StateFigures:
    """The timeline and county map of every state, drawn on two Figures made once.

    What is the same on every state's figure is rendered once and pasted (``blit=False``
    draws everything every time; the tests check both give the same bytes):

    * the timeline's background and x axis (years, ticks, vertical grid lines), drawn before
      anything else and the same for every state whose dates span the same range; and with
      the y axis too, for a state whose y range is one drawn before (small states share one);
    * the map's legend, which lies below the map's axes, where nothing else is drawn.
    """

    def __init__(self, blit: bool = True) -> None:
        self._timeline, ax = _timeline_axes()
        self._timeline_ax = ax
        self._blit = blit
        self._legends: dict[tuple[str, ...], object] = {}
        self._x_backgrounds: dict[tuple[float, float], object] = {}
        self._x_pasted = _Pasted()
        self._x_pasted.set_zorder(ax.xaxis.get_zorder())
        ax.add_artist(self._x_pasted)  # before the lines and the y axis in the drawing order
        self._axes_backgrounds: dict[tuple[float, ...], object] = {}
        self._axes_taken = _Taken(self._axes_backgrounds)
        self._axes_taken.set_zorder((ax.yaxis.get_zorder() + MplLine2D.zorder) / 2)
        ax.add_artist(self._axes_taken)  # after both axes, before the lines

        self._map = Figure(figsize=(6.4, 4.6), dpi=DPI)
        canvas = FigureCanvasAgg(self._map)
        ax = self._map.add_axes((0.01, 0.17, 0.98, 0.82))
        ax.set_axis_off()
        ax.set_aspect("equal")
        handles = [Patch(facecolor=CLASS_COLORS[c], label=CLASS_LABELS[c])
                   for c in state_data.COUNTY_CLASSES]  # fmt: skip
        self._legend = self._map.legend(handles=handles, loc="lower center", fontsize=8,
                                        frameon=False, ncol=1)  # fmt: skip
        self._map_ax = ax
        self._legend_pixels = None
        if blit:
            canvas.draw()
            # The rows below the axes (Agg clips the axes' artists to their box).
            top = int(np.floor(ax.get_position().y0 * self._map.bbox.height)) - 1
            legend = self._legend.get_window_extent(canvas.get_renderer())
            if legend.y0 >= 0 and legend.y1 + 3 <= top:
                strip = Bbox.from_extents(0, 0, self._map.bbox.width, top)
                self._legend_pixels = canvas.copy_from_bbox(strip)
                self._legend.set_visible(False)

    @staticmethod
    def _save(fig: Figure, path: Path, pasted=None) -> None:
        """As ``fig.savefig(path, dpi=DPI, metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)``
        (the figure is made at ``DPI``): draw, paste ``pasted`` pixels, write the PNG the way
        matplotlib does."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.canvas.draw()
        if pasted is not None:
            fig.canvas.restore_region(pasted)
        imsave(path, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=DPI,
               metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)  # fmt: skip

    def timeline(self, counts: pd.DataFrame, state_name: str, path: Path) -> str:
        """Agreements per snapshot by model (``state_data.model_timeline``) as a step chart
        saved to ``path``; returns its alt text (the range of dates and the latest counts)."""
        if not counts[list(MODELS)].to_numpy().any():
            # No line: the axes have no dates to show, so a figure that has shown dates would
            # not look like a new one. (A state listed only outside the time series.)
            fig, ax = _timeline_axes()
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8, frameon=False, loc="upper left")
            self._save(fig, path)
            return timeline_alt(counts, state_name)
        ax = self._timeline_ax
        for line in list(ax.lines):
            line.remove()
        ax.relim()
        ax.set_autoscale_on(True)
        for model in MODELS:
            if counts[model].any():
                ax.step(counts.index, counts[model], where="post", color=MODEL_COLORS[model],
                        label=MODEL_NAMES[model], linewidth=1.6)  # fmt: skip
        ax.set_ylim(bottom=0)
        # A legend depends only on which models have a line: made once per set of models.
        shown = tuple(line.get_label() for line in ax.lines)
        if shown not in self._legends:
            self._legends[shown] = ax.legend(fontsize=8, frameon=False, loc="upper left")
        ax.legend_ = self._legends[shown]
        self._paste_axes()
        self._save(self._timeline, path)
        self._axes_taken.key = None
        return timeline_alt(counts, state_name)

    def _paste_axes(self) -> None:
        """Paste what is drawn before the lines: the background and both axes when a state
        with the same limits was drawn before (taken by ``_axes_taken`` during its drawing),
        else the background and x axis, the y axis being drawn (and taken for the next)."""
        ax = self._timeline_ax
        key = tuple(float(v) for v in (*ax.get_xlim(), *ax.get_ylim()))
        # (Only while both axes are drawn before the lines, as they are by default.)
        below = max(ax.xaxis.get_zorder(), ax.yaxis.get_zorder()) < self._axes_taken.zorder
        blit = self._blit and below
        both = self._axes_backgrounds.get(key) if blit else None
        if both is not None:
            self._x_pasted.region = both
            ax.xaxis.set_visible(False)
            ax.yaxis.set_visible(False)
            return
        region = self._x_background() if self._blit else None
        self._x_pasted.region = region
        ax.xaxis.set_visible(region is None)
        ax.yaxis.set_visible(True)
        self._axes_taken.key = key if blit else None

    def _x_background(self):
        """The pixels of the timeline's background and x axis for the current x limits."""
        ax = self._timeline_ax
        key = tuple(float(x) for x in ax.get_xlim())
        if key not in self._x_backgrounds:
            self._x_pasted.region, self._axes_taken.key = None, None
            ax.xaxis.set_visible(True)
            others = [ax.yaxis, ax.get_legend(), *ax.lines, *ax.spines.values()]
            shown = [a.get_visible() for a in others]
            for artist in others:
                artist.set_visible(False)
            self._timeline.canvas.draw()
            self._x_backgrounds[key] = self._timeline.canvas.copy_from_bbox(self._timeline.bbox)
            for artist, visible in zip(others, shown, strict=True):
                artist.set_visible(visible)
        return self._x_backgrounds[key]

    def county_map(self, counties: list[tuple[str, MplPath]], classes: pd.Series,
                   state_name: str, date, path: Path) -> str:  # fmt: skip
        """The state's counties (``counties``: its entry of :func:`county_paths`) coloured by
        ``classes`` (``state_data.county_classes``), saved to ``path``; returns the alt text."""
        ax = self._map_ax
        for old in list(ax.collections):
            old.remove()
        ax.relim()
        if counties:
            of = classes.to_dict()  # (a dict, not a Series, looked up per county)
            colours = [CLASS_COLORS[of[fips]] for fips, _ in counties]
            ax.add_collection(_Counties([p for _, p in counties], facecolor=colours,
                                        edgecolor="white", linewidth=0.3))  # fmt: skip
            ax.autoscale_view()
        self._save(self._map, path, self._legend_pixels)
        return map_alt(classes, state_name, date)


def timeline_alt(counts: pd.DataFrame, state_name: str) -> str:
    first, last = counts.index.min(), counts.index.max()
    latest = counts.loc[last]
    parts = ", ".join(f"{MODEL_NAMES[m]} {int(latest[m]):,}" for m in MODELS)
    peak = counts.sum(axis=1)
    return (
        f"Step chart of {state_name}'s agreements on each ICE list from {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d}, one line per model. On {last:%Y-%m-%d}: {parts}. Highest total: "
        f"{count(int(peak.max()), 'agreement')}, first reached on {peak.idxmax():%Y-%m-%d}."
    )


def map_alt(classes: pd.Series, state_name: str, date) -> str:
    n = Counter(classes.tolist())
    return (
        f"Map of {state_name}'s {len(classes):,} counties on {pd.Timestamp(date):%Y-%m-%d}: "
        f"{n[state_data.COUNTY_LEVEL]:,} where a county-level agency (such as the sheriff) holds "
        f"an agreement, {n[state_data.OTHER_AGENCY]:,} where only municipal or other agencies "
        f"placed in the county do, {n[state_data.NO_AGREEMENT]:,} with no agreement."
    )
