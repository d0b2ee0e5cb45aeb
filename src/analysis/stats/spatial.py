"""Spatial autocorrelation of a 0/1 county outcome, from PySAL: contiguity weights
(``libpysal``), global Moran's I and join counts, and local Moran (LISA) clusters (``esda``).

No neighbour code is written here: the weights are ``libpysal.weights.Queen`` (polygons that
share at least one boundary point), the statistics are ``esda.Moran``, ``esda.Join_Counts``
and ``esda.Moran_Local``. Inference is by conditional permutation, seeded.

**Islands.** A polygon without any queen neighbour (Hawaii's and Alaska's island areas,
Nantucket, San Juan WA ...) or without a geometry (a few tiny Virginia cities at 1:10m) cannot
enter a contiguity statistic: :func:`queen_weights` leaves them out of the weights and lists
them in :attr:`SpatialWeights.islands`, so a report can say how many and which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.multiple_testing import bh_qvalues


def _esda():
    """``esda``, imported without tqdm's notice that Jupyter widgets are absent (the only
    warning silenced: it is about the notebook environment, not the statistics)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import esda
    return esda


QUADRANTS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
"""esda's LISA quadrant codes: the county's value (high / low) and its neighbours' (high / low)."""
NOT_SIGNIFICANT = "not significant"
NO_NEIGHBOURS = "no neighbours (left out)"

MORAN_COLUMNS = [
    "morans_i", "expected_i", "z_norm", "p_norm", "p_sim",
    "join_bb", "join_bw", "join_ww", "expected_bb", "p_sim_bb", "p_sim_bw",
    "n_counties", "n_adopted", "share_adopted", "permutations", "seed",
]  # fmt: skip


