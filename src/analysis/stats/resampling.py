"""Seeded, vectorized resampling: within-strata permutation tests and cluster bootstraps.

Both draw from ``numpy.random.default_rng(seed)`` in a fixed order, so the same seed gives
identical results on every run (and for any ``chunk_size``: chunks only split one stream).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence

import numpy as np

# Relative slack when comparing permuted with observed statistics: ties that differ only by
# floating-point summation order still count as "at least as extreme".
_TIE_TOLERANCE = 1e-10
_KEY_SCALE = 2.0**53
_LITTLE_ENDIAN = sys.byteorder == "little"


def _strata_blocks(codes: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of equal codes in an array sorted by code."""
    if codes.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(codes)) + 1
    starts = np.r_[0, breaks]
    stops = np.r_[breaks, codes.size]
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _shuffle_blocks(permuted: np.ndarray, y: np.ndarray, keys: np.ndarray, blocks) -> None:
    """Set ``permuted[:, a:b]`` to ``y[a:b][np.argsort(keys[:, a:b], axis=1)]`` for each block
    ``(a, b)`` (``y`` a vector, ``keys`` and ``permuted`` one row per permutation; ``keys``
    either ``Generator.random`` doubles or the same as uint64 integers, times 2**53).

    The keys are ``Generator.random`` doubles, multiples of 2**-53 in [0, 1), so as integers
    they fit in 53 bits: with the code of each unit's ``y`` value (or its position in the block)
    in the low bits, one ``np.sort`` of those uint64 values puts the ``y`` values in key order,
    about twice as fast as an argsort and a gather. The order is the argsort's unless two keys
    of a block tie (probability about 2**-38 for a block of 254).
    """
    if not blocks:
        return
    values, low = np.unique(y, return_inverse=True)
    by_value = values.size <= 2**11 and not np.any(np.signbit(y) & (y == 0))
    if by_value:  # the low bits carry the code of y's value
        bits = max(values.size - 1, 1).bit_length()
        low = low.astype(np.uint64)
    else:  # the low bits carry the position in the block
        bits = max(max(b - a for a, b in blocks) - 1, 1).bit_length()
    mask = np.uint64((1 << bits) - 1)
    for a, b in blocks:
        if bits > 11:
            permuted[:, a:b] = y[a:b][np.argsort(keys[:, a:b], axis=1)]
            continue
        if keys.dtype == np.uint64:  # already the integers
            block = keys[:, a:b] << np.uint64(bits)
        else:
            block = (keys[:, a:b] * _KEY_SCALE).astype(np.uint64)
            block <<= np.uint64(bits)
        block |= low[a:b] if by_value else np.arange(b - a, dtype=np.uint64)
        block.sort(axis=1)
        block &= mask
        permuted[:, a:b] = values[block] if by_value else y[a:b][block.astype(np.intp)]


def _shuffled_rows(y: np.ndarray, keys: np.ndarray, blocks) -> np.ndarray:
    """``len(keys)`` rows of ``y`` with each block ``(a, b)`` in key order: the rows
    :func:`_shuffle_blocks` writes into copies of ``y``, built for whole rows at once.

    With few values (the usual 0/1 outcome) the packed keys of every unit are made in three
    passes over the whole matrix, each block is sorted as one contiguous copy (numpy sorts a
    contiguous array several times faster than a strided view) and written back, and one
    mask gives every row's value codes; units outside ``blocks`` keep their own code, so
    their value. Otherwise it falls back to :func:`_shuffle_blocks`. Integer ``keys`` are
    overwritten.
    """
    values, low = np.unique(y, return_inverse=True)
    bits = max(values.size - 1, 1).bit_length()
    if values.size > 2**11 or np.any(np.signbit(y) & (y == 0)):
        permuted = np.broadcast_to(y, (len(keys), y.size)).copy()
        _shuffle_blocks(permuted, y, keys, blocks)
        return permuted
    if keys.dtype == np.uint64:  # already the integers, packed in place
        packed = keys
        packed <<= np.uint64(bits)
    else:
        packed = (keys * _KEY_SCALE).astype(np.uint64)
        packed <<= np.uint64(bits)
    packed |= low.astype(np.uint64)
    for a, b in blocks:
        packed[:, a:b] = np.sort(packed[:, a:b], axis=1)
    packed &= np.uint64((1 << bits) - 1)
    if np.array_equal(values, np.arange(values.size)):  # codes are the values (0/1)
        return packed.astype(float)
    return values[packed]


