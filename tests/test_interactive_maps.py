"""The interactive map's spec, written without Altair, equals the one Altair builds."""

import pandas as pd
import pytest


def _altair_spec(im, counties, states, hover, title):
    """The reference: the layered Altair chart the spec replaces, as ``to_dict()``."""
    import altair as alt
    from shapely.geometry import mapping

    def geojson(geometries):
        return [{"type": mapping(g)["type"], "coordinates": im._compact(mapping(g)["coordinates"])}
                for g in geometries]  # fmt: skip

    import shapely

    def reference_simplified(geometries, tolerance, grid):
        smooth = shapely.simplify(list(geometries), tolerance, preserve_topology=True)
        snapped = shapely.set_precision(smooth, grid)
        return geojson(s if not shapely.is_empty(s) else shapely.set_precision(f, 0.01)
                       for s, f in zip(snapped, smooth, strict=True))  # fmt: skip

    features = im._features(counties, hover, 1.0, 1.0)
    expected_geometries = reference_simplified(counties.geometry.dropna(), 1.0, 1.0)
    assert [f["geometry"] for f in features] == expected_geometries
    borders = [{"type": "Feature", "properties": {}, "geometry": g}
               for g in reference_simplified(states.geometry.boundary, 1.0, 1.0)]  # fmt: skip
    order = [im.WITH_TFM, im.JAIL_ONLY, im.NO_AGREEMENT]
    fill = alt.Color(
        "properties.category:N",
        title="287(g) models",
        scale=alt.Scale(domain=order, range=[im.CATEGORY_COLORS[c] for c in order]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=360),
    )
    tooltip = [
        alt.Tooltip("properties.county:N", title="County"),
        alt.Tooltip("agreements:Q", title="Agreements"),
        alt.Tooltip("models:N", title="Models"),
        alt.Tooltip("agencies:N", title="Agencies"),
        alt.Tooltip("first_signed:N", title="First signed"),
    ]
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
        .mark_geoshape(filled=False, stroke=im.MUTED, strokeWidth=0.6)
        .project(**projection)
    )
    chart = (base + lines).properties(width="container", height=420, title=title)
    assert im.SCHEMA_URL == alt.SCHEMA_URL
    return chart.to_dict()


def test_spec_equals_altairs_chart():
    pytest.importorskip("altair")
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon, box

    from analysis.report import interactive_maps as im

    holed = Polygon(
        [(0, 0), (0, 40), (40, 40), (40, 0)], [[(10, 10), (20, 10), (20, 20), (10, 20)]]
    )
    islands = MultiPolygon([box(50.2, 0.4, 60.7, 10.1), box(70, 0, 80.5, 12.25)])
    tiny = box(90.1, 90.1, 90.4, 90.3)  # vanishes on the 1-unit grid: kept unsnapped
    counties = gpd.GeoDataFrame(
        {"fips": ["01001", "01003", "01005", "01007"],
         "county_name_full": ["A County", "B County", "C city", "D County"],
         "state_usps": ["AL", "AL", "AL", "AL"]},
        geometry=[holed, islands, tiny, None],
    )  # fmt: skip
    states = gpd.GeoDataFrame(
        {"state_usps": ["AL", "AK"]},
        geometry=[box(0, 0, 100.5, 100), MultiPolygon([box(200, 0, 210, 10), box(220, 0, 230, 9)])],
    )
    hover = pd.DataFrame({
        "county_fips": ["01003"], "agreements": [2], "models": ["JEM, TFM"],
        "first_signed": [pd.Timestamp("2019-07-01")], "agency_list": ["Sheriff (JEM, TFM)"],
        "category": [im.WITH_TFM],
    })  # fmt: skip
    spec = im.county_choropleth(counties, states, hover, title="t")
    assert spec == _altair_spec(im, counties, states, hover, "t")
    coordinates = [f["geometry"]["coordinates"] for f in spec["layer"][0]["data"]["values"]]
    assert isinstance(coordinates[1][0][0][0][0], int)  # whole values written as integers
    assert isinstance(coordinates[2][0][0][0], float)  # the unsnapped tiny shape
