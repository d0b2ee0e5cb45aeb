"""The state pages' fast paths give what the straightforward code gave: the same PNG bytes as
a new Figure (and a GeoDataFrame plot) per chart, and the same per-state tables as slicing
and merging state by state."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from shapely.geometry import MultiPolygon, Polygon, box
from site_fixtures import write_processed

from analysis.report.outputs import PNG_METADATA, PNG_PIL_KWARGS
from analysis.report.style import MODEL_COLORS, MODEL_NAMES, MODELS
from analysis.site import state_data, state_figures
from analysis.site.state_figures import CLASS_COLORS, CLASS_LABELS, DPI

DATES = pd.Index(pd.date_range("2017-01-01", "2026-01-01", freq="QS"), name="snapshot_date")


def _counts(**models) -> pd.DataFrame:
    out = pd.DataFrame(0, index=DATES, columns=MODELS)
    for model, (start, level) in models.items():
        out.loc[out.index >= pd.Timestamp(start), model] = level
    return out


TIMELINES = {  # different model sets and scales, so nothing of one state may leak into the next
    "A": _counts(TFM=("2019-01-01", 3), JEM=("2017-01-01", 40)),
    "B": _counts(WSO=("2025-04-01", 1)),
    "C": _counts(TFM=("2025-01-01", 1200), JEM=("2018-07-01", 35), WSO=("2025-02-01", 300)),
    "D": _counts(),  # never listed in the time series: an empty chart
    "E": _counts(JEM=("2020-01-01", 1)),  # B's axes, another legend
}


def _shapes() -> gpd.GeoDataFrame:
    holed = Polygon([(0, 0), (4, 0), (4, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    islands = MultiPolygon([box(5, 0, 6, 1), box(6.5, 0.5, 7, 2)])
    return gpd.GeoDataFrame(
        {"fips": ["01001", "01003", "01005", "01007", "02001", "02003"],
         "state_usps": ["A", "A", "A", "A", "B", "B"]},
        geometry=[holed, islands, box(0, 3, 3, 5), None, box(10, 10, 11, 14),
                  box(11, 10, 12, 12)],
    )  # fmt: skip


CLASSES = {
    "A": pd.Series(
        ["county_agency", "none", "other_agency", "none"],
        index=["01001", "01003", "01005", "01007"],
    ),  # fmt: skip
    "B": pd.Series(["none", "other_agency"], index=["02001", "02003"]),
}


def _old_timeline(counts: pd.DataFrame, path) -> None:
    """The timeline as it was drawn before: a new Figure per chart."""
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
    fig.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)


def _old_map(shapes, classes: pd.Series, path) -> None:
    """The county map as it was drawn before: a GeoDataFrame plot on a new Figure."""
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
    fig.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)


@pytest.mark.filterwarnings("ignore:No artists with labels found")  # state D, before and after
@pytest.mark.parametrize("blit", [True, False])
def test_reused_figures_give_the_bytes_of_a_new_figure_per_chart(tmp_path, blit):
    figures = state_figures.StateFigures(blit=blit)
    for state in ["A", "B", "C", "D", "E", "A", "B"]:
        counts = TIMELINES[state]
        _old_timeline(counts, tmp_path / "old.png")
        alt = figures.timeline(counts, state, tmp_path / "new.png")
        assert (tmp_path / "new.png").read_bytes() == (tmp_path / "old.png").read_bytes(), state
        assert alt.startswith(f"Step chart of {state}'s agreements on each ICE list from 2017")
    # With blit, A, B (and E: the same axes) and C were pasted from their first drawing.
    assert len(figures._axes_backgrounds) == (3 if blit else 0)

    shapes = _shapes()
    paths = state_figures.county_paths(shapes)
    assert [f for f, _ in paths["A"]] == ["01001", "01003", "01005"]  # 01007 has no polygon
    for state in ["A", "B", "A"]:
        own = shapes[shapes["state_usps"] == state].reset_index(drop=True)
        _old_map(own, CLASSES[state], tmp_path / "old.png")
        figures.county_map(paths[state], CLASSES[state], state, "2026-01-01", tmp_path / "new.png")
        assert (tmp_path / "new.png").read_bytes() == (tmp_path / "old.png").read_bytes(), state


def test_map_alt_text_counts_every_class():
    alt = state_figures.map_alt(CLASSES["A"], "Alpha", "2026-01-01")
    assert alt == (
        "Map of Alpha's 4 counties on 2026-01-01: 1 where a county-level agency (such as the "
        "sheriff) holds an agreement, 1 where only municipal or other agencies placed in the "
        "county do, 2 with no agreement."
    )


@pytest.fixture
def tables(tmp_path):
    write_processed(tmp_path)
    return state_data.SiteTables.read(tmp_path)


def _old_state_agreements(tables, state, documents):
    rows = tables.agreements[tables.agreements["state"] == state]
    placed = rows.merge(
        tables.agencies[state_data.AGENCY_COLUMNS].rename(columns={"status": "agency_status"}),
        on="agency_key", how="left", validate="many_to_one",
    )  # fmt: skip
    placed = placed.join(documents, on="agreement_key")
    return placed.sort_values(["agency", "model"], kind="stable").reset_index(drop=True)


def test_tables_sliced_once_equal_the_per_state_ones(tables):
    states = ["TX", "WY", "GU", "ZZ"]
    documents = state_data.latest_documents(tables.history)
    placed = state_data.placed_agreements(tables, documents)
    rows = state_data.state_rows(placed, states)
    timelines = state_data.model_timelines(tables.history, ["TX", "WY"])
    laws = state_data.laws_by_state(tables.state_policies)
    lookup = state_data.county_class_lookup(tables.agencies)
    counties = pd.Series(["48001", "48003", "48005", "56001"], name="fips")
    for state in states:
        fast = state_data.state_agreements(tables, state, documents, placed, rows[state])
        pd.testing.assert_frame_equal(fast, _old_state_agreements(tables, state, documents))
        pd.testing.assert_series_equal(
            state_data.county_classes(tables.agencies, "48", counties, lookup),
            state_data.county_classes(tables.agencies, "48", counties),
        )
        slow_laws = state_data.state_laws(tables.state_policies, state)
        if state in laws:
            pd.testing.assert_frame_equal(laws[state], slow_laws)
        else:
            assert slow_laws.empty
    for state, fast in timelines.items():
        pd.testing.assert_frame_equal(fast, state_data.model_timeline(tables.history, state))


def test_an_agreement_without_its_agency_is_an_error(tables):
    agencies = tables.agencies[tables.agencies["agency_key"] != "TX|BETA POLICE DEPARTMENT"]
    broken = state_data.SiteTables(tables.agreements, agencies, tables.history,
                                   tables.state_policies)  # fmt: skip
    documents = state_data.latest_documents(broken.history)
    with pytest.raises(ValueError, match="BETA POLICE DEPARTMENT\\|TFM' has no row"):
        state_data.state_agreements(broken, "TX", documents)


def test_law_cells_made_once_equal_the_per_state_ones(tables):
    from analysis.site.state_pages import LAW_COLUMNS, law_cells, laws_section

    policies = tables.state_policies
    shown = law_cells(policies)
    assert shown, "the fixture has laws"
    for state, laws in state_data.laws_by_state(policies).items():
        pd.testing.assert_frame_equal(shown[state], laws[LAW_COLUMNS].astype({"year": str}))
        assert laws_section(laws, state, shown[state]) == laws_section(laws, state)
