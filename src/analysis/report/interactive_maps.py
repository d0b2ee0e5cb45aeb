"""The interactive county choropleth of report 30: hover a county to read its agencies.

A Vega-Lite spec, written out as the dict Altair would produce; the Vega, Vega-Lite and
vega-embed JavaScript is ``vl_convert.javascript_bundle()`` (kept as a file of the environment,
``report.vega_bundle``) and is written into the page itself, so the map works offline and the
page requests nothing. The static PNG map stays in the report for print.

County shapes are the atlas's pre-projected 2023 polygons (``analysis.geo.shapes``, y north-up),
simplified to ``tolerance`` screen units (the atlas is 975 units wide) and rounded to one decimal,
which keeps the page small; the map is drawn with Vega's identity projection.
"""

from __future__ import annotations

import json
from html import escape

import pandas as pd

from analysis.report import vega_bundle
from analysis.report.style import MODEL_COLORS, MUTED

NO_AGREEMENT = "no agreement"
WITH_TFM = "Task Force Model (with or without jail models)"
JAIL_ONLY = "jail models only (JEM and/or WSO)"
CATEGORY_COLORS = {WITH_TFM: MODEL_COLORS["TFM"], JAIL_ONLY: MODEL_COLORS["JEM"],
                   NO_AGREEMENT: "#E8E8E8"}  # fmt: skip
"""The static map's categories and colours (``report.maps.model_map``)."""


def county_hover(placed: pd.DataFrame) -> pd.DataFrame:
    """Per county with a placed agreement (rows of ``study.exposure.placed_agreements`` with a
    ``county_fips``): its agencies with their models, its models, the agreement count and the
    earliest signing date (corrected where ICE's date was flagged)."""
    rows = placed[placed["county_fips"].notna()]
    # The models per county and per county and agency, on plain values (a groupby with a
    # Python function per group costs more than the data): sorted as the groupby sorts them.
    models: dict[str, set] = {}
    agency_models: dict[str, dict[str, set]] = {}
    for fips, agency, model in zip(
        rows["county_fips"].tolist(), rows["agency"].tolist(), rows["model"].tolist(), strict=True
    ):
        models.setdefault(fips, set()).add(model)
        if agency == agency:  # a missing agency: the groupby leaves the row out
            agency_models.setdefault(fips, {}).setdefault(agency, set()).add(model)
    grouped = rows.groupby("county_fips", sort=True)
    agreements = grouped.size()
    counties = agreements.index.tolist()
    lists = {
        fips: "; ".join(f"{a} ({', '.join(sorted(m))})" for a, m in sorted(per.items()))
        for fips, per in agency_models.items()
    }
    table = pd.DataFrame(
        {
            "agreements": agreements,
            "models": pd.Series(
                [", ".join(sorted(models[f])) for f in counties], index=agreements.index
            ),  # fmt: skip
            "first_signed": grouped["signed_corrected"].min(),
            "agency_list": pd.Series([lists.get(f) for f in counties], index=agreements.index),
        }
    )
    table["category"] = [WITH_TFM if "TFM" in m.split(", ") else JAIL_ONLY for m in table["models"]]
    return table.reset_index()


def _compact(value):
    if isinstance(value, float):
        return int(value) if value == int(value) else value
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value


def _ring_lists(coords, starts) -> list[list]:
    """Each run of ``coords`` (``starts``: where each begins) as a list of ``[x, y]``, whole
    values as ``int`` (what :func:`_compact` of shapely's ``mapping`` gives, built from arrays)."""
    import numpy as np

    whole = np.logical_and.reduceat((coords == np.trunc(coords)).all(axis=1), starts)
    out = []
    for ring, is_whole in zip(np.split(coords, starts[1:]), whole, strict=True):
        if is_whole:
            out.append(ring.astype(np.int64).tolist())
        else:
            out.append([[int(v) if v == int(v) else v for v in xy] for xy in ring.tolist()])
    return out


