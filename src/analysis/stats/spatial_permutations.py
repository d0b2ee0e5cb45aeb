"""Exact integer forms of permuted 0/1 outcomes over a contiguity graph, for many outcomes at
once: the engine behind the conditional-permutation p-values of :mod:`analysis.stats.spatial`.

A relabelling ``k`` of a 0/1 outcome ``y`` puts at position ``i`` the value of unit
``draws[k, i]``: ``l = y[draws[k]]``. For a symmetric graph with integer edge weights ``u`` and
integer unit weights ``c``, :func:`permuted_forms` returns, for every outcome of a sequence and
every relabelling, the quadratic form ``Q = sum over directed edges (i, j) of u_ij l_i l_j`` and
the linear form ``C = sum_i c_i l_i``. Both are exact integers (int64), so the order in which
they are summed does not matter and they can be updated from one outcome of the sequence to
the next: only the units whose value changes are visited (a report's snapshots differ by a few
counties each), ``Q(l + d) - Q(l) = sum_{i: d_i != 0} d_i sum_j u_ij (2 l_j + d_j)``.

Join counts are such forms (binary weights: ``Q = 2 bb``, ``C`` with the degrees, so
``bw = C - 2 bb``); Moran's I with row-standardized weights is one after scaling the weights
``1 / degree`` by the least common multiple of the degrees (:func:`moran_graph`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

_CHANGED_CHUNK = 64  # changed units handled together (P x chunk x max degree int64 arrays)


def inverse_permutations(draws: np.ndarray) -> np.ndarray:
    """``inverse[k, draws[k, i]] = i``: the position each unit is moved to by relabelling k."""
    inverse, positions = np.empty_like(draws), np.arange(draws.shape[1])
    for k, row in enumerate(draws):  # row by row: the scatter stays in cache
        inverse[k, row] = positions
    return inverse


def padded_neighbours(indptr: np.ndarray, indices: np.ndarray, edge_weights: np.ndarray):
    """A CSR graph as ``n x max degree`` arrays of neighbour positions and integer weights
    (padding: position ``n``, which :func:`permuted_forms` keeps at 0, with weight 0)."""
    degree = np.diff(indptr)
    width = max(int(degree.max()), 1) if len(degree) else 1
    filled = np.arange(width)[None, :] < degree[:, None]
    neighbours = np.full((len(degree), width), len(degree), dtype=np.int64)
    weights = np.zeros((len(degree), width), dtype=np.int64)
    neighbours[filled] = indices
    weights[filled] = edge_weights
    return neighbours, weights


def moran_graph(indptr: np.ndarray, indices: np.ndarray):
    """The symmetric integer graph of Moran's I with row-standardized weights ``1 / d_i``,
    scaled by ``scale`` (the least common multiple of the degrees): edge weights
    ``scale / d_i + scale / d_j`` (so ``Q = 2 scale l'Wl``) and unit weights
    ``c_j = scale * sum_i W_ij`` (the column sums, so ``C = scale 1'Wl``). None when the integers
    could overflow int64 (the callers then use floating point)."""
    degree = np.diff(indptr).astype(np.int64)
    scale = math.lcm(*set(degree.tolist())) if len(degree) else 1
    if scale * 2 * max(len(indices), 1) >= 2**62:
        return None
    row = np.repeat(np.arange(len(degree)), degree)
    per_focal = scale // degree
    edge_weights = per_focal[row] + per_focal[indices]
    column_sums = np.zeros(len(degree), dtype=np.int64)
    np.add.at(column_sums, indices, per_focal[row])
    return scale, edge_weights, column_sums


def permuted_forms(
    draws: np.ndarray,
    inverse: np.ndarray,
    neighbours: np.ndarray,
    weights: np.ndarray,
    linear: np.ndarray,
    outcomes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``Q[s, k]`` and ``C[s, k]`` (module docstring) of the 0/1 ``outcomes[s]`` (units in the
    graph's order) under every relabelling ``draws[k]`` (``inverse``:
    :func:`inverse_permutations`; ``neighbours``, ``weights``: :func:`padded_neighbours` of
    a symmetric graph; ``linear``: the unit weights), int64."""
    n_perm, n = draws.shape
    outcomes = np.asarray(outcomes, dtype=np.int64).reshape(-1, n)
    quadratic = np.zeros((len(outcomes), n_perm), dtype=np.int64)
    linear_forms = np.zeros((len(outcomes), n_perm), dtype=np.int64)
    # twice[k, i] = 2 l_i of relabelling k; while a chunk of units changes, 2 l_i + d_i
    twice = np.zeros(n_perm * (n + 1), dtype=np.int8)  # column n: the padding, always 0
    offsets = (np.arange(n_perm, dtype=np.int64) * (n + 1))[:, None]
    unit_weights = bool((weights[neighbours < n] == 1).all())
    neighbours = neighbours.astype(np.int32)
    width = neighbours.shape[1]
    small = np.abs(weights).max(initial=0) * width < 2**31
    weights = weights.astype(np.int32 if small else np.int64)
    current = np.zeros(n, dtype=np.int64)
    q, c = np.zeros(n_perm, dtype=np.int64), np.zeros(n_perm, dtype=np.int64)
    for s, y in enumerate(outcomes):
        changed = np.flatnonzero(y != current)
        for start in range(0, len(changed), _CHANGED_CHUNK):
            units = changed[start : start + _CHANGED_CHUNK]
            d = (y[units] - current[units]).astype(np.int8)
            position = inverse[:, units]  # P x m: where the changed units sit
            flat = (position + offsets).ravel()
            twice[flat] += np.tile(d, n_perm)  # 2 l + d at the changed positions
            near = (neighbours[position] + offsets[:, :, None]).reshape(-1)  # P x m x K
            values = twice.take(near).reshape(n_perm, len(units), width)
            if unit_weights:  # binary weights: the padding reads 0
                sums = values.sum(axis=2, dtype=np.int64)
            else:
                sums = np.einsum("pmk,pmk->pm", weights[position], values, dtype=np.int64)
            q += sums @ d.astype(np.int64)
            c += linear[position] @ d.astype(np.int64)
            twice[flat] += np.tile(d, n_perm)  # now 2 (l + d)
            current[units] = y[units]
        quadratic[s], linear_forms[s] = q, c
    return quadratic, linear_forms


def outcomes_by_date(outcomes, ids, outcome: str, id_col: str, date_col: str):
    """The dates of the long table ``outcomes`` (sorted, as ``groupby`` gives them) and each
    date's ``outcome`` at the units ``ids``, in that order (a dates x units array), read in
    one pass; each unit once per date, every unit present, no missing value."""
    date_codes, dates = pd.factorize(outcomes[date_col], sort=True)
    id_codes, unit_ids = pd.factorize(outcomes[id_col].astype(str))
    position = {unit: k for k, unit in enumerate(ids)}
    unit_position = np.array([position.get(str(u), -1) for u in unit_ids.tolist()], dtype=int)
    values = outcomes[outcome].to_numpy(dtype=float)
    keep = date_codes >= 0
    date_codes, id_codes, values = date_codes[keep], id_codes[keep], values[keep]
    pair = date_codes.astype(np.int64) * max(len(unit_ids), 1) + id_codes
    if len(np.unique(pair)) != len(pair):
        raise ValueError("outcome has more than one value for some units")
    n = len(ids)
    table = np.full((len(dates), n), np.nan)
    present = np.zeros((len(dates), n), dtype=bool)
    where = unit_position[id_codes]
    inside = where >= 0
    table[date_codes[inside], where[inside]] = values[inside]
    present[date_codes[inside], where[inside]] = True
    for s in range(len(dates)):
        if not present[s].all():
            missing = [ids[k] for k in np.flatnonzero(~present[s])]
            raise ValueError(f"outcome has no value for {len(missing)} units, e.g. {missing[:5]}")
    if np.isnan(table).any():
        raise ValueError("outcome is missing for some units of the weights")
    return list(dates), table
