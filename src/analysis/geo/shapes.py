"""County and state polygons from the US Atlas TopoJSON, one row per county of the county list."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.fetch import require
from analysis.geo.counties import county_list
from analysis.geo.states import states
from analysis.geo.topojson import decode_arcs, decode_topojson

TOPOJSON = {
    "albers": "us_atlas_topojson/us-atlas-2023-4.0.0_counties-albers-10m.json",
    "lonlat": "us_atlas_topojson/us-atlas-2023-4.0.0_counties-10m.json",
}


def _topology_path(projection: str, raw_dir: Path | None) -> Path:
    if projection not in TOPOJSON:
        raise ValueError(f"projection must be one of {sorted(TOPOJSON)}, not {projection!r}")
    return require(TOPOJSON[projection], raw_dir or paths.RAW)


def _file_key(path: Path) -> tuple:
    """What a memo of a file's contents is keyed on: its path, size and modification time."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=2)
def _topology(key: tuple) -> tuple[dict, list]:
    """The TopoJSON file ``key[0]`` parsed, with its decoded arcs (once per process and file
    version: the counties and the states share the file's arcs)."""
    topology = json.loads(Path(key[0]).read_text(encoding="utf-8"))
    return topology, decode_arcs(topology)


@lru_cache(maxsize=8)
def _decoded(key: tuple, object_name: str) -> list:
    """The object ``object_name`` of the TopoJSON file ``key[0]`` decoded, once per process and
    file version (several cells and the site ask for the same shapes). Shapely geometries are
    immutable, so no caller can change what is kept."""
    topology, arcs = _topology(key)
    return decode_topojson(topology, object_name, arcs=arcs)


def _features(projection: str, raw_dir: Path | None, object_name: str) -> list:
    return _decoded(_file_key(_topology_path(projection, raw_dir)), object_name)


def _flip_y(coords):
    # The arithmetic of ``GeoSeries.scale(xfact=1, yfact=-1, origin=(0, 0))`` (shapely's
    # affine transform), on all coordinates at once: the same numbers, signs of zero included.
    x, y = coords.T
    return np.stack([1.0 * x + 0.0 * y + 0.0, 0.0 * x + -1.0 * y + 0.0]).T


def _geoframe(features, id_column: str, keep: pd.Series, projection: str):
    import geopandas as gpd
    import shapely

    ids = pd.Series([f[0] for f in features], dtype=str)
    shapes = np.array([f[2] for f in features], dtype=object)
    chosen = ids.isin(keep).to_numpy()
    shapes = shapes[chosen]
    if projection == "albers":
        # d3 screen coordinates grow downwards; negate y so north is up when plotted.
        shapes = shapely.transform(shapes, _flip_y)
    frame = gpd.GeoDataFrame(
        {id_column: ids[chosen].reset_index(drop=True)},
        geometry=shapes,
        crs="EPSG:4326" if projection == "lonlat" else None,
    )
    return frame.sort_values(id_column).reset_index(drop=True)


def county_geometry(raw_dir: Path | None = None, projection: str = "albers"):
    """County polygons (US Atlas 4.0.0, Census cartographic boundaries 2023, 1:10m) as a
    GeoDataFrame with ``fips``, ``county_name_full``, ``state_usps`` and ``geometry``, exactly one
    row per county of :func:`county_list`.

    ``projection="albers"``: the atlas's pre-projected d3 ``geoAlbersUsa`` plane (Alaska and
    Hawaii moved into insets; 975 x 610 screen units, y negated so north is up; no CRS), for maps.
    ``projection="lonlat"``: longitude/latitude (EPSG:4326), for neighbours and spatial joins;
    Puerto Rico and the island areas in that file are left out.

    At 1:10m the atlas has no polygon for a few tiny Virginia independent cities (albers:
    Colonial Heights 51570, Falls Church 51610, Lexington 51678, Manassas Park 51685; lonlat:
    Falls Church): their rows are kept with a missing geometry rather than dropped.
    """
    key = _file_key(_topology_path(projection, raw_dir))
    return _county_frame(key, projection, raw_dir).copy()


@lru_cache(maxsize=4)
def _county_frame(key: tuple, projection: str, raw_dir: Path | None):
    """The counties' GeoDataFrame, once per process, projection and TopoJSON version (``key``;
    the county list is read once per process too); callers get a copy, and shapely geometries
    are immutable."""
    features = _features(projection, raw_dir, "counties")
    counties = county_list(raw_dir)
    frame = _geoframe(features, "fips", counties.fips, projection)
    if frame.fips.tolist() != counties.fips.tolist():
        missing = sorted(set(counties.fips) - set(frame.fips))
        raise ValueError(
            f"TopoJSON {projection}: county ids differ from the county list: {missing}"
        )
    present = frame.geometry.notna()
    if not frame.geometry[present].is_valid.all() or frame.geometry[present].is_empty.any():
        raise ValueError(f"TopoJSON {projection}: empty or invalid county geometry")
    attributes = counties[["fips", "county_name_full", "state_usps"]]
    return frame.merge(attributes, on="fips", validate="one_to_one")[
        ["fips", "county_name_full", "state_usps", "geometry"]
    ]


def state_geometry(raw_dir: Path | None = None, projection: str = "albers"):
    """State polygons (50 states + DC) from the same file: ``state_fips``, ``state_usps``,
    ``geometry``; same projections as :func:`county_geometry`."""
    return _state_frame(_file_key(_topology_path(projection, raw_dir)), projection, raw_dir).copy()


@lru_cache(maxsize=4)
def _state_frame(key: tuple, projection: str, raw_dir: Path | None):
    """The states' GeoDataFrame, once per process, projection and file version (``key``)."""
    table = states()
    features = _features(projection, raw_dir, "states")
    frame = _geoframe(features, "state_fips", table.state_fips, projection)
    if frame.state_fips.tolist() != table.state_fips.tolist():
        raise ValueError(f"TopoJSON {projection}: state ids differ from the state table")
    return frame.merge(table[["state_fips", "state_usps"]], on="state_fips")[
        ["state_fips", "state_usps", "geometry"]
    ]


def warm() -> None:
    """Build the raw folder's county and state shapes, in both projections, now: a process that
    forks kernels (the runner's zygote) does it once for all of them. The memos are keyed on
    each file's path, size and modification time."""
    for projection in TOPOJSON:
        county_geometry(projection=projection)
        state_geometry(projection=projection)