def _shuffled_raw_rows(y: np.ndarray, raw: np.ndarray, blocks) -> np.ndarray:
    """:func:`_shuffled_rows` of ``y`` for the integer keys ``raw >> 11`` (``raw`` the bit
    generator's 64-bit draws, one row per permutation: the keys ``Generator.random`` makes
    them into), faster for ``y`` with at most two values (the 0/1 outcome).

    The sort runs on uint32 values: the high word of each draw (the key's top 32 bits) with
    its lowest bit replaced by the unit's value code, each stratum sorted in place (within a
    row a stratum is contiguous). Where no two keys of a stratum share their top 31 bits,
    their order is that of the full keys, so the values come out exactly as
    :func:`_shuffled_rows` puts them. A row with such a tie (about one permutation in ten
    thousand on the county map), found as two sorted neighbours less than 2 apart, is redone
    by :func:`_shuffled_rows` from its full keys. Other ``y`` go to :func:`_shuffled_rows`.
    """
    values, low = np.unique(y, return_inverse=True)
    if values.size > 2 or np.any(np.signbit(y) & (y == 0)):
        return _shuffled_rows(y, raw >> np.uint64(11), blocks)
    high = raw.view(np.uint32)[:, 1::2] if _LITTLE_ENDIAN else raw.view(np.uint32)[:, ::2]
    packed = np.bitwise_and(high, np.uint32(0xFFFFFFFE))
    packed |= low.astype(np.uint32)
    for a, b in blocks:
        packed[:, a:b].sort(axis=1)
    # Neighbours 0 or 1 apart: equal top bits (or, rarely, top bits 1 apart); pairs outside
    # the strata (unsorted) can only send a row to the exact path for nothing.
    gaps = np.subtract(packed[:, 1:], packed[:, :-1])
    tied = np.flatnonzero(gaps.min(axis=1, initial=2) <= 1)
    if np.array_equal(values, np.arange(values.size)):  # codes are the values (0/1)
        permuted = np.bitwise_and(
            packed, np.uint32(1), out=np.empty(packed.shape), casting="unsafe"
        )
    else:
        permuted = values[packed & np.uint32(1)]
    if tied.size:
        permuted[tied] = _shuffled_rows(y, raw[tied] >> np.uint64(11), blocks)
    return permuted


@functools.cache
def _raw_keys_match() -> bool:
    """Whether ``Generator.random`` is ``(next 64 random bits >> 11) * 2**-53``, one draw of the
    bit generator a double, for ``default_rng`` (true of numpy's PCG64)."""
    by_double, by_raw = np.random.default_rng(1), np.random.default_rng(1)
    doubles, raw = by_double.random(5), by_raw.bit_generator.random_raw(5)
    same = np.array_equal(doubles * _KEY_SCALE, (raw >> np.uint64(11)).astype(float))
    return same and by_double.random() == by_raw.random()  # and the same draws used up


