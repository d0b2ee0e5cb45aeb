"""The fast permutation engines of analysis.stats.spatial against the loops they replace."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.stats import spatial
from analysis.stats.spatial_permutations import (
    inverse_permutations,
    moran_graph,
    padded_neighbours,
    permuted_forms,
)


def grid(rows: int, cols: int):
    cells = [box(c, -r, c + 1, -r + 1) for r in range(rows) for c in range(cols)]
    ids = [f"{i:04d}" for i in range(rows * cols)]
    return gpd.GeoDataFrame({"fips": ids}, geometry=cells)


def outcome_sequence(n: int, steps: int, seed: int) -> np.ndarray:
    """0/1 outcomes that gain and lose a few units from one step to the next."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(float)
    out = []
    for _ in range(steps):
        flip = rng.choice(n, size=rng.integers(0, 6), replace=False)
        y = y.copy()
        y[flip] = 1 - y[flip]
        out.append(y)
    return np.stack(out)


def test_permuted_forms_equal_the_direct_sums():
    weights = spatial.queen_weights(grid(7, 9))
    sparse = weights.row_standardized["sparse"]
    indptr, indices = sparse.indptr, sparse.indices
    scale, edges, columns = moran_graph(indptr, indices)
    rng = np.random.default_rng(1)
    n = len(weights.ids)
    draws = np.stack([rng.permutation(n) for _ in range(37)])
    ys = outcome_sequence(n, 12, 2)
    q, c = permuted_forms(
        draws, inverse_permutations(draws), *padded_neighbours(indptr, indices, edges),
        columns, ys,
    )  # fmt: skip
    dense = sparse.toarray()
    for s, y in enumerate(ys):
        labels = y[draws]  # one relabelling per row
        lwl = np.einsum("ki,ij,kj->k", labels, dense, labels)
        assert np.allclose(q[s] / (2 * scale), lwl, rtol=0, atol=1e-9)
        assert np.allclose(c[s] / scale, labels @ dense.sum(axis=0), rtol=0, atol=1e-9)
    ones = np.ones(len(indices), dtype=np.int64)
    q, c = permuted_forms(
        draws, inverse_permutations(draws), *padded_neighbours(indptr, indices, ones),
        np.diff(indptr), ys,
    )  # fmt: skip
    binary = (dense > 0).astype(int)
    for s, y in enumerate(ys):
        labels = y[draws].astype(int)
        assert np.array_equal(q[s], np.einsum("ki,ij,kj->k", labels, binary, labels))
        assert np.array_equal(c[s], labels @ binary.sum(axis=1))


@pytest.mark.parametrize(("rows", "cols", "permutations"), [(3, 3, 999), (6, 8, 199)])
def test_by_snapshot_equals_the_loop_over_dates(rows, cols, permutations):
    """The 3 x 3 lattice gives many relabellings with exactly the observed Moran's I: those
    go through esda's operations, so the p-values are the loop's to the last bit."""
    shapes = grid(rows, cols)
    weights = spatial.queen_weights(shapes)
    ys = outcome_sequence(len(shapes), 9, 3)
    ys[0] = 0  # a constant outcome: NaN statistics
    long = pd.concat(
        [pd.DataFrame({"fips": shapes.fips, "y": y, "snapshot_date": pd.Timestamp("2025-01-01")
                       + pd.Timedelta(days=int(d))}) for d, y in enumerate(ys[::-1])]
    ).sample(frac=1, random_state=4)  # fmt: skip
    fast = spatial.autocorrelation_by_snapshot(long, weights, outcome="y",
                                               permutations=permutations, seed=5)  # fmt: skip
    after_fast = np.random.random()
    rows_ = []
    for date, frame in long.groupby("snapshot_date", sort=True):
        y = spatial._values(frame.set_index("fips")["y"], weights)
        rows_.append({"snapshot_date": date, **spatial._global(y, weights, permutations, 5)})
    after_loop = np.random.random()
    loop = pd.DataFrame(rows_)
    pd.testing.assert_frame_equal(fast, loop, check_exact=True)
    assert after_fast == after_loop


def test_by_snapshot_checks_each_date():
    shapes = grid(3, 3)
    weights = spatial.queen_weights(shapes)
    frame = pd.DataFrame({"fips": shapes.fips, "y": 1.0, "snapshot_date": "a"})
    with pytest.raises(ValueError, match="no value"):
        spatial.autocorrelation_by_snapshot(frame.iloc[1:], weights, outcome="y")
    with pytest.raises(ValueError, match="more than one"):
        spatial.autocorrelation_by_snapshot(pd.concat([frame, frame]), weights, outcome="y")
    with pytest.raises(ValueError, match="missing"):
        spatial.autocorrelation_by_snapshot(frame.assign(y=np.nan), weights, outcome="y")


def loop_local_p_sim(local: dict, permutations: int, seed: int) -> np.ndarray:
    """The unit-by-unit loop the engine replaced (itself checked against esda)."""
    z, n = local["z"], local["n"]
    adj = local["sparse"].tocsr(copy=True)
    self_weights = adj.diagonal()
    adj.setdiag(0)
    adj.eliminate_zeros()
    other = adj.data.astype(z.dtype)
    cards = np.diff(adj.indptr)
    ids = spatial._crand_ids(n, int(cards.max()), permutations, seed)
    scaling = (n - 1) / (z * z).sum()
    p_sim = np.zeros(n, dtype=np.float32)
    start = 0
    for i in range(n):
        card = cards[i]
        weights_i = other[start : start + card]
        start += card
        zrand = np.delete(z, i)[ids[:, :card].ravel()].reshape(-1, card)
        rstats = (zrand @ weights_i + self_weights[i] * z[i]) * (z[i] * scaling)
        larger = int((rstats >= local["Is"][i]).sum())
        if (permutations - larger) < larger:
            larger = permutations - larger
        p_sim[i] = (larger + 1.0) / (permutations + 1.0)
    return p_sim


@pytest.mark.parametrize("binary", [True, False])
def test_local_p_sim_equals_the_unit_loop(binary):
    weights = spatial.queen_weights(grid(9, 11))
    rng = np.random.default_rng(8)
    y = (rng.random(99) < 0.3).astype(float) if binary else rng.normal(size=99)
    local = spatial._local_moran(y, weights)
    fast = spatial._local_p_sim(local, 299, 9)
    assert fast.dtype == np.float32 and np.array_equal(fast, loop_local_p_sim(local, 299, 9))
