"""Moran's I and join counts on a 3 x 3 queen lattice against values worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.stats import spatial

IDS = [f"{r}{c}" for r in range(3) for c in range(3)]
# Adopted: the top-left corner, its right and lower neighbours (ids 00, 01, 10).
Y = pd.Series([1, 1, 0, 1, 0, 0, 0, 0, 0], index=IDS)
# Queen neighbours, written out by hand (row-major grid).
HAND = {
    "00": ["01", "10", "11"],
    "01": ["00", "02", "10", "11", "12"],
    "02": ["01", "11", "12"],
    "10": ["00", "01", "11", "20", "21"],
    "11": ["00", "01", "02", "10", "12", "20", "21", "22"],
    "12": ["01", "02", "11", "21", "22"],
    "20": ["10", "11", "21"],
    "21": ["10", "11", "12", "20", "22"],
    "22": ["11", "12", "21"],
}


def lattice(extra_island: bool = False):
    cells = [box(c, -r, c + 1, -r + 1) for r in range(3) for c in range(3)]
    ids = list(IDS)
    if extra_island:
        cells.append(box(10, 10, 11, 11))
        ids.append("99")
    return gpd.GeoDataFrame({"fips": ids}, geometry=cells)


def test_queen_weights_match_the_hand_neighbours():
    weights = spatial.queen_weights(lattice())
    assert {k: sorted(v) for k, v in weights.w.neighbors.items()} == HAND
    assert weights.n_joins == 20 and weights.islands == () and weights.n_components == 1


def test_morans_i_and_join_counts_by_hand():
    weights = spatial.queen_weights(lattice())
    stats = spatial.global_autocorrelation(Y, weights, permutations=999, seed=3)
    z = Y - Y.mean()
    # Row-standardized: I = sum_i z_i * mean(z over neighbours of i) / sum z^2 (S0 = n).
    hand_i = sum(z[i] * np.mean([z[j] for j in HAND[i]]) for i in IDS) / (z**2).sum()
    assert hand_i == pytest.approx(179 / 720)
    assert stats["morans_i"] == pytest.approx(hand_i)
    assert stats["expected_i"] == pytest.approx(-1 / 8)
    # Joins: 00-01, 00-10, 01-10 adopted-adopted; adopted degrees 3 + 5 + 5 = 13, minus 2 x 3.
    assert (stats["join_bb"], stats["join_bw"], stats["join_ww"]) == (3, 7, 10)
    # Under random labelling E[BB] = joins * k(k-1) / (n(n-1)) = 20 * 6 / 72.
    assert stats["expected_bb"] == pytest.approx(20 * 6 / 72, abs=0.15)
    assert 0 < stats["p_sim_bb"] <= 1 and 0 < stats["p_sim"] <= 1
    again = spatial.global_autocorrelation(Y, weights, permutations=999, seed=3)
    assert again == stats


def test_a_strong_cluster_is_significant_and_a_checkerboard_negative():
    weights = spatial.queen_weights(lattice())
    half = pd.Series([1, 1, 1, 1, 1, 0, 0, 0, 0], index=IDS)
    assert spatial.global_autocorrelation(half, weights, seed=1)["morans_i"] > 0
    checker = pd.Series([1, 0, 1, 0, 1, 0, 1, 0, 1], index=IDS)
    # Rook-alternating cells are queen neighbours through their corners: still below 0.
    assert spatial.global_autocorrelation(checker, weights, seed=1)["morans_i"] < 0


def test_islands_are_left_out_and_disclosed():
    gdf = lattice(extra_island=True)
    weights = spatial.queen_weights(gdf)
    assert weights.islands == ("99",) and "99" not in weights.ids
    y = pd.concat([Y, pd.Series({"99": 1})])
    stats = spatial.global_autocorrelation(y, weights, seed=1)
    assert stats["n_counties"] == 9 and stats["morans_i"] == pytest.approx(179 / 720)
    lisa = spatial.local_clusters(y, weights, seed=1, all_ids=gdf.fips)
    assert lisa.set_index("fips").at["99", "cluster"] == spatial.NO_NEIGHBOURS
    assert lisa.set_index("fips").at["00", "quadrant"] == "high-high"


def test_constant_outcome_and_missing_values():
    weights = spatial.queen_weights(lattice())
    assert np.isnan(spatial.global_autocorrelation(Y * 0, weights)["morans_i"])
    with pytest.raises(ValueError, match="no value"):
        spatial.global_autocorrelation(Y.drop("11"), weights)


def test_by_snapshot_gives_one_row_per_date():
    weights = spatial.queen_weights(lattice())
    long = pd.concat(
        [pd.DataFrame({"fips": IDS, "y": Y.to_numpy(), "snapshot_date": d}) for d in ("b", "a")]
    )
    table = spatial.autocorrelation_by_snapshot(long, weights, outcome="y", permutations=99)
    assert table.snapshot_date.tolist() == ["a", "b"] and "morans_i" in table


def grid(size: int = 12):
    cells = [box(c, -r, c + 1, -r + 1) for r in range(size) for c in range(size)]
    return gpd.GeoDataFrame({"fips": [f"{i:04d}" for i in range(size * size)]}, geometry=cells)


@pytest.mark.parametrize("binary", [True, False])
def test_global_statistics_equal_esda_to_the_last_bit(binary):
    import esda

    weights = spatial.queen_weights(grid())
    rng = np.random.default_rng(5)
    y = (rng.random(144) < 0.3).astype(float) if binary else rng.normal(size=144)
    for seed in (0, 11):
        np.random.seed(seed)
        reference = esda.Moran(y, weights.w, transformation="r", permutations=199)
        ours = spatial._moran(y, weights, 199, seed)
        assert ours["morans_i"] == reference.I and ours["expected_i"] == reference.EI
        assert ours["z_norm"] == reference.z_norm and ours["p_norm"] == reference.p_norm
        assert ours["p_sim"] == reference.p_sim
        # the draws leave NumPy's global generator where esda leaves it
        after = np.random.random()
        np.random.seed(seed)
        [np.random.permutation(y) for _ in range(199)]
        assert np.random.random() == after
    if binary:
        joins = esda.Join_Counts(y, weights.w, permutations=0)
        ours = spatial._join_counts(y, weights)
        assert (ours["join_bb"], ours["join_bw"], ours["join_ww"]) == (joins.bb, joins.bw, joins.ww)


def test_local_moran_equals_esda_to_the_last_bit():
    """esda's numba engine is compiled once here (slow); the report no longer needs it."""
    import esda

    weights = spatial.queen_weights(grid())
    y = (np.random.default_rng(2).random(144) < 0.3).astype(float)
    reference = esda.Moran_Local(y, weights.w, transformation="r", permutations=199,
                                 seed=7, keep_simulations=False)  # fmt: skip
    ours = spatial._local_moran(y, weights)
    assert np.array_equal(ours["Is"], reference.Is) and np.array_equal(ours["q"], reference.q)
    p_sim = spatial._local_p_sim(ours, 199, 7)
    assert p_sim.dtype == reference.p_sim.dtype and np.array_equal(p_sim, reference.p_sim)