def demean_within(x: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each column of ``x`` minus its mean within the stratum given by ``codes``."""
    x = np.asarray(x, dtype=float)
    counts = np.bincount(codes)
    columns = x.reshape(len(x), -1)
    means = np.stack(
        [np.bincount(codes, weights=col, minlength=counts.size) for col in columns.T], axis=1
    ) / counts[:, None].clip(min=1)
    return (columns - means[codes]).reshape(x.shape)


def within_strata_permutation_test(
    y,
    x,
    strata,
    *,
    n_permutations: int = 10_000,
    seed: int = 0,
    chunk_size: int = 1_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided permutation p-values for the within-stratum association of ``y`` with each
    column of ``x``, shuffling ``y`` inside strata.

    Valid only when the units of a stratum are exchangeable. Counties are not: with spatially
    smooth covariate and outcome this test rejects independent noise far more often than its
    level (:mod:`analysis.stats.size` measures it on the county adjacency), so the correlation
    atlas no longer uses it; it is kept to measure that.

    The statistic for column ``k`` is ``T_k = sum_i y_i (x_ik - mean of x_k in i's stratum)``,
    the within-stratum covariance up to a constant factor. Shuffling inside strata keeps each
    stratum's outcome count fixed, so any between-stratum association is held constant and
    ``T`` is centred on zero under the null of no within-stratum association.
    ``p = (1 + #{b: |T_k^b| >= |T_k|}) / (1 + B)``.

    Missing values in ``x`` (NaN) are allowed: each column is tested on its own complete rows.
    One matrix of random keys is drawn per chunk; a permutation of a column's complete rows is
    the order of their keys within each stratum (a uniform permutation of that subset), so a
    column's p-value depends only on the seed and its own rows, never on the other columns.
    ``y`` and ``strata`` must be complete. Returns ``(p_values, observed_statistics)``.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    x = x.reshape(len(x), -1)
    codes = np.unique(np.asarray(strata).astype(str), return_inverse=True)[1]
    if np.isnan(y).any():
        raise ValueError("y must not have missing values")
    if n_permutations < 1:
        raise ValueError("n_permutations must be at least 1")
    order = np.argsort(codes, kind="stable")
    y, x, codes = y[order], x[order], codes[order]
    n, k = x.shape

    # Columns sharing a missing-value pattern share one permuted outcome matrix.
    patterns: dict[bytes, list[int]] = {}
    observed_rows = ~np.isnan(x)
    for j in range(k):
        patterns.setdefault(observed_rows[:, j].tobytes(), []).append(j)
    groups = []
    observed_stat = np.full(k, np.nan)
    for cols in patterns.values():
        rows = np.flatnonzero(observed_rows[:, cols[0]])
        sub_codes = codes[rows]
        xd = demean_within(x[np.ix_(rows, cols)], sub_codes)
        y_sub = y[rows]
        # Only strata where the outcome varies change under a shuffle.
        blocks = [
            (a, b) for a, b in _strata_blocks(sub_codes) if b - a > 1 and np.ptp(y_sub[a:b]) > 0
        ]
        observed_stat[cols] = y_sub @ xd
        groups.append((cols, rows, y_sub, xd, blocks))

    exceed = np.zeros(k)
    rng = np.random.default_rng(seed)
    for start in range(0, n_permutations, chunk_size):
        size = min(chunk_size, n_permutations - start)
        keys = rng.random((size, n))
        for cols, rows, y_sub, xd, blocks in groups:
            sub_keys = keys[:, rows]
            permuted = np.broadcast_to(y_sub, (size, y_sub.size)).copy()
            _shuffle_blocks(permuted, y_sub, sub_keys, blocks)
            stat = permuted @ xd
            threshold = np.abs(observed_stat[cols]) * (1 - _TIE_TOLERANCE) - _TIE_TOLERANCE
            exceed[cols] += (np.abs(stat) >= threshold).sum(axis=0)
    return (exceed + 1) / (n_permutations + 1), observed_stat


def within_strata_permutation_columns(
    y,
    x,
    strata,
    *,
    n_permutations: int,
    seeds: Sequence,
    chunk_size: int = 1_000,
) -> np.ndarray:
    """Permutation p-value of each column of ``y`` against the matching column of ``x`` (both
    n x k, complete), column ``j`` seeded by ``seeds[j]``: the same numbers as
    ``within_strata_permutation_test(y[:, j], x[:, j], strata, n_permutations=...,
    seed=seeds[j], chunk_size=...)[0][0]``, with the strata sorted and ``x`` demeaned once for
    all columns (faster for many columns, e.g. a simulation's draws)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    y, x = y.reshape(len(y), -1), x.reshape(len(x), -1)
    if y.shape != x.shape or len(seeds) != y.shape[1]:
        raise ValueError("y, x and seeds must have one column (seed) per test")
    if np.isnan(y).any() or np.isnan(x).any():
        raise ValueError("y and x must not have missing values")
    if n_permutations < 1:
        raise ValueError("n_permutations must be at least 1")
    codes = np.unique(np.asarray(strata).astype(str), return_inverse=True)[1]
    order = np.argsort(codes, kind="stable")
    y, x, codes = y[order], x[order], codes[order]
    n, k = x.shape
    xd = demean_within(x, codes)
    y_rows = np.ascontiguousarray(y.T)
    exceed = np.zeros(k)
    blocks = np.array(_strata_blocks(codes), dtype=np.intp).reshape(-1, 2)
    for j in range(k):
        y_j, xd_j = y_rows[j], xd[:, [j]]
        threshold = np.abs(y_j @ xd_j) * (1 - _TIE_TOLERANCE) - _TIE_TOLERANCE
        # Only strata where the outcome varies change under a shuffle.
        varying = []
        if blocks.size:
            spread = np.maximum.reduceat(y_j, blocks[:, 0]) - np.minimum.reduceat(y_j, blocks[:, 0])
            varying = [(a, b) for a, b in blocks[spread > 0].tolist() if b - a > 1]
        rng = np.random.default_rng(seeds[j])
        for start in range(0, n_permutations, chunk_size):
            size = min(chunk_size, n_permutations - start)
            if _raw_keys_match():  # rng.random's doubles as integers, without the doubles
                raw = rng.bit_generator.random_raw((size, n))
                permuted = _shuffled_raw_rows(y_j, raw, varying)
            else:
                permuted = _shuffled_rows(y_j, rng.random((size, n)), varying)
            exceed[j] += (np.abs(permuted @ xd_j) >= threshold).sum(axis=0)[0]
    return (exceed + 1) / (n_permutations + 1)


def cluster_bootstrap_counts(
    n_clusters: int, n_boot: int, seed: int | Sequence[int] = 0
) -> np.ndarray:
    """How often each cluster is drawn in each of ``n_boot`` cluster-bootstrap samples
    (``n_boot x n_clusters`` integers, each row summing to ``n_clusters``).

    Statistics that are sums over clusters are then one matrix product away:
    ``counts @ per_cluster_sums`` gives every replicate's totals.
    """
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=n_boot)


def percentile_interval(replicates, alpha: float = 0.05) -> tuple[float, float]:
    """Percentile bootstrap interval, ignoring replicates that are not finite."""
    values = np.asarray(replicates, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
