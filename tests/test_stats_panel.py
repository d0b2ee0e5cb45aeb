"""Neighbours from geometry and the county x month risk-set panel, on hand-checkable cases."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.stats import simulate
from analysis.stats.neighbors import neighbor_edges, neighbors_from_geometry, neighbors_to_dict
from analysis.stats.panel import (
    add_state_period_indicator,
    adoption_durations,
    build_adoption_panel,
    month_range,
)

MONTHS = pd.period_range("2025-01", periods=4, freq="M")


@pytest.fixture
def four_counties():
    """A, B in S1; C, D in S2. Edges A-B, A-C, B-C, C-D. A adopts in 2025-02, B never,
    C before the window (prevalent), D in 2025-04."""
    first = pd.DataFrame(
        {
            "fips": ["A", "B", "C", "D"],
            "state": ["S1", "S1", "S2", "S2"],
            "first_adoption_month": ["2025-02", None, "2024-11", "2025-04"],
        }
    )
    neighbors = {"A": ["B", "C"], "B": ["A", "C"], "C": ["A", "B", "D"], "D": ["C", "X"]}
    mandates = pd.DataFrame({"state": ["S2"], "start_month": ["2025-03"]})
    covariates = pd.DataFrame({"fips": ["A", "B", "C", "D"], "gop": [0.5, 0.6, 0.7, 0.8]})
    return first, neighbors, mandates, covariates


def test_panel_by_hand(four_counties):
    first, neighbors, mandates, covariates = four_counties
    built = build_adoption_panel(first, MONTHS, neighbors, mandates, covariates)
    panel = built.panel
    assert built.n_prevalent == 1 and built.n_unknown_neighbors == 1  # C; D's neighbour "X"
    assert panel.fips.tolist() == ["A", "A", "B", "B", "B", "B", "D", "D", "D", "D"]
    assert panel.t.tolist() == [0, 1, 0, 1, 2, 3, 0, 1, 2, 3]
    assert panel.event.tolist() == [0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert panel.mandate_in_force.tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    # A's in-state neighbour B never adopts; its cross-state neighbour C is prevalent.
    # B's in-state neighbour A adopts in month 1, so counts from month 2 (lagged).
    # D's only neighbour is C, in its own state.
    assert panel.neighbor_share_in_state_lag1.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert panel.neighbor_share_cross_state_lag1.tolist() == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    assert panel.n_neighbors_cross_state.tolist() == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    assert panel.gop.tolist() == [0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.8, 0.8, 0.8, 0.8]
    assert panel.month.tolist() == list(MONTHS[[0, 1, 0, 1, 2, 3, 0, 1, 2, 3]])
    assert list(panel.columns[:6]) == ["fips", "state", "month", "t", "event", "mandate_in_force"]


def test_dict_and_edge_table_give_the_same_panel(four_counties):
    first, neighbors, mandates, _ = four_counties
    edges = neighbor_edges(neighbors)
    assert neighbors_to_dict(edges)["C"] == ["A", "B", "D"]
    a = build_adoption_panel(first, MONTHS, neighbors, mandates).panel
    b = build_adoption_panel(first, MONTHS, edges, mandates).panel
    pd.testing.assert_frame_equal(a, b)


def test_durations(four_counties):
    first, *_ = four_counties
    durations = adoption_durations(first, MONTHS)
    assert durations.status.tolist() == ["adopted", "censored", "prevalent", "adopted"]
    assert durations.time.tolist()[:2] == [1.0, 3.0] and np.isnan(durations.time[2])
    assert durations.event.tolist() == [1, 0, 0, 1]
    late = first.assign(first_adoption_month=["2025-02", "2025-09", None, None])
    assert adoption_durations(late, MONTHS).status.tolist()[1] == "censored"


def test_state_period_indicator_with_end_month():
    panel = pd.DataFrame(
        {"state": ["TX"] * 4 + ["OK"] * 4, "month": pd.PeriodIndex(list(MONTHS) * 2)}
    )
    periods = pd.DataFrame(
        {"state": ["TX"], "start_month": ["2025-02"], "end_month": [pd.Period("2025-03", "M")]}
    )
    out = add_state_period_indicator(panel, periods, "sb8")
    assert out.sb8.tolist() == [0, 1, 1, 0, 0, 0, 0, 0]


def test_months_must_be_consecutive():
    with pytest.raises(ValueError, match="consecutive"):
        month_range(["2025-01", "2025-03"])


def test_queen_neighbours_on_a_grid():
    boxes = [shapely.box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    frame = gpd.GeoDataFrame({"fips": [f"{k}" for k in range(9)]}, geometry=boxes)
    edges = neighbors_from_geometry(frame)
    degree = edges.groupby("fips").size()
    assert degree["4"] == 8 and degree["0"] == 3 and degree["1"] == 5
    reverse = edges.rename(columns={"fips": "neighbor_fips", "neighbor_fips": "fips"})
    pd.testing.assert_frame_equal(
        edges, reverse[edges.columns].sort_values(["fips", "neighbor_fips"], ignore_index=True)
    )


def test_missing_geometry_and_tolerance():
    frame = gpd.GeoDataFrame(
        {"fips": ["a", "b", "c"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1.01, 0, 2, 1), None],
    )
    assert neighbors_from_geometry(frame).empty
    near = neighbors_from_geometry(frame, tolerance=0.05)
    assert near.values.tolist() == [["a", "b"], ["b", "a"]]


def test_simulated_grid_neighbours_are_fast_and_cross_states():
    counties = simulate.simulate_counties(3140, 50, seed=0)
    start = time.perf_counter()
    edges = neighbors_from_geometry(simulate.grid_geometry(counties))
    assert time.perf_counter() - start < 5
    state = counties.set_index("fips").state
    cross = state[edges.fips].to_numpy() != state[edges.neighbor_fips].to_numpy()
    assert 0 < cross.mean() < 0.5
    assert edges.fips.nunique() == 3140


@pytest.mark.mirror
def test_real_county_neighbours(raw_dir):
    from analysis.geo.shapes import county_geometry

    counties = county_geometry(raw_dir, projection="lonlat")
    start = time.perf_counter()
    edges = neighbors_from_geometry(counties)
    assert time.perf_counter() - start < 5
    pairs = set(zip(edges.fips, edges.neighbor_fips, strict=True))
    assert ("48201", "48157") in pairs  # Harris and Fort Bend, Texas
    assert ("12089", "13049") in pairs  # Nassau, Florida and Charlton, Georgia (cross-state)
    assert ("04001", "08083") in pairs  # Apache AZ and Montezuma CO meet only at Four Corners
    assert all((b, a) in pairs for a, b in pairs)
    isolated = set(counties.fips) - set(edges.fips)
    assert {"15001", "25019"} <= isolated  # Hawaii County and Nantucket are islands
    assert "51610" in isolated  # Falls Church has no polygon at 1:10m
    assert len(isolated) < 15