def test_join_permutations_equal_the_sparse_product():
    weights = spatial.queen_weights(grid())
    y = (np.random.default_rng(3).random(144) < 0.4).astype(float)
    binary = weights.row_standardized["sparse"].astype(bool).astype(float)
    rng = np.random.default_rng(4)
    labels = np.stack([rng.permutation(y) for _ in range(99)], axis=1)
    sim_bb = 0.5 * (labels * (binary @ labels)).sum(axis=0)
    sim_bw = (labels * np.asarray(binary.sum(axis=1))).sum(axis=0) - 2 * sim_bb
    bb, bw = 30.0, 80.0
    expected = (sim_bb.mean(), ((sim_bb >= bb).sum() + 1) / 100, ((sim_bw <= bw).sum() + 1) / 100)
    assert spatial._join_permutations(y, weights, bb, bw, 99, 4) == expected


def shapes_with_corners_holes_and_parts():
    """Polygons that meet at a corner only, along an edge with extra vertices on one side,
    a multipolygon, a polygon with a hole holding another, an island, a missing geometry."""
    from shapely.geometry import MultiPolygon, Polygon

    ring = Polygon([(0, 0), (3, 0), (3, 3), (0, 3)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]])
    cells = [
        box(0, 0, 1, 1),
        box(1, 1, 2, 2),  # meets the first at the corner (1, 1) only
        Polygon([(1, 0), (2, 0), (2, 0.5), (2, 1), (1, 1)]),  # extra vertex on the shared edge
        Polygon([(2, 0), (3, 0), (3, 1), (2, 1)]),  # shares (2, 0), (2, 1), not (2, 0.5)
        MultiPolygon([box(0, 2, 1, 3), box(5, 5, 6, 6)]),
        ring.buffer(0).difference(box(-1, -1, 10, 1.5)),
        box(1.2, 1.6, 1.8, 1.9),
        box(-0.0, 20, 1, 21),
        box(0.0, 21, 1, 22),  # shares (0, 21) with the -0.0 box
        box(50, 50, 51, 51),  # island
        None,
    ]
    return gpd.GeoDataFrame({"fips": [f"{i:02d}" for i in range(len(cells))]}, geometry=cells)


@pytest.mark.parametrize("make", [lattice, grid, shapes_with_corners_holes_and_parts])
def test_queen_weights_equal_libpysal(make):
    from libpysal.weights import Queen, W

    gdf = make()
    ours = spatial.queen_weights(gdf)
    present = gdf[gdf.geometry.notna()].reset_index(drop=True)
    full = Queen.from_dataframe(
        present, ids=present.fips.tolist(), use_index=False, silence_warnings=True
    )
    kept = [i for i in present.fips if i not in set(full.islands)]
    reference = W({i: full.neighbors[i] for i in kept}, id_order=kept, silence_warnings=True)
    assert ours.ids == tuple(kept)
    assert ours.islands == tuple(sorted(set(gdf.fips) - set(kept)))
    assert {k: sorted(v) for k, v in reference.neighbors.items()} == {
        k: list(v) for k, v in ours.neighbors.items()
    }
    reference.transform = "r"
    op, sparse = ours.row_standardized, reference.sparse.tocsr()
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(op["sparse"], part), getattr(sparse, part))
    assert (op["s0"], op["s1"], op["s2"]) == (reference.s0, reference.s1, reference.s2)
    assert ours.n_components == reference.n_components
    assert ours.n_joins == reference.nonzero // 2
