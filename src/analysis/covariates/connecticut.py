"""Connecticut: move values that exist only for the eight old counties onto the nine planning
regions (2022), through the 169 towns that nest in both.

No fetched file gives town populations, so the population of each old-county x region cell (the
towns they share) is estimated by iterative proportional fitting: start from the cells' land
area and rescale until the cells add up to the Census 2020 population of every old county (rows)
and of every planning region (columns) - both known exactly. Most regions lie in one or two old
counties, so the margins pin most cells down; land area only decides the split inside the few
three-way overlaps.

Counts are then distributed in proportion to the cells (each old county's count spread over its
regions by population), which assumes a uniform rate inside each old county. Votes are spread
with each region's 2024 result as the pattern, which assumes a uniform swing instead. Medians,
which cannot be added, become population-weighted means of the old counties' medians.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.geo.counties import OLD_CT_COUNTIES

TOLERANCE = 1e-10  # relative error allowed on every margin
MAX_ITERATIONS = 100_000


def cell_populations(
    towns: pd.DataFrame, county_population: pd.Series, region_population: pd.Series
) -> pd.DataFrame:
    """Estimated population of each old county (rows) x planning region (columns) cell.

    ``towns`` is :func:`analysis.ct_towns`; the two populations are indexed by FIPS
    and must add up to the same state total.
    """
    seed = towns.pivot_table(
        index="old_county_fips",
        columns="region_fips",
        values="land_area_sqmi",
        aggfunc="sum",
        fill_value=0.0,
    )
    rows = county_population.reindex(seed.index).to_numpy(dtype=float)
    cols = region_population.reindex(seed.columns).to_numpy(dtype=float)
    if np.isnan(rows).any() or np.isnan(cols).any():
        raise ValueError("Connecticut allocation: a county or region population is missing")
    if abs(rows.sum() - cols.sum()) > TOLERANCE * rows.sum():
        raise ValueError(f"Connecticut margins differ: counties {rows.sum()}, regions {cols.sum()}")
    cells = _fit(seed.to_numpy(dtype=float, copy=True), rows, cols)
    return pd.DataFrame(cells, index=seed.index, columns=seed.columns)


def _fit(cells: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Rescale ``cells`` in place, rows then columns, until the row sums are within the
    tolerance of ``rows``. Each step is ``cells *= (rows / cells.sum(axis=1))[:, None]``, then
    the same for the columns, into buffers made once; the row sums of the convergence test are
    those the next step divides by (the same numbers as summing again)."""
    limit = TOLERANCE * rows.max()
    row_sums, row_scale, gap = np.empty_like(rows), np.empty_like(rows), np.empty_like(rows)
    col_sums, col_scale = np.empty_like(cols), np.empty_like(cols)
    row_factor, col_factor = row_scale[:, None], col_scale[None, :]
    np.add.reduce(cells, axis=1, out=row_sums)
    for _ in range(MAX_ITERATIONS):
        np.divide(rows, row_sums, out=row_scale)
        np.multiply(cells, row_factor, out=cells)
        np.add.reduce(cells, axis=0, out=col_sums)
        np.divide(cols, col_sums, out=col_scale)
        np.multiply(cells, col_factor, out=cells)
        np.add.reduce(cells, axis=1, out=row_sums)
        np.subtract(row_sums, rows, out=gap)
        if np.maximum.reduce(np.abs(gap, out=gap)) <= limit:
            return cells
    raise ValueError("Connecticut allocation: proportional fitting did not converge")


def distribute(values: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Spread each old county's counts over its regions in proportion to ``weights`` (old x
    region); returns one row per region. Totals are preserved."""
    shares = weights.div(weights.sum(axis=1), axis=0)
    counts = values.reindex(shares.index)
    if counts.isna().any().any():
        raise ValueError("Connecticut allocation: an old county has no value")
    return shares.T @ counts


def blend(values: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Weighted mean of old-county values for each region, weights = the region's cells."""
    shares = weights.div(weights.sum(axis=0), axis=1)
    return shares.T @ values.reindex(shares.index)


def vote_pattern(cells: pd.DataFrame, region_votes: pd.Series) -> pd.DataFrame:
    """Each cell's estimated votes in the pattern year: its share of the region's population
    times the region's votes."""
    return cells.div(cells.sum(axis=0), axis=1).mul(region_votes.reindex(cells.columns), axis=1)


def replace_old_counties(
    frame: pd.DataFrame, regions: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    """``frame`` with its old Connecticut rows replaced by ``regions`` (indexed by region FIPS,
    holding ``columns``); other columns of the new rows stay empty."""
    kept = frame[~frame.fips.isin(OLD_CT_COUNTIES)]
    added = regions[columns].rename_axis("fips").reset_index()
    return pd.concat([kept, added], ignore_index=True).sort_values("fips").reset_index(drop=True)


def old_county_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The old Connecticut county rows of ``frame``, indexed by FIPS."""
    rows = frame[frame.fips.isin(OLD_CT_COUNTIES)].set_index("fips")[columns]
    if sorted(rows.index) != sorted(OLD_CT_COUNTIES):
        raise ValueError("Connecticut allocation: the source lacks some old counties")
    return rows
