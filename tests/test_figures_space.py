"""The LISA map draws the same pixels as the geopandas layers it replaced."""

import io

import pandas as pd


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _geopandas_lisa_map(counties, states, clusters, *, title):
    """The map as it was drawn with ``GeoDataFrame.plot``, one call per cluster."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from analysis.report.figures_space import CLUSTER_COLORS
    from analysis.report.maps import BORDER, STATE_BORDER

    fig, ax = plt.subplots(figsize=(11, 7))
    frame = counties.merge(clusters[["fips", "cluster"]], on="fips", how="left")
    frame["cluster"] = frame["cluster"].fillna("no neighbours (left out)")
    for label, color in CLUSTER_COLORS.items():
        part = frame[frame["cluster"] == label]
        if len(part):
            part.plot(ax=ax, color=color, edgecolor=BORDER, linewidth=0.1)
    states.boundary.plot(ax=ax, color=STATE_BORDER, linewidth=0.3)
    ax.set_axis_off()
    ax.set_aspect("equal")
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


def test_lisa_map_draws_what_geopandas_draws():
    import geopandas as gpd
    import matplotlib
    from shapely.geometry import MultiPolygon, Polygon, box

    matplotlib.use("agg")
    from analysis.report import figures_space

    holed = Polygon(
        [(0, 0), (40, 0), (40, 40), (0, 40)], [[(10, 10), (10, 20), (20, 20), (20, 10)]]
    )
    islands = MultiPolygon([box(50, 0, 60, 10), box(70, 0, 80, 12)])
    counties = gpd.GeoDataFrame(
        {"fips": ["01001", "01003", "01005", "01007", "01009"]},
        geometry=[holed, islands, None, box(40, 0, 50, 30), box(40, 30, 50, 40)],
    )
    states = gpd.GeoDataFrame(
        {"state_usps": ["AL", "AK"]},
        geometry=[box(0, 0, 50, 40), MultiPolygon([box(50, 0, 60, 10), box(70, 0, 80, 12)])],
    )
    clusters = pd.DataFrame(
        {
            "fips": ["01001", "01003", "01005", "01007"],
            "cluster": ["high-high", "not significant", "low-low", "high-high"],
        }
    )
    ours = _png(figures_space.lisa_map(counties, states, clusters, title="t"))
    assert ours == _png(_geopandas_lisa_map(counties, states, clusters, title="t"))
