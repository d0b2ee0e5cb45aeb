"""The conditional permutation of local Moran (``esda.crand``), unit by unit as esda draws and
computes it, with the gathers of many units done together: the engine of
:func:`analysis.stats.spatial.local_clusters`."""

from __future__ import annotations

import numpy as np

_ALIGN = 8  # float64s: each unit's block of draws starts on a 64-byte boundary


def _crand_ids(n: int, max_card: int, permutations: int, seed: int) -> np.ndarray:
    """esda's conditional-randomisation draws (``esda.crand.vec_permutations``, compiled by
    numba): after ``np.random.seed(seed)``, ``np.random.choice(n - 1, max_card, replace=False)``
    per permutation, which numba computes as ``np.random.permutation(n - 1)[:max_card]`` on
    the same Mersenne Twister as NumPy's legacy generator."""
    rng = np.random.RandomState(seed)
    return np.stack([rng.permutation(n - 1)[:max_card] for _ in range(permutations)])


def _aligned(shape: tuple[int, int]) -> np.ndarray:
    """An empty float64 ``rows x length`` array whose rows start on 64-byte boundaries."""
    rows, length = shape
    stride = -(-max(length, 1) // _ALIGN) * _ALIGN
    raw = np.empty(rows * stride + _ALIGN)
    skip = (-raw.ctypes.data % 64) // 8
    return raw[skip : skip + rows * stride].reshape(rows, stride)[:, :length]


def _local_p_sim(local: dict, permutations: int, seed: int) -> np.ndarray:
    """``esda.Moran_Local``'s pseudo p-values (esda's default ``directed`` rule, float32) by
    the conditional permutation of ``esda.crand`` with the same draws and the same operations
    per unit, without compiling esda's numba engine (~30 s per process). numba's fastmath
    multiplies the lag by ``z_i * scaling`` (one product), as here: the simulated statistics
    equal esda's bit for bit, which matters because a 0/1 outcome gives many exact ties.

    Unit ``i``'s relabelled neighbours are ``delete(z, i)[ids[:, :card]]``: entry ``d`` of the
    draws reads ``z[d]`` when ``d < i`` and ``z[d + 1]`` otherwise. Taking the units of one
    cardinality in increasing order, each entry switches once from the second to the first,
    so one array is updated in place from unit to unit instead of gathered anew; each unit's
    lag is still its own ``permutations x card`` matrix-vector product, as before, so the
    floating-point results do not change."""
    z, n = local["z"], local["n"]
    adj = local["sparse"].tocsr(copy=True)
    self_weights = adj.diagonal()
    adj.setdiag(0)
    adj.eliminate_zeros()
    other = adj.data.astype(z.dtype)
    cards = np.diff(adj.indptr)
    ids = _crand_ids(n, int(cards.max()), permutations, seed)
    scaling = (n - 1) / (z * z).sum()
    observed = local["Is"]
    p_sim = np.zeros(n, dtype=np.float32)  # as esda.crand
    for card in np.unique(cards).tolist():
        drawn = np.ascontiguousarray(ids[:, :card]).ravel()
        below, above = z[drawn], z[np.minimum(drawn + 1, n - 1)]
        order = np.argsort(drawn, kind="stable")
        units = np.flatnonzero(cards == card)
        cuts = np.searchsorted(drawn[order], units, side="left").tolist()
        current = _aligned((1, permutations * card))[0]
        current[:] = above
        matrix = current.reshape(permutations, card)
        lags = np.empty((len(units), permutations))
        done = 0
        for j, (i, cut) in enumerate(zip(units.tolist(), cuts, strict=True)):
            switched = order[done:cut]  # draws below i: z[d], no longer z[d + 1]
            current[switched] = below[switched]
            done = cut
            start = adj.indptr[i]
            lags[j] = matrix @ other[start : start + card]
        rstats = (lags + (self_weights[units] * z[units])[:, None]) * (z[units] * scaling)[:, None]
        larger = (rstats >= observed[units][:, None]).sum(axis=1)
        larger = np.where(permutations - larger < larger, permutations - larger, larger)
        p_sim[units] = (larger + 1.0) / (permutations + 1.0)
    return p_sim