@dataclass(frozen=True)
class SpatialWeights:
    """Queen contiguity among the units with neighbours: ``w`` (a libpysal ``W``, ids the
    unit ids, in ``ids`` order), ``ids`` and ``islands`` (units left out: no neighbour or no
    geometry)."""

    w: object
    ids: tuple[str, ...]
    islands: tuple[str, ...]

    @property
    def n_joins(self) -> int:
        """Contiguous pairs (each counted once)."""
        return int(self.w.nonzero // 2)

    @property
    def n_components(self) -> int:
        """Connected components of the contiguity graph (the lower 48 with DC, Alaska's
        mainland, a Hawaiian pair ...)."""
        return int(self.w.n_components)

    def edges(self) -> pd.DataFrame:
        """The contiguous pairs as an edge table ``fips, neighbor_fips`` (both directions)."""
        pairs = [(i, j) for i, nbrs in self.w.neighbors.items() for j in nbrs]
        frame = pd.DataFrame(pairs, columns=["fips", "neighbor_fips"]).astype(str)
        return frame.sort_values(["fips", "neighbor_fips"], ignore_index=True)


def queen_weights(gdf, id_col: str = "fips") -> SpatialWeights:
    """Queen contiguity weights (``libpysal.weights.Queen.from_dataframe``) of the polygons
    of ``gdf``, islands and missing geometries left out (:class:`SpatialWeights`)."""
    from libpysal.weights import Queen

    ids = gdf[id_col].astype(str)
    if ids.duplicated().any():
        raise ValueError(f"{id_col} must identify each polygon once")
    present = gdf.geometry.notna().to_numpy() & ~gdf.geometry.is_empty.to_numpy()
    frame = gdf[present].assign(**{id_col: ids[present]}).reset_index(drop=True)
    full = Queen.from_dataframe(frame, ids=frame[id_col].tolist(), use_index=False,
                                silence_warnings=True)  # fmt: skip
    island_set = set(map(str, full.islands))
    keep = frame[~frame[id_col].isin(island_set)].reset_index(drop=True)
    w = Queen.from_dataframe(keep, ids=keep[id_col].tolist(), use_index=False,
                             silence_warnings=True)  # fmt: skip
    islands = sorted(island_set | set(ids[~present]))
    return SpatialWeights(w=w, ids=tuple(keep[id_col]), islands=tuple(islands))


def _values(outcome: pd.Series, weights: SpatialWeights) -> np.ndarray:
    """The outcome in the weights' id order, as floats; every id must be present."""
    outcome = outcome.copy()
    outcome.index = outcome.index.astype(str)
    missing = [i for i in weights.ids if i not in outcome.index]
    if missing:
        raise ValueError(f"outcome has no value for {len(missing)} units, e.g. {missing[:5]}")
    values = outcome.reindex(list(weights.ids)).to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError("outcome is missing for some units of the weights")
    return values


def _join_permutations(y, weights, bb, bw, permutations, seed):
    """Mean adopted-adopted joins under random relabelling and the one-sided pseudo p-values
    of ``bb`` (as many or more) and ``bw`` (as few or fewer), ``(k + 1) / (permutations + 1)``:
    the rule of ``esda.Join_Counts``, whose own permutation loop is too slow for 3,000
    counties x 35 snapshots; the joins come from the same binary weights, all permutations in
    one sparse product."""
    binary = weights.w.sparse.astype(bool).astype(float)
    rng = np.random.default_rng(seed)
    labels = np.stack([rng.permutation(y) for _ in range(permutations)], axis=1)
    spread = binary @ labels
    sim_bb = 0.5 * (labels * spread).sum(axis=0)
    degree_sum = (labels * np.asarray(binary.sum(axis=1)).reshape(-1, 1)).sum(axis=0)
    sim_bw = degree_sum - 2 * sim_bb
    p_bb = ((sim_bb >= bb).sum() + 1) / (permutations + 1)
    p_bw = ((sim_bw <= bw).sum() + 1) / (permutations + 1)
    return float(sim_bb.mean()), float(p_bb), float(p_bw)


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
    esda = _esda()
    y = _values(outcome, weights)
    n, n_adopted = len(y), int(y.sum())
    row = {"n_counties": n, "n_adopted": n_adopted, "share_adopted": y.mean(),
           "permutations": permutations, "seed": seed}  # fmt: skip
    if n_adopted in (0, n):
        return {c: row.get(c, np.nan) for c in MORAN_COLUMNS}
    np.random.seed(seed)  # esda.Moran draws from NumPy's global generator
    moran = esda.Moran(y, weights.w, transformation="r", permutations=permutations)
    joins = esda.Join_Counts(y, weights.w, permutations=0)
    mean_bb, p_bb, p_bw = _join_permutations(y, weights, joins.bb, joins.bw, permutations, seed)
    row.update(
        morans_i=moran.I, expected_i=moran.EI, z_norm=moran.z_norm, p_norm=moran.p_norm,
        p_sim=moran.p_sim, join_bb=joins.bb, join_bw=joins.bw, join_ww=joins.ww,
        expected_bb=mean_bb, p_sim_bb=p_bb, p_sim_bw=p_bw,
    )  # fmt: skip
    return {c: row[c] for c in MORAN_COLUMNS}


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
    (one row per unit and date), one row per date, sorted; each date uses ``seed``."""
    rows = []
    for date, frame in outcomes.groupby(date_col, sort=True):
        values = frame.set_index(frame[id_col].astype(str))[outcome]
        stats = global_autocorrelation(values, weights, permutations=permutations, seed=seed)
        rows.append({date_col: date, **stats})
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
    esda = _esda()
    y = _values(outcome, weights)
    local = esda.Moran_Local(y, weights.w, transformation="r", permutations=permutations,
                             seed=seed, keep_simulations=False)  # fmt: skip
    q = bh_qvalues(local.p_sim)
    quadrant = pd.Series(local.q).map(QUADRANTS).to_numpy()
    frame = pd.DataFrame(
        {
            "fips": list(weights.ids),
            "value": y,
            "local_i": local.Is,
            "quadrant": quadrant,
            "p_sim": local.p_sim,
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
