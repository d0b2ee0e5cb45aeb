"""The size of the correlation atlas's tests, measured by simulation on the county adjacency.

Under the null the covariate and the outcome are independent, but each is spatially smooth,
as county data are: independent standard-normal noise, smoothed ``smoothing_steps`` times by
replacing every county's value with the mean over itself and its queen-contiguity neighbours.
The outcome is that smoothed noise thresholded so that a share ``outcome_share`` of counties is
1 (the atlas's outcome is a 0/1 indicator). Each draw is tested at level ``alpha`` by

- ``iid_t``: the Pearson t-test treating counties as independent;
- ``within_permutation``: the within-state permutation test (outcome shuffled inside states,
  :func:`analysis.stats.resampling.within_strata_permutation_test`);
- ``cluster_pooled`` and ``cluster_within``: the LPM slope with CRV3 state-clustered errors and
  a t(G - 1) reference, without and with state fixed effects
  (:func:`analysis.stats.correlation.clustered_slope_tests`).

A test holds its size when its rejection rate stays near ``alpha``. All draws come from
``numpy.random.default_rng(seed)`` in a fixed order, so a seed gives the same table every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.stats._common import wilson_interval
from analysis.stats.correlation import clustered_slope_tests, iid_correlation_tests
from analysis.stats.neighbors import neighbor_edges, neighbors_from_geometry
from analysis.stats.resampling import within_strata_permutation_columns

SIZE_TESTS = {
    "iid_t": "Pearson t-test, counties independent (previous q-values)",
    "within_permutation": "within-state permutation test (previous)",
    "cluster_pooled": "LPM slope, state-clustered CRV3, t(G-1), pooled (new)",
    "cluster_within": "LPM slope, state FE, state-clustered CRV3, t(G-1), within (new)",
}
SIZE_COLUMNS = [
    "test",
    "description",
    "n_draws",
    "rejections",
    "rejection_rate",
    "ci_low",
    "ci_high",
    "alpha",
    "seed",
    "smoothing_steps",
    "outcome_share",
    "n_permutations",
    "n_units",
    "n_clusters",
]


@dataclass(frozen=True)
class Adjacency:
    """Units (``ids``), their clusters (``clusters``, e.g. states) and a neighbour edge table
    (``fips, neighbor_fips``)."""

    ids: np.ndarray
    clusters: np.ndarray
    edges: pd.DataFrame

    @classmethod
    def of(cls, ids: Sequence[str], clusters: Sequence[str], edges: pd.DataFrame) -> Adjacency:
        ids = np.asarray(ids).astype(str)
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique")
        if len(clusters) != len(ids):
            raise ValueError("clusters must have one value per id")
        edges = neighbor_edges(edges)
        named = np.r_[edges.fips.to_numpy(dtype=object), edges.neighbor_fips.to_numpy(dtype=object)]
        outside = pd.Index(ids).get_indexer(named) < 0
        if outside.any():
            unknown = sorted(set(named[outside]))
            raise ValueError(f"edges name ids that are not units: {unknown[:5]}")
        return cls(ids, np.asarray(clusters).astype(str), edges)


def county_adjacency(raw_dir: Path | None = None) -> Adjacency:
    """The 3,144 counties, their states and queen contiguity from the 2023 county polygons
    (:func:`analysis.geo.shapes.county_geometry` in longitude/latitude); the few counties
    without a polygon or without neighbours (islands) are kept with no neighbours."""
    from analysis.geo.shapes import county_geometry

    geometry = county_geometry(raw_dir, projection="lonlat")
    return Adjacency.of(geometry.fips, geometry.state_usps, neighbors_from_geometry(geometry))


def smoothing_matrix(adjacency: Adjacency, steps: int) -> sparse.csr_matrix:
    """``M^steps``, where ``M`` replaces each unit's value by the mean over itself and its
    neighbours (a row-stochastic sparse matrix)."""
    if steps < 0:
        raise ValueError("smoothing steps must be at least 0")
    n = adjacency.ids.size
    position = pd.Index(adjacency.ids)  # every edge names units (checked by Adjacency.of)
    rows = np.r_[np.arange(n), position.get_indexer(adjacency.edges.fips).astype(int)]
    cols = np.r_[np.arange(n), position.get_indexer(adjacency.edges.neighbor_fips).astype(int)]
    step = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    step = sparse.diags(1 / np.asarray(step.sum(axis=1)).ravel()) @ step
    out = sparse.identity(n, format="csr")
    for _ in range(steps):
        out = step @ out
    return out.tocsr()


def null_draws(
    adjacency: Adjacency,
    n_draws: int,
    rng: np.random.Generator,
    *,
    smoothing_steps: int,
    outcome_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``n_draws`` independent pairs (covariate, 0/1 outcome), each an ``n_units x n_draws``
    array of spatially smoothed noise; the outcome is 1 on the ``round(outcome_share * n)``
    units with the largest smoothed values."""
    if not 0 < outcome_share < 1:
        raise ValueError("outcome_share must lie in (0, 1)")
    n = adjacency.ids.size
    smooth = smoothing_matrix(adjacency, smoothing_steps)
    x = np.asarray(smooth @ rng.standard_normal((n, n_draws)))
    latent = np.asarray(smooth @ rng.standard_normal((n, n_draws)))
    n_ones = int(round(outcome_share * n))
    if not 0 < n_ones < n:
        raise ValueError("outcome_share leaves no 0s or no 1s")
    # 1 on the first n_ones units of each column's stable descending order (the units whose
    # rank is below n_ones), without ranking every unit.
    order = np.argsort(-latent, axis=0, kind="stable")
    y = np.zeros(latent.shape)
    np.put_along_axis(y, order[:n_ones], 1.0, axis=0)
    return x, y


