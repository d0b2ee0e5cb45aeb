"""The county maps draw the same pixels as geopandas's ``GeoDataFrame.plot``."""

import io

import pandas as pd


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _fixture():
    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon, box

    holed = Polygon(
        [(0, 0), (40, 0), (40, 40), (0, 40)], [[(10, 10), (10, 20), (20, 20), (20, 10)]]
    )
    islands = MultiPolygon([box(50, 0, 60, 10), box(70, 0, 80, 12)])
    counties = gpd.GeoDataFrame(
        {"fips": ["01001", "01003", "01005", "01007"]},
        geometry=[holed, islands, None, box(40, 0, 50, 30)],
    )
    states = gpd.GeoDataFrame(
        {"state_usps": ["AL", "AK"]},
        geometry=[box(0, 0, 50, 40), MultiPolygon([box(50, 0, 60, 10), box(70, 0, 80, 12)])],
    )
    status = pd.DataFrame({"tfm": [1, 0], "jem": [0, 2], "wso": [0, 0]}, index=["01001", "01003"])
    return counties, states, status


def test_model_map_draws_what_geopandas_draws():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from analysis.report import maps, style

    counties, states, status = _fixture()
    fig, ax = plt.subplots(figsize=(4, 3))
    maps.model_map(ax, counties, states, status, "t")
    ours = _png(fig)

    fig, ax = plt.subplots(figsize=(4, 3))  # the geopandas layers the maps replaced
    counties.plot(ax=ax, color=maps.NO_AGREEMENT, edgecolor=maps.BORDER, linewidth=0.1)
    ax.set_axis_off()
    ax.set_aspect("equal")
    counties[counties["fips"].eq("01003")].plot(
        ax=ax, color=style.MODEL_COLORS["JEM"], edgecolor=maps.BORDER, linewidth=0.1
    )
    counties[counties["fips"].eq("01001")].plot(
        ax=ax, color=style.MODEL_COLORS["TFM"], edgecolor=maps.BORDER, linewidth=0.1
    )
    states.boundary.plot(ax=ax, color=maps.STATE_BORDER, linewidth=0.3)
    ax.set_title("t", fontsize=10.5)
    assert ours == _png(fig)


def test_polygon_paths_follow_geopandas():
    from geopandas.plotting import _PolygonPatch

    from analysis.report import maps

    counties, _, _ = _fixture()
    paths = maps.polygon_paths(counties.geometry)
    assert paths[2] is None
    for path, geometry in zip(paths, counties.geometry.normalize(), strict=True):
        if geometry is None:
            continue
        expected = _PolygonPatch(geometry).get_path()
        assert (path.vertices == expected.vertices).all() and (path.codes == expected.codes).all()


def test_county_limits_computed_once_equal_add_collection():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from analysis.report import maps

    counties, states, _ = _fixture()
    drawn = maps.shapes(counties, states)
    assert drawn.limits == []
    fig, axes = plt.subplots(1, 3)
    maps._layer(axes[0], drawn.paths, "grey")  # add_collection's own limits
    maps._layer(axes[1], drawn.paths, "grey", limits=drawn.limits)
    maps._layer(axes[2], drawn.paths, "grey", limits=drawn.limits)  # reused
    maps._layer(axes[2], drawn.paths[:1], "black", limits=())
    assert len(drawn.limits) == 1
    for ax in axes[1:]:
        assert np.array_equal(ax.dataLim.get_points(), axes[0].dataLim.get_points())
        assert np.array_equal(ax.viewLim.get_points(), axes[0].viewLim.get_points())
        assert ax.dataLim.minpos.tolist() == axes[0].dataLim.minpos.tolist()
    plt.close(fig)
