"""The interactive county choropleth of report 30: hover a county to read its agencies.

Built with Altair (a Vega-Lite spec); the Vega, Vega-Lite and vega-embed JavaScript comes from
``vl_convert.javascript_bundle()`` and is written into the page itself, so the map works offline
and the page requests nothing. The static PNG map stays in the report for print.

County shapes are the atlas's pre-projected 2023 polygons (``analysis.geo.shapes``, y north-up),
simplified to ``tolerance`` screen units (the atlas is 975 units wide) and rounded to one decimal,
which keeps the page small; the map is drawn with Vega's identity projection.
"""

from __future__ import annotations

import json
from html import escape

import pandas as pd

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
    per_agency = (
        rows.groupby(["county_fips", "agency"], sort=True)["model"]
        .agg(lambda m: ", ".join(sorted(set(m))))
        .reset_index()
    )
    per_agency["text"] = per_agency["agency"] + " (" + per_agency["model"] + ")"
    grouped = rows.groupby("county_fips", sort=True)
    table = pd.DataFrame(
        {
            "agreements": grouped.size(),
            "models": grouped["model"].agg(lambda m: ", ".join(sorted(set(m)))),
            "first_signed": grouped["signed_corrected"].min(),
            "agency_list": per_agency.groupby("county_fips")["text"].agg("; ".join),
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


def simplified(geometries, tolerance: float, grid: float) -> list[dict]:
    """GeoJSON geometries simplified to ``tolerance`` and snapped to a ``grid`` (screen
    units); whole coordinates written as integers. A shape too small for the grid (a few tiny
    independent cities) keeps its simplified outline unsnapped rather than vanish."""
    import shapely
    from shapely.geometry import mapping

    smooth = shapely.simplify(list(geometries), tolerance, preserve_topology=True)
    snapped = shapely.set_precision(smooth, grid)
    shapes = [s if not shapely.is_empty(s) else shapely.set_precision(f, 0.01)
              for s, f in zip(snapped, smooth, strict=True)]  # fmt: skip
    out = []
    for shape in shapes:
        geometry = mapping(shape)
        out.append({"type": geometry["type"], "coordinates": _compact(geometry["coordinates"])})
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


def county_choropleth(counties, states, hover: pd.DataFrame, *, title: str,
                      tolerance: float = 1.0, grid: float = 1.0):  # fmt: skip
    """The Altair chart: counties coloured as on the static map (a Task Force Model agreement,
    else jail models only), state borders on
    top, a tooltip with the county, its agencies and models and the first signing date."""
    import altair as alt

    features = _features(counties, hover, tolerance, grid)
    shapes = states.geometry[states.geometry.notna()]
    borders = [
        {"type": "Feature", "properties": {}, "geometry": g}
        for g in simplified(shapes.boundary, tolerance, grid)
    ]
    order = [c for c in CATEGORY_COLORS if c != NO_AGREEMENT] + [NO_AGREEMENT]
    fill = alt.Color(
        "properties.category:N",
        title="287(g) models",
        scale=alt.Scale(domain=order, range=[CATEGORY_COLORS[c] for c in order]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=360),
    )
    tooltip = [
        alt.Tooltip("properties.county:N", title="County"),
        alt.Tooltip("agreements:Q", title="Agreements"),
        alt.Tooltip("models:N", title="Models"),
        alt.Tooltip("agencies:N", title="Agencies"),
        alt.Tooltip("first_signed:N", title="First signed"),
    ]
    # A county without an agreement carries only its name and category (a smaller page);
    # its tooltip fields are filled in the browser.
    defaults = {"agreements": "0", "models": "'none'", "agencies": "'none'", "first_signed": "'–'"}
    filled = {k: f"datum.properties.{k} || {v}" for k, v in defaults.items()}
    projection = {"type": "identity", "reflectY": True}
    base = (
        alt.Chart(alt.Data(values=features))
        .transform_calculate(**filled)
        .mark_geoshape(stroke="white", strokeWidth=0.15)
        .encode(color=fill, tooltip=tooltip)
        .project(**projection)
    )
    lines = (
        alt.Chart(alt.Data(values=borders))
        .mark_geoshape(filled=False, stroke=MUTED, strokeWidth=0.6)
        .project(**projection)
    )
    return (base + lines).properties(width="container", height=420, title=title)


def embed_html(chart, div_id: str, description: str) -> str:
    """The chart as HTML with the Vega bundle inline: a ``<div>`` (with an ARIA label) and two
    scripts, no URL. ``vegaEmbed`` is told not to load anything and to draw SVG."""
    import vl_convert

    spec = json.dumps(chart.to_dict(), sort_keys=True, separators=(",", ":"))
    spec = spec.replace("</", "<\\/")
    options = json.dumps({"actions": False, "renderer": "svg"})
    style = f"#{div_id}.vega-embed {{ width: 100%; display: flex; }}"
    return (
        f"<style>{style}</style>"
        f'<div class="report-map" id="{div_id}" role="img"'
        f' aria-label="{escape(description)}"></div>'
        f'<script type="text/javascript">{vl_convert.javascript_bundle()}</script>'
        f'<script type="text/javascript">vegaEmbed("#{div_id}", {spec}, {options})'
        ".catch(console.error);</script>"
    )


def show_choropleth(chart, div_id: str, description: str):
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
