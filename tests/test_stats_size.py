"""The size of the atlas's tests under spatially smooth null data: a toy lattice (fast) and the
real county adjacency (mirror)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import size


def _lattice(n_side: int = 24, block: int = 4) -> size.Adjacency:
    """An n_side x n_side queen lattice cut into block x block 'states'."""
    rows, cols = np.divmod(np.arange(n_side * n_side), n_side)
    ids = [f"{r:02d}{c:02d}" for r, c in zip(rows, cols, strict=True)]
    states = [f"S{r // block}{c // block}" for r, c in zip(rows, cols, strict=True)]
    edges = [
        (f"{r:02d}{c:02d}", f"{r + dr:02d}{c + dc:02d}")
        for r, c in zip(rows, cols, strict=True)
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if (dr or dc) and 0 <= r + dr < n_side and 0 <= c + dc < n_side
    ]
    return size.Adjacency.of(ids, states, pd.DataFrame(edges, columns=["fips", "neighbor_fips"]))


def test_smoothing_matrix_averages_self_and_neighbours():
    adjacency = _lattice(3, 3)
    one = size.smoothing_matrix(adjacency, 1).toarray()
    np.testing.assert_allclose(one.sum(axis=1), 1)
    assert one[4, 4] == pytest.approx(1 / 9)  # the centre has 8 neighbours
    assert one[0, 0] == pytest.approx(1 / 4)  # a corner has 3
    two = size.smoothing_matrix(adjacency, 2).toarray()
    np.testing.assert_allclose(two, one @ one)
    np.testing.assert_allclose(size.smoothing_matrix(adjacency, 0).toarray(), np.eye(9))


def test_null_draws_threshold_to_the_share():
    adjacency = _lattice()
    x, y = size.null_draws(
        adjacency, 5, np.random.default_rng(0), smoothing_steps=1, outcome_share=0.25
    )
    assert x.shape == y.shape == (576, 5)
    assert (y.sum(axis=0) == 144).all()


def test_null_outcome_is_one_where_the_rank_is_below_the_count():
    # The outcome is 1 on the units ranked (stable, descending) below round(share * n): the
    # units a double argsort ranks there, ties included.
    adjacency = _lattice()
    x, y = size.null_draws(
        adjacency, 7, np.random.default_rng(4), smoothing_steps=2, outcome_share=0.3
    )
    rng = np.random.default_rng(4)
    smooth = size.smoothing_matrix(adjacency, 2)
    np.testing.assert_array_equal(x, smooth @ rng.standard_normal((576, 7)))
    latent = smooth @ rng.standard_normal((576, 7))
    for values in (latent, np.round(latent, 1)):  # the second with many ties
        order = np.argsort(-values, axis=0, kind="stable")
        ranks = np.argsort(order, axis=0, kind="stable")
        first = np.zeros(values.shape)
        np.put_along_axis(first, order[:173], 1.0, axis=0)
        np.testing.assert_array_equal(first, (ranks < 173).astype(float))
    ranks = np.argsort(np.argsort(-latent, axis=0, kind="stable"), axis=0, kind="stable")
    np.testing.assert_array_equal(y, (ranks < 173).astype(float))


def test_toy_lattice_iid_test_over_rejects_and_clustered_tests_do_not():
    table = size.size_simulation(
        _lattice(30, 6), n_draws=300, seed=3, smoothing_steps=1, n_permutations=99
    )
    rate = table.set_index("test").rejection_rate
    assert rate["iid_t"] > 0.15 and rate["within_permutation"] > 0.10
    # 25 clusters; the binomial sd of a 5% rate over 300 draws is 1.3 pp.
    assert rate["cluster_pooled"] <= 0.09 and rate["cluster_within"] <= 0.09


def test_same_seed_same_table_and_tests_do_not_interact():
    adjacency = _lattice(12, 4)
    first = size.size_simulation(adjacency, n_draws=20, seed=5, n_permutations=19)
    again = size.size_simulation(adjacency, n_draws=20, seed=5, n_permutations=19)
    pd.testing.assert_frame_equal(first, again)
    alone = size.size_simulation(adjacency, n_draws=20, seed=5, tests=["cluster_within"])
    assert alone.rejections.iloc[0] == first.set_index("test").rejections["cluster_within"]
    assert list(first.columns) == size.SIZE_COLUMNS


def test_bad_arguments_are_named():
    adjacency = _lattice(6, 3)
    with pytest.raises(ValueError, match="unknown tests"):
        size.size_simulation(adjacency, tests=["bonferroni"])
    with pytest.raises(ValueError, match="outcome_share"):
        size.size_simulation(adjacency, outcome_share=1.5)
    with pytest.raises(ValueError, match="not units"):
        size.Adjacency.of(["a"], ["S"], pd.DataFrame({"fips": ["a"], "neighbor_fips": ["b"]}))


@pytest.mark.mirror
def test_clustered_tests_hold_their_size_on_the_real_county_adjacency(raw_dir):
    """1,000 draws of independent noise, each smoothed once over neighbours, on the 3,144
    counties (queen contiguity from the 2023 polygons): the state-clustered tests reject at
    most 7% at a nominal 5% (the binomial sd of a 5% rate over 1,000 draws is 0.7 pp), while
    the iid t-test, the previous q-values' test, rejects far more often."""
    adjacency = size.county_adjacency(raw_dir)
    assert adjacency.ids.size == 3144 and np.unique(adjacency.clusters).size == 51
    table = size.size_simulation(
        adjacency,
        n_draws=1_000,
        seed=20250530,
        smoothing_steps=1,
        tests=["iid_t", "cluster_pooled", "cluster_within"],
    )
    rate = table.set_index("test").rejection_rate
    assert rate["cluster_pooled"] <= 0.07, table.to_string()
    assert rate["cluster_within"] <= 0.07, table.to_string()
    assert rate["iid_t"] > 0.10, table.to_string()