def _coordinates(shapes) -> list:
    """GeoJSON ``coordinates`` of (Multi)Polygons and (Multi)LineStrings, compacted."""
    import numpy as np
    import shapely

    parts, part_of = shapely.get_parts(shapes, return_index=True)
    is_polygon = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    if is_polygon.all():
        rings, ring_of = shapely.get_rings(parts, return_index=True)
    elif not is_polygon.any():
        rings, ring_of = parts, np.arange(len(parts))
    else:
        raise ValueError("simplified: polygons and lines mixed in one call")
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    starts = np.flatnonzero(np.r_[True, coord_of[1:] != coord_of[:-1]])
    lists = _ring_lists(coords, starts)
    per_part = [[] for _ in parts] if is_polygon.all() else lists
    if is_polygon.all():
        for ring, part in zip(lists, ring_of.tolist(), strict=True):
            per_part[part].append(ring)
    per_shape = [[] for _ in shapes]
    for item, shape in zip(per_part, part_of.tolist(), strict=True):
        per_shape[shape].append(item)
    return per_shape


def simplified(geometries, tolerance: float, grid: float) -> list[dict]:
    """GeoJSON geometries simplified to ``tolerance`` and snapped to a ``grid`` (screen
    units); whole coordinates written as integers. A shape too small for the grid (a few tiny
    independent cities) keeps its simplified outline unsnapped rather than vanish."""
    import numpy as np
    import shapely
    from shapely.geometry import mapping

    smooth = shapely.simplify(np.asarray(list(geometries), dtype=object), tolerance,
                              preserve_topology=True)  # fmt: skip
    snapped = shapely.set_precision(smooth, grid)
    empty = shapely.is_empty(snapped)
    if empty.any():
        snapped[empty] = shapely.set_precision(smooth[empty], 0.01)
    kinds = shapely.get_type_id(snapped)
    simple = np.isin(kinds, [1, 3, 5, 6])  # (Multi)LineString, (Multi)Polygon
    polygons = simple & np.isin(kinds, [3, 6])
    out: list[dict | None] = [None] * len(snapped)
    for chosen in (polygons, simple & ~polygons):
        index = np.flatnonzero(chosen)
        if not len(index):
            continue
        for i, coordinates in zip(index, _coordinates(snapped[index]), strict=True):
            multi = kinds[i] in (5, 6)
            out[i] = {"type": snapped[i].geom_type,
                      "coordinates": coordinates if multi else coordinates[0]}  # fmt: skip
    for i in np.flatnonzero(~simple):  # anything else (a collection): shapely's own mapping
        geometry = mapping(snapped[i])
        out[i] = {"type": geometry["type"], "coordinates": _compact(geometry["coordinates"])}
    return out


def _features(counties, hover: pd.DataFrame, tolerance: float, grid: float) -> list[dict]:
    info = hover.set_index("county_fips").to_dict("index")
    shapes = counties[counties.geometry.notna()]
    geometries = simplified(shapes.geometry, tolerance, grid)
    features = []
    for fips, name, state, geometry in zip(
        shapes["fips"], shapes["county_name_full"], shapes["state_usps"], geometries, strict=True
    ):
        item = info.get(fips)
        signed = item["first_signed"] if item else pd.NaT
        properties = {
            "county": f"{name}, {state}",
            "category": item["category"] if item else NO_AGREEMENT,
            "agreements": int(item["agreements"]) if item else 0,
            "agencies": item["agency_list"] if item else "none",
            "models": item["models"] if item else "none",
            "first_signed": "–" if pd.isna(signed) else signed.strftime("%Y-%m-%d"),
        }
        if not item:  # the tooltip of a county without an agreement: its name and category
            properties = {k: properties[k] for k in ("county", "category")}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
"""The Vega-Lite schema of the spec (Altair 6.x's ``alt.SCHEMA_URL``)."""


