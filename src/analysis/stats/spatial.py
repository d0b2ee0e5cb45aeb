"""Spatial autocorrelation of a 0/1 county outcome, from PySAL: contiguity weights
(``libpysal``), global Moran's I and join counts, and local Moran (LISA) clusters (``esda``).

The weights are those of ``libpysal.weights.Queen`` (polygons that share at least one boundary
vertex) and the statistics those of ``esda.Moran``, ``esda.Join_Counts`` and
``esda.Moran_Local`` (esda 2.9), computed here with libpysal's rule and esda's formulas,
operations and random draws so the numbers are theirs to the last bit (the tests compare them
with libpysal and esda), but without their per-call costs: importing libpysal (with numba and
scikit-learn) takes seconds, its queen builder loops over every vertex in Python, esda
rebuilds the sparse weights at every call, loops over Moran permutations in Python and
compiles its numba LISA engine (~30 s) in every process. Inference is by conditional
permutation, seeded.

**Islands.** A polygon without any queen neighbour (Hawaii's and Alaska's island areas,
Nantucket, San Juan WA ...) or without a geometry (a few tiny Virginia cities at 1:10m) cannot
enter a contiguity statistic: :func:`queen_weights` leaves them out of the weights and lists
them in :attr:`SpatialWeights.islands`, so a report can say how many and which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis.stats.multiple_testing import bh_qvalues
from analysis.stats.spatial_local import _crand_ids, _local_p_sim  # noqa: F401 (tests use them)
from analysis.stats.spatial_permutations import (
    inverse_permutations,
    moran_graph,
    outcomes_by_date,
    padded_neighbours,
    permuted_forms,
)

QUADRANTS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
"""esda's LISA quadrant codes: the county's value (high / low) and its neighbours' (high / low)."""
NOT_SIGNIFICANT = "not significant"
_CHUNK = 128  # permutations evaluated together (arrays that stay in cache)
_MORAN_CHUNK = 32  # Moran's dense n x chunk float blocks: smaller, so they stay in cache
NO_NEIGHBOURS = "no neighbours (left out)"

MORAN_COLUMNS = [
    "morans_i", "expected_i", "z_norm", "p_norm", "p_sim",
    "join_bb", "join_bw", "join_ww", "expected_bb", "p_sim_bb", "p_sim_bw",
    "n_counties", "n_adopted", "share_adopted", "permutations", "seed",
]  # fmt: skip


