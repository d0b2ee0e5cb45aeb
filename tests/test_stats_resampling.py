"""Within-strata permutation test, cluster bootstrap and BH q-values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.stats.multiple_testing import bh_qvalues
from analysis.stats.resampling import (
    _shuffle_blocks,
    _shuffled_raw_rows,
    _shuffled_rows,
    cluster_bootstrap_counts,
    demean_within,
    percentile_interval,
    within_strata_permutation_columns,
    within_strata_permutation_test,
)


def _confounded_sample(n_per_stratum=40, n_strata=10, within=0.0, seed=0):
    """x and y both depend on the stratum (a between association); within strata y depends
    on x only through ``within``."""
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.arange(n_strata), n_per_stratum)
    level = np.linspace(-1.5, 1.5, n_strata)[strata]
    x = level + rng.normal(size=strata.size)
    p = 1 / (1 + np.exp(-(2 * level + within * (x - level))))
    y = (rng.random(strata.size) < p).astype(float)
    return y, x, strata


def test_same_seed_same_p_values_and_chunking_does_not_matter():
    y, x, strata = _confounded_sample(within=0.1)
    first = within_strata_permutation_test(y, x, strata, n_permutations=2_000, seed=4)
    again = within_strata_permutation_test(y, x, strata, n_permutations=2_000, seed=4)
    chunked = within_strata_permutation_test(
        y, x, strata, n_permutations=2_000, seed=4, chunk_size=333
    )
    other = within_strata_permutation_test(y, x, strata, n_permutations=2_000, seed=5)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[0], chunked[0])
    assert not np.array_equal(first[0], other[0])


def test_matches_exact_enumeration_on_a_tiny_example():
    """Two strata of four: all 4! x 4! = 576 within-strata permutations enumerated by hand."""
    y = np.array([1, 0, 1, 0, 1, 1, 0, 0], dtype=float)
    x = np.array([3.0, 1.0, 2.5, 0.5, 2.0, 1.5, 0.0, 1.0])
    strata = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    xd = demean_within(x, strata)
    observed = abs(y @ xd)
    stats = [
        abs(np.r_[y[:4][list(a)], y[4:][list(b)]] @ xd)
        for a in itertools.permutations(range(4))
        for b in itertools.permutations(range(4))
    ]
    exact = np.mean(np.array(stats) >= observed - 1e-12)
    p, stat = within_strata_permutation_test(y, x, strata, n_permutations=20_000, seed=1)
    assert stat[0] == pytest.approx(y @ xd)
    assert abs(p[0] - exact) < 0.01  # Monte Carlo error with 20,000 draws is about 0.002


def test_p_values_are_uniform_under_within_null_despite_between_confounding():
    """200 data sets where x and y are associated only between strata: the within-strata test
    rejects at 5% about 5% of the time (binomial 99.9% band 1.5%-10.5%)."""
    rejections = 0
    for rep in range(200):
        y, x, strata = _confounded_sample(n_per_stratum=20, n_strata=8, seed=100 + rep)
        p, _ = within_strata_permutation_test(y, x, strata, n_permutations=199, seed=rep)
        rejections += p[0] <= 0.05
    assert 3 <= rejections <= 21


def test_detects_a_within_stratum_association():
    y, x, strata = _confounded_sample(within=1.0, seed=3)
    p, _ = within_strata_permutation_test(y, x, strata, n_permutations=999, seed=0)
    assert p[0] == pytest.approx(1 / 1000)


def test_missing_values_use_each_column_own_rows_and_other_columns_do_not_matter():
    y, x, strata = _confounded_sample(within=0.3, seed=6)
    rng = np.random.default_rng(0)
    noisy = x + rng.normal(size=x.size)
    with_gaps = noisy.copy()
    with_gaps[rng.random(x.size) < 0.2] = np.nan
    alone, _ = within_strata_permutation_test(y, x, strata, n_permutations=500, seed=2)
    together, _ = within_strata_permutation_test(
        y, np.column_stack([x, with_gaps]), strata, n_permutations=500, seed=2
    )
    assert together[0] == alone[0]
    keep = ~np.isnan(with_gaps)
    p_gap, stat_gap = within_strata_permutation_test(
        y[keep], with_gaps[keep], strata[keep], n_permutations=500, seed=2
    )
    _, stat_together = within_strata_permutation_test(
        y, np.column_stack([x, with_gaps]), strata, n_permutations=10, seed=2
    )
    assert stat_together[1] == pytest.approx(stat_gap[0])
    assert 0 < together[1] <= 1 and 0 < p_gap[0] <= 1


def test_no_within_variation_gives_p_one():
    strata = np.repeat([0, 1, 2], 5)
    y = np.r_[np.ones(5), np.zeros(5), np.ones(5)]  # outcome constant within each stratum
    x = np.arange(15.0)
    p, stat = within_strata_permutation_test(y, x, strata, n_permutations=100, seed=0)
    assert p[0] == 1.0 and stat[0] == pytest.approx(0.0)


def test_bootstrap_counts_are_seeded_multinomial_draws():
    counts = cluster_bootstrap_counts(50, 1_000, seed=9)
    assert counts.shape == (1_000, 50)
    assert (counts.sum(axis=1) == 50).all()
    np.testing.assert_array_equal(counts, cluster_bootstrap_counts(50, 1_000, seed=9))
    assert counts.mean() == pytest.approx(1.0)
    assert percentile_interval(np.arange(101.0), 0.1) == (5.0, 95.0)
    assert np.isnan(percentile_interval([np.nan, np.inf])[0])


def test_bh_qvalues_match_statsmodels():
    rng = np.random.default_rng(0)
    p = np.r_[rng.uniform(size=40), rng.uniform(0, 0.01, size=10)]
    np.testing.assert_allclose(bh_qvalues(p), multipletests(p, method="fdr_bh")[1])


def test_bh_qvalues_hand_example_and_missing_values():
    # m = 4: sorted p 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.04, 0.04, 0.5
    q = bh_qvalues([0.03, np.nan, 0.01, 0.5, 0.02])
    np.testing.assert_allclose(q, [0.04, np.nan, 0.04, 0.5, 0.04])
    assert np.isnan(bh_qvalues([np.nan])).all()
    with pytest.raises(ValueError):
        bh_qvalues([1.5])


def test_columns_match_one_test_per_column_with_its_own_seed():
    y, x, strata = _confounded_sample(within=0.05)
    rng = np.random.default_rng(3)
    ys = np.column_stack([y, rng.permutation(y), np.round(rng.normal(size=y.size), 1)])
    xs = np.column_stack([x, x**2, rng.normal(size=x.size)])
    seeds = np.random.SeedSequence(9).spawn(3)
    columns = within_strata_permutation_columns(ys, xs, strata, n_permutations=300, seeds=seeds)
    one_by_one = [
        within_strata_permutation_test(ys[:, j], xs[:, j], strata, n_permutations=300, seed=s)[0][0]
        for j, s in enumerate(seeds)
    ]
    np.testing.assert_array_equal(columns, one_by_one)


@pytest.mark.parametrize("kind", ["binary", "many values", "signed zero"])
def test_packed_sort_equals_argsort(kind):
    rng = np.random.default_rng(11)
    n, size = 600, 50
    y = {
        "binary": (rng.random(n) < 0.3).astype(float),
        "many values": rng.normal(size=n),  # more values than 2**11: sorts positions
        "signed zero": np.where(rng.random(n) < 0.5, -0.0, 1.0),
    }[kind]
    keys = rng.random((size, n))
    blocks = [(0, 3), (3, 250), (250, 600)]
    expected = np.broadcast_to(y, (size, n)).copy()
    for a, b in blocks:
        expected[:, a:b] = y[a:b][np.argsort(keys[:, a:b], axis=1)]
    permuted = np.broadcast_to(y, (size, n)).copy()
    _shuffle_blocks(permuted, y, keys, blocks)
    np.testing.assert_array_equal(permuted, expected)
    assert np.array_equal(np.signbit(permuted), np.signbit(expected))


@pytest.mark.parametrize("kind", ["binary", "two values", "many values", "signed zero"])
@pytest.mark.parametrize("integer_keys", [False, True])
def test_whole_row_packing_equals_argsort(kind, integer_keys):
    rng = np.random.default_rng(12)
    n, size = 600, 50
    y = {
        "binary": (rng.random(n) < 0.3).astype(float),
        "two values": np.where(rng.random(n) < 0.5, 2.5, -1.0),
        "many values": rng.normal(size=n),
        "signed zero": np.where(rng.random(n) < 0.5, -0.0, 1.0),
    }[kind]
    keys = rng.random((size, n))
    blocks = [(3, 250), (260, 600)]  # units 0-2 and 250-259 stay in place
    expected = np.broadcast_to(y, (size, n)).copy()
    for a, b in blocks:
        expected[:, a:b] = y[a:b][np.argsort(keys[:, a:b], axis=1)]
    given = (keys * 2.0**53).astype(np.uint64) if integer_keys else keys
    permuted = _shuffled_rows(y, given, blocks)
    np.testing.assert_array_equal(permuted, expected)
    assert np.array_equal(np.signbit(permuted), np.signbit(expected))


def test_raw_bits_are_the_random_doubles():
    from analysis.stats.resampling import _raw_keys_match

    assert _raw_keys_match()  # else the fast path falls back to Generator.random


@pytest.mark.parametrize("kind", ["binary", "two values", "constant", "many values", "signed zero"])
def test_raw_key_rows_equal_argsort_including_ties_in_the_top_bits(kind):
    rng = np.random.default_rng(13)
    n, size = 600, 60
    y = {
        "binary": (rng.random(n) < 0.3).astype(float),
        "two values": np.where(rng.random(n) < 0.5, 2.5, -1.0),
        "constant": np.ones(n),
        "many values": rng.normal(size=n),
        "signed zero": np.where(rng.random(n) < 0.5, -0.0, 1.0),
    }[kind]
    raw = rng.bit_generator.random_raw((size, n))
    # Rows 0-9: two units of a stratum share the top 31 key bits (the uint32 sort cannot order
    # them), the lower bits deciding either way; row 10: the full 53-bit keys tie too.
    for row in range(11):
        i, j = 10 + row, 100 + 7 * row
        low_bits = rng.bit_generator.random_raw() & np.uint64(2**33 - 1)
        raw[row, j] = (raw[row, i] & ~np.uint64(2**33 - 1)) | low_bits
        values = np.unique(y)
        y[j] = values[-1] if y[i] == values[0] else values[0]  # a different value, if any
    raw[10, j] = raw[10, i]
    keys = raw >> np.uint64(11)
    blocks = [(3, 250), (260, 600)]
    expected = _shuffled_rows(y, keys.copy(), blocks)
    reference = np.broadcast_to(y, (size, n)).copy()
    for a, b in blocks:
        reference[:, a:b] = y[a:b][np.argsort(keys[:, a:b], axis=1, kind="stable")]
    np.testing.assert_array_equal(expected[:10], reference[:10])
    permuted = _shuffled_raw_rows(y, raw, blocks)
    np.testing.assert_array_equal(permuted, expected)
    assert np.array_equal(np.signbit(permuted), np.signbit(expected))