def county_choropleth(counties, states, hover: pd.DataFrame, *, title: str,
                      tolerance: float = 1.0, grid: float = 1.0) -> dict:  # fmt: skip
    """The Vega-Lite spec (a dict): counties coloured as on the static map (a Task Force Model
    agreement, else jail models only), state borders on top, a tooltip with the county, its
    agencies and models and the first signing date.

    Written out directly: it is the dict Altair's ``Chart.to_dict()`` gives for the same layered
    ``mark_geoshape`` chart (a test checks this against Altair), without Altair's import and
    schema validation (several seconds on 3,144 counties)."""
    features = _features(counties, hover, tolerance, grid)
    shapes = states.geometry[states.geometry.notna()]
    borders = [
        {"type": "Feature", "properties": {}, "geometry": g}
        for g in simplified(shapes.boundary, tolerance, grid)
    ]
    order = [c for c in CATEGORY_COLORS if c != NO_AGREEMENT] + [NO_AGREEMENT]
    fill = {
        "field": "properties.category",
        "legend": {"direction": "vertical", "labelLimit": 360, "orient": "bottom"},
        "scale": {"domain": order, "range": [CATEGORY_COLORS[c] for c in order]},
        "title": "287(g) models",
        "type": "nominal",
    }
    tooltip = [
        {"field": field, "title": label, "type": kind}
        for field, label, kind in (
            ("properties.county", "County", "nominal"),
            ("agreements", "Agreements", "quantitative"),
            ("models", "Models", "nominal"),
            ("agencies", "Agencies", "nominal"),
            ("first_signed", "First signed", "nominal"),
        )
    ]
    # A county without an agreement carries only its name and category (a smaller page);
    # its tooltip fields are filled in the browser.
    defaults = {"agreements": "0", "models": "'none'", "agencies": "'none'", "first_signed": "'–'"}
    filled = [{"calculate": f"datum.properties.{k} || {v}", "as": k} for k, v in defaults.items()]
    projection = {"reflectY": True, "type": "identity"}
    base = {
        "data": {"values": features},
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.15},
        "encoding": {"color": fill, "tooltip": tooltip},
        "projection": dict(projection),
        "transform": filled,
    }
    lines = {
        "data": {"values": borders},
        "mark": {"type": "geoshape", "filled": False, "stroke": MUTED, "strokeWidth": 0.6},
        "projection": dict(projection),
    }
    return {
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300}},
        "layer": [base, lines],
        "height": 420,
        "title": title,
        "width": "container",
        "$schema": SCHEMA_URL,
    }


def embed_html(chart: dict, div_id: str, description: str) -> str:
    """The chart (a Vega-Lite spec) as HTML with the Vega bundle inline: a ``<div>`` (with an
    ARIA label) and two scripts, no URL. ``vegaEmbed`` is told not to load anything and to draw
    SVG."""
    spec = json.dumps(chart, sort_keys=True, separators=(",", ":"))
    spec = spec.replace("</", "<\\/")
    options = json.dumps({"actions": False, "renderer": "svg"})
    style = f"#{div_id}.vega-embed {{ width: 100%; display: flex; }}"
    return (
        f"<style>{style}</style>"
        f'<div class="report-map" id="{div_id}" role="img"'
        f' aria-label="{escape(description)}"></div>'
        f'<script type="text/javascript">{vega_bundle.javascript_bundle()}</script>'
        f'<script type="text/javascript">vegaEmbed("#{div_id}", {spec}, {options})'
        ".catch(console.error);</script>"
    )


def show_choropleth(chart: dict, div_id: str, description: str):
    """``embed_html`` as a displayable ``IPython.display.HTML``."""
    from IPython.display import HTML

    return HTML(embed_html(chart, div_id, description))


def county_table(hover: pd.DataFrame, counties) -> pd.DataFrame:
    """The counties of the map that have an agreement, as a table for the reader: county,
    state, agreements, models, agencies (with their models) and the first signing date."""
    names = counties[["fips", "county_name_full", "state_usps"]]
    table = hover.merge(names, left_on="county_fips", right_on="fips", how="left",
                        validate="one_to_one")  # fmt: skip
    if table["county_name_full"].isna().any():
        missing = table.loc[table["county_name_full"].isna(), "county_fips"].tolist()
        raise ValueError(f"counties with agreements missing from the county shapes: {missing}")
    return table.rename(
        columns={"county_name_full": "county", "state_usps": "state", "agency_list": "agencies"}
    )[  # fmt: skip
        ["county", "state", "county_fips", "agreements", "models", "agencies", "first_signed"]
    ].sort_values(["state", "county"], ignore_index=True)