@dataclass(frozen=True)
class SpatialWeights:
    """Queen contiguity among the units with neighbours: ``neighbors`` (each unit id's
    neighbour ids, sorted), ``ids`` (the units, in the weights' order) and ``islands`` (units
    left out: no neighbour or no geometry). :attr:`w` is the same graph as a libpysal ``W``
    (built on first use, for esda; the statistics here do not need it)."""

    neighbors: dict[str, tuple[str, ...]]
    ids: tuple[str, ...]
    islands: tuple[str, ...]

    @property
    def n_joins(self) -> int:
        """Contiguous pairs (each counted once)."""
        return int(self.row_standardized["sparse"].nnz // 2)

    @cached_property
    def n_components(self) -> int:
        """Connected components of the contiguity graph (the lower 48 with DC, Alaska's
        mainland, a Hawaiian pair ...): libpysal's ``W.n_components``."""
        from scipy.sparse.csgraph import connected_components

        return int(connected_components(self.row_standardized["sparse"])[0])

    @cached_property
    def w(self):
        """The weights as ``libpysal.weights.W`` (binary, ids in :attr:`ids` order)."""
        from libpysal.weights import W

        neighbors = {i: list(self.neighbors[i]) for i in self.ids}
        return W(neighbors, id_order=list(self.ids), silence_warnings=True)

    @cached_property
    def row_standardized(self) -> dict:
        """The row-standardized sparse matrix (libpysal's ``W.sparse`` after
        ``transform="r"``: rows and columns in :attr:`ids` order, ``1 / degree`` per join) and
        its ``s0``, ``s1``, ``s2`` (libpysal's formulas and operations), the focal/neighbour
        positions of every join (both directions; ``edge_from/edge_to``: once) and the
        degrees: what the global statistics need, built once for all snapshots."""
        from scipy.sparse import csr_matrix

        position = {unit: k for k, unit in enumerate(self.ids)}
        degree = np.array([len(self.neighbors[i]) for i in self.ids])
        row = np.repeat(np.arange(len(self.ids)), degree)
        col = np.array([position[j] for i in self.ids for j in self.neighbors[i]], dtype=int)
        data = np.repeat([1.0 / k for k in degree.tolist()], degree)
        sparse = csr_matrix((data, (row, col)), shape=(len(self.ids), len(self.ids)))
        s0 = sparse.sum()
        both = sparse.transpose() + sparse
        s1 = both.multiply(both).sum() / 2.0
        s2 = (np.array(sparse.sum(1) + sparse.sum(0).transpose()) ** 2).sum()
        focal, neighbor = sparse.nonzero()
        upper = focal < neighbor
        degree = np.diff(sparse.indptr).astype(float)
        return {"sparse": sparse, "s0": s0, "s1": s1, "s2": s2,
                "focal": focal, "neighbor": neighbor, "edge_from": focal[upper],
                "edge_to": neighbor[upper], "degree": degree}  # fmt: skip

    def edges(self) -> pd.DataFrame:
        """The contiguous pairs as an edge table ``fips, neighbor_fips`` (both directions)."""
        op, ids = self.row_standardized, np.array(self.ids, dtype=object)
        frame = pd.DataFrame({"fips": ids[op["focal"]], "neighbor_fips": ids[op["neighbor"]]})
        return frame.astype(str).sort_values(["fips", "neighbor_fips"], ignore_index=True)


def _shared_vertex_pairs(geometries) -> np.ndarray:
    """Every ordered pair ``(a, b)``, ``a != b``, of positions in ``geometries`` whose boundaries
    share at least one vertex (exactly equal coordinates): libpysal's queen rule
    (``ContiguityWeightsLists``: a dict from each vertex to the polygons holding it), as one
    sort of all vertices. Sorted, each pair once."""
    import shapely

    coords, owner = shapely.get_coordinates(geometries, return_index=True)
    coords = np.ascontiguousarray(coords + 0.0)  # -0.0 and 0.0 are one vertex, as in a dict
    _, vertex = np.unique(coords.view("V16").ravel(), return_inverse=True)
    n = len(geometries)
    held = np.unique(vertex.astype(np.int64) * n + owner)  # (vertex, polygon), each once
    vertex, polygon = held // n, held % n
    first = np.flatnonzero(np.r_[True, vertex[1:] != vertex[:-1]])
    size = np.diff(np.r_[first, len(held)])
    pairs = [np.empty(0, dtype=np.int64)]
    for s in np.unique(size[size > 1]).tolist():
        groups = polygon[first[size == s][:, None] + np.arange(s)]
        for a in range(s):
            for b in range(s):
                if a != b:
                    pairs.append(groups[:, a] * n + groups[:, b])
    codes = np.unique(np.concatenate(pairs))
    return np.column_stack([codes // n, codes % n])


def queen_weights(gdf, id_col: str = "fips") -> SpatialWeights:
    """Queen contiguity weights of the polygons of ``gdf`` (those of
    ``libpysal.weights.Queen.from_dataframe``: polygons sharing a boundary vertex; the tests
    compare the two), islands and missing geometries left out (:class:`SpatialWeights`)."""
    ids = gdf[id_col].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"{id_col} must identify each polygon once")
    present = gdf.geometry.notna().to_numpy() & ~gdf.geometry.is_empty.to_numpy()
    kept_ids = ids[present].tolist()
    pairs = _shared_vertex_pairs(np.asarray(gdf.geometry[present].to_numpy(), dtype=object))
    first = np.flatnonzero(np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]) if len(pairs) else []
    bounds = np.r_[first, len(pairs)]
    neighbors = {
        kept_ids[pairs[lo, 0]]: tuple(sorted(kept_ids[j] for j in pairs[lo:hi, 1]))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    }
    order = tuple(i for i in kept_ids if i in neighbors)
    islands = sorted(set(ids) - set(order))
    return SpatialWeights(neighbors=neighbors, ids=order, islands=tuple(islands))


def _values(outcome: pd.Series, weights: SpatialWeights) -> np.ndarray:
    """The outcome in the weights' id order, as floats; every id must be present, once (by
    plain dict lookups: pandas' text-index lookups go element by element through Arrow)."""
    keys = [str(k) for k in outcome.index.tolist()]
    position = dict(zip(keys, range(len(keys)), strict=True))
    if len(position) != len(keys):
        raise ValueError("outcome has more than one value for some units")
    missing = [i for i in weights.ids if i not in position]
    if missing:
        raise ValueError(f"outcome has no value for {len(missing)} units, e.g. {missing[:5]}")
    values = outcome.to_numpy(dtype=float)[[position[i] for i in weights.ids]]
    if np.isnan(values).any():
        raise ValueError("outcome is missing for some units of the weights")
    return values


@lru_cache(maxsize=8)
def _permutation_draws(kind: str, n: int, permutations: int, seed: int):
    if kind == "legacy":
        np.random.seed(seed)
        draws = np.stack([np.random.permutation(n) for _ in range(permutations)])
        state = np.random.get_state()
    else:
        rng = np.random.default_rng(seed)
        draws, state = np.stack([rng.permutation(n) for _ in range(permutations)]), None
    draws.setflags(write=False)
    return draws, state


def _permutations(
    kind: str, n: int, permutations: int, seed: int, *, transposed: bool = False
) -> np.ndarray:
    """Row ``k``: the ``k``-th of ``permutations`` shuffles of ``n`` positions, seeded with
    ``seed``: ``np.random.seed(seed)`` then ``np.random.permutation`` (``kind="legacy"``, as
    esda; NumPy's global generator is left where those draws leave it) or
    ``np.random.default_rng(seed).permutation`` (``"generator"``). A shuffle moves positions
    whatever the values, so ``x[draws[k]]`` is the ``k``-th ``permutation(x)``; the draws
    depend only on ``n`` and the seed, so the snapshots of a report share them (cached in the
    process). ``transposed``: the same draws as an ``n x permutations`` C-ordered array.
    """
    draws, state = _permutation_draws(kind, n, permutations, seed)
    if state is not None:
        np.random.set_state(state)
    return _transposed(kind, n, permutations, seed) if transposed else draws


@lru_cache(maxsize=8)
def _inverse(kind: str, n: int, permutations: int, seed: int) -> np.ndarray:
    inverse = inverse_permutations(_permutation_draws(kind, n, permutations, seed)[0])
    inverse.setflags(write=False)
    return inverse


@lru_cache(maxsize=8)
def _transposed(kind: str, n: int, permutations: int, seed: int) -> np.ndarray:
    draws = np.ascontiguousarray(_permutation_draws(kind, n, permutations, seed)[0].T)
    draws.setflags(write=False)
    return draws


def _join_permutations(y, weights, bb, bw, permutations, seed, forms=None):
    """Mean adopted-adopted joins under random relabelling and the one-sided pseudo p-values
    of ``bb`` (as many or more) and ``bw`` (as few or fewer), ``(k + 1) / (permutations + 1)``:
    the rule of ``esda.Join_Counts``, whose own permutation loop is too slow for 3,000
    counties x 35 snapshots. Relabelling ``k`` is ``numpy.random.default_rng(seed)``'s
    ``k``-th ``permutation(y)``; its joins are counted over the binary weights' edges (exact
    integers, so any order of summation gives the same numbers): ``bb = l'Al / 2`` for the
    permuted 0/1 labels ``l`` and the binary weights ``A``, in float32 (integer counts below
    2**24 are exact), all permutations of a chunk in one sparse product. ``forms``: the same
    counts from :func:`_snapshot_forms` (``2 bb`` and the adopted degrees of every
    relabelling, exact integers), which make the loop unnecessary."""
    if forms is not None:
        sim_bb, degree_sum = forms[0] / 2, forms[1].astype(float)
    else:
        sim_bb, degree_sum = _join_sims(y, weights, permutations, seed)
    sim_bw = degree_sum - 2 * sim_bb
    p_bb = ((sim_bb >= bb).sum() + 1) / (permutations + 1)
    p_bw = ((sim_bw <= bw).sum() + 1) / (permutations + 1)
    return float(sim_bb.mean()), float(p_bb), float(p_bw)


def _join_sims(y, weights, permutations, seed):
    op = weights.row_standardized
    if "binary32" not in op:
        op["binary32"] = (op["sparse"] != 0).astype(np.float32)
    draws = _permutations("generator", len(y), permutations, seed, transposed=True)
    adopted = y.astype(bool).astype(np.float32)
    sim_bb, degree_sum = np.empty(permutations), np.empty(permutations)
    for start in range(0, permutations, _CHUNK):
        labels = adopted[draws[:, start : start + _CHUNK]]  # one permutation per column
        joins = (labels * (op["binary32"] @ labels)).sum(axis=0, dtype=np.float64)
        sim_bb[start : start + _CHUNK] = joins / 2
        degree_sum[start : start + _CHUNK] = op["degree"] @ labels
    return sim_bb, degree_sum


def _moran(
    y: np.ndarray, weights: SpatialWeights, permutations: int, seed: int, forms=None
) -> dict:
    """``esda.Moran(y, w, transformation="r", permutations, two_tailed=True)`` after
    ``np.random.seed(seed)``: ``I``, ``EI``, ``z_norm``, ``p_norm`` and ``p_sim``, with esda's
    operations in esda's order and its draws (``permutations`` calls of
    ``np.random.permutation(z)`` on NumPy's global generator, which is left in the state esda
    leaves it), so the numbers are esda's. esda
    rebuilds the sparse weights at every call and evaluates one sparse product per
    permutation in a Python loop; here the weights are built once and all permutations go
    through one sparse product. ``forms`` (from :func:`_snapshot_forms`): every relabelling's
    ``l'Wl`` and ``1'Wl`` as exact integers, from which the simulated statistics follow in
    closed form; those within rounding of ``I`` are recomputed with esda's operations, so the
    comparisons, and ``p_sim``, are esda's."""
    op = weights.row_standardized
    n, s0, s1, s2 = len(y), op["s0"], op["s1"], op["s2"]
    z = y - y.mean()
    z2ss = (z * z).sum()
    expected = -1.0 / (n - 1)
    s02 = s0 * s0
    v_num = n * n * s1 - n * s2 + 3 * s02
    v_den = (n - 1) * (n + 1) * s02
    se_norm = (v_num / v_den - (1.0 / (n - 1)) ** 2) ** (1 / 2.0)
    moran_i = n / s0 * (z * (op["sparse"] @ z)).sum() / z2ss
    z_norm = (moran_i - expected) / se_norm
    # scipy.stats.norm.sf(z) is ndtr(-z) and norm.cdf(z) is ndtr(z), as esda calls them
    p_norm = 2.0 * (ndtr(-z_norm) if z_norm > 0 else ndtr(z_norm))
    p_sim = np.nan
    if permutations:
        _permutations("legacy", n, permutations, seed)  # leaves the global generator as esda
        factor = n / s0 / z2ss
        if forms is None:  # every relabelling with esda's operations
            sim, exact = np.empty(permutations), range(0, permutations, _MORAN_CHUNK)
        else:  # in closed form; those near I with esda's operations
            sim, near = _moran_sims_from_forms(y, forms, moran_i, factor)
            exact = sorted({k - k % _MORAN_CHUNK for k in near})
        if exact:
            draws = _permutations("legacy", n, permutations, seed, transposed=True)
            for start in exact:
                inum = _moran_chunk(z, op["sparse"], draws, start)
                sim[start : start + _MORAN_CHUNK] = n / s0 * inum / z2ss
        larger = int((sim >= moran_i).sum())
        if (permutations - larger) < larger:
            larger = permutations - larger
        p_sim = (larger + 1.0) / (permutations + 1.0)
    return {"morans_i": moran_i, "expected_i": expected, "z_norm": z_norm, "p_norm": p_norm,
            "p_sim": p_sim}  # fmt: skip


def _moran_chunk(z: np.ndarray, sparse, draws: np.ndarray, start: int) -> np.ndarray:
    """esda's ``(z * zl).sum()`` of the relabellings ``start ... start + _MORAN_CHUNK``."""
    columns = z[draws[:, start : start + _MORAN_CHUNK]]  # one permutation per column
    products = columns * (sparse @ columns)
    # each permutation's sum over a contiguous row, as esda's (z * zl).sum()
    return np.ascontiguousarray(products.T).sum(axis=1)


def _moran_sims_from_forms(y, forms, moran_i: float, factor: float) -> dict:
    """The simulated Moran's I of every relabelling from its exact ``Q = 2 s l'Wl`` and
    ``C = s 1'Wl`` (``s``: the degrees' least common multiple): with ``l`` the relabelled
    outcome and ``m`` its mean, ``z'Wz = l'Wl - m 1'Wl - m n_1 + m^2 n`` (rows of ``W`` sum
    to one). ``near``: the relabellings within a tolerance, far above any rounding error, of
    ``moran_i``, whose comparison with it is left to esda's operations."""
    quadratic, linear, scale = forms
    n, m, n_adopted = len(y), float(y.mean()), int(y.sum())
    lwl, wl = quadratic / (2 * scale), linear / scale
    inum = lwl - m * wl - m * n_adopted + m * m * n
    sim = factor * inum
    tolerance = 1e-9 * abs(factor) * (n + lwl + m * wl + m * n_adopted + m * m * n)
    near = np.flatnonzero(np.abs(sim - moran_i) <= tolerance)
    return sim, near.tolist()


def _join_counts(y: np.ndarray, weights: SpatialWeights) -> dict:
    """``esda.Join_Counts``' ``bb``, ``bw`` and ``ww`` of the 0/1 ``y`` (binary weights)."""
    op = weights.row_standardized
    focal, neighbor = y[op["focal"]], y[op["neighbor"]]
    same = focal == neighbor
    different = 1 - same
    return {
        "join_bb": (focal * same).sum() / 2,
        "join_ww": ((1 - focal) * same).sum() / 2,
        "join_bw": (focal * different).sum() / 2 + ((1 - focal) * different).sum() / 2,
    }


def _local_moran(y: np.ndarray, weights: SpatialWeights) -> dict:
    """``esda.Moran_Local(y, w, transformation="r", permutations=0)``'s ``z``, ``Is`` and
    quadrants ``q`` (:data:`QUADRANTS`), with esda's operations in esda's order."""
    sparse = weights.row_standardized["sparse"]
    n = len(y)
    z = y - y.mean()
    z /= y.std()
    lag = sparse @ z
    local_i = (n - 1) * z * lag / (z * z).sum()
    high, high_lag = z > 0, lag > 0
    quadrant = (1 * (high * high_lag) + 2 * ((1 - high) * high_lag)
                + 3 * ((1 - high) * (1 - high_lag)) + 4 * (high * (1 - high_lag)))  # fmt: skip
    return {"z": z, "n": n, "Is": local_i, "q": quadrant, "sparse": sparse}


def global_autocorrelation(
    outcome: pd.Series, weights: SpatialWeights, *, permutations: int = 999, seed: int = 0
) -> dict:
    """Moran's I (row-standardized weights) and join counts (binary weights) of the 0/1
    ``outcome`` (indexed by unit id) over the units of ``weights``.

    ``p_sim`` (Moran, two-sided pseudo p-value) and ``p_sim_bb`` / ``p_sim_bw`` (join counts:
    more adopted-adopted joins, fewer adopted-other joins than under random labelling) come
    from ``permutations`` conditional permutations seeded with ``seed``. A constant outcome
    (no county or every county adopted) has no Moran's I: the statistics are NaN.
    """
    return _global(_values(outcome, weights), weights, permutations, seed)


def _global(
    y: np.ndarray, weights: SpatialWeights, permutations: int, seed: int, forms=None
) -> dict:
    """:func:`global_autocorrelation` of the outcome ``y`` in the weights' id order
    (``forms``: its entry of :func:`_snapshot_forms`, or None)."""
    n, n_adopted = len(y), int(y.sum())
    row = {"n_counties": n, "n_adopted": n_adopted, "share_adopted": y.mean(),
           "permutations": permutations, "seed": seed}  # fmt: skip
    if n_adopted in (0, n):
        return {c: row.get(c, np.nan) for c in MORAN_COLUMNS}
    moran_forms, join_forms = forms if forms is not None else (None, None)
    row.update(_moran(y, weights, permutations, seed, moran_forms), **_join_counts(y, weights))
    mean_bb, p_bb, p_bw = _join_permutations(
        y, weights, row["join_bb"], row["join_bw"], permutations, seed, join_forms
    )
    row.update(expected_bb=mean_bb, p_sim_bb=p_bb, p_sim_bw=p_bw)
    return {c: row[c] for c in MORAN_COLUMNS}


def _snapshot_forms(ys: list[np.ndarray], weights: SpatialWeights, permutations: int, seed: int):
    """For each 0/1 outcome of ``ys`` (weights' order, in this order), the exact integer forms
    of its relabellings (:func:`analysis.stats.spatial_permutations.permuted_forms`): Moran's
    ``(Q, C, scale)`` over the legacy draws and the join counts' ``(2 bb, adopted degrees)``
    over the generator draws; None when they do not apply (no permutations, an outcome not
    0/1, weights whose integers would overflow): the callers then loop as esda does."""
    if permutations <= 0 or not ys:
        return None
    stacked = np.stack(ys)
    if not ((stacked == 0) | (stacked == 1)).all():
        return None
    op = weights.row_standardized
    indptr, indices = op["sparse"].indptr, op["sparse"].indices
    graph = moran_graph(indptr, indices)
    if graph is None:
        return None
    scale, edge_weights, column_sums = graph
    n = len(weights.ids)
    forms = []
    for kind, edges, linear in [
        ("legacy", edge_weights, column_sums),
        ("generator", np.ones(len(indices), dtype=np.int64), np.diff(indptr).astype(np.int64)),
    ]:
        draws = _permutation_draws(kind, n, permutations, seed)[0]
        neighbours, weights_pad = padded_neighbours(indptr, indices, edges)
        forms.append(permuted_forms(draws, _inverse(kind, n, permutations, seed), neighbours,
                                    weights_pad, linear, stacked))  # fmt: skip
    (qm, cm), (qb, cb) = forms
    return [((qm[s], cm[s], scale), (qb[s], cb[s])) for s in range(len(ys))]


def autocorrelation_by_snapshot(
    outcomes: pd.DataFrame,
    weights: SpatialWeights,
    *,
    outcome: str,
    id_col: str = "fips",
    date_col: str = "snapshot_date",
    permutations: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`global_autocorrelation` at every ``date_col`` of the long table ``outcomes``
    (one row per unit and date), one row per date, sorted; each date uses ``seed``, so dates
    with the same outcome in every unit have the same statistics (computed once). The
    relabellings of all dates are counted together (:func:`_snapshot_forms`)."""
    dates, table = outcomes_by_date(outcomes, weights.ids, outcome, id_col, date_col)
    distinct: dict[bytes, np.ndarray] = {}
    for y in table:
        distinct.setdefault(y.tobytes(), y)
    varying = [k for k, y in distinct.items() if 0 < y.sum() < len(y)]
    forms = _snapshot_forms([distinct[k] for k in varying], weights, permutations, seed)
    forms = dict(zip(varying, forms, strict=True)) if forms is not None else {}
    done = {k: _global(y, weights, permutations, seed, forms.get(k)) for k, y in distinct.items()}
    rows = [{date_col: d, **done[y.tobytes()]} for d, y in zip(dates, table, strict=True)]
    return pd.DataFrame(rows)


def local_clusters(
    outcome: pd.Series,
    weights: SpatialWeights,
    *,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    all_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Local Moran (``esda.Moran_Local``, row-standardized) of the 0/1 ``outcome``: one row
    per unit with ``local_i``, ``quadrant`` (:data:`QUADRANTS`), ``p_sim`` (folded pseudo
    p-value from ``permutations`` conditional permutations, seeded), ``q_value`` (Benjamini-
    Hochberg over all units) and ``cluster``: the quadrant where ``q_value < alpha``, else
    :data:`NOT_SIGNIFICANT`. Units of ``all_ids`` outside the weights (islands) are added with
    cluster :data:`NO_NEIGHBOURS`.
    """
    y = _values(outcome, weights)
    local = _local_moran(y, weights)
    p_sim = _local_p_sim(local, permutations, seed)
    q = bh_qvalues(p_sim)
    quadrant = pd.Series(local["q"]).map(QUADRANTS).to_numpy()
    frame = pd.DataFrame(
        {
            "fips": list(weights.ids),
            "value": y,
            "local_i": local["Is"],
            "quadrant": quadrant,
            "p_sim": p_sim,
            "q_value": q,
            "cluster": np.where(q < alpha, quadrant, NOT_SIGNIFICANT),
        }
    )
    if all_ids is not None:
        extra = sorted(set(map(str, all_ids)) - set(weights.ids))
        frame = pd.concat(
            [frame, pd.DataFrame({"fips": extra, "cluster": NO_NEIGHBOURS})], ignore_index=True
        )
    return frame.sort_values("fips", ignore_index=True)
