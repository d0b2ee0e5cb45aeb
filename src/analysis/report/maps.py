"""County maps: which counties have an agreement, over time and by model.

Drawing only; which counties have an agreement on a snapshot, and how many people live in them,
is computed in :mod:`analysis.study.exposure`.

The shapes are drawn as geopandas's ``GeoDataFrame.plot`` draws them (normalised rings, one
compound path per county, a ``LineCollection`` of the state borders; the same pixels, a test
checks), but each county's path is built once per figure from arrays rather than once per
layer and map, and the figure is not redrawn after every layer.
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from analysis.report import style
from analysis.study.exposure import county_status

NO_AGREEMENT = "#E6E6E6"
BORDER = "#FFFFFF"
STATE_BORDER = "#5A5A5A"


class Shapes(NamedTuple):
    """Counties as matplotlib paths (``None`` for a county without a polygon), in the order of
    ``fips``, the state borders as line segments, and (:func:`shapes` gives each an empty list)
    the counties' data limits once a map has computed them."""

    fips: np.ndarray
    paths: list
    borders: list
    limits: list | None = None  # the counties' data limits, once computed (see _layer)


def polygon_paths(geometries) -> list:
    """One ``matplotlib.path.Path`` per (Multi)Polygon, as geopandas builds it (the geometry
    normalised; per part its exterior then its holes, each ring closed); ``None`` for a missing
    or empty geometry."""
    import shapely
    from matplotlib.path import Path

    shapes = shapely.normalize(np.asarray(list(geometries), dtype=object))
    present = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    kinds = shapely.get_type_id(shapes[present])
    if not np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]).all():
        raise ValueError("polygon_paths: only Polygon and MultiPolygon geometries are drawn")
    parts, part_of = shapely.get_parts(shapes[present], return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    first = np.r_[True, coord_of[1:] != coord_of[:-1]]
    last = np.r_[coord_of[1:] != coord_of[:-1], True]
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    codes[first], codes[last] = Path.MOVETO, Path.CLOSEPOLY
    shape_of = part_of[ring_of[coord_of]]
    cuts = np.flatnonzero(shape_of[1:] != shape_of[:-1]) + 1
    built = iter(
        Path(xy, code)
        for xy, code in zip(np.split(coords, cuts), np.split(codes, cuts), strict=True)
    )
    return [next(built) if keep else None for keep in present]


def line_segments(geometries) -> list[np.ndarray]:
    """The (Multi)LineStrings' parts as arrays of points, as geopandas draws them."""
    import shapely

    lines = shapely.normalize(np.asarray(list(geometries), dtype=object))
    lines = lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))]
    return [np.array(part.coords)[:, :2] for part in shapely.get_parts(lines)]


def shapes(counties, states) -> Shapes:
    """The counties' paths and the state borders, built once for several maps."""
    return Shapes(
        counties["fips"].to_numpy(), polygon_paths(counties.geometry),
        line_segments(states.boundary), [],
    )  # fmt: skip


def _layer(ax, paths, color, limits=None) -> None:
    """Polygons as ``GeoSeries.plot(ax=ax, color=color, edgecolor=BORDER, linewidth=0.1)``.

    ``limits``: a list holding the data limits of these polygons (as ``add_collection`` computes
    them: they do not depend on the axes), filled the first time, or an empty tuple for a
    layer drawn over one holding all its polygons (it leaves the limits as they are)."""
    from matplotlib.collections import PathCollection

    _geopandas_axes(ax)
    drawn = [p for p in paths if p is not None]
    collection = PathCollection(drawn, facecolor=color, edgecolor=BORDER, linewidth=0.1)
    if limits is None:
        ax.add_collection(collection, autolim=True)
    else:
        ax.add_collection(collection, autolim=False)
        if isinstance(limits, list):
            if not limits:
                limits.append(_collection_limits(collection, ax))
            ax.update_datalim(limits[0])
    ax.autoscale_view()


def _collection_limits(collection, ax) -> np.ndarray:
    """The points ``Axes.add_collection`` adds to the data limits for ``collection``."""
    datalim = collection.get_datalim(ax.transData)
    points = datalim.get_points()
    if not np.isinf(datalim.minpos).all():
        points = np.concatenate([points, [datalim.minpos]])
    return points


def _geopandas_axes(ax) -> None:
    """What geopandas's plot does to the axes first (no CRS): labels ``x`` and ``y``, equal."""
    if ax.get_xlabel() == "":
        ax.set_xlabel("x", fontsize="small")
    if ax.get_ylabel() == "":
        ax.set_ylabel("y", fontsize="small")
    ax.set_aspect("equal")


def _counties_in(shapes_: Shapes, fips) -> list:
    keep = set(pd.Index(fips).tolist())
    return [p for p, f in zip(shapes_.paths, shapes_.fips, strict=True) if f in keep]


def _base(ax, shapes_: Shapes):
    _layer(ax, shapes_.paths, NO_AGREEMENT, limits=shapes_.limits)
    ax.set_axis_off()
    ax.set_aspect("equal")


def _finish(ax, shapes_: Shapes, title):
    from matplotlib.collections import LineCollection

    _geopandas_axes(ax)
    ax.add_collection(
        LineCollection(shapes_.borders, color=STATE_BORDER, linewidth=0.3), autolim=True
    )
    ax.autoscale_view()
    ax.set_title(title, fontsize=10.5)
    # The axis is off: no ticks to lay out on every draw (the limits are already set).
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())


def _adoption_map(ax, shapes_: Shapes, status: pd.DataFrame, title: str, color=None) -> None:
    _base(ax, shapes_)
    _layer(ax, _counties_in(shapes_, status.index), color or style.NEUTRAL, limits=())
    _finish(ax, shapes_, title)


def adoption_map(ax, counties, states, status: pd.DataFrame, title: str, color=None) -> None:
    """Counties with an agreement in one colour, the rest grey."""
    _adoption_map(ax, shapes(counties, states), status, title, color)


def model_map(ax, counties, states, status: pd.DataFrame, title: str, *, drawn=None) -> None:
    """Counties coloured by their models: TFM present, else jail models only. ``drawn``: the
    :func:`shapes` of ``counties`` and ``states``, when already built for another map."""
    shapes_ = shapes(counties, states) if drawn is None else drawn
    _base(ax, shapes_)
    has_tfm = status.index[status["tfm"] > 0]
    jail_only = status.index[(status["tfm"] == 0) & ((status["jem"] + status["wso"]) > 0)]
    _layer(ax, _counties_in(shapes_, jail_only), style.MODEL_COLORS["JEM"], limits=())
    _layer(ax, _counties_in(shapes_, has_tfm), style.MODEL_COLORS["TFM"], limits=())
    _finish(ax, shapes_, title)


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


def small_multiples(counties, states, county_agreements, dates, *, ncols=2, note="", drawn=None):
    """One adoption map per date (``drawn``: as in :func:`model_map`)."""
    shapes_ = shapes(counties, states) if drawn is None else drawn
    nrows = -(-len(dates) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.6 * nrows))
    for ax, date in zip(axes.flat, dates, strict=False):
        status = county_status(county_agreements, date)
        _adoption_map(ax, shapes_, status,
                      f"{pd.Timestamp(date):%Y-%m-%d}: {len(status):,} counties")  # fmt: skip
    for ax in list(axes.flat)[len(dates) :]:
        ax.set_axis_off()
    adoption_legend(fig)
    if note:
        fig.text(0.99, 0.005, note, ha="right", fontsize=8, color="dimgrey")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