def size_simulation(
    adjacency: Adjacency,
    *,
    n_draws: int = 200,
    seed: int = 0,
    smoothing_steps: int = 1,
    outcome_share: float = 0.2,
    alpha: float = 0.05,
    n_permutations: int = 199,
    tests: Sequence[str] = tuple(SIZE_TESTS),
) -> pd.DataFrame:
    """Rejection rate at ``alpha`` of each test in ``tests`` (keys of :data:`SIZE_TESTS`) over
    ``n_draws`` draws of spatially smoothed independent noise (see the module docstring), with
    its Wilson 95% interval. The permutation test uses ``n_permutations`` shuffles a draw
    (``(count + 1)/(B + 1)`` p-values); its shuffles are seeded from ``seed`` and the draw, so
    the rate of each test is the same whichever other tests are run. Columns
    :data:`SIZE_COLUMNS`, one row per test in the order given."""
    unknown = [t for t in tests if t not in SIZE_TESTS]
    if unknown:
        raise ValueError(f"unknown tests {unknown}; choose from {list(SIZE_TESTS)}")
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    rng = np.random.default_rng(seed)
    x, y = null_draws(
        adjacency, n_draws, rng, smoothing_steps=smoothing_steps, outcome_share=outcome_share
    )
    clusters = np.unique(adjacency.clusters, return_inverse=True)[1]
    p_values: dict[str, np.ndarray] = {}
    for test in tests:
        if test == "iid_t":
            p_values[test] = iid_correlation_tests(y, x)[1]
        elif test == "within_permutation":
            seeds = np.random.SeedSequence(seed).spawn(n_draws)
            p_values[test] = within_strata_permutation_columns(
                y, x, clusters, n_permutations=n_permutations, seeds=seeds
            )
        else:
            within = test == "cluster_within"
            p_values[test] = clustered_slope_tests(y, x, clusters, within=within)["p_value"]
    rejections = np.array([int((p_values[t] <= alpha).sum()) for t in tests])
    low, high = wilson_interval(rejections, np.full(len(tests), n_draws), 0.05)
    return pd.DataFrame(
        {
            "test": list(tests),
            "description": [SIZE_TESTS[t] for t in tests],
            "n_draws": n_draws,
            "rejections": rejections,
            "rejection_rate": rejections / n_draws,
            "ci_low": low,
            "ci_high": high,
            "alpha": alpha,
            "seed": seed,
            "smoothing_steps": smoothing_steps,
            "outcome_share": outcome_share,
            "n_permutations": n_permutations if "within_permutation" in tests else 0,
            "n_units": adjacency.ids.size,
            "n_clusters": int(np.unique(clusters).size),
        }
    )[SIZE_COLUMNS]
